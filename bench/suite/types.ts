/** Types of the benchmark suite behind `kestrel bench`: one row per figure of issue 13's table. */

/** How much work each row does: `tiny` only checks that everything runs (tests), `quick` a subset in minutes, `full` the figures. */
export type BenchSize = "tiny" | "quick" | "full";

/** The rows, in table order (the keys of `kestrel bench --json`). */
export const BENCH_KEYS = [
  "backtestReal", "backtestSynthetic", "tickToOrderDefault", "tickToOrderPaced", "features", "kernelsVsTwin",
  "adminQuoteLag", "shmFrameRtt", "matching", "fixDecode", "varInProcess", "importBi5",
] as const;

/** One row's key. */
export type BenchKey = (typeof BENCH_KEYS)[number];

/** A JSON value made of numbers, strings, booleans, arrays and objects. */
export type Json = number | string | boolean | null | Json[] | { [k: string]: Json };

/** What a row measured: its figures, the same-run baseline they are compared with, and the ratio. */
export interface RowResult {
  /** The row's own numbers (JSON). */
  figures: { [k: string]: Json };
  /** The same-run baseline: `what` says what it is, the rest are its numbers. */
  baseline: { what: string; [k: string]: Json };
  /** Figure over baseline, as `ratioOf` says. */
  ratio: number;
  ratioOf: string;
  /** The figure and the baseline, for the table. */
  text: string;
  baselineText: string;
  /** Set when the row failed its own check (a WASM kernel slower than its twin, depths that differ). */
  failed?: string;
}

/** One row of the suite. */
export interface BenchRow {
  key: BenchKey;
  title: string;
  target: string;
  /** Part of `--quick`. */
  quick: boolean;
  run(size: BenchSize): Promise<RowResult>;
}
