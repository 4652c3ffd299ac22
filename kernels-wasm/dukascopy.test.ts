/**
 * Real data, independent reference: one Dukascopy EURUSD day (136,741 quotes) through both
 * backends, with rolling VWAP and rolling spread mean/max checked against DuckDB window
 * functions (RANGE frames over integer microseconds, in-memory database). Dukascopy has no
 * trade prints, so each quote also feeds a seller-initiated print at the bid for its bid volume
 * (in units of 10,000): the test is about the window arithmetic, not about FX volume. DuckDB
 * returns the exact integer window sums, and the test divides them as the kernels do, so the
 * comparison is exact. A RANGE frame includes rows sharing the current timestamp that come
 * after it, so rows are compared only at the last row of each timestamp.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fileURLToPath } from "node:url";
import { createFeatureKernels, defaultFeatureConfig, type FeatureKernels, prepareWasmKernels } from "./index.ts";

const CSV = fileURLToPath(new URL("../../shared/data/dukascopy/EURUSD/2019-02-04.csv", import.meta.url));
const VWAP_WINDOWS = [50_000, 1_000_000, 60_000_000, 300_000_000];
const SPREAD_WINDOWS = [1_000_000, 60_000_000];

interface Day { ts: number[]; bid: number[]; ask: number[]; bidVol: number[]; askVol: number[]; cols: Record<string, number[]> }

let day: Day;

beforeAll(async () => {
  await prepareWasmKernels();
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  const frame = (w: number) => `(ORDER BY ts RANGE BETWEEN ${w - 1} PRECEDING AND CURRENT ROW)`;
  const sql = `
    WITH q AS (
      SELECT ts_ms * 1000 AS ts, CAST(round(bid * 100000) AS BIGINT) AS bid, CAST(round(ask * 100000) AS BIGINT) AS ask,
             CAST(round(bid_volume_m * 100) AS BIGINT) AS bid_vol, CAST(round(ask_volume_m * 100) AS BIGINT) AS ask_vol,
             row_number() OVER () AS rn
      FROM read_csv('${CSV.replaceAll("'", "''")}', header = true))
    SELECT ts::DOUBLE AS ts, bid::DOUBLE AS bid, ask::DOUBLE AS ask, bid_vol::DOUBLE AS bid_vol, ask_vol::DOUBLE AS ask_vol,
      ${VWAP_WINDOWS.map((w) => `(sum(bid * bid_vol) OVER ${frame(w)})::DOUBLE AS pv_${w}, (sum(bid_vol) OVER ${frame(w)})::DOUBLE AS v_${w}`).join(",\n      ")},
      ${SPREAD_WINDOWS.map((w) => `(sum(ask - bid) OVER ${frame(w)})::DOUBLE AS ss_${w}, (count(*) OVER ${frame(w)})::DOUBLE AS sn_${w}, (max(ask - bid) OVER ${frame(w)})::DOUBLE AS sm_${w}`).join(",\n      ")}
    FROM q ORDER BY ts, rn`;
  const reader = await conn.runAndReadAll(sql);
  const cols = reader.getColumnsObjectJS() as unknown as Record<string, number[]>;
  day = { ts: cols.ts, bid: cols.bid, ask: cols.ask, bidVol: cols.bid_vol, askVol: cols.ask_vol, cols };
  conn.closeSync();
  db.closeSync();
}, 60_000);

afterAll(() => {
  day = undefined as unknown as Day;
});

function replay(backend: "wasm" | "ts", spreadWindowUs: number, check: (k: FeatureKernels, row: number) => void): FeatureKernels {
  const k = createFeatureKernels({ ...defaultFeatureConfig(1), vwapWindowsUs: VWAP_WINDOWS, spreadWindowUs, ringCapacity: 1 << 15 }, backend);
  const n = day.ts.length;
  for (let r = 0; r < n; r++) {
    k.onQuote(0, day.ts[r], day.bid[r], day.ask[r], day.bidVol[r], day.askVol[r]);
    k.onTrade(0, day.ts[r], day.bid[r], day.bidVol[r], -1);
    if (r + 1 === n || day.ts[r + 1] !== day.ts[r]) check(k, r);
  }
  return k;
}

describe.each(["wasm", "ts"] as const)("Dukascopy EURUSD 2019-02-04 against DuckDB windows (%s)", (backend) => {
  test("rolling VWAP over 50 ms, 1 s, 1 min and 5 min equals DuckDB's window sums, row by row", () => {
    let checked = 0, mismatches = 0;
    const k = replay(backend, SPREAD_WINDOWS[0], (k, r) => {
      const f = k.features(0);
      for (const w of VWAP_WINDOWS) {
        const v = day.cols[`v_${w}`][r];
        const expected = v > 0 ? day.cols[`pv_${w}`][r] / v : NaN;
        if (!Object.is(f[k.layout.index[`vwap_${w}`]], expected)) mismatches++;
        checked++;
      }
    });
    expect(day.ts.length).toBe(136_741);
    expect(checked).toBeGreaterThan(400_000);
    expect(mismatches).toBe(0);
    expect(k.evictions(0)).toBe(0);
  }, 20_000);

  test.each(SPREAD_WINDOWS)("rolling spread mean and max over %i us equal DuckDB's, row by row", (w) => {
    let mismatches = 0, checked = 0;
    replay(backend, w, (k, r) => {
      const f = k.features(0);
      if (!Object.is(f[k.layout.index.spread_mean], day.cols[`ss_${w}`][r] / day.cols[`sn_${w}`][r])) mismatches++;
      if (!Object.is(f[k.layout.index.spread_max], day.cols[`sm_${w}`][r])) mismatches++;
      checked++;
    });
    expect(checked).toBeGreaterThan(100_000);
    expect(mismatches).toBe(0);
  }, 20_000);
});
