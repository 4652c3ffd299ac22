import { describe, expect, test } from "bun:test";
import { createStrategyHarness, type StrategyHarness } from "../../sdk/harness.ts";
import type { Instrument } from "../../sdk/index.ts";
import { EG_CRITICAL_5PCT, engleGranger, newEngleGranger } from "./cointegration.ts";
import { KalmanHedge } from "./kalman.ts";
import pairs from "./index.ts";

const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const NZDUSD: Instrument = { id: 1, symbol: "NZDUSD", venue: "sim", base: "NZD", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const BAR = 1_000_000;

/** A seeded uniform in [0, 1) (mulberry32), so the synthetic pair is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** log y = 0.1 + 0.8 log x + e, x a random walk, e an AR(1) with coefficient `phi`; n samples. */
function synthetic(n: number, phi: number, seed: number): { ys: Float64Array; xs: Float64Array } {
  const u = rng(seed);
  const ys = new Float64Array(n), xs = new Float64Array(n);
  let x = Math.log(0.7), e = 0;
  for (let i = 0; i < n; i++) {
    x += (u() - 0.5) * 4e-4;
    e = phi * e + (u() - 0.5) * 4e-4;
    xs[i] = x;
    ys[i] = 0.1 + 0.8 * x + e;
  }
  return { ys, xs };
}

describe("Engle–Granger", () => {
  test("a cointegrated pair is accepted with its slope; two independent random walks are not", () => {
    const { ys, xs } = synthetic(400, 0.8, 1);
    const r = engleGranger(ys, xs, 0, 400, newEngleGranger());
    expect(r.beta).toBeCloseTo(0.8, 1);
    expect(r.tStat).toBeLessThan(EG_CRITICAL_5PCT);
    expect(r.halfLife).toBeGreaterThan(1);
    expect(r.halfLife).toBeLessThan(10);
    const a = synthetic(400, 1, 2), b = synthetic(400, 1, 3);
    expect(engleGranger(a.ys, b.xs, 0, 400, newEngleGranger()).tStat).toBeGreaterThan(EG_CRITICAL_5PCT);
  });

  test("reads a ring from its oldest sample: a rotated ring gives the same answer", () => {
    const { ys, xs } = synthetic(100, 0.7, 4);
    const ry = new Float64Array(100), rx = new Float64Array(100);
    for (let i = 0; i < 100; i++) {
      ry[(i + 37) % 100] = ys[i]!;
      rx[(i + 37) % 100] = xs[i]!;
    }
    const flat = engleGranger(ys, xs, 0, 100, newEngleGranger());
    const ring = engleGranger(ry, rx, 37, 100, newEngleGranger());
    expect(ring.tStat).toBeCloseTo(flat.tStat, 9);
    expect(ring.beta).toBeCloseTo(flat.beta, 9);
  });
});

describe("KalmanHedge", () => {
  test("tracks a hedge ratio that moves, and its z-score of a jump is large", () => {
    const kf = new KalmanHedge(1e-3);
    kf.reset(0, 0.5, 1e-8);
    for (let i = 0; i < 3000; i++) {
      const x = -0.3 + 0.05 * Math.sin(i / 50);
      kf.update(0.7 * x, x);
    }
    expect(kf.beta).toBeGreaterThan(0.6); // from 0.5 toward 0.7
    expect(Math.abs(kf.innovation)).toBeLessThan(5e-3); // it was 0.2 * 0.3 = 0.06 at the start
    expect(Math.abs(kf.update(0.7 * -0.3 + 1e-2, -0.3))).toBeGreaterThan(5);
  });
});

const small = { barUs: BAR, formationBars: 60, retestBars: 1_000_000, entryZ: 2, exitZ: 0.5, stopZ: 50, legSize: 100_000, legTimeoutUs: 5_000_000, maxSpreadBps: 3 };

/** Feeds a cointegrated pair for the formation window (both quoted each bar), then returns a bar feeder. */
function formed(params: Record<string, unknown> = {}) {
  const h = createStrategyHarness(pairs, { params: { ...small, ...params }, instruments: [EURUSD, NZDUSD], startTs: 0 });
  const { ys, xs } = synthetic(61, 0.5, 7);
  const bar = (ly: number, lx: number): void => {
    const ts = (Math.floor(h.now() / BAR) + 1) * BAR;
    const y = Math.round(Math.exp(ly) * 1e5), x = Math.round(Math.exp(lx) * 1e5);
    h.quote(0, y - 1, y + 1, 0, 0, ts);
    h.quote(1, x - 1, x + 1, 0, 0, ts + 1);
  };
  for (let i = 0; i < 61; i++) bar(ys[i]!, xs[i]!);
  /** Quotes only y at the next bar: the bar before closes, and what it decides is all that is sent. */
  const yOnly = (ly: number): void => {
    const ts = (Math.floor(h.now() / BAR) + 1) * BAR;
    const y = Math.round(Math.exp(ly) * 1e5);
    h.quote(0, y - 1, y + 1, 0, 0, ts);
  };
  return { h, bar, yOnly, lastX: xs[60]!, lastY: ys[60]! };
}

/** Drives the pair to an open short spread (y rich) and returns the two leg orders. */
function openShort(f: ReturnType<typeof formed>): { y: number; x: number } {
  f.bar(f.lastY + 0.001, f.lastX); // y jumps 0.1%: z far above entryZ
  f.yOnly(f.lastY + 0.001); // that bar closes: the pair is sent
  const legs = f.h.intents.filter((i) => i.intent.tag === "pairs:short");
  expect(legs.map((l) => [l.intent.instrument, l.intent.side, l.intent.tif])).toEqual([[0, -1, "IOC"], [1, 1, "IOC"]]);
  return { y: legs[0]!.orderId, x: legs[1]!.orderId };
}

describe("pairs-stat-arb", () => {
  test("the formation window is tested and logged; a rich y sells y and buys x by notional times beta, in one pair", () => {
    const f = formed();
    const formation = f.h.logs.find((l) => l.message === "formation")!;
    expect(formation.fields).toMatchObject({ cointegrated: true });
    const legs = openShort(f);
    const y = f.h.order(legs.y)!, x = f.h.order(legs.x)!;
    expect(y.size).toBe(100_000);
    const open = f.h.logs.find((l) => l.message === "open spread")!;
    const beta = open.fields!.beta as number;
    const expected = Math.trunc((beta * 100_000 * f.h.ctx.book(0).mid2) / f.h.ctx.book(1).mid2 / 1000) * 1000;
    expect(x.size).toBe(expected);
    expect(y.price).toBe(f.h.ctx.book(0).bid); // sells at the bid
    expect(x.price).toBe(f.h.ctx.book(1).ask); // buys at the ask
  });

  test("both legs fill; when z comes back inside exitZ both are closed together", () => {
    const f = formed();
    const legs = openShort(f);
    f.h.fill(legs.y);
    f.h.fill(legs.x);
    expect(f.h.position(0)).toBe(-100_000);
    f.bar(f.lastY, f.lastX); // back to the relation
    f.yOnly(f.lastY);
    const close = f.h.intents.filter((i) => i.intent.tag === "pairs:flat");
    expect(close.map((c) => [c.intent.instrument, c.intent.side])).toEqual([[0, 1], [1, -1]]);
    expect(f.h.logs.find((l) => l.message === "close spread")!.fields).toMatchObject({ why: "exit" });
  });

  test("leg risk, complete: one leg fills, the other is sent again on the next quotes, and after legTimeoutUs the filled leg is flattened", () => {
    const f = formed({ legRisk: "complete" });
    const legs = openShort(f);
    f.h.fill(legs.y); // y sold; x's IOC is not filled
    const quoteBoth = (dt: number): void => {
      const b0 = f.h.ctx.book(0), b1 = f.h.ctx.book(1);
      f.h.quote(0, b0.bid, b0.ask, 0, 0, f.h.now() + dt);
      f.h.quote(1, b1.bid, b1.ask, 0, 0, f.h.now() + 1);
    };
    quoteBoth(1_000_000);
    const retries = f.h.intents.filter((i) => i.orderId > legs.x);
    expect(retries.length).toBeGreaterThan(0); // one per quote while the IOCs die unfilled
    expect(new Set(retries.map((r) => JSON.stringify([r.intent.instrument, r.intent.side, r.intent.tag])))).toEqual(new Set(['[1,1,"pairs:short"]']));
    expect(f.h.position(0)).toBe(-100_000);
    f.h.advance(4_000_000); // the leg timer fires at 5 s
    const flat = f.h.intents.filter((i) => i.intent.tag === "pairs:flat");
    expect(flat.map((r) => [r.intent.instrument, r.intent.side, r.intent.size])).toEqual([[0, 1, 100_000]]);
    expect(f.h.logs.some((l) => l.message === "leg risk: flattening")).toBe(true);
    f.h.fill(flat[0]!.orderId);
    expect([f.h.position(0), f.h.position(1)]).toEqual([0, 0]);
  });

  test("leg risk, complete: a missing leg that fills within the bound completes the pair and nothing is flattened", () => {
    const f = formed({ legRisk: "complete" });
    const legs = openShort(f);
    f.h.fill(legs.y);
    const b1 = f.h.ctx.book(1);
    f.h.quote(1, b1.bid, b1.ask, 0, 0, f.h.now() + 1_000_000);
    const retry = f.h.intents.at(-1)!;
    expect(retry.intent).toMatchObject({ instrument: 1, side: 1 });
    f.h.fill(retry.orderId);
    f.h.advance(10_000_000);
    expect(f.h.intents.filter((i) => i.intent.tag === "pairs:flat")).toHaveLength(0);
    expect(f.h.position(1)).toBe(f.h.order(legs.x)!.size);
  });

  test("leg risk, flatten: when the other leg's IOC dies unfilled, the filled leg is flattened at once", () => {
    const f = formed({ legRisk: "flatten" });
    const legs = openShort(f);
    f.h.fill(legs.y);
    const b0 = f.h.ctx.book(0);
    f.h.quote(0, b0.bid, b0.ask, 0, 0, f.h.now() + 1); // x's IOC is canceled before this event
    const flat = f.h.intents.filter((i) => i.intent.tag === "pairs:flat");
    expect(flat.map((r) => [r.intent.instrument, r.intent.side, r.intent.size])).toEqual([[0, 1, 100_000]]);
  });

  test("no new spread unless active; reducing closes an open one; halted sends nothing", () => {
    const f = formed();
    f.h.setTradingState("halted");
    f.bar(f.lastY + 0.001, f.lastX);
    f.bar(f.lastY + 0.001, f.lastX);
    expect(f.h.intents).toHaveLength(0);
    f.h.setTradingState("active");
    f.yOnly(f.lastY + 0.001);
    const legs = f.h.intents.filter((i) => i.intent.tag === "pairs:short");
    expect(legs).toHaveLength(2);
    f.h.fill(legs[0]!.orderId);
    f.h.fill(legs[1]!.orderId);
    f.h.setTradingState("reducing");
    const flat = f.h.intents.filter((i) => i.intent.tag === "pairs:flat");
    expect(flat.map((r) => [r.intent.instrument, r.intent.side])).toEqual([[0, 1], [1, -1]]);
  });

  test("a pair that is not cointegrated is never traded", () => {
    const h = createStrategyHarness(pairs, { params: small, instruments: [EURUSD, NZDUSD], startTs: 0 });
    const a = synthetic(100, 1, 11), b = synthetic(100, 1, 12);
    for (let i = 0; i < 100; i++) {
      const ts = (i + 1) * BAR;
      const y = Math.round(Math.exp(a.ys[i]!) * 1e5), x = Math.round(Math.exp(b.xs[i]!) * 1e5);
      h.quote(0, y - 1, y + 1, 0, 0, ts);
      h.quote(1, x - 1, x + 1, 0, 0, ts + 1);
    }
    expect(h.logs.find((l) => l.message === "formation")!.fields).toMatchObject({ cointegrated: false });
    expect(h.intents).toHaveLength(0);
  });

  test("bad params are refused: exitZ < entryZ < stopZ, two instruments", () => {
    expect(() => createStrategyHarness(pairs, { params: { entryZ: 2, exitZ: 2 }, instruments: [EURUSD, NZDUSD] })).toThrow("PLUGIN_PARAMS_INVALID");
    expect(() => createStrategyHarness(pairs, { params: {}, instruments: [EURUSD] })).toThrow("instruments: expected at least 2");
  });
});

export type { StrategyHarness };
