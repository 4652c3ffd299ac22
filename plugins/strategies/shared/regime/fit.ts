/**
 * Fits a regime model file on real days, offline: `bun plugins/strategies/shared/regime/fit.ts
 * [--provider fxcm] [--pair eurusd] [--train 20140501,...] [--states 4] [--bar-seconds 60]
 * [--window 15] [--sustain 5] [--quantile 0.01] [--out path.json]`. Prints the fit and, for each
 * later day on file (the test days, read once), how many bars the monitor spent outside the trained
 * distribution, plain and with a shifted segment spliced in (12:00–14:00 UTC, volatility ×4,
 * spread ×3).
 */
import { writeFileSync } from "node:fs";
import { LEAN_DATES, readLeanDay } from "../../testing/lean-ticks.ts";
import { calibrate, dayRows, fitRegimeModel, type RegimeModelFile } from "./fit-model.ts";
import { RegimeEvent, RegimeMonitor } from "./regime-monitor.ts";
import { spliceShiftedSegment, type QuoteArrays } from "./shifted-segment.ts";

/** What a monitor did over one day. */
export interface DayVerdict {
  readonly bars: number;
  readonly outsideBars: number;
  /** ts of the first bar judged outside, or null. */
  readonly firstLeftTs: number | null;
  /** Spans judged outside, as "HH:MM–HH:MM" UTC (the end open while still outside at the day's end). */
  readonly spans: string[];
}

/** Runs a fresh monitor of the model file over a day of quotes. */
export function monitorDay(file: RegimeModelFile, q: QuoteArrays): DayVerdict {
  const m = new RegimeMonitor(file.model, file.barUs, file.calibration);
  let bars = 0, outside = 0, first: number | null = null;
  const spans: string[] = [];
  const hhmm = (ts: number): string => new Date(ts / 1000).toISOString().slice(11, 16);
  for (let i = 0; i < q.ts.length; i++) {
    const before = m.features.count;
    const ev = m.push(q.ts[i]!, q.bid[i]!, q.ask[i]!);
    if (m.features.count === before) continue;
    bars++;
    if (m.outside) outside++;
    if (ev === RegimeEvent.Left) { if (first === null) first = q.ts[i]!; spans.push(hhmm(q.ts[i]!) + "–"); }
    if (ev === RegimeEvent.Returned) spans[spans.length - 1] += hhmm(q.ts[i]!);
  }
  return { bars, outsideBars: outside, firstLeftTs: first, spans };
}

/** Fits and calibrates a model file from the named days of a provider's pair. */
export function fitModelFile(provider: "fxcm" | "oanda", pair: string, train: readonly string[], o: { states: number; barUs: number; windowBars: number; sustainBars: number; quantile: number }): RegimeModelFile {
  const features = ["log_rv", "log_spread", "log_quotes"];
  const days = train.map((d) => { const q = readLeanDay(provider, pair, d); return dayRows(features, o.barUs, q.ts, q.bid, q.ask); });
  const { model } = fitRegimeModel(features, days, o.states);
  const calibration = calibrate(model, days, o.windowBars, o.quantile, o.sustainBars);
  const labels = Array.from({ length: o.states }, (_, s) => (s === 0 ? "calmest" : s === o.states - 1 ? "busiest" : `state ${s}`));
  return { kind: "kestrel-regime-hmm", barUs: o.barUs, model, calibration, labels, trainedOn: `${provider} ${pair} ${train.join(",")}` };
}

if (import.meta.main) {
  const arg = (name: string, dflt: string): string => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1]! : dflt; };
  const provider = arg("--provider", "fxcm") as "fxcm" | "oanda", pair = arg("--pair", "eurusd");
  const train = arg("--train", LEAN_DATES.slice(0, 6).join(",")).split(",");
  const file = fitModelFile(provider, pair, train, {
    states: Number(arg("--states", "4")), barUs: Number(arg("--bar-seconds", "60")) * 1e6,
    windowBars: Number(arg("--window", "15")), sustainBars: Number(arg("--sustain", "5")), quantile: Number(arg("--quantile", "0.01")),
  });
  const out = arg("--out", "");
  if (out !== "") writeFileSync(out, JSON.stringify(file, null, 1) + "\n");
  console.log(`fitted on ${file.trainedOn}: bound ${file.calibration.bound.toFixed(3)} (q=${file.calibration.quantile}, window ${file.calibration.windowBars}, sustain ${file.calibration.sustainBars})`);
  console.log("| test day | bars | bars outside, plain | spans outside, plain | bars outside, shifted 12–14 UTC | spans outside, shifted |");
  console.log("|---|---|---|---|---|---|");
  for (const date of LEAN_DATES.filter((d) => !train.includes(d))) {
    const q = readLeanDay(provider, pair, date);
    const noon = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)), 12) * 1000;
    const plain = monitorDay(file, q);
    const shifted = monitorDay(file, spliceShiftedSegment(q, noon, noon + 7_200_000_000, 4, 3));
    console.log(`| ${date} | ${plain.bars} | ${plain.outsideBars} | ${plain.spans.join(", ") || "none"} | ${shifted.outsideBars} | ${shifted.spans.join(", ") || "none"} |`);
  }
}
