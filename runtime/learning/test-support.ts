/**
 * Test fixtures for model datasets and training: a temporary folder holding a replay deployment
 * over a few real OANDA day files (copied from ../shared/data) and a tiny model config over it.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadModelConfig, type LoadedModelConfig } from "./config.ts";

/** The shared market data folder. */
export const SHARED_DATA = fileURLToPath(new URL("../../../shared/data", import.meta.url));

/** A temporary tiny model setup; removed on dispose. */
export interface TinySetup extends Disposable {
  readonly dir: string;
  readonly deployment: string;
  readonly configFile: string;
  readonly config: LoadedModelConfig;
}

/** Options of the tiny setup. */
export interface TinyOptions {
  pairs?: string[];
  days?: string[];
  splits?: { train: string[]; validation: string[]; test: string[] };
  sampleEveryMs?: number;
  rows?: number;
  epochs?: number;
  samplesPerEpoch?: number;
  /** Train with the time-of-day variates (model.timeOfDay). */
  timeOfDay?: boolean;
  /** Train with the trading-session variates (model.session). */
  session?: boolean;
}

/** Writes a deployment over the OANDA `pairs` for `days` (YYYYMMDD) and a tiny model config over it. */
export function tinySetup(o: TinyOptions = {}): TinySetup {
  const pairs = o.pairs ?? ["eurusd", "nzdusd"];
  const days = o.days ?? ["20140501", "20140502"];
  const splits = o.splits ?? { train: ["2014-05-01"], validation: ["2014-05-02"], test: [] };
  const rows = o.rows ?? 16;
  const dir = mkdtempSync(join(tmpdir(), "kestrel-model-"));
  for (const p of pairs) {
    mkdirSync(join(dir, p));
    for (const d of days) copyFileSync(join(SHARED_DATA, "oanda", p, `${d}_${p}_tick_quote.csv.gz`), join(dir, p, `${d}_${p}_tick_quote.csv.gz`));
  }
  const deployment = join(dir, "deployment.yaml");
  writeFileSync(deployment, `name: tiny\nmode: backtest\nseed: 1\naccount: { currency: USD, capital: 1000000 }
instruments:
${pairs.map((p) => `  - { symbol: ${p.toUpperCase()}, base: ${p.slice(0, 3).toUpperCase()}, quote: USD, priceDecimals: 5, lotSize: 1000, minSize: 1000 }`).join("\n")}
market:
  source: replay
  replay:
    files:
${pairs.map((p) => `      - { path: ${p}, instrument: ${p.toUpperCase()}, format: lean }`).join("\n")}
venue: { name: sim, plugin: sim, params: { orderLatencyUs: 150, reportLatencyUs: 150, takerFeePpm: 20, assumedQuoteSize: 1000000 } }
strategies: []
features: { instruments: all }
risk:
  limits: { maxPosition: 1000000, maxOrderNotional: 2000000, maxOrdersPerSecond: 50, priceCollarBps: 50, maxDailyLoss: 50000, maxDrawdown: 50000 }
`);
  const configFile = join(dir, "tiny.yaml");
  writeFileSync(configFile, `name: vol-window-tiny
dataset:
  deployment: deployment.yaml
  out: ${join(dir, "dataset")}
  sampleEveryMs: ${o.sampleEveryMs ?? 30000}
  horizonSeconds: 30
  highVolQuantile: 0.8
  deadBandBps: 0.5
  rows: ${rows}
  staleSeconds: 60
  embargoSeconds: 600
  splits: ${JSON.stringify(splits)}
model: { rows: ${rows}, dModel: 8, heads: 2, layers: 1, ff: 16, dropout: 0.0${o.timeOfDay === true ? ", timeOfDay: true" : ""}${o.session === true ? ", session: true" : ""} }
train: { seed: 3, epochs: ${o.epochs ?? 2}, batchSize: 128, lr: 0.003, patience: 2, samplesPerEpoch: ${o.samplesPerEpoch ?? 0}, threads: 1, out: ${join(dir, "models")}, version: t1 }
`);
  return { dir, deployment, configFile, config: loadModelConfig(configFile), [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Which export of a card's model its ONNX file is ("grouped" serving form, "training" form or "other"), from `models/vol_window/grouped.py form`. */
export function onnxExportForm(cardPath: string, onnxPath: string): { form: string; nodes: number; groupedNodes: number; trainingNodes: number } {
  const script = fileURLToPath(new URL("../../models/vol_window/grouped.py", import.meta.url));
  const r = Bun.spawnSync(["/usr/bin/python3", script, "form", cardPath, onnxPath], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`ONNX_FORM_FAILED: card=${cardPath} exit=${r.exitCode} ${r.stderr.toString().trim().split("\n").slice(-3).join(" | ")}`);
  return JSON.parse(r.stdout.toString().trim().split("\n").at(-1)!);
}
