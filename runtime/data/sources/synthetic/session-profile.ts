/**
 * Session-of-day structure of the FX market over the 168 hours of a UTC week (Monday 00:00 is
 * hour 0): how active quoting is (Asia, London, the London/New York overlap, the quiet daily roll
 * around 21:00-23:00 UTC), how much the price moves (variance scales with activity), and how wide
 * spreads are (wider in thin hours). With weekends closed, nothing is quoted from Friday 21:00
 * to Sunday 21:00 and the price still drifts a little, so Sunday opens with a gap.
 */

/**
 * Relative quote activity by UTC hour of a weekday; 1 is an ordinary London hour. Shaped on the
 * tick counts per hour of the real Dukascopy EURUSD day in `../shared/data` (2019-02-04): Asia
 * at about a third of London, peaks at the London open and the New York overlap, a trough at
 * the daily roll (22:00 UTC in winter).
 */
export const WEEKDAY_ACTIVITY = [
  0.45, 0.37, 0.33, 0.37, 0.4, 0.35, 0.42, 0.85, 1.3, 1.15, 1.05, 0.9,
  0.92, 1.0, 1.25, 1.35, 1.1, 0.82, 0.7, 0.58, 0.58, 0.27, 0.25, 0.33,
];

/** Spread multiplier by UTC hour of a weekday, shaped on the same day's spreads (the roll is thin). */
export const WEEKDAY_SPREAD = [
  1.25, 1.2, 1.2, 1.2, 1.2, 1.15, 1.15, 1.05, 1, 1, 1, 1,
  1, 0.95, 0.95, 0.95, 0.95, 1.1, 1.2, 1.1, 1.15, 1.4, 4, 2,
];

/** Currencies whose pairs quote more in each UTC hour's main session, and by how much. */
const SESSION_TILT: readonly { hours: readonly number[]; currencies: readonly string[]; factor: number }[] = [
  { hours: [23, 0, 1, 2, 3, 4, 5, 6], currencies: ["JPY", "AUD", "NZD"], factor: 2 },
  { hours: [7, 8, 9, 10, 11], currencies: ["EUR", "GBP", "CHF"], factor: 1.6 },
  { hours: [12, 13, 14, 15, 16, 17, 18, 19, 20], currencies: ["USD", "CAD"], factor: 1.4 },
];

/**
 * Returns how much more a pair quotes in a UTC hour than its overall share says: Tokyo and
 * Sydney pairs in Asia, European pairs in London, dollar and Canadian pairs in New York.
 */
export function sessionTilt(hourOfDay: number, base: string, quote: string): number {
  for (const s of SESSION_TILT)
    if (s.hours.includes(hourOfDay)) return s.currencies.includes(base) || s.currencies.includes(quote) ? s.factor : 1;
  return 1;
}

/** Variance rate while the market is closed, relative to a busy hour (weekend news). */
const CLOSED_VARIANCE = 0.1;

/** The three per-hour profiles of one week, indexed by hour of week (0 = Monday 00:00 UTC). */
export interface WeekProfile {
  readonly activity: Float64Array;
  readonly variance: Float64Array;
  readonly spread: Float64Array;
}

/** Hours in a week. */
export const WEEK_HOURS = 168;

/** Builds the weekly profiles; with `weekendsClosed`, Friday 21:00 to Sunday 21:00 UTC has no quotes. */
export function weekProfile(weekendsClosed: boolean): WeekProfile {
  const activity = new Float64Array(WEEK_HOURS);
  const variance = new Float64Array(WEEK_HOURS);
  const spread = new Float64Array(WEEK_HOURS);
  for (let h = 0; h < WEEK_HOURS; h++) {
    const hourOfDay = h % 24;
    const closed = weekendsClosed && h >= 4 * 24 + 21 && h < 6 * 24 + 21;
    activity[h] = closed ? 0 : WEEKDAY_ACTIVITY[hourOfDay];
    variance[h] = closed ? CLOSED_VARIANCE : WEEKDAY_ACTIVITY[hourOfDay];
    spread[h] = WEEKDAY_SPREAD[hourOfDay];
  }
  return { activity, variance, spread };
}

/** Returns the hour of week (0 = Monday 00:00 UTC) of a ts in microseconds since epoch. */
export function hourOfWeek(ts: number): number {
  const hours = Math.floor(ts / 3_600_000_000);
  // 1970-01-01 was a Thursday: hour 0 of the epoch is hour 72 of its week.
  return (((hours + 72) % WEEK_HOURS) + WEEK_HOURS) % WEEK_HOURS;
}
