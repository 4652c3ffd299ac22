/**
 * Statistics of top-of-book quotes that real FX markets show again and again ("stylized facts"),
 * computed the same way on recorded and on synthetic ticks so the two can be compared: whether
 * size imbalance predicts the next mid move, whether spreads widen with volatility (within the
 * hour, so the time of day does not decide it), how activity and volatility follow the hour of
 * day, and whether volatility clusters (autocorrelation of absolute returns). Offline analysis:
 * plain arrays, allocation is fine here.
 */
import type { QuoteReader } from "../formats/quote-reader.ts";
import { newQuoteRow } from "../formats/quote-reader.ts";
import { MarketEventKind, newMarketEvent, type MarketSource } from "../sources/market-source.ts";

const HOUR_US = 3_600_000_000;

/** Quotes of one instrument in time order: ts µs, prices in ticks, sizes in units (0 when unknown). */
export interface QuoteSeries {
  ts: number[];
  bid: number[];
  ask: number[];
  bidSize: number[];
  askSize: number[];
}

/** Returns an empty series. */
export function emptySeries(): QuoteSeries {
  return { ts: [], bid: [], ask: [], bidSize: [], askSize: [] };
}

/** Appends every good quote of a reader (crossed or locked quotes are left out) to `into`. */
export function readSeries(reader: QuoteReader, into: QuoteSeries = emptySeries()): QuoteSeries {
  const row = newQuoteRow();
  while (reader.next(row)) push(into, row.ts, row.bid, row.ask, row.bidSize, row.askSize);
  reader.close();
  return into;
}

/** Collects the quotes of `instrument` (an Instrument.id) from a market source until it ends. */
export function sourceSeries(source: MarketSource, instrument: number): QuoteSeries {
  const s = emptySeries();
  const ev = newMarketEvent();
  while (source.next(ev)) if (ev.kind === MarketEventKind.Quote && ev.instrument === instrument) push(s, ev.ts, ev.bid, ev.ask, ev.bidSize, ev.askSize);
  return s;
}

function push(s: QuoteSeries, ts: number, bid: number, ask: number, bidSize: number, askSize: number): void {
  if (!(ask > bid)) return;
  s.ts.push(ts);
  s.bid.push(bid);
  s.ask.push(ask);
  s.bidSize.push(bidSize);
  s.askSize.push(askSize);
}

/** Pearson correlation of two equally long samples; NaN when either is constant or too short. */
export function correlation(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  if (n < 3) return Number.NaN;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]! - ma;
    const y = b[i]! - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Number.NaN;
}

/**
 * Order-flow imbalance predicts the next mid move: the correlation between the L1 size imbalance
 * (bidSize - askSize) / (bidSize + askSize) of a quote and the mid change to the next quote, over
 * quotes with both sizes known. Positive when a heavy bid tends to be followed by a higher mid.
 */
export function imbalanceNextMidCorrelation(s: QuoteSeries): { correlation: number; pairs: number } {
  const imb: number[] = [];
  const move: number[] = [];
  for (let i = 0; i + 1 < s.ts.length; i++) {
    const b = s.bidSize[i]!;
    const a = s.askSize[i]!;
    if (!(b > 0 && a > 0)) continue;
    imb.push((b - a) / (b + a));
    move.push(s.bid[i + 1]! + s.ask[i + 1]! - s.bid[i]! - s.ask[i]!);
  }
  return { correlation: correlation(imb, move), pairs: imb.length };
}

/** Per window of `windowUs`: realised volatility (root of summed squared mid changes, ticks), mean spread (ticks), quote count, start ts. */
function windows(s: QuoteSeries, windowUs: number): { start: number[]; vol: number[]; spread: number[]; count: number[] } {
  const start: number[] = [];
  const vol: number[] = [];
  const spread: number[] = [];
  const count: number[] = [];
  let w = Number.NaN;
  let sq = 0;
  let sp = 0;
  let n = 0;
  const flush = (): void => {
    if (n > 0) {
      start.push(w * windowUs);
      vol.push(Math.sqrt(sq));
      spread.push(sp / n);
      count.push(n);
    }
  };
  for (let i = 0; i < s.ts.length; i++) {
    const k = Math.floor(s.ts[i]! / windowUs);
    if (k !== w) {
      flush();
      w = k;
      sq = 0;
      sp = 0;
      n = 0;
    }
    if (i > 0) {
      const d = (s.bid[i]! + s.ask[i]! - s.bid[i - 1]! - s.ask[i - 1]!) / 2;
      sq += d * d;
    }
    sp += s.ask[i]! - s.bid[i]!;
    n++;
  }
  flush();
  return { start, vol, spread, count };
}

/**
 * Spreads widen with volatility: over windows of `windowUs` (default 5 minutes) with at least
 * `minQuotes` quotes, the correlation between realised volatility and mean spread, each first
 * divided by its mean over the windows of the same clock hour, so that the daily pattern (busy
 * hours are both volatile and tight) does not hide the relation within the hour.
 */
export function spreadVolatilityCorrelation(s: QuoteSeries, windowUs = 300_000_000, minQuotes = 5): { correlation: number; windows: number } {
  const w = windows(s, windowUs);
  const keep: number[] = [];
  for (let i = 0; i < w.start.length; i++) if (w.count[i]! >= minQuotes) keep.push(i);
  const byHour = new Map<number, { v: number; s: number; n: number }>();
  for (const i of keep) {
    const h = Math.floor(w.start[i]! / HOUR_US);
    const acc = byHour.get(h) ?? { v: 0, s: 0, n: 0 };
    acc.v += w.vol[i]!;
    acc.s += w.spread[i]!;
    acc.n++;
    byHour.set(h, acc);
  }
  const v: number[] = [];
  const sp: number[] = [];
  for (const i of keep) {
    const acc = byHour.get(Math.floor(w.start[i]! / HOUR_US))!;
    if (acc.n < 2 || acc.v === 0) continue;
    v.push(w.vol[i]! / (acc.v / acc.n));
    sp.push(w.spread[i]! / (acc.s / acc.n));
  }
  return { correlation: correlation(v, sp), windows: v.length };
}

/**
 * Intraday seasonality: quote counts and price movement per UTC hour of day (pooled over days).
 * Movement is the summed absolute mid change (robust to one jump dominating an hour, which a sum of
 * squares is not). `busiestToQuietest` is the ratio of the largest to the smallest hourly count
 * among hours with quotes; `activityVolatility` the correlation between hourly counts and movement.
 */
export function intradaySeasonality(s: QuoteSeries): { busiestToQuietest: number; activityVolatility: number; counts: number[] } {
  const counts = new Array<number>(24).fill(0);
  const moved = new Array<number>(24).fill(0);
  for (let i = 0; i < s.ts.length; i++) {
    const h = Math.floor(s.ts[i]! / HOUR_US) % 24;
    counts[h]!++;
    if (i > 0 && s.ts[i]! - s.ts[i - 1]! < HOUR_US) moved[h]! += Math.abs(s.bid[i]! + s.ask[i]! - s.bid[i - 1]! - s.ask[i - 1]!) / 2;
  }
  const hours = counts.map((_, h) => h).filter((h) => counts[h]! > 0);
  const c = hours.map((h) => counts[h]!);
  return {
    busiestToQuietest: hours.length > 0 ? Math.max(...c) / Math.min(...c) : Number.NaN,
    activityVolatility: correlation(c, hours.map((h) => moved[h]!)),
    counts,
  };
}

/**
 * Volatility clustering: the mean autocorrelation, over lags 1..`lags`, of absolute mid returns
 * on bars of `barUs` (default 1 minute; a bar without quotes carries the last mid). Positive when
 * large moves follow large moves.
 */
export function volatilityClustering(s: QuoteSeries, barUs = 60_000_000, lags = 10): { meanAutocorrelation: number; bars: number } {
  if (s.ts.length < 2) return { meanAutocorrelation: Number.NaN, bars: 0 };
  const first = Math.floor(s.ts[0]! / barUs);
  const last = Math.floor(s.ts[s.ts.length - 1]! / barUs);
  const close = new Array<number>(last - first + 1).fill(Number.NaN);
  for (let i = 0; i < s.ts.length; i++) close[Math.floor(s.ts[i]! / barUs) - first] = (s.bid[i]! + s.ask[i]!) / 2;
  const abs: number[] = [];
  let prev = close[0]!;
  for (let k = 1; k < close.length; k++) {
    const c = Number.isNaN(close[k]!) ? prev : close[k]!;
    abs.push(Math.abs(c - prev));
    prev = c;
  }
  let sum = 0;
  for (let lag = 1; lag <= lags; lag++) sum += correlation(abs.slice(lag), abs.slice(0, abs.length - lag));
  return { meanAutocorrelation: sum / lags, bars: abs.length };
}
