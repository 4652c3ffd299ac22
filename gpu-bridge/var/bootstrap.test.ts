import { describe, expect, test } from "bun:test";
import { bootstrapVar, stepPnl, type BootstrapRequest } from "./bootstrap.ts";
import type { VarResult } from "./monte-carlo.ts";
import { normalHistory } from "./test-book.ts";

describe("historical bootstrap VaR", () => {
  test("summing resampled steps of a normal history gives the normal VaR of the horizon within sampling error", () => {
    const { exposures, history } = normalHistory(6, 50_000, 3);
    const req: BootstrapRequest = { exposures, history, stepSeconds: 1, horizonSeconds: 16, confidence: 0.99, paths: 200_000, seed: 5 };
    const r = bootstrapVar(req) as VarResult;
    const p = stepPnl(exposures, history);
    let m = 0;
    let v = 0;
    for (const x of p) m += x;
    m /= p.length;
    for (const x of p) v += (x - m) ** 2;
    const sigma = Math.sqrt((v / p.length) * 16);
    const z = 2.3263478740408408;
    expect(Math.abs((r.var + 16 * m) / (z * sigma) - 1)).toBeLessThan(0.03);
    expect(Math.abs(r.std / sigma - 1)).toBeLessThan(0.01);
  });

  test("one step per path reads the history's own tail", () => {
    const exposures = Float64Array.from([1]);
    const history = Float64Array.from({ length: 100 }, (_, i) => i - 50); // P&L -50..49
    const r = bootstrapVar({ exposures, history, stepSeconds: 60, horizonSeconds: 60, confidence: 0.9, paths: 100_000, seed: 1 }) as VarResult;
    // Losses 50..-49 equally likely: the top 10% are 41..50.
    expect(r.var).toBeGreaterThanOrEqual(40);
    expect(r.var).toBeLessThanOrEqual(42);
    expect(Math.abs(r.es - 45.5)).toBeLessThan(0.3);
  });

  test("requests that are malformed or too large are refused as values", () => {
    const exposures = Float64Array.from([1, 2]);
    expect(bootstrapVar({ exposures, history: new Float64Array(3), stepSeconds: 1, horizonSeconds: 1, confidence: 0.99, paths: 1000 })).toMatchObject({ code: "VAR_REQUEST_INVALID" });
    expect(bootstrapVar({ exposures, history: new Float64Array(4), stepSeconds: 1, horizonSeconds: 86_400, confidence: 0.99, paths: 1e6 })).toMatchObject({ code: "VAR_REQUEST_INVALID" });
  });
});
