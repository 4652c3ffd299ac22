/**
 * Runs the suite's rows in order and renders the result: a table with each figure, its same-run
 * baseline and the ratio, or one JSON object with a key per row.
 */
import { ROWS } from "./rows.ts";
import { BENCH_KEYS, type BenchKey, type BenchSize, type Json, type RowResult } from "./types.ts";

/** One row's outcome: measured, skipped (not in --quick or --only), or failed with an error. */
export type RowOutcome = { key: BenchKey; result: RowResult } | { key: BenchKey; skipped: string } | { key: BenchKey; error: string };

/** Runs the rows of `size` (all but the non-quick ones for `quick`; only `only` when given); `progress` hears each start. */
export async function runSuite(size: BenchSize, only: ReadonlySet<string> | null, progress: (line: string) => void): Promise<RowOutcome[]> {
  const out: RowOutcome[] = [];
  for (const row of ROWS) {
    if (only !== null && !only.has(row.key)) {
      out.push({ key: row.key, skipped: "not in --only" });
      continue;
    }
    if (size === "quick" && !row.quick) {
      out.push({ key: row.key, skipped: "not in --quick" });
      continue;
    }
    progress(`bench: ${row.key} (${row.title}) ...`);
    const t0 = performance.now();
    try {
      const result = await row.run(size);
      out.push({ key: row.key, result });
      progress(`bench: ${row.key} done in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${result.text} | ${result.baselineText} | ratio ${result.ratio.toFixed(3)} (${result.ratioOf})`);
    } catch (err) {
      out.push({ key: row.key, error: `${(err as Error).message ?? String(err)}`.split("\n")[0]! });
      progress(`bench: ${row.key} FAILED: ${(err as Error).message}`);
    }
  }
  return out;
}

/** The JSON object of `kestrel bench --json`: a key per row; null for a skipped row, `{ error }` for a failed one. */
export function suiteJson(outcomes: readonly RowOutcome[], meta: { size: BenchSize; bun: string; wallSeconds: number }): { [k: string]: Json } {
  const obj: { [k: string]: Json } = {};
  for (const key of BENCH_KEYS) {
    const o = outcomes.find((x) => x.key === key);
    if (o === undefined || "skipped" in o) obj[key] = null;
    else if ("error" in o) obj[key] = { error: o.error };
    else {
      const r = o.result;
      obj[key] = { ...r.figures, baseline: r.baseline, ratio: Math.round(r.ratio * 1000) / 1000, ratioOf: r.ratioOf, ...(r.failed === undefined ? {} : { failed: r.failed }) };
    }
  }
  obj.meta = { size: meta.size, bun: meta.bun, platform: `${process.platform}-${process.arch}`, wallSeconds: Math.round(meta.wallSeconds * 10) / 10 };
  return obj;
}

/** The table: row, figure, same-run baseline, ratio, target. */
export function suiteTable(outcomes: readonly RowOutcome[]): string {
  const rows: string[][] = [["row", "figure", "same-run baseline", "ratio", "target"]];
  for (const row of ROWS) {
    const o = outcomes.find((x) => x.key === row.key)!;
    if ("skipped" in o) rows.push([row.key, `(${o.skipped})`, "", "", row.target]);
    else if ("error" in o) rows.push([row.key, `ERROR: ${o.error}`, "", "", row.target]);
    else rows.push([row.key, o.result.text + (o.result.failed ? ` FAIL: ${o.result.failed}` : ""), o.result.baselineText, `${o.result.ratio.toFixed(3)} (${o.result.ratioOf})`, row.target]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((v, c) => v.padEnd(widths[c]!)).join("  ").trimEnd()).join("\n");
}

/** True when a row errored or failed its own check. */
export function suiteFailed(outcomes: readonly RowOutcome[]): boolean {
  return outcomes.some((o) => "error" in o || ("result" in o && o.result.failed !== undefined));
}
