/**
 * Time-of-day variates a model may take beside the kernels' features: the UTC time of day of the
 * decision as a point on the unit circle (`tod_sin`, `tod_cos`), so that 23:59 and 00:00 are close.
 * A model whose card lists them in `extraVariates` gets them as extra columns after the kernels'
 * features, the same value in every row of a window (the decision time's). The trainer computes the
 * same float32 values from each sample's decision time (models/vol_window/data.py, `time_of_day`);
 * a test checks both give the same bits.
 */

/** Names of the supported extra variates, in column order. */
export const TIME_VARIATES = ["tod_sin", "tod_cos"] as const;

const DAY_US = 86_400_000_000;
const f32 = new Float32Array(2);

/** Writes float32 sin and cos of the UTC time of day at `tsUs` (integer µs) into `out[0..1]`. */
export function timeOfDay(tsUs: number, out: Float32Array | Float64Array = f32): Float32Array | Float64Array {
  const frac = (((tsUs % DAY_US) + DAY_US) % DAY_US) / DAY_US;
  out[0] = Math.fround(Math.sin(2 * Math.PI * frac));
  out[1] = Math.fround(Math.cos(2 * Math.PI * frac));
  return out;
}

/** Extra variates a card lists, or an error naming one this runtime does not supply. */
export function extraVariatesOf(card: { extraVariates?: unknown }): string[] | { code: "MODEL_CONFIG_INVALID"; context: string } {
  const extra = card.extraVariates ?? [];
  if (!Array.isArray(extra)) return { code: "MODEL_CONFIG_INVALID", context: `extraVariates=${JSON.stringify(extra)} (expected a list)` };
  const want = TIME_VARIATES.slice(0, extra.length);
  if (extra.length !== 0 && (extra.length !== TIME_VARIATES.length || extra.some((n, i) => n !== want[i]))) {
    return { code: "MODEL_CONFIG_INVALID", context: `extraVariates=${extra.join(",")} (supported: ${TIME_VARIATES.join(",")})` };
  }
  return extra as string[];
}
