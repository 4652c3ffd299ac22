/**
 * Routing between two real quote streams: OANDA and FXCM EURUSD of 2014-05-06, a rebalancing
 * strategy working through TWAP and iceberg parents, the smart router placing every child. With
 * equal fees and latency at both venues, each taking child must go to the venue whose touch was
 * best among the venues with a fresh feed (checked against the quotes the session saw, recorded
 * here), never to a venue whose last quote was older than the stale limit; every decision is
 * recorded with its reason; and the fill history of the run's own store gives a fill probability
 * per venue.
 */
import { afterAll, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { runBacktest } from "../../session/backtest.ts";
import { sessionFromYaml, tempDir } from "../../session/test-session.ts";
import { loadFillHistory } from "./fill-history.ts";
import { parentOfTag } from "../parents/parent-order.ts";

const DATA = resolve(import.meta.dir, "../../../../shared/data");
const dir = tempDir("kestrel-sor-");
afterAll(() => dir.dispose());

test("children go to the best fresh venue, never a stale one; decisions are recorded; fill history per venue", async () => {
  const store = join(dir.path, "two.duckdb");
  const yaml = `
name: two-venue-routing
mode: backtest
seed: 9
account: { currency: USD, capital: 10000000 }
instruments:
  - { symbol: EURUSD, base: EUR, quote: USD, priceDecimals: 5, lotSize: 1000, minSize: 1000 }
market:
  source: replay
  replay:
    files:
      - { path: ${DATA}/oanda/eurusd/20140506_eurusd_tick_quote.csv.gz, instrument: EURUSD, format: lean, venue: oanda }
      - { path: ${DATA}/fxcm/eurusd/20140506_eurusd_tick_quote.csv.gz, instrument: EURUSD, format: lean, venue: fxcm }
venues:
  - { name: oanda, plugin: sim, params: { orderLatencyUs: 200, reportLatencyUs: 200, takerFeePpm: 10, assumedQuoteSize: 1000000 } }
  - { name: fxcm, plugin: sim, params: { orderLatencyUs: 200, reportLatencyUs: 200, takerFeePpm: 10, assumedQuoteSize: 1000000 } }
execution:
  algos:
    - { name: twap, plugin: twap, params: { durationSeconds: 600, slices: 20 } }
    - { name: iceberg, plugin: iceberg, params: { displaySize: 200000 } }
  router: { name: sor, plugin: sor }
strategies:
  - { name: rebal, plugin: rebalancer, instruments: [EURUSD], params: { everySeconds: 1800, size: 2000000 } }
risk:
  limits: { maxPosition: 5000000, maxOrderNotional: 10000000, maxOrdersPerSecond: 50, priceCollarBps: 100, maxDailyLoss: 1000000, maxDrawdown: 1000000 }
data: { staleSeconds: 3 }
store: { path: ${store}, policy: block }
`;
  const s = await sessionFromYaml(dir.path, yaml);
  const seen: { ts: number; bid: number; ask: number }[][] = [[], []];
  const prev = s.core.listeners.quote;
  s.core.listeners.quote = (ev) => {
    prev?.(ev);
    seen[ev.instrument]!.push({ ts: ev.ts, bid: ev.bid, ask: ev.ask });
  };
  const summary = runBacktest(s);
  await s.close();
  const algos = s.algos!;
  const routing = (algos as unknown as { deps: { routing: { decisions: { ts: number; stale: string[]; slices: { venue: string; instrument: number; reason: string }[]; refused: string }[]; count: number } } }).deps.routing;
  expect(routing.count).toBeGreaterThan(50);
  expect(routing.decisions.some((d) => d.stale.length > 0)).toBe(true);
  const at = (i: number, ts: number) => {
    const list = seen[i]!;
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const m = (lo + hi) >> 1;
      if (list[m]!.ts <= ts) {
        found = m;
        lo = m + 1;
      } else hi = m - 1;
    }
    return found < 0 ? undefined : list[found];
  };
  let taking = 0;
  const staleUs = 3_000_000;
  for (const d of routing.decisions) {
    for (const sl of d.slices) {
      expect(d.stale).not.toContain(sl.venue);
      // Independently of the router: the venue's last quote at decision time was fresh.
      const q = at(sl.instrument, d.ts)!;
      expect(d.ts - q.ts).toBeLessThanOrEqual(staleUs);
    }
    const first = d.slices[0];
    if (first === undefined || !first.reason.startsWith("best")) continue;
    taking++;
    const other = 1 - first.instrument;
    const mine = at(first.instrument, d.ts)!;
    const theirs = at(other, d.ts);
    const fresh = theirs !== undefined && d.ts - theirs.ts <= staleUs;
    if (fresh) {
      const sideBuy = first.reason.startsWith("best ask");
      expect(sideBuy ? mine.ask <= theirs!.ask : mine.bid >= theirs!.bid).toBe(true);
    }
  }
  expect(taking).toBeGreaterThan(20);
  // Children carry the decision in their tag and land at both venues over the day.
  const kids = [...s.core.oms.all()].filter((o) => parentOfTag(o.tag) > 0);
  expect(kids.every((k) => / route=(oanda|fxcm) /.test(k.tag))).toBe(true);
  expect(summary.fillsByVenue.oanda).toBeGreaterThan(0);
  expect(summary.fillsByVenue.fxcm).toBeGreaterThan(0);
  const algosUsed = new Set([...algos.parents.all()].map((p) => p.spec.algo));
  expect([...algosUsed].sort()).toEqual(["iceberg", "twap"]);

  const history = await loadFillHistory(store);
  expect(history.get("oanda")!.orders).toBeGreaterThan(0);
  expect(history.get("fxcm")!.orders).toBeGreaterThan(0);
  for (const h of history.values()) {
    expect(h.probability).toBeGreaterThan(0);
    expect(h.probability).toBeLessThan(1);
  }
}, 120_000);
