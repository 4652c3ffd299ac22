/**
 * Printing query results for `kestrel data`: an aligned text table for people, or JSON lines
 * (one object per row, big integers as strings) for programs.
 */

type Cell = number | string | boolean | null | bigint | undefined;

function cellText(v: Cell): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
  return String(v);
}

/** Formats rows as an aligned table with a header line; numbers are right-aligned. */
export function formatTable(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((r) => r.map(cellText));
  const widths = columns.map((c, j) => Math.max(c.length, ...text.map((r) => r[j].length)));
  const numeric = columns.map((_, j) => rows.length > 0 && rows.every((r) => r[j] === null || typeof r[j] === "number" || typeof r[j] === "bigint"));
  const line = (cells: readonly string[]) => cells.map((c, j) => (numeric[j] ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join("  ").trimEnd();
  const out = [line(columns), widths.map((w) => "-".repeat(w)).join("  ")];
  for (const r of text) out.push(line(r));
  out.push(`(${rows.length} row${rows.length === 1 ? "" : "s"})`);
  return out.join("\n");
}

/** Formats rows as JSON lines. */
export function formatJsonLines(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return rows
    .map((r) => {
      const o: Record<string, unknown> = {};
      columns.forEach((c, j) => (o[c] = typeof r[j] === "bigint" ? String(r[j]) : (r[j] ?? null)));
      return JSON.stringify(o);
    })
    .join("\n");
}

/** Turns objects into columns and rows (columns from the first object). */
export function objectsToTable(objects: readonly Record<string, Cell>[]): { columns: string[]; rows: Cell[][] } {
  const columns = objects.length === 0 ? [] : Object.keys(objects[0]);
  return { columns, rows: objects.map((o) => columns.map((c) => o[c])) };
}
