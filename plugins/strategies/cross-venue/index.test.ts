import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { loadConfig } from "../../../runtime/config/load.ts";
import { runBacktest } from "../../../runtime/session/backtest.ts";
import { buildSession, checkDeployment } from "../../../runtime/session/build.ts";
import { createStrategyHarness } from "../../sdk/harness.ts";
import type { Instrument } from "../../sdk/index.ts";
import crossVenue from "./index.ts";
import { StaleEvent, StaleQuoteDetector } from "./stale-quotes.ts";

const AT_A: Instrument = { id: 0, symbol: "EURUSD@oanda", venue: "oanda", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const AT_B: Instrument = { id: 1, symbol: "EURUSD@fxcm", venue: "fxcm", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const MS = 1000;

describe("stale quote detector", () => {
  test("a crossing counts as stale only when the crossed venue has not changed for staleUs; the moment ends when it updates", () => {
    const d = new StaleQuoteDetector(500 * MS, 2);
    d.push(0, 0, 100, 102);
    d.push(1, 0, 100, 101);
    // A's bid moves through B's ask 100 ms after B changed: fresh crossing, not stale.
    expect(d.push(0, 100 * MS, 104, 106)).toBe(StaleEvent.None);
    expect(d.freshCrossings).toBe(1);
    // B still unchanged 600 ms later while A moves on: B is stale and cheap by 4 ticks.
    expect(d.push(0, 600 * MS, 105, 107)).toBe(StaleEvent.Started);
    expect([d.staleVenue, d.direction, d.edge]).toEqual([1, 1, 4]);
    expect(d.push(0, 700 * MS, 106, 108)).toBe(StaleEvent.None);
    expect(d.maxEdge).toBe(5);
    expect(d.push(1, 800 * MS, 106, 107)).toBe(StaleEvent.Ended);
    expect(d.staleVenue).toBe(-1);
  });

  test("a stale rich bid is found the same way, in the other direction", () => {
    const d = new StaleQuoteDetector(500 * MS, 2);
    d.push(0, 0, 100, 102);
    d.push(1, 0, 101, 103);
    expect(d.push(1, 900 * MS, 95, 98)).toBe(StaleEvent.Started);
    expect([d.staleVenue, d.direction, d.edge]).toEqual([0, -1, 2]);
  });
});

describe("cross-venue strategy", () => {
  const params = { staleMs: 500, minEdgeTicks: 3, size: 1_000_000, maxVenuePosition: 2_000_000 };
  function setup(over: Record<string, unknown> = {}) {
    const h = createStrategyHarness(crossVenue, { params: { ...params, ...over }, instruments: [AT_A, AT_B], startTs: 0 });
    h.quote(0, 110_000, 110_004, 1_000_000, 1_000_000, 1 * MS);
    h.quote(1, 110_001, 110_002, 1_000_000, 1_000_000, 2 * MS);
    return h;
  }
  /** A moves up through B's unchanged ask (stale since 2 ms) by `edge` ticks. */
  const stale = (h: ReturnType<typeof setup>, at: number, edge = 5) => h.quote(0, 110_002 + edge, 110_006 + edge, 1_000_000, 1_000_000, at);

  test("takes the stale ask and sells at the fresh bid in the same instant, both IOC", () => {
    const h = setup();
    stale(h, 700 * MS);
    expect(h.intents.map((i) => i.intent)).toEqual([
      { instrument: 1, side: 1, type: "limit", tif: "IOC", price: 110_002, size: 1_000_000, tag: "xv:stale" },
      { instrument: 0, side: -1, type: "limit", tif: "IOC", price: 110_007, size: 1_000_000, tag: "xv:layoff" },
    ]);
    for (const o of h.openOrders.slice()) h.fill(o.id);
    h.quote(1, 110_006, 110_008, 1_000_000, 1_000_000, 800 * MS);
    expect([h.position(0), h.position(1)]).toEqual([-1_000_000, 1_000_000]);
    expect(h.intents).toHaveLength(2);
  });

  test("when only one leg fills, the net position is hedged at the better touch until flat; no new pair meanwhile", () => {
    const h = setup();
    stale(h, 700 * MS);
    h.fill(h.intents[0]!.orderId); // the stale leg fills, the lay-off misses
    h.quote(0, 110_006, 110_010, 1_000_000, 1_000_000, 701 * MS); // IOC remainder canceled; next quote hedges
    const hedge = h.intents.find((i) => i.intent.tag === "xv:hedge")!;
    expect(hedge.intent).toMatchObject({ side: -1, size: 1_000_000, tif: "IOC", instrument: 0, price: 110_006 });
    // The hedge misses (its IOC is canceled); another stale moment while unhedged: no new pair, the hedge is sent again.
    stale(h, 1_400 * MS, 8);
    expect(h.intents.filter((i) => i.intent.tag === "xv:stale")).toHaveLength(1);
    const again = h.intents.filter((i) => i.intent.tag === "xv:hedge");
    expect(again.length).toBe(2);
    h.fill(again[1]!.orderId);
    expect(h.position(0) + h.position(1)).toBe(0);
  });

  test("a fresh crossing, an edge below minEdgeTicks, observe mode and the venue cap all send nothing", () => {
    const fresh = setup();
    fresh.quote(0, 110_010, 110_014, 1_000_000, 1_000_000, 100 * MS);
    const small = setup();
    stale(small, 700 * MS, 2);
    const observe = setup({ mode: "observe" });
    stale(observe, 700 * MS);
    for (const h of [fresh, small, observe]) expect(h.intents).toHaveLength(0);
    expect(observe.logs.filter((l) => l.message === "stale quote")).toHaveLength(1);
    const capped = createStrategyHarness(crossVenue, { params, instruments: [AT_A, AT_B], startTs: 0, positions: { "EURUSD@fxcm": 2_000_000, "EURUSD@oanda": -2_000_000 } });
    capped.quote(0, 110_000, 110_004, 1_000_000, 1_000_000, 1 * MS);
    capped.quote(1, 110_001, 110_002, 1_000_000, 1_000_000, 2 * MS);
    stale(capped as never, 700 * MS);
    expect(capped.intents).toHaveLength(0);
  });

  test("instruments that are not one symbol at two venues are refused at creation", () => {
    const other = { ...AT_B, symbol: "GBPUSD@fxcm" };
    expect(() => createStrategyHarness(crossVenue, { params, instruments: [AT_A, other] })).toThrow(/expected one symbol at two venues/);
  });
});

describe("configs/cross-venue.yaml", () => {
  test("passes kestrel check and, on 2014-05-08, trades at both venues and ends flat across them", async () => {
    const file = resolve(import.meta.dir, "../../../configs/cross-venue.yaml");
    const loaded = loadConfig(file);
    if (!loaded.ok) throw new Error(loaded.problems.join("; "));
    expect(await checkDeployment(loaded.config, file)).toEqual([]);
    const config = structuredClone(loaded.config) as typeof loaded.config & { market: { replay: { files: { path: string; venue?: string }[] } } };
    // One UTC day: OANDA's file of the day; FXCM's files are on UTC−5, so the day spans two of them.
    const files = config.market.replay.files;
    files[0]!.path += "/20140508_eurusd_tick_quote.csv.gz";
    config.market.replay.files = files.filter((f) => f.venue === "oanda" || /2014050[78]_/.test(f.path));
    let summary = "";
    const s = await buildSession(config, file, { log: (l) => { if (l.includes("cross-venue summary")) summary = l; } });
    const r = runBacktest(s);
    await s.close();
    expect(r.quarantined).toEqual([]);
    expect(r.fillsByVenue!.oanda).toBeGreaterThan(0);
    expect(r.fillsByVenue!.fxcm).toBeGreaterThan(0);
    expect(r.positionsTotal?.EURUSD ?? 0).toBe(0);
    const stats = JSON.parse(summary);
    expect(stats.moments).toBeGreaterThan(10);
    expect(stats.bothFilled).toBeGreaterThan(0);
  }, 120_000);
});
