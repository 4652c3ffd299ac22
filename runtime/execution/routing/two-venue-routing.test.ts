/**
 * Routing between two real quote streams: OANDA and FXCM EURUSD of 2014-05-06, a rebalancing
 * strategy working through TWAP and iceberg parents, the smart router placing every child. With
 * equal fees and latency at both venues, each taking child must go to the venue whose touch was
 * best among the venues with a fresh feed (checked against the quotes the session saw, recorded
 * here) and had room under its position limit, never to a venue whose last quote was older than
 * the stale limit; every decision is
 * recorded with its reason, in the journal too (one record per decision, read back equal); and the fill history of the run's own store gives a fill probability
 * per venue.
 */
import { afterAll, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { runBacktest } from "../../session/backtest.ts";
import { sessionFromYaml, tempDir } from "../../session/test-session.ts";
import { loadFillHistory } from "./fill-history.ts";
import { parentOfTag } from "../parents/parent-order.ts";
import { runDataCommand } from "../../store/cli.ts";
import { readJournal } from "../../journal/journal-file.ts";
import type { ParentRecord } from "../../journal/records.ts";

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
  const journal = join(dir.path, "two.journal");
  const s = await sessionFromYaml(dir.path, yaml, { journalPath: journal });
  const seen: { ts: number; bid: number; ask: number }[][] = [[], []];
  const prev = s.core.listeners.quote;
  s.core.listeners.quote = (ev) => {
    prev?.(ev);
    seen[ev.instrument]!.push({ ts: ev.ts, bid: ev.bid, ask: ev.ask });
  };
  const summary = runBacktest(s);
  await s.close();
  const algos = s.algos!;
  const routing = (algos as unknown as { deps: { routing: { decisions: { ts: number; stale: string[]; full: string[]; slices: { venue: string; instrument: number; reason: string }[]; refused: string }[]; count: number } } }).deps.routing;
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
    // The other venue competes when its feed is fresh and its position limit has room.
    const fresh = theirs !== undefined && d.ts - theirs.ts <= staleUs && d.full.length === 0;
    if (fresh) {
      const sideBuy = first.reason.startsWith("best ask");
      expect(sideBuy ? mine.ask <= theirs!.ask : mine.bid >= theirs!.bid).toBe(true);
    }
  }
  expect(taking).toBeGreaterThan(20);
  // Every decision is in the journal, in order, as the router made it, with a one-line reason.
  const routes = readJournal(journal).records.filter((r): r is ParentRecord => r.t === "parent" && r.kind === "route");
  expect(routes.length).toBe(routing.count);
  expect(routing.decisions.length).toBe(routing.count);
  expect(routes.map((r) => JSON.parse(r.params!))).toEqual(JSON.parse(JSON.stringify(routing.decisions)));
  for (const [i, r] of routes.entries()) {
    const d = routing.decisions[i]!;
    expect(r.id).toBe((d as unknown as { parent: number }).parent);
    if (d.refused !== "") expect(r.reason).toStartWith(d.refused);
    else for (const sl of d.slices) expect(r.reason).toContain(`${sl.venue} `);
    if (d.stale.length > 0) expect(r.reason).toContain(`stale: ${d.stale.join(",")}`);
  }
  // Children carry the decision in their tag and land at both venues over the day.
  const kids = [...s.core.oms.all()].filter((o) => parentOfTag(o.tag) > 0);
  expect(kids.every((k) => / route=(oanda|fxcm) /.test(k.tag))).toBe(true);
  expect(summary.fillsByVenue!.oanda).toBeGreaterThan(0);
  expect(summary.fillsByVenue!.fxcm).toBeGreaterThan(0);
  const algosUsed = new Set([...algos.parents.all()].map((p) => p.spec.algo));
  expect([...algosUsed].sort()).toEqual(["iceberg", "twap"]);

  // Parent TCA went to the store: `kestrel data tca --parents` and `--parent <id> --html`.
  const out: string[] = [];
  const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
  expect(await runDataCommand(["tca", "--db", store, "--parents", "--json"], io)).toBe(0);
  const rows = out.join("\n").split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  expect(rows.length).toBe(summary.parents!.length);
  const filledOne = summary.parents!.find((p) => p.filled > 0)!;
  const row = rows.find((r) => r.id === filledOne.id);
  expect(row).toMatchObject({ session: "two-venue-routing", algo: filledOne.algo, filled: filledOne.filled, children: filledOne.children, symbol: "EURUSD" });
  expect(row.shortfall_bps).toBeCloseTo(filledOne.shortfallBps, 6);
  out.length = 0;
  const html = join(dir.path, "parent.html");
  expect(await runDataCommand(["tca", "--db", store, "--parent", String(filledOne.id), "--html", html, "--json"], io)).toBe(0);
  const childFills = out.join("\n").split("\n").filter((l) => l.includes('"order_id"')).map((l) => JSON.parse(l));
  expect(childFills.length).toBe(filledOne.fills);
  expect(childFills.every((c) => c.venue === "oanda" || c.venue === "fxcm")).toBe(true);
  const page = await Bun.file(html).text();
  expect(page).toContain("<svg id=\"chart\"");
  expect((page.match(/<polyline /g) ?? []).length).toBe(2);
  expect((page.match(/<path d=/g) ?? []).length).toBe(filledOne.fills);
  expect(await runDataCommand(["tca", "--db", store, "--parent", "999999"], io)).toBe(1);

  const history = await loadFillHistory(store);
  expect(history.get("oanda")!.orders).toBeGreaterThan(0);
  expect(history.get("fxcm")!.orders).toBeGreaterThan(0);
  for (const h of history.values()) {
    expect(h.probability).toBeGreaterThan(0);
    expect(h.probability).toBeLessThan(1);
  }
}, 120_000);
