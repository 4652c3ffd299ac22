/**
 * The synthetic market against the developers' real quotes: each regularity listed in README.md is
 * measured with the same function on real ticks (Dukascopy EURUSD 2019-02-04 with sizes; OANDA
 * and FXCM EURUSD, 7 days of 2014-05, bid/ask only) and on one synthetic EURUSD day, and both must show it with the
 * same sign and within the stated order of magnitude. The bands are deliberately wide: the test
 * checks that the synthetic market has the property, not that it is tuned to these days' numbers.
 */
import { describe, expect, test } from "bun:test";
import { openDukascopyCsv, openLeanQuotes } from "../../formats/index.ts";
import { EURUSD, sharedData } from "../../formats/test-support.ts";
import {
  emptySeries,
  imbalanceNextMidCorrelation,
  intradaySeasonality,
  readSeries,
  sourceSeries,
  spreadVolatilityCorrelation,
  volatilityClustering,
  type QuoteSeries,
} from "../../microstructure/stylized-facts.ts";
import { syntheticInstruments } from "./fx-universe.ts";
import { createSyntheticMarket } from "./synthetic-market.ts";

const DAY_US = 86_400_000_000;
const MONDAY = Date.UTC(2024, 0, 8) * 1000;
const OANDA_DAYS = ["20140501", "20140502", "20140505", "20140506", "20140507", "20140508", "20140509"];

const dukascopy = readSeries(openDukascopyCsv(sharedData("dukascopy/EURUSD/2019-02-04.csv"), EURUSD));
const lean = (provider: string): QuoteSeries =>
  OANDA_DAYS.reduce((s, d) => readSeries(openLeanQuotes(sharedData(`${provider}/eurusd/${d}_eurusd_tick_quote.csv.gz`), EURUSD), s), emptySeries());
const oanda = lean("oanda");
const fxcm = lean("fxcm");
const eurusd = syntheticInstruments("sim").filter((i) => i.symbol === "EURUSD");
/** One synthetic EURUSD day at about the real day's quote count (136,741 on Dukascopy). */
const synthetic = sourceSeries(createSyntheticMarket({ seed: 42, instruments: eurusd, quotesPerSecond: 2.5, startTs: MONDAY, endTs: MONDAY + DAY_US }), eurusd[0]!.id);

/** Asserts a statistic lies in [lo, hi] for each named series, naming the series when it does not. */
function expectBand(stat: (s: QuoteSeries) => number, lo: number, hi: number, series: Record<string, QuoteSeries>): void {
  const got = Object.fromEntries(Object.entries(series).map(([k, s]) => [k, stat(s)]));
  for (const [k, v] of Object.entries(got)) expect({ [k]: v >= lo && v <= hi ? "in band" : v }).toEqual({ [k]: "in band" });
}

describe("the synthetic market shows what real quotes show", () => {
  test("the series are real and not vacuous", () => {
    expect(dukascopy.ts.length).toBe(136_741);
    expect(oanda.ts.length).toBeGreaterThan(300_000);
    expect(fxcm.ts.length).toBeGreaterThan(500_000);
    expect(synthetic.ts.length).toBeGreaterThan(80_000);
    expect(synthetic.ts.length).toBeLessThan(200_000);
  });

  test("order-flow imbalance predicts the next mid move: correlation of L1 size imbalance with the next mid change in [0.05, 0.6]", () => {
    // OANDA and FXCM carry no sizes; Dukascopy does.
    expectBand((s) => imbalanceNextMidCorrelation(s).correlation, 0.05, 0.6, { dukascopy, synthetic });
    // Without the microprice effect the synthetic sizes say nothing about the next move.
    const blind = sourceSeries(createSyntheticMarket({ seed: 42, instruments: eurusd, quotesPerSecond: 2.5, imbalanceSignal: 0, startTs: MONDAY, endTs: MONDAY + DAY_US / 4 }), eurusd[0]!.id);
    expect(Math.abs(imbalanceNextMidCorrelation(blind).correlation)).toBeLessThan(0.03);
  });

  test("spreads widen with volatility within the hour: 5-minute realised volatility against mean spread, correlation in [0.1, 0.98]", () => {
    expectBand((s) => spreadVolatilityCorrelation(s).correlation, 0.1, 0.98, { dukascopy, oanda, fxcm, synthetic });
  });

  test("activity and volatility follow the hour of day: busiest hour 2-50x the quietest, hourly activity and movement correlated in [0.5, 1]", () => {
    expectBand((s) => intradaySeasonality(s).busiestToQuietest, 2, 50, { dukascopy, oanda, fxcm, synthetic });
    expectBand((s) => intradaySeasonality(s).activityVolatility, 0.5, 1, { dukascopy, oanda, fxcm, synthetic });
  });

  test("volatility clusters: mean autocorrelation of absolute 1-minute returns over lags 1-10 in [0.05, 0.6]", () => {
    expectBand((s) => volatilityClustering(s).meanAutocorrelation, 0.05, 0.6, { dukascopy, oanda, fxcm, synthetic });
    // Without the short-term volatility factor the clustering left comes from sessions and regimes only, and is weaker.
    const flat = sourceSeries(createSyntheticMarket({ seed: 42, instruments: eurusd, quotesPerSecond: 2.5, volOfVol: 0, startTs: MONDAY, endTs: MONDAY + DAY_US }), eurusd[0]!.id);
    expect(volatilityClustering(flat).meanAutocorrelation).toBeLessThan(volatilityClustering(synthetic).meanAutocorrelation);
  });
});
