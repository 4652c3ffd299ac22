/**
 * Test fixture: a small real paper session (synthetic market, the sim venue, one obi-scalper
 * strategy) running in real time at a high speed, with the admin server on a free loopback port.
 * Everything lives in a temp dir that `stop()` removes.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../config/load.ts";
import { buildSession, type Session } from "../../session/build.ts";
import { startRealtime, type RealtimeRun } from "../../session/realtime.ts";
import { startAdmin, type AdminServer } from "../index.ts";
import { issueToken } from "../auth/jwt.ts";
import type { Role } from "../auth/roles.ts";

/** A running paper session with its admin server and tokens for each role. */
export interface PaperFixture {
  readonly session: Session;
  readonly run: RealtimeRun;
  readonly admin: AdminServer;
  readonly key: string;
  readonly tokens: Record<Role, string>;
  /** The temp dir (stored backtest results go to its `backtests` folder unless the admin options say otherwise). */
  readonly dir: string;
  /** Stops the admin server and the run, and removes the temp dir. */
  stop(): Promise<void>;
}

/** Options of the fixture. */
export interface PaperFixtureOptions {
  /** Include the obi-scalper strategy (default true). */
  strategy?: boolean;
  /** Market time per wall time (default 20). */
  speed?: number;
  /** Record into a DuckDB store in the temp dir. */
  store?: boolean;
  /** Keep a journal in the temp dir (`journal.bin`). */
  journal?: boolean;
  /** Extra strategy entries, as YAML flow mappings (one per strategy). */
  strategies?: readonly string[];
  /** Extra admin options. */
  admin?: Parameters<typeof startAdmin>[2];
  /** Risk plugin entries, as YAML flow mappings (one per plugin). */
  riskPlugins?: readonly string[];
  /** Extra top-level YAML appended to the deployment (e.g. an `execution:` section). */
  extraYaml?: string;
  /** The deployment's `admin` section as a YAML flow mapping (default `{ port: 0 }`). */
  adminYaml?: string;
}

const YAML = (strategy: boolean, extra: readonly string[], store: string | null, riskPlugins: readonly string[] = [], admin = "{ port: 0 }") => `
name: admin-test
mode: paper
seed: 7
account: { currency: USD, capital: 1000000 }
market:
  source: synthetic
  speed: 1
  synthetic:
    pairs: [EURUSD, GBPUSD, EURGBP]
    start: now
    params: { quotesPerSecond: 50, tradeProbability: 0.1 }
venue:
  name: sim
  plugin: sim
  params: { orderLatencyUs: 150, reportLatencyUs: 150, jitterUs: 50, makerFeePpm: 0, takerFeePpm: 20 }
strategies:${strategy ? `
  - name: obi
    plugin: obi-scalper
    instruments: [EURUSD, GBPUSD]
    params: { orderSize: 100000, maxPosition: 200000, entryImbalance: 0.3, maxSpreadTicks: 30 }` : extra.length === 0 ? " []" : ""}${extra.map((e) => `
  - ${e}`).join("")}
risk:
  limits: { maxPosition: 5000000, maxOrderNotional: 5000000, maxOrdersPerSecond: 1000, priceCollarBps: 300, maxDailyLoss: 1000000, maxDrawdown: 1000000 }${riskPlugins.length === 0 ? "" : `
  plugins:${riskPlugins.map((r) => `
    - ${r}`).join("")}`}
admin: ${admin}
${store === null ? "" : `store: { path: ${JSON.stringify(store)}, policy: block, marksEverySeconds: 1 }`}
`;

/** Starts the fixture; waits until the session has processed market events. */
export async function startPaperFixture(opts: PaperFixtureOptions = {}): Promise<PaperFixture> {
  const dir = mkdtempSync(join(tmpdir(), "kestrel-admin-"));
  const file = join(dir, "paper.yaml");
  writeFileSync(file, YAML(opts.strategy ?? true, opts.strategies ?? [], opts.store === true ? join(dir, "store.duckdb") : null, opts.riskPlugins, opts.adminYaml) + (opts.extraYaml ?? ""));
  const loaded = loadConfig(file);
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const session = await buildSession(loaded.config, file, { journalPath: opts.journal === true ? join(dir, "journal.bin") : "", log: () => {}, features: "ts" });
  const run = startRealtime(session, { speed: opts.speed ?? 20 });
  const key = "test-key-0123456789abcdef0123456789abcdef";
  const admin = await startAdmin(session, run, { port: 0, keys: [key], log: () => {}, backtestsDir: join(dir, "backtests"), ...opts.admin });
  const tokens = {
    analyst: await issueToken("analyst", 600, key),
    trader: await issueToken("trader", 600, key),
    admin: await issueToken("admin", 600, key),
  };
  await waitFor(() => session.core.books.books.every((b) => b.valid), 10_000, "every instrument has a quote");
  return {
    session,
    run,
    admin,
    key,
    tokens,
    dir,
    async stop() {
      await admin.stop();
      run.stop();
      await run.done;
      await session.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until `cond` holds, checking on each macrotask; throws after `limitMs` naming `what`. */
export async function waitFor(cond: () => boolean, limitMs: number, what: string): Promise<void> {
  const until = performance.now() + limitMs;
  while (!cond()) {
    if (performance.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
