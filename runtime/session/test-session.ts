/** Test support: writes a deployment YAML to a temp dir and builds a session from it. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig } from "../config/load.ts";
import { buildSession, type BuildOptions, type Session } from "./build.ts";

/** Root of the repository (for plugin paths in test configs). */
export const REPO_ROOT = resolve(import.meta.dir, "../..");

/** A temp folder removed by `dispose`. */
export function tempDir(prefix = "kestrel-"): { path: string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/** Writes `yaml` as a config file in `dir` and builds its session. */
export async function sessionFromYaml(dir: string, yaml: string, opts: BuildOptions = {}): Promise<Session> {
  const file = join(dir, "deployment.yaml");
  writeFileSync(file, yaml);
  const loaded = loadConfig(file, {});
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  return buildSession(loaded.config, file, { log: () => {}, ...opts });
}

/** A synthetic-market deployment for tests: a few pairs, a fixed start, given strategies. */
export function syntheticYaml(strategies: string, opts: { pairs?: string; seconds?: number; extra?: string; seed?: number } = {}): string {
  return `name: test
mode: backtest
seed: ${opts.seed ?? 11}
account: { currency: USD, capital: 1000000 }
market:
  source: synthetic
  synthetic:
    pairs: [${opts.pairs ?? "EURUSD, GBPUSD, EURGBP"}]
    start: "2024-01-08T07:00:00Z"
    durationSeconds: ${opts.seconds ?? 600}
    params: { quotesPerSecond: 200, tradeProbability: 0.1 }
venue: { name: sim, plugin: sim, params: { orderLatencyUs: 100, reportLatencyUs: 100, jitterUs: 30 } }
strategies:
${strategies}
risk:
  limits: { maxPosition: 1000000, maxOrderNotional: 5000000, maxOrdersPerSecond: 100, priceCollarBps: 100, maxDailyLoss: 100000, maxDrawdown: 100000 }
report: { equitySampleSeconds: 10 }
${opts.extra ?? ""}
`;
}
