/**
 * Two real venues in one backtest: OANDA and FXCM EURUSD quotes of 2014-05-06, one replay source
 * per venue merged in event time, each venue its own sim plugin with its own fees and latency.
 * Proves: per-venue instruments and books, orders filling on the venue whose price was best,
 * fills counted by venue, positions per venue and in total, per-venue and global limits, and that
 * a deployment mixing `venue` and `venues` or naming an unknown venue is refused with its path.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { runBacktest } from "../backtest.ts";
import { sessionFromYaml, tempDir } from "../test-session.ts";
import { loadConfig } from "../../config/load.ts";
import { checkDeployment } from "../build.ts";

const DATA = resolve(import.meta.dir, "../../../../shared/data");
const TAKER = resolve(import.meta.dir, "fixtures/best-venue-taker.ts");
const dir = tempDir("kestrel-venues-");
afterAll(() => dir.dispose());

const yaml = (opts: { venueLimits?: string; riskMax?: number; every?: number; buyOnly?: boolean } = {}) => `
name: two-venues
mode: backtest
seed: 5
account: { currency: USD, capital: 1000000 }
instruments:
  - { symbol: EURUSD, base: EUR, quote: USD, priceDecimals: 5, lotSize: 1000, minSize: 1000 }
market:
  source: replay
  replay:
    files:
      - { path: ${DATA}/oanda/eurusd/20140506_eurusd_tick_quote.csv.gz, instrument: EURUSD, format: lean, venue: oanda }
      - { path: ${DATA}/fxcm/eurusd/20140506_eurusd_tick_quote.csv.gz, instrument: EURUSD, format: lean, venue: fxcm }
venues:
  - { name: oanda, plugin: sim, params: { orderLatencyUs: 150, reportLatencyUs: 150, takerFeePpm: 20, assumedQuoteSize: 1000000 }${opts.venueLimits ?? ""} }
  - { name: fxcm, plugin: sim, params: { orderLatencyUs: 400, reportLatencyUs: 400, takerFeePpm: 10, assumedQuoteSize: 1000000 } }
strategies:
  - { name: taker, plugin: ${JSON.stringify(TAKER)}, instruments: [EURUSD], params: { every: ${opts.every ?? 1500}, size: 1000, buyOnly: ${opts.buyOnly ?? false} } }
risk:
  limits: { maxPosition: ${opts.riskMax ?? 1000000}, maxOrderNotional: 5000000, maxOrdersPerSecond: 50, priceCollarBps: 100, maxDailyLoss: 100000, maxDrawdown: 100000 }
`;

describe("two venues", () => {
  test("orders fill on the venue whose price was best; fills and positions per venue and in total", async () => {
    const s = await sessionFromYaml(dir.path, yaml());
    expect(s.instruments.map((i) => `${i.symbol}/${i.venue}`)).toEqual(["EURUSD@oanda/oanda", "EURUSD@fxcm/fxcm"]);
    expect(s.sources.map((x) => x.name)).toContain("replay:oanda");
    expect(s.sources.map((x) => x.name)).toContain("replay:fxcm");
    const summary = runBacktest(s);
    await s.close();
    const orders = [...s.core.oms.all()].filter((o) => o.strategy === "taker");
    expect(orders.length).toBeGreaterThan(50);
    let checked = 0;
    const fills = new Map<number, number>();
    for (const o of orders) {
      if (o.filled === 0) continue;
      const m = /side=(-?1) best=(\d) prices=(\d):(\d+),(\d):(\d+)/.exec(o.tag)!;
      const side = Number(m[1]);
      const prices = new Map([[Number(m[3]), Number(m[4])], [Number(m[5]), Number(m[6])]]);
      const mine = prices.get(o.instrument)!;
      const other = prices.get(1 - o.instrument)!;
      // Filled where the price was best at the decision, at that price or better.
      expect(side === 1 ? mine <= other : mine >= other).toBe(true);
      expect(side === 1 ? o.notionalFilled / o.filled <= mine : o.notionalFilled / o.filled >= mine).toBe(true);
      fills.set(o.instrument, (fills.get(o.instrument) ?? 0) + 1);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
    // The best venue changes during the day: both venues got fills.
    expect(fills.get(0) ?? 0).toBeGreaterThan(0);
    expect(fills.get(1) ?? 0).toBeGreaterThan(0);
    expect(summary.fillsByVenue!.oanda! + summary.fillsByVenue!.fxcm!).toBe(summary.fills);
    expect(summary.fillsByVenue!.oanda).toBeGreaterThan(0);
    expect(summary.fillsByVenue!.fxcm).toBeGreaterThan(0);
    const p0 = s.core.portfolio.position(0);
    const p1 = s.core.portfolio.position(1);
    expect(summary.positions["EURUSD@oanda"] ?? 0).toBe(p0);
    expect(summary.positions["EURUSD@fxcm"] ?? 0).toBe(p1);
    expect(summary.positionsTotal?.EURUSD ?? 0).toBe(p0 + p1);
    // The consolidated book at the end is the better of the two venues.
    const c = s.venues.consolidated.best(0, s.loop.clock.now(), Number.MAX_SAFE_INTEGER);
    expect(c.bid).toBe(Math.max(s.core.books.books[0]!.bid, s.core.books.books[1]!.bid));
    expect(c.ask).toBe(Math.min(s.core.books.books[0]!.ask, s.core.books.books[1]!.ask));
  }, 120_000);

  test("per-venue limits bound one venue, the global limit bounds the symbol's total", async () => {
    const s = await sessionFromYaml(dir.path, yaml({ venueLimits: ", limits: { maxPosition: 2000 }", riskMax: 3000, every: 300, buyOnly: true }));
    runBacktest(s);
    await s.close();
    expect(s.core.risk.limits[0]!.maxPosition).toBe(2000);
    expect(s.core.risk.limits[1]!.maxPosition).toBe(3000);
    expect(Math.abs(s.core.portfolio.position(0))).toBeLessThanOrEqual(2000);
    expect(Math.abs(s.core.portfolio.position(0) + s.core.portfolio.position(1))).toBeLessThanOrEqual(3000);
    expect(s.core.risk.rejections.get("POSITION_LIMIT") ?? 0).toBeGreaterThan(0);
    const refused = [...s.core.oms.all()].filter((o) => o.reason.startsWith("GLOBAL_POSITION_LIMIT"));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.reason).toContain("symbol=EURUSD");
  }, 120_000);

  test("a deployment with both venue and venues, or a file of an unknown venue, is refused with the path", async () => {
    const bad = yaml().replace("venue: fxcm }", "venue: lmax }").replace("venues:", "venue: { name: sim, plugin: sim }\nvenues:");
    const file = resolve(dir.path, "bad.yaml");
    await Bun.write(file, bad);
    const loaded = loadConfig(file, {});
    if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
    const problems = (await checkDeployment(loaded.config, file)).map((p) => p.message);
    expect(problems.some((p) => p.startsWith("venues: give either venue"))).toBe(true);
    expect(problems.some((p) => p.startsWith('market.replay.files[1].venue: expected one of oanda, fxcm, got "lmax"'))).toBe(true);
  });
});
