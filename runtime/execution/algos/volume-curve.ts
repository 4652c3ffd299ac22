/**
 * Activity curves by time of day from a store, for VWAP-style schedules: the share of a day's
 * traded volume per bucket where the store has trades of the instrument, otherwise the share of
 * quote updates (tick activity: quote-only feeds such as OANDA and FXCM carry no volume), with the
 * basis stated in the curve.
 */
import type { VolumeCurve } from "../../../plugins/sdk/algo.ts";
import { StoreDb } from "../../store/database.ts";
import { activityProfile } from "../../store/queries.ts";

const DAY_US = 86_400_000_000;

/** Loads the curve of `symbol` from a store file with buckets of `bucketUs`. */
export async function loadVolumeCurve(path: string, symbol: string, bucketUs: number): Promise<VolumeCurve> {
  const db = await StoreDb.open(path);
  try {
    const rows = await activityProfile(db, symbol, bucketUs);
    const n = Math.ceil(DAY_US / bucketUs);
    const volume = new Array<number>(n).fill(0);
    const ticks = new Array<number>(n).fill(0);
    for (const r of rows) {
      const k = Math.floor(Number(r.offset_us) / bucketUs);
      if (k < 0 || k >= n) continue;
      volume[k] += Number(r.volume ?? 0) || 0;
      ticks[k] += Number(r.quotes ?? 0) || 0;
    }
    const vTotal = volume.reduce((a, b) => a + b, 0);
    const basis = vTotal > 0 ? "volume" : "ticks";
    const raw = basis === "volume" ? volume : ticks;
    const total = raw.reduce((a, b) => a + b, 0);
    if (total <= 0) throw new Error(`ALGO_PARAMS_INVALID: store=${path} instrument=${symbol} has no quotes or trades for a curve`);
    return { basis, bucketUs, weights: raw.map((x) => x / total) };
  } finally {
    db.close();
  }
}

/** Share of the curve's activity between two times of day-wrapped kernel time (µs since epoch). */
export function curveShare(curve: VolumeCurve, fromTs: number, toTs: number): number {
  if (toTs <= fromTs) return 0;
  let share = 0;
  const b = curve.bucketUs;
  let t = fromTs;
  while (t < toTs) {
    const inDay = t % DAY_US;
    const k = Math.floor(inDay / b);
    const bucketEnd = t - (inDay % b) + b;
    const end = Math.min(toTs, bucketEnd);
    share += (curve.weights[k % curve.weights.length] ?? 0) * ((end - t) / b);
    t = end;
  }
  return share;
}
