import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { MarketEventKind, newMarketEvent, type MarketEvent } from "../market-source.ts";
import { SourceConfigError } from "../source-error.ts";
import { CURRENCIES, syntheticInstruments } from "./fx-universe.ts";
import { DEFAULT_CORRELATION, FACTOR_CURRENCIES } from "./market-params.ts";
import { createSyntheticMarket, type SyntheticMarket } from "./synthetic-market.ts";

const DAY_US = 86_400_000_000;
const HOUR_US = 3_600_000_000;
const MONDAY = Date.UTC(2024, 0, 8) * 1000;
const instruments = syntheticInstruments("sim");
const idOf = (symbol: string): number => instruments.find((i) => i.symbol === symbol)!.id;

/** FNV-1a over the 32-bit words of every field of every event. */
function streamHash(market: SyntheticMarket, events: number): number {
  const ev = newMarketEvent();
  let h = 0x811c9dc5;
  const mix = (v: number): void => {
    h = Math.imul(h ^ (v >>> 0), 16777619);
    h = Math.imul(h ^ Math.floor(v / 4294967296), 16777619);
  };
  for (let i = 0; i < events && market.next(ev); i++) {
    mix(ev.kind); mix(ev.ts); mix(ev.instrument);
    if (ev.kind === MarketEventKind.Quote) { mix(ev.bid); mix(ev.ask); mix(ev.bidSize); mix(ev.askSize); }
    else { mix(ev.price); mix(ev.size); mix(ev.side + 1); }
  }
  return h >>> 0;
}

function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe("synthetic market", () => {
  test("the same seed and params give the same stream bit for bit; another seed does not", () => {
    const params = { seed: 42, tradeProbability: 0.2 };
    const a = streamHash(createSyntheticMarket(params), 300_000);
    const b = streamHash(createSyntheticMarket(params), 300_000);
    const c = streamHash(createSyntheticMarket({ ...params, seed: 43 }), 300_000);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  test("events are integer, in ts order, with bid below ask, and trades print at the touch", () => {
    const m = createSyntheticMarket({ seed: 3, tradeProbability: 0.3, endTs: MONDAY + DAY_US });
    const ev = newMarketEvent();
    let prevTs = -Infinity, quotes = 0, trades = 0;
    const lastBid = new Float64Array(28), lastAsk = new Float64Array(28);
    while (true) {
      const peek = m.peekTs();
      if (!m.next(ev)) break;
      if (ev.ts !== peek) throw new Error(`peekTs ${peek} but next wrote ${ev.ts}`);
      if (!(ev.ts >= prevTs) || !Number.isInteger(ev.ts)) throw new Error(`ts out of order at ${ev.ts}`);
      prevTs = ev.ts;
      if (ev.kind === MarketEventKind.Quote) {
        quotes++;
        if (!(Number.isInteger(ev.bid) && Number.isInteger(ev.ask) && ev.bid > 0 && ev.ask > ev.bid)) throw new Error(`bad quote ${JSON.stringify(ev)}`);
        if (!(Number.isInteger(ev.bidSize) && ev.bidSize > 0 && ev.askSize > 0)) throw new Error("bad size");
        lastBid[ev.instrument] = ev.bid;
        lastAsk[ev.instrument] = ev.ask;
      } else {
        trades++;
        expect(ev.price).toBe(ev.side > 0 ? lastAsk[ev.instrument] : lastBid[ev.instrument]);
        expect(Math.abs(ev.side)).toBe(1);
      }
    }
    expect(m.peekTs()).toBe(Infinity);
    expect(prevTs).toBeLessThan(MONDAY + DAY_US);
    expect(trades / quotes).toBeGreaterThan(0.25);
    expect(trades / quotes).toBeLessThan(0.35);
    // Prices sit on each pair's tick: EURUSD around 1.09 at 5 decimals, USDJPY around 148 at 3.
    expect(lastBid[idOf("EURUSD")]).toBeGreaterThan(100_000);
    expect(lastBid[idOf("EURUSD")]).toBeLessThan(120_000);
    expect(lastBid[idOf("USDJPY")]).toBeGreaterThan(135_000);
    expect(lastBid[idOf("USDJPY")]).toBeLessThan(160_000);
  });

  test("log returns are correlated as configured: EURUSD with GBPUSD positive, USDCHF against EURUSD negative", () => {
    // Jumps are idiosyncratic and fat-tailed: leave them out to measure the diffusion's correlation.
    const m = createSyntheticMarket({ seed: 11, quotesPerSecond: 5, jumpsPerDay: 0, endTs: MONDAY + 10 * DAY_US });
    const ev = newMarketEvent();
    const watch = ["EURUSD", "GBPUSD", "USDCHF", "AUDUSD", "NZDUSD"].map(idOf);
    const mid = new Float64Array(28);
    const returns: number[][] = watch.map(() => []);
    const prev = new Float64Array(watch.length);
    const grid = 5 * 60_000_000;
    let nextSample = MONDAY + grid;
    while (m.next(ev)) {
      while (ev.ts >= nextSample) {
        if (watch.every((w) => mid[w] > 0)) {
          watch.forEach((w, i) => {
            if (prev[i] > 0) returns[i].push(Math.log(mid[w] / prev[i]));
            prev[i] = mid[w];
          });
        }
        nextSample += grid;
      }
      if (ev.kind === MarketEventKind.Quote) mid[ev.instrument] = (ev.bid + ev.ask) / 2;
    }
    expect(returns[0].length).toBeGreaterThan(1000);
    const eurGbp = correlation(returns[0], returns[1]);
    const eurChf = correlation(returns[0], returns[2]);
    const audNzd = correlation(returns[3], returns[4]);
    const cfg = DEFAULT_CORRELATION;
    const [eur, gbp, chf, aud, nzd] = ["EUR", "GBP", "CHF", "AUD", "NZD"].map((c) => FACTOR_CURRENCIES.indexOf(c as never));
    expect(eurGbp).toBeGreaterThan(cfg[eur][gbp] - 0.12);
    expect(eurGbp).toBeLessThan(cfg[eur][gbp] + 0.08);
    // USDCHF is the inverse of CHF's dollar value, so its returns run against EURUSD's.
    expect(eurChf).toBeLessThan(-(cfg[eur][chf] - 0.12));
    expect(eurChf).toBeGreaterThan(-(cfg[eur][chf] + 0.08));
    expect(audNzd).toBeGreaterThan(cfg[aud][nzd] - 0.12);
  });

  test("triangles are arbitrage-free up to the spread at every hidden state", () => {
    const ab = newMarketEvent(), bc = newMarketEvent(), ac = newMarketEvent();
    const index = new Map(instruments.map((ins, i) => [ins.base + ins.quote, i]));
    const scale = instruments.map((ins) => 10 ** ins.priceDecimals);
    // Bid and ask of x per y as decimals, whichever way the pair is quoted.
    const quote = (x: string, y: string, out: MarketEvent, m: ReturnType<typeof createSyntheticMarket>): [number, number] => {
      const direct = index.get(x + y);
      if (direct !== undefined) {
        m.quoteOf(direct, out);
        return [out.bid / scale[direct], out.ask / scale[direct]];
      }
      const inverse = index.get(y + x)!;
      m.quoteOf(inverse, out);
      return [scale[inverse] / out.ask, scale[inverse] / out.bid];
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 0, max: 20_000 }), (seed, steps) => {
        const m = createSyntheticMarket({ seed, jumpsPerDay: 50 });
        const ev = newMarketEvent();
        for (let i = 0; i < steps; i++) m.next(ev);
        for (const a of CURRENCIES) for (const b of CURRENCIES) for (const c of CURRENCIES) {
          if (a === b || b === c || a === c) continue;
          const [abBid, abAsk] = quote(a, b, ab, m);
          const [bcBid, bcAsk] = quote(b, c, bc, m);
          const [acBid, acAsk] = quote(a, c, ac, m);
          // Buying a for c directly never beats going through b, and selling never either.
          if (!(acBid <= abAsk * bcAsk * (1 + 1e-12) && acAsk >= abBid * bcBid * (1 - 1e-12)))
            throw new Error(`${a}/${b}/${c}: ac ${acBid}/${acAsk} vs ab*bc ${abBid * bcBid}/${abAsk * bcAsk}`);
          // And the cross is not wildly off either: mids agree within the sum of half-spreads.
          const implied = Math.sqrt(abBid * abAsk * bcBid * bcAsk);
          const acMid = Math.sqrt(acBid * acAsk);
          expect(Math.abs(Math.log(acMid / implied))).toBeLessThan(0.002);
        }
      }),
      { numRuns: 25 },
    );
  });

  test("spreads are wider in the high-volatility regime than in the normal one", () => {
    const m = createSyntheticMarket({ seed: 5, quotesPerSecond: 20, endTs: MONDAY + 5 * DAY_US });
    const ev = newMarketEvent();
    const eurusd = idOf("EURUSD");
    const sum = [0, 0, 0], count = [0, 0, 0];
    while (m.next(ev)) {
      const hour = Math.floor(ev.ts / HOUR_US) % 24;
      // Compare like with like: busy hours only, where the session spread multiplier is 1.
      if (ev.instrument !== eurusd || hour < 7 || hour > 17) continue;
      sum[m.regime] += ev.ask - ev.bid;
      if (m.regime === 2 && m.regimeName !== "burst") throw new Error("regime index and name disagree");
      count[m.regime]++;
    }
    expect(count[1]).toBeGreaterThan(1000);
    expect(count[2]).toBeGreaterThan(1000);
    expect(sum[2] / count[2]).toBeGreaterThan(1.6 * (sum[1] / count[1]));
  });

  test("activity follows the session: London and New York are busiest, Asia quieter, the daily roll quietest", () => {
    const m = createSyntheticMarket({ seed: 9, quotesPerSecond: 5, weekendsClosed: true, endTs: MONDAY + 12 * DAY_US });
    const ev = newMarketEvent();
    const perHour = new Float64Array(24);
    const asiaPairs = new Set(["USDJPY", "AUDUSD", "NZDUSD", "AUDJPY", "NZDJPY", "AUDNZD"].map(idOf));
    const asiaShare = [0, 0], total = [0, 0];
    const weekday = (ts: number): number => (Math.floor(ts / DAY_US) + 3) % 7;
    let weekendEvents = 0;
    while (m.next(ev)) {
      const day = weekday(ev.ts);
      const hour = Math.floor(ev.ts / HOUR_US) % 24;
      if ((day === 4 && hour >= 21) || day === 5 || (day === 6 && hour < 21)) weekendEvents++;
      else if (day < 4) perHour[hour]++;
      // Session 0 is Tokyo (01:00-05:00 UTC), 1 is London before New York opens (08:00-11:00).
      const session = hour >= 1 && hour < 5 ? 0 : hour >= 8 && hour < 11 ? 1 : -1;
      if (session >= 0) {
        total[session]++;
        if (asiaPairs.has(ev.instrument)) asiaShare[session]++;
      }
    }
    const mean = (hours: number[]): number => hours.reduce((s, h) => s + perHour[h], 0) / hours.length;
    const londonNewYork = mean([8, 9, 10, 13, 14, 15]), asia = mean([1, 2, 3, 4, 5]), roll = mean([21, 22]);
    expect(londonNewYork).toBeGreaterThan(2.5 * asia);
    expect(asia).toBeGreaterThan(1.15 * roll);
    expect(weekendEvents).toBe(0);
    // Yen and antipodean pairs take a larger share of the quotes in Tokyo hours than in London's.
    expect(asiaShare[0] / total[0]).toBeGreaterThan(1.5 * (asiaShare[1] / total[1]));
  });

  test("jumps gap the price: without diffusion the mid moves only in jumps of many ticks", () => {
    const still = { EUR: 0, GBP: 0, JPY: 0, CHF: 0, AUD: 0, CAD: 0, NZD: 0 };
    const eurusd = idOf("EURUSD");
    const moves = (jumpsPerDay: number): number[] => {
      const m = createSyntheticMarket({ seed: 2, quotesPerSecond: 5, annualVol: still, jumpsPerDay, jumpSize: 0.003, weekendsClosed: false, endTs: MONDAY + 4 * DAY_US });
      const ev = newMarketEvent(), q = newMarketEvent();
      const out: number[] = [];
      let last = 0;
      while (m.next(ev)) {
        m.quoteOf(eurusd, q);
        const mid = q.bid + q.ask;
        // Spread changes with session and regime move the rounded mid by a tick at most.
        if (last !== 0 && Math.abs(mid - last) > 2) out.push(Math.abs(mid - last) / 2);
        last = mid;
      }
      return out;
    };
    expect(moves(0)).toEqual([]);
    const jumps = moves(24);
    // EUR moves in a jump of EUR or of the dollar: 2 of 8 kinds, so about 24 in four days.
    expect(jumps.length).toBeGreaterThan(8);
    expect(jumps.length).toBeLessThan(45);
    expect(jumps.filter((j) => j >= 10).length).toBeGreaterThan(jumps.length / 2);
  });

  test("trades are informed and move the price: after a buy print the next EURUSD mid is higher on average, after a sell lower", () => {
    const eurusd = idOf("EURUSD");
    const after = (tradeImpact: number): [number, number] => {
      const m = createSyntheticMarket({ seed: 4, tradeProbability: 0.2, tradeImpact, quotesPerSecond: 100, endTs: MONDAY + 8 * HOUR_US + 30 * 60_000_000, startTs: MONDAY + 8 * HOUR_US });
      const ev = newMarketEvent();
      const sum = [0, 0], n = [0, 0];
      let mid2 = 0, pending = 0;
      while (m.next(ev)) {
        if (ev.instrument !== eurusd) continue;
        if (ev.kind === MarketEventKind.Trade) pending = ev.side;
        else {
          const now = ev.bid + ev.ask;
          if (pending !== 0) {
            const k = pending > 0 ? 0 : 1;
            sum[k] += now - mid2;
            n[k]++;
            pending = 0;
          }
          mid2 = now;
        }
      }
      expect(Math.min(n[0], n[1])).toBeGreaterThan(1000);
      return [sum[0] / n[0] / 2, sum[1] / n[1] / 2];
    };
    const [buy, sell] = after(1);
    expect(buy).toBeGreaterThan(0.3);
    expect(sell).toBeLessThan(-0.3);
    // Without impact the lean of the flow alone still points the right way, less far.
    const [buy0, sell0] = after(0);
    expect(buy0).toBeGreaterThan(0);
    expect(sell0).toBeLessThan(0);
    expect(buy0).toBeLessThan(buy);
  });

  test("by default the market is open at the weekend, so a paper session started on Saturday trades at once", () => {
    const saturdayNoon = MONDAY + 5 * DAY_US + 12 * HOUR_US;
    const open = createSyntheticMarket({ seed: 1, startTs: saturdayNoon });
    expect(open.peekTs() - saturdayNoon).toBeLessThan(1_000_000);
    const closed = createSyntheticMarket({ seed: 1, startTs: saturdayNoon, weekendsClosed: true });
    // Closed markets reopen on Sunday at 21:00 UTC.
    expect(closed.peekTs()).toBeGreaterThanOrEqual(MONDAY + 6 * DAY_US + 21 * HOUR_US);
    expect(closed.peekTs()).toBeLessThan(MONDAY + 6 * DAY_US + 21 * HOUR_US + 60_000_000);
  });

  test("a market without regimes or sessions still ends where asked", () => {
    const m = createSyntheticMarket({ seed: 1, maxEvents: 1000, weekendsClosed: false, regimes: [{ name: "flat", vol: 1, activity: 1, spread: 1, meanDurationSec: 60, next: [1] }] });
    const ev = newMarketEvent();
    let n = 0;
    while (m.next(ev)) n++;
    expect(n).toBe(1000);
    expect(m.peekTs()).toBe(Infinity);
  });

  test("a subset of instruments keeps their ids", () => {
    const picked = [instruments[idOf("USDJPY")], instruments[idOf("EURGBP")]];
    const m = createSyntheticMarket({ instruments: picked, maxEvents: 500 });
    const ev = newMarketEvent();
    const seen = new Set<number>();
    while (m.next(ev)) seen.add(ev.instrument);
    expect([...seen].sort((a, b) => a - b)).toEqual(picked.map((i) => i.id).sort((a, b) => a - b));
  });

  test("bad params are refused at construction with the parameter named", () => {
    // EUR tracks GBP and GBP tracks JPY, yet EUR runs against JPY: no such matrix is positive definite.
    const notPd = DEFAULT_CORRELATION.map((row) => [...row]);
    notPd[0][1] = notPd[1][0] = 0.95;
    notPd[1][2] = notPd[2][1] = 0.95;
    notPd[0][2] = notPd[2][0] = -0.95;
    const cases: [Parameters<typeof createSyntheticMarket>[0], string][] = [
      [{ correlation: notPd }, "correlation"],
      [{ quotesPerSecond: -1 }, "quotesPerSecond"],
      [{ tradeProbability: 2 }, "tradeProbability"],
      [{ instruments: [{ ...instruments[0], symbol: "EURXAU" }] }, "instruments[0].symbol"],
      [{ regimes: [{ name: "x", vol: 1, activity: 1, spread: 1, meanDurationSec: 1, next: [0.5] }] }, "regimes[0].next"],
    ];
    for (const [params, param] of cases) {
      let error: unknown;
      try {
        createSyntheticMarket(params);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SourceConfigError);
      expect((error as SourceConfigError).code).toBe("SOURCE_PARAM_INVALID");
      expect((error as SourceConfigError).context.param).toBe(param);
    }
  });
});
