/**
 * The WASM HMM forward filter against its TypeScript twin (HmmFilter): the shipped regime model
 * over the real FXCM EURUSD day of 2014-05-09, plain and with the shifted segment the regime tests
 * use (volatility ×4, spread ×3 from 12:00 to 14:00 UTC; also under the debug build), and a far outlier. Stated tolerance:
 * 1e-12 relative on the log predictive likelihood, 1e-12 absolute on each probability.
 */
import { describe, expect, test } from "bun:test";
import { readLeanDay } from "../../../plugins/strategies/testing/lean-ticks.ts";
import { RegimeBarFeatures } from "../../../plugins/strategies/shared/regime/bar-features.ts";
import { HmmFilter } from "../../../plugins/strategies/shared/regime/gaussian-hmm.ts";
import { REGIME_MODELS } from "../../../plugins/strategies/shared/regime/models/index.ts";
import { spliceShiftedSegment } from "../../../plugins/strategies/shared/regime/shifted-segment.ts";
import { WasmHmmFilter } from "./hmm.ts";

const file = REGIME_MODELS["eurusd-fxcm-1m"]!;
const NOON = Date.UTC(2014, 4, 9, 12) * 1000;

/** Runs both filters over the day's bar features; returns the bars compared and the largest differences. */
function compare(shifted: boolean, variant: "release" | "debug"): { bars: number; lik: number; prob: number; argmaxDiffers: number } {
  const raw = readLeanDay("fxcm", "eurusd", "20140509");
  const q = shifted ? spliceShiftedSegment(raw, NOON, NOON + 7_200_000_000, 4, 3) : raw;
  const feats = new RegimeBarFeatures(file.model.features, file.barUs, file.model.seasonal ?? null);
  const ts = new HmmFilter(file.model), wasm = new WasmHmmFilter(file.model, variant);
  let bars = 0, lik = 0, prob = 0, argmaxDiffers = 0;
  for (let i = 0; i < q.ts.length; i++) {
    if (!feats.push(q.ts[i]!, q.bid[i]!, q.ask[i]!)) continue;
    const a = ts.update(feats.vector), b = wasm.update(feats.vector);
    lik = Math.max(lik, Math.abs(a - b) / Math.max(1, Math.abs(a)));
    for (let j = 0; j < file.model.k; j++) prob = Math.max(prob, Math.abs(ts.probs[j]! - wasm.probs[j]!));
    if (ts.argmax() !== wasm.argmax()) argmaxDiffers++;
    bars++;
  }
  expect(wasm.count).toBe(ts.count);
  return { bars, lik, prob, argmaxDiffers };
}

describe("WASM HMM forward filter", () => {
  test("equals the TypeScript filter within 1e-12 on the real day, plain and with the shifted segment, release and debug builds", () => {
    for (const [shifted, variant] of [[false, "release"], [true, "release"], [true, "debug"]] as const) {
      const r = compare(shifted, variant);
      expect(r.bars).toBeGreaterThan(900);
      if (process.env.HMM_TWIN_PRINT) console.log(shifted, r);
      expect(r.lik).toBeLessThan(1e-12);
      expect(r.prob).toBeLessThan(1e-12);
      expect(r.argmaxDiffers).toBe(0);
    }
  }, 60_000);

  test("a far outlier gives the same very negative likelihood, not NaN; reset starts again from pi", () => {
    const ts = new HmmFilter(file.model), wasm = new WasmHmmFilter(file.model);
    const d = file.model.features.length;
    const far = new Array(d).fill(1e6);
    const a = ts.update(far), b = wasm.update(far);
    expect(a).toBeLessThan(-1e9);
    expect(Math.abs(a - b) / Math.abs(a)).toBeLessThan(1e-12);
    for (let j = 0; j < file.model.k; j++) expect(wasm.probs[j]!).toBeCloseTo(ts.probs[j]!, 12);
    wasm.reset();
    expect(wasm.count).toBe(0);
    expect(Array.from(wasm.probs)).toEqual(file.model.pi as number[]);
  });
});
