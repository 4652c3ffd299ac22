import { describe, expect, test } from "bun:test";
import { createStrategyHarness } from "../../sdk/harness.ts";
import type { Instrument } from "../../sdk/index.ts";
import modelScalper from "./index.ts";

const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };

/** A harness whose context serves `signal.value` as the model's signal (NaN: no model). */
function setup(params: Record<string, unknown> = {}) {
  const signal = { value: Number.NaN };
  const h = createStrategyHarness(modelScalper, { params: { threshold: 0.2, thresholdBounds: [0.05, 0.5], ...params }, instruments: [EURUSD] });
  (h.ctx as { signal?: (i: number) => number }).signal = () => signal.value;
  return { h, signal };
}

describe("model-scalper", () => {
  test("a signal at or above the threshold takes the touch in its direction, and the position is flattened after the horizon", () => {
    const { h, signal } = setup();
    signal.value = 0.1;
    h.quote("EURUSD", 114420, 114421, 0, 0);
    expect(h.intents).toHaveLength(0); // below the threshold
    signal.value = -0.25;
    h.quote("EURUSD", 114420, 114421, 0, 0);
    expect(h.intents.map((i) => i.intent)).toEqual([{ instrument: 0, side: -1, type: "limit", tif: "IOC", price: 114420, size: 100_000, tag: "model:entry" }]);
    h.fill(h.intents[0]!.orderId);
    expect(h.position("EURUSD")).toBe(-100_000);
    h.quote("EURUSD", 114418, 114419, 0, 0);
    expect(h.intents).toHaveLength(1); // holds for the model's horizon
    h.advance(30_000_000);
    expect(h.intents[1]!.intent).toEqual({ instrument: 0, side: 1, type: "limit", tif: "IOC", price: 114419, size: 100_000, tag: "model:exit" });
  });

  test("with no model signal it falls back to the imbalance rule and says so, and returns to the model when it answers", () => {
    const { h, signal } = setup();
    h.quote("EURUSD", 114420, 114421, 990_000, 10_000);
    expect(h.intents[0]!.intent).toMatchObject({ side: 1, price: 114421, tag: "model:entry" });
    expect(h.logs.map((l) => l.message)).toContain("model signal missing or stale: falling back to the imbalance rule");
    h.fill(h.intents[0]!.orderId);
    h.advance(30_000_000);
    h.fill(h.intents[1]!.orderId);
    signal.value = 0.01;
    h.quote("EURUSD", 114420, 114421, 990_000, 10_000);
    expect(h.intents).toHaveLength(2); // the model answers (below threshold): the rule no longer trades
    expect(h.logs.map((l) => l.message)).toContain("model signal back: trading the model");
  });

  test("a signal that stops changing is stale and no longer traded", () => {
    const { h, signal } = setup({ signalStaleUs: 5_000_000, fallbackImbalance: 1 });
    signal.value = 0.01;
    h.quote("EURUSD", 114420, 114421, 0, 0);
    h.advance(6_000_000);
    signal.value = 0.01;
    h.quote("EURUSD", 114420, 114421, 0, 0);
    expect(h.logs.map((l) => l.message).at(-1)).toBe("model signal missing or stale: falling back to the imbalance rule");
    expect(h.intents).toHaveLength(0);
  });

  test("online re-calibration raises the threshold after losing round trips, within its bounds", () => {
    const { h, signal } = setup({ recalibrateTrades: 1, thresholdBounds: [0.2, 0.3] });
    for (let k = 0; k < 3; k++) {
      signal.value = 0.25 + k * 1e-3; // a fresh answer each round
      h.quote("EURUSD", 114420, 114421, 0, 0);
      const entry = h.intents.at(-1)!;
      expect(entry.intent.tag).toBe("model:entry");
      h.fill(entry.orderId, 114421);
      h.quote("EURUSD", 114410, 114411, 0, 0);
      h.advance(30_000_000);
      h.fill(h.intents.at(-1)!.orderId, 114410); // lost 11 ticks
    }
    const recal = h.logs.filter((l) => l.message === "threshold re-calibrated").map((l) => l.fields!.to as number);
    expect(recal[0]).toBeCloseTo(0.21, 10);
    expect(Math.max(...recal)).toBeLessThanOrEqual(0.3);
    // After three losing round trips the threshold is 0.23: a 0.22 signal is no longer traded.
    signal.value = 0.22;
    const before = h.intents.length;
    h.quote("EURUSD", 114420, 114421, 0, 0);
    expect(h.intents.length).toBe(before);
  });
});
