/**
 * How often, how large and how long stale-quote moments are between OANDA and FXCM EURUSD on the
 * eight days on file (`bun plugins/strategies/cross-venue/study.ts [--stale-ms 500] [--edge 1]`):
 * all quotes of both merged in time order (ties: OANDA first; FXCM on UTC, see lean-ticks.ts),
 * through StaleQuoteDetector. Prints a table per UTC day and in total; sizes in pips (10 ticks).
 */
import { LEAN_DATES, readLeanDay } from "../testing/lean-ticks.ts";
import { StaleEvent, StaleQuoteDetector } from "./stale-quotes.ts";

/** A stale moment: which venue (0 OANDA, 1 FXCM) was stale, when, for how long, how large. */
export interface StaleMoment {
  readonly venue: number;
  readonly startTs: number;
  readonly durationUs: number;
  readonly maxEdge: number;
}

/** The moments of all days on file, and per UTC day the minutes in which both feeds quoted. */
export interface StudyResult {
  readonly moments: StaleMoment[];
  readonly bothLiveMinutes: Map<string, number>;
  readonly freshCrossings: Map<string, number>;
}

/** Runs the detector over the two providers' EURUSD days as one continuous stream (FXCM moved to UTC). */
export function staleMoments(staleUs: number, minEdgeTicks: number): StudyResult {
  const load = (p: "oanda" | "fxcm") => {
    const days = LEAN_DATES.map((d) => readLeanDay(p, "eurusd", d));
    const cat = (k: "ts" | "bid" | "ask") => Float64Array.from(days.flatMap((d) => Array.from(d[k])));
    return { ts: cat("ts"), bid: cat("bid"), ask: cat("ask") };
  };
  const a = load("oanda"), b = load("fxcm");
  const d = new StaleQuoteDetector(staleUs, minEdgeTicks);
  const moments: StaleMoment[] = [];
  const live = new Map<string, number>(), fresh = new Map<string, number>();
  const day = (ts: number): string => new Date(ts / 1000).toISOString().slice(0, 10);
  const lastMinute = [-1, -1];
  let bothMinute = -1;
  let i = 0, j = 0, openTs = -1;
  while (i < a.ts.length || j < b.ts.length) {
    const fromA = j >= b.ts.length || (i < a.ts.length && a.ts[i]! <= b.ts[j]!);
    const q = fromA ? a : b, k = fromA ? i++ : j++;
    const bid = q.bid[k]!, ask = q.ask[k]!, ts = q.ts[k]!;
    if (!(ask > bid)) continue;
    const minute = Math.floor(ts / 60_000_000);
    lastMinute[fromA ? 0 : 1] = minute;
    if (lastMinute[0] === minute && lastMinute[1] === minute && bothMinute !== minute) {
      bothMinute = minute;
      live.set(day(ts), (live.get(day(ts)) ?? 0) + 1);
    }
    const maxBefore = d.maxEdge, venueBefore = d.staleVenue, freshBefore = d.freshCrossings;
    const ev = d.push(fromA ? 0 : 1, ts, bid, ask);
    if (d.freshCrossings > freshBefore) fresh.set(day(ts), (fresh.get(day(ts)) ?? 0) + 1);
    if ((ev === StaleEvent.Ended || ev === StaleEvent.Started) && openTs >= 0) {
      moments.push({ venue: venueBefore, startTs: openTs, durationUs: ts - openTs, maxEdge: maxBefore });
      openTs = -1;
    }
    if (ev === StaleEvent.Started) openTs = ts;
  }
  return { moments, bothLiveMinutes: live, freshCrossings: fresh };
}

const quantile = (xs: number[], q: number): number => {
  if (xs.length === 0) return NaN;
  const s = xs.slice().sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

if (import.meta.main) {
  const arg = (name: string, dflt: string): string => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1]! : dflt; };
  const staleUs = Number(arg("--stale-ms", "500")) * 1000, edge = Number(arg("--edge", "1"));
  const r = staleMoments(staleUs, edge);
  console.log(`stale >= ${staleUs / 1000} ms, edge >= ${edge} tick(s); hours = minutes in which both feeds quoted / 60`);
  console.log("| UTC day | hours both live | moments | per hour | OANDA stale | FXCM stale | edge median / p90 / max (pips) | duration median / p90 (ms) | crossed, neither stale (quotes) |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  const row = (label: string, ms: StaleMoment[], hours: number, fresh: number): void => {
    const e = ms.map((m) => m.maxEdge / 10), t = ms.map((m) => m.durationUs / 1000);
    console.log(`| ${label} | ${hours.toFixed(1)} | ${ms.length} | ${(ms.length / Math.max(hours, 1e-9)).toFixed(1)} | ${ms.filter((m) => m.venue === 0).length} | ${ms.filter((m) => m.venue === 1).length} | ${quantile(e, 0.5).toFixed(1)} / ${quantile(e, 0.9).toFixed(1)} / ${Math.max(0, ...e).toFixed(1)} | ${quantile(t, 0.5).toFixed(0)} / ${quantile(t, 0.9).toFixed(0)} | ${fresh} |`);
  };
  const days = [...new Set([...r.bothLiveMinutes.keys()])].sort();
  for (const d of days) row(d, r.moments.filter((m) => new Date(m.startTs / 1000).toISOString().startsWith(d)), (r.bothLiveMinutes.get(d) ?? 0) / 60, r.freshCrossings.get(d) ?? 0);
  row("all", r.moments, [...r.bothLiveMinutes.values()].reduce((x, y) => x + y, 0) / 60, [...r.freshCrossings.values()].reduce((x, y) => x + y, 0));
}
