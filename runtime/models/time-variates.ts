/**
 * Calendar variates a model may take beside the kernels' features, computed from the decision's
 * kernel time (UTC µs):
 * - time of day (`model.timeOfDay`): the UTC time of day as a point on the unit circle (`tod_sin`,
 *   `tod_cos`), so that 23:59 and 00:00 are close;
 * - trading sessions (`model.session`): 0/1 flags for the Asian, London and New York sessions at
 *   fixed UTC hours (`sess_asia` 23:00-08:00, `sess_london` 07:00-16:00, `sess_newyork`
 *   12:00-21:00; no daylight-saving shift, so the overlaps are 07-08 and 12-16 UTC) and the UTC day
 *   of the week on the unit circle (`dow_sin`, `dow_cos`; Monday is 0).
 * A model whose card lists them in `extraVariates` gets them as extra columns after the kernels'
 * features, time of day first, the same value in every row of a window (the decision time's). The
 * trainer computes the same float32 values from each sample's decision time
 * (models/vol_window/data.py); tests check both give the same bits.
 */

/** Names of the time-of-day variates, in column order. */
export const TIME_VARIATES = ["tod_sin", "tod_cos"] as const;
/** Names of the trading-session variates, in column order (after the time of day when both are used). */
export const SESSION_VARIATES = ["sess_asia", "sess_london", "sess_newyork", "dow_sin", "dow_cos"] as const;

/** The extra variate lists a card may carry: none, time of day, sessions, or both in that order. */
export const EXTRA_VARIATE_SETS: readonly (readonly string[])[] = [[], TIME_VARIATES, SESSION_VARIATES, [...TIME_VARIATES, ...SESSION_VARIATES]];

const DAY_US = 86_400_000_000;
const HOUR_US = 3_600_000_000;
const f32 = new Float32Array(2);
const s32 = new Float32Array(5);

/** Writes float32 sin and cos of the UTC time of day at `tsUs` (integer µs) into `out[0..1]`. */
export function timeOfDay(tsUs: number, out: Float32Array | Float64Array = f32): Float32Array | Float64Array {
  const frac = (((tsUs % DAY_US) + DAY_US) % DAY_US) / DAY_US;
  out[0] = Math.fround(Math.sin(2 * Math.PI * frac));
  out[1] = Math.fround(Math.cos(2 * Math.PI * frac));
  return out;
}

/** Writes the float32 session flags (Asia, London, New York) and sin, cos of the day of week at `tsUs` into `out[0..4]`. */
export function sessionVariates(tsUs: number, out: Float32Array | Float64Array = s32): Float32Array | Float64Array {
  const day = Math.floor(tsUs / DAY_US);
  const hour = Math.floor((tsUs - day * DAY_US) / HOUR_US);
  out[0] = hour >= 23 || hour < 8 ? 1 : 0;
  out[1] = hour >= 7 && hour < 16 ? 1 : 0;
  out[2] = hour >= 12 && hour < 21 ? 1 : 0;
  // 1970-01-01 was a Thursday (3 with Monday 0).
  const dow = (((day + 3) % 7) + 7) % 7;
  out[3] = Math.fround(Math.sin((2 * Math.PI * dow) / 7));
  out[4] = Math.fround(Math.cos((2 * Math.PI * dow) / 7));
  return out;
}

/** Writes the values of `extra` (one of EXTRA_VARIATE_SETS) at `tsUs` into `out[0..extra.length)`. */
export function extraVariates(extra: readonly string[], tsUs: number, out: Float32Array): void {
  let k = 0;
  if (extra[0] === TIME_VARIATES[0]) {
    timeOfDay(tsUs, f32);
    out[k++] = f32[0]!;
    out[k++] = f32[1]!;
  }
  if (extra.length > k) {
    sessionVariates(tsUs, s32);
    for (let j = 0; j < SESSION_VARIATES.length; j++) out[k++] = s32[j]!;
  }
}

/** Extra variates a card lists, or an error naming a list this runtime does not supply. */
export function extraVariatesOf(card: { extraVariates?: unknown }): string[] | { code: "MODEL_CONFIG_INVALID"; context: string } {
  const extra = card.extraVariates ?? [];
  if (!Array.isArray(extra)) return { code: "MODEL_CONFIG_INVALID", context: `extraVariates=${JSON.stringify(extra)} (expected a list)` };
  if (!EXTRA_VARIATE_SETS.some((s) => s.length === extra.length && s.every((n, i) => n === extra[i]))) {
    return { code: "MODEL_CONFIG_INVALID", context: `extraVariates=${extra.join(",")} (supported: ${EXTRA_VARIATE_SETS.slice(1).map((s) => s.join(",")).join(" | ")})` };
  }
  return extra as string[];
}
