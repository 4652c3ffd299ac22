/**
 * `kestrel plugin check`: everything a plugin package must pass before a deployment may use it —
 * its package.json `kestrel` field, the module's manifest (shape, SDK range, capabilities) and their
 * agreement, the TypeScript types under the project's strict settings, and a short harness run
 * that must not throw. Returns every problem, one line each.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Value } from "@sinclair/typebox/value";
import type { TSchema } from "@sinclair/typebox";
import { createStrategyHarness } from "../../plugins/sdk/harness.ts";
import { startAlgo } from "../../plugins/sdk/algo-harness.ts";
import type { AlgoPlugin } from "../../plugins/sdk/algo.ts";
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import type { PluginKind } from "../../plugins/sdk/manifest.ts";
import type { RiskPlugin } from "../../plugins/sdk/risk.ts";
import type { StrategyPlugin } from "../../plugins/sdk/strategy.ts";
import type { ExecutionReport, VenuePlugin } from "../../plugins/sdk/venue.ts";
import { checkPluginExport } from "./manifest-check.ts";
import { comparePackageManifest, readPluginPackage, type PluginPackage } from "./package.ts";
import { serveSdkTo } from "./sdk-resolver.ts";

const ROOT = resolve(import.meta.dir, "../..");
const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };

/** The outcome of a check: the package when it was readable, and every problem found. */
export interface PluginCheckResult {
  readonly pkg: PluginPackage | null;
  readonly problems: string[];
}

/** Checks the plugin package in `dir`; `types: false` skips the compiler (it is the slow step). */
export async function checkPluginPackage(dir: string, options: { types?: boolean } = {}): Promise<PluginCheckResult> {
  const pkg = readPluginPackage(dir);
  if (Array.isArray(pkg)) return { pkg: null, problems: pkg };
  serveSdkTo(pkg.dir);
  let exported: unknown;
  try {
    exported = (await import(pkg.entry)).default;
  } catch (err) {
    return { pkg, problems: [`${pkg.entry}: module failed to load: ${(err as Error).message}`] };
  }
  const problems = checkPluginExport(exported, pkg.kestrel.kind as PluginKind).map((p) => `${pkg.entry}: ${p}`);
  if (problems.length > 0) return { pkg, problems };
  const plugin = exported as { manifest: { version: string; kind: string; sdk: string; capabilities?: readonly string[] } };
  problems.push(...comparePackageManifest(pkg, plugin.manifest));
  if (options.types !== false) problems.push(...typecheck(pkg.dir));
  const run = harnessRun(exported, pkg.kestrel.kind);
  if (run !== null) problems.push(`harness run: ${run}`);
  return { pkg, problems };
}

/** Type-checks the package's TypeScript files with the project's compiler options; returns the compiler's error lines. */
function typecheck(dir: string): string[] {
  const files = listTs(dir);
  if (files.length === 0) return [];
  const scratch = join(ROOT, "var", "plugin-check");
  mkdirSync(scratch, { recursive: true });
  const config = join(scratch, `tsconfig.${process.pid}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(ROOT, "tsconfig.json"),
      compilerOptions: { baseUrl: ROOT, paths: { "kestrel/sdk": [join(ROOT, "plugins/sdk/index.ts")], "kestrel/sdk/harness": [join(ROOT, "plugins/sdk/harness.ts")], "kestrel/sdk/algo-harness": [join(ROOT, "plugins/sdk/algo-harness.ts")] } },
      include: files,
    }),
  );
  try {
    const r = Bun.spawnSync([join(ROOT, "node_modules/.bin/tsc"), "--noEmit", "-p", config], { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode === 0) return [];
    return `${r.stdout}${r.stderr}`.split("\n").filter((l) => /error TS\d+/.test(l)).map((l) => `types: ${l.trim()}`);
  } finally {
    rmSync(config, { force: true });
  }
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listTs(p));
    else if (/\.(ts|mts)$/.test(e.name)) out.push(resolve(p));
  }
  return out;
}

/** Drives the plugin briefly through the SDK's interfaces; returns what went wrong, or null. */
function harnessRun(exported: unknown, kind: string): string | null {
  try {
    if (kind === "strategy") {
      const h = createStrategyHarness(exported as StrategyPlugin, { instruments: [EURUSD] });
      let bid = 114543;
      for (let i = 0; i < 200; i++) {
        bid += ((i * 7919) % 5) - 2;
        h.quote("EURUSD", bid, bid + 2, 1_000_000 + ((i * 104729) % 900_000), 1_000_000);
        for (const s of h.intents) if (s.rejected === null && h.order(s.orderId)?.status === "working" && i % 3 === 0) h.fill(s.orderId);
        h.advance(100_000);
      }
      h.stop();
    } else if (kind === "risk") {
      const p = exported as RiskPlugin;
      const ctx = { name: p.manifest.name, params: defaults(p.manifest.params), instruments: [EURUSD], now: () => 0, log: () => {} };
      const hooks = p.create(ctx as never);
      const book = { instrument: 0, ts: 0, bid: 114543, ask: 114545, bidSize: 1, askSize: 1, mid2: 229088, valid: true };
      for (const size of [1000, 100_000, 10_000_000]) hooks.check(ctx as never, { strategy: "check", instrument: EURUSD, intent: { instrument: 0, side: 1, type: "limit", price: 114543, size }, position: 0, workingSameSide: 0, book, now: 0 });
    } else if (kind === "algo") {
      for (const side of [1, -1] as const) {
        const h = startAlgo(exported as AlgoPlugin<TSchema>, { instrument: EURUSD, side, quantity: 1_000_000, bid: 114543, ask: 114545 });
        for (let i = 0; i < 50; i++) {
          h.quote(114543 + (i % 3), 114545 + (i % 3), 1_000_000, 1_000_000);
          for (const c of h.open()) if (i % 4 === 0) h.fill(c.id, c.price > 0 ? c.price : 114545);
          h.advance(60_000_000);
        }
      }
    } else if (kind === "venue") {
      const p = exported as VenuePlugin;
      const reports: ExecutionReport[] = [];
      const ctx = { name: p.manifest.name, params: defaults(p.manifest.params), instruments: [EURUSD], seed: 1, now: () => 0, schedule: () => {}, report: (r: ExecutionReport) => reports.push(r), quote: () => true, trade: () => true, alert: () => {}, log: () => {} };
      const venue = p.create(ctx as never) as unknown as { submit(o: unknown): void };
      venue.submit({ id: 1, instrument: 0, side: 1, type: "limit", tif: "GTC", price: 114543, stopPrice: 0, size: 1000, expireTs: 0, postOnly: false, ts: 0 });
    }
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function defaults(schema: TSchema): unknown {
  return Value.Default(schema, {});
}
