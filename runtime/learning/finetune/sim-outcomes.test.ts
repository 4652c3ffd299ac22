import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { StoreDb } from "../../store/database.ts";
import { DIRECTION } from "../dataset/labels.ts";
import { outcomes, readStoreTrades, type StoreInstrument, type TakenOrder } from "./pairs.ts";
import { finetuneOptions } from "./cli.ts";
import { DEFAULT_SIM_PARAMS, emptyLeg, simOutcomes, simParamsOf, simulateLegs, SimReplay } from "./sim-outcomes.ts";

setDefaultTimeout(120_000);

const KESTREL = fileURLToPath(new URL("../../../bin/kestrel", import.meta.url));

/** One instrument with quotes (ts µs, bid, ask), no displayed sizes. */
function instrument(quotes: [number, number, number][]): StoreInstrument {
  return {
    id: 1, symbol: "EURUSD", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1, minSize: 1,
    ts: Float64Array.from(quotes, (q) => q[0]), bid: Float64Array.from(quotes, (q) => q[1]), ask: Float64Array.from(quotes, (q) => q[2]),
    bidSize: new Float64Array(quotes.length), askSize: new Float64Array(quotes.length),
  };
}

const H = 10_000_000;
/** A bought decision: 100 at 1002 (fee 2) filled at t = 1 s. */
const bought: TakenOrder = { inst: 0, t: 999_000, side: 1, size: 100, price: 1002, fee: 2, lastFillTs: 1_000_000 };
/** The touch moves 100 µs after the decision (inside the 150 µs order latency) and 100 µs after t + H. */
const quotes = (moved: [number, number]): [number, number, number][] => [
  [0, 1000, 1002], [1_000_000, 1000, 1002], [1_000_100, moved[0], moved[1]], [11_000_000, 1010, 1012], [11_000_100, 1008, 1010], [12_000_000, 1008, 1010],
];

describe("counterfactuals through the sim venue", () => {
  test("the opposite entry fills at the touch the order meets after its latency, not the touch at the decision", () => {
    const x = instrument(quotes([1003, 1005]));
    const [l] = simulateLegs([x], [bought], H);
    // Hand check of the sim rules: the sell IOC at the decision's bid 1000 reaches the venue at 1_000_150, where the bid is 1003.
    expect(l!.entry).toEqual({ size: 100, notional: 1003 * 100, fee: Math.round((1003 * 100 * 20) / 1e6) });
    // Exits sent at 11_000_000 arrive at 11_000_150: the buy back at the ask 1010, the taken trade's sell at the bid 1008.
    expect(l!.entryExit).toEqual({ size: 100, notional: 1010 * 100, fee: 2 });
    expect(l!.takenExit).toEqual({ size: 100, notional: 1008 * 100, fee: 2 });
    const sim = simOutcomes(bought, l!, 1008, 1010);
    expect(sim.taken).toBe((1008 - 1002) * 100 - 2 - 2);
    expect(sim.byClass[DIRECTION.short]).toBe(-(1010 - 1003) * 100 - 2 - 2);
    expect(sim.byClass[DIRECTION.flat]).toBe(0);
    // The touch-priced counterfactual enters at 1000 and exits at 1012: latency changed the outcome.
    const touch = outcomes(x, bought, H)!;
    expect(touch.byClass[DIRECTION.short]).toBeCloseTo(-(1012 - 1000) * 100 - (2 / 100_200) * (1000 + 1012) * 100, 6);
    expect(touch.byClass[DIRECTION.short]).not.toBe(sim.byClass[DIRECTION.short]);
    expect(touch.taken).not.toBe(sim.taken);
  });

  test("an opposite entry the moved touch no longer reaches is not taken: outcome 0 and no exit", () => {
    const x = instrument(quotes([998, 1000]));
    const [l] = simulateLegs([x], [bought], H);
    expect(l!.entry.size).toBe(0);
    expect(l!.entryExit.size).toBe(0);
    expect(simOutcomes(bought, l!, 1008, 1010).byClass[DIRECTION.short]).toBe(0);
    expect(outcomes(x, bought, H)!.byClass[DIRECTION.short]).not.toBe(0);
    // Had the decision been a market order, its counterfactual is one too: it fills at the moved bid.
    const [m] = simulateLegs([x], [{ ...bought, market: true }], H);
    expect(m!.entry).toEqual({ size: 100, notional: 998 * 100, fee: 2 });
  });

  test("a partial fill counts as the filled size, and only that size is exited", () => {
    const x = instrument(quotes([1001, 1003]));
    // 30 displayed per level: the sell IOC limited at 1000 takes 30 at 1001 and 30 at 1000.
    const [l] = simulateLegs([x], [bought], H, { ...DEFAULT_SIM_PARAMS, assumedQuoteSize: 30 });
    expect(l!.entry).toEqual({ size: 60, notional: 1001 * 30 + 1000 * 30, fee: 1 + 1 });
    expect(l!.entryExit.size).toBe(60);
    expect(l!.entryExit.notional).toBe(1010 * 30 + 1011 * 30);
    const sim = simOutcomes(bought, l!, 1008, 1010);
    expect(sim.byClass[DIRECTION.short]).toBe(-(l!.entryExit.notional - l!.entry.notional) - l!.entry.fee - l!.entryExit.fee);
  });

  test("--counterfactual picks sim or touch; anything else is one clear line; a deployment's sim params are taken over", () => {
    expect(finetuneOptions(new Map([["from", "s.duckdb"]]))).toEqual({ store: "s.duckdb" });
    expect(finetuneOptions(new Map([["from", "s.duckdb"], ["counterfactual", "touch"]]))).toEqual({ store: "s.duckdb", counterfactual: "touch" });
    expect(finetuneOptions(new Map([["from", "s.duckdb"], ["counterfactual", "book"]]))).toBe('--counterfactual expected sim or touch, got "book"');
    expect(simParamsOf({ plugin: "sim", params: { orderLatencyUs: 100 } })).toMatchObject({ orderLatencyUs: 100, reportLatencyUs: 150, takerFeePpm: 20, assumedQuoteSize: 0 });
    expect(simParamsOf({ plugin: "oanda", params: {} })).toBeUndefined();
  });

  describe("on a recorded store", () => {
    const dir = mkdtempSync(join(tmpdir(), "kestrel-ft-sim-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test("the replay gives the recording backtest's own taker fills when it resends its IOC orders", async () => {
      writeFileSync(join(dir, "s.yaml"), `name: ft-sim
mode: backtest
seed: 11
account: { currency: USD, capital: 1000000 }
market:
  source: synthetic
  synthetic:
    pairs: [EURUSD]
    start: "2024-01-08T07:00:00Z"
    durationSeconds: 300
    params: { quotesPerSecond: 40, tradeProbability: 0.1 }
venue: { name: sim, plugin: sim, params: { orderLatencyUs: 100, reportLatencyUs: 100, takerFeePpm: 20 } }
strategies:
  - { name: ema, plugin: ema-crossover, instruments: [EURUSD], params: { barUs: 2000000, fastBars: 2, slowBars: 5 } }
risk:
  limits: { maxPosition: 1000000, maxOrderNotional: 5000000, maxOrdersPerSecond: 100, priceCollarBps: 100, maxDailyLoss: 100000, maxDrawdown: 100000 }
store: { path: ${join(dir, "s.duckdb")} }
`);
      const r = Bun.spawnSync([KESTREL, "backtest", "s.yaml"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
      expect(r.exitCode).toBe(0);
      const store = join(dir, "s.duckdb");
      const { instruments } = await readStoreTrades(store);
      // The recording's marketable limit orders (all fills taker), with their fills.
      const db = await StoreDb.open(store);
      const rows = (await db.table(`SELECT epoch_us(o.ts)::DOUBLE, o.side, o.price::DOUBLE, o.size::DOUBLE, sum(f.size)::DOUBLE, sum(f.price * f.size)::DOUBLE, sum(f.fee)::DOUBLE
        FROM orders o JOIN fills f ON f.order_id = o.order_id WHERE o.order_type = 2 GROUP BY o.order_id, o.ts, o.side, o.price, o.size HAVING bool_and(f.liquidity = -1) ORDER BY o.order_id`)).rows;
      db.close();
      // ema-crossover sends marketable IOC limits at the touch: every one of its orders is here.
      expect(rows.length).toBeGreaterThan(5);
      const resend = (orderLatencyUs: number) => {
        const replay = new SimReplay(instruments, { ...DEFAULT_SIM_PARAMS, orderLatencyUs, reportLatencyUs: 100, assumedQuoteSize: 0 });
        const legs = rows.map(() => emptyLeg());
        rows.forEach((q, k) => replay.at(Number(q[0]), () => replay.send(0, Number(q[1]) as 1 | -1, Number(q[3]), Number(q[2]), legs[k]!)));
        replay.run();
        return legs.map((l) => [l.size, l.notional, l.fee]);
      };
      const want = rows.map((q) => [Number(q[4]), Number(q[5]), Number(q[6])]);
      expect(resend(100)).toEqual(want);
      // The comparison can tell: with the orders half a second late (20 quotes), the fills differ.
      expect(resend(500_000)).not.toEqual(want);
    });
  });
});
