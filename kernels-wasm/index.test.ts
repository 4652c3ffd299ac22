import { describe, expect, test } from "bun:test";
import { createFeatureKernels, defaultFeatureConfig, KernelsConfigError } from "./index.ts";

describe("feature kernels (twin)", () => {
  test("a quote sets mid, spread, microprice and L1 imbalance in ticks", () => {
    const k = createFeatureKernels(defaultFeatureConfig(1), "ts");
    const ix = k.layout.index;
    k.onQuote(0, 1_000_000, 100, 102, 3, 1);
    const f = k.features(0);
    expect(f[ix.mid]).toBe(101);
    expect(f[ix.spread]).toBe(2);
    expect(f[ix.microprice]).toBe((100 * 1 + 102 * 3) / 4);
    expect(f[ix.imbalance]).toBe(0.5);
  });

  test("trade VWAP covers exactly the window (ts - W, ts]", () => {
    const k = createFeatureKernels({ ...defaultFeatureConfig(1), vwapWindowsUs: [1000] }, "ts");
    const v = k.layout.index.vwap_1000;
    k.onTrade(0, 0, 10, 1, 1);
    k.onTrade(0, 500, 20, 3, -1);
    expect(k.features(0)[v]).toBe((10 + 60) / 4);
    k.onTrade(0, 1000, 30, 1, 1); // the trade at 0 leaves the window
    expect(k.features(0)[v]).toBe((60 + 30) / 4);
    k.onQuote(0, 2500, 1, 3, 1, 1); // a quote alone expires the window
    expect(k.features(0)[v]).toBeNaN();
  });

  test("rolling spread mean and max expire with time", () => {
    const k = createFeatureKernels({ ...defaultFeatureConfig(1), spreadWindowUs: 100 }, "ts");
    const { spread_mean, spread_max } = k.layout.index;
    k.onQuote(0, 0, 100, 110, 1, 1);
    k.onQuote(0, 50, 100, 102, 1, 1);
    expect(k.features(0)[spread_mean]).toBe(6);
    expect(k.features(0)[spread_max]).toBe(10);
    k.onQuote(0, 100, 100, 104, 1, 1);
    expect(k.features(0)[spread_mean]).toBe(3);
    expect(k.features(0)[spread_max]).toBe(4);
  });

  test("the context window holds the last rows oldest first, NaN written as 0", () => {
    const cfg = { ...defaultFeatureConfig(1), contextLength: 4 };
    const k = createFeatureKernels(cfg, "ts");
    const w = k.layout.width, mid = k.layout.index.mid, vwap = k.layout.index.vwap_50000;
    for (let t = 1; t <= 6; t++) k.onQuote(0, t * 1000, 100 + t, 102 + t, 1, 1);
    const ctx = k.context(0);
    expect(ctx.length).toBe(4 * w);
    expect([0, 1, 2, 3].map((r) => ctx[r * w + mid])).toEqual([104, 105, 106, 107]);
    expect(ctx[3 * w + vwap]).toBe(0);
  });

  test("a bad configuration is refused at construction with its field named", () => {
    try {
      createFeatureKernels({ ...defaultFeatureConfig(1), ringCapacity: 1000 }, "ts");
      throw new Error("accepted");
    } catch (e) {
      expect(e).toBeInstanceOf(KernelsConfigError);
      expect((e as KernelsConfigError).field).toBe("ringCapacity");
    }
  });
});
