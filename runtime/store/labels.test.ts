/**
 * The recorder's reason labels stay bounded however many distinct reasons a session produces: the
 * first texts keep their own label, later ones share their reason code's label (counted as folded),
 * past the forms limit they share `(other)`; the labels table written at close maps every id used in
 * order_states to its text.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { tempFolder, EURUSD } from "../data/formats/test-support.ts";
import { StoreDb } from "./database.ts";
import { LabelTable, labelForm, OTHER_LABEL, DEFAULT_MAX_LABEL_TEXTS } from "./labels.ts";
import { TickRecorder } from "./recorder.ts";

test("normalised forms: the reason code, or the text with numbers as #", () => {
  expect(labelForm("RISK_REJECTED: rule=maxPosition order=123 size=5")).toBe("RISK_REJECTED");
  expect(labelForm("insufficient margin for order 123 at 1.0845")).toBe("insufficient margin for order # at #.#");
  expect(labelForm("x".repeat(200)).length).toBe(80);
});

test("a label table keeps maxTexts texts, then forms, then (other); ids are stable", () => {
  const t = new LabelTable(3, 2);
  const a = t.id("RISK_REJECTED: order=1");
  expect(t.id("")).toBe(0);
  expect(t.id("VENUE_REJECTED: order=2")).not.toBe(a);
  t.id("text 3");
  expect(t.size).toBe(4);
  expect(t.folded).toBe(0);
  // Past the texts: a new text gets its form's label.
  const f = t.id("RISK_REJECTED: order=4");
  expect(f).not.toBe(a);
  expect(t.id("RISK_REJECTED: order=5")).toBe(f);
  expect(t.folded).toBe(2);
  // Texts already known keep their own label.
  expect(t.id("RISK_REJECTED: order=1")).toBe(a);
  const g = t.id("VENUE_REJECTED: order=6");
  // Past the forms: (other).
  const o = t.id("SOMETHING_ELSE: x");
  expect(t.id("ANOTHER_CODE: y")).toBe(o);
  expect(new Map([...t.entries()].map(([text, id]) => [id, text])).get(o)).toBe(OTHER_LABEL);
  expect(new Set([a, f, g, o]).size).toBe(4);
  expect(t.size).toBe(1 + 3 + 2 + 1);
  for (let i = 0; i < 10_000; i++) t.id(`RISK_REJECTED: order=${i + 100}`);
  expect(t.size).toBe(7);
});

test("a recorder fed 3x its label limit in distinct reasons writes a bounded labels table that maps every stored id", async () => {
  using dir = tempFolder();
  const path = join(dir.path, "labels.duckdb");
  const rec = await TickRecorder.open({ db: path, instruments: [EURUSD], strategies: ["mm"] });
  const n = 3 * DEFAULT_MAX_LABEL_TEXTS;
  const ts = 1_700_000_000_000_000;
  for (let i = 1; i <= n; i++) rec.recordOrderState(ts + i, i, 5, 0, rec.label(i % 2 === 0 ? `RISK_REJECTED: order=${i}` : `venue said no to order ${i}`));
  expect(rec.labels.size).toBeLessThanOrEqual(DEFAULT_MAX_LABEL_TEXTS + 3);
  expect(rec.labels.folded).toBe(n - DEFAULT_MAX_LABEL_TEXTS);
  await rec.close();
  const db = await StoreDb.open(path);
  try {
    const rows = await db.all("SELECT s.order_id, l.text FROM order_states s LEFT JOIN labels l ON l.id = s.reason ORDER BY s.order_id");
    expect(rows.length).toBe(n);
    expect(rows.every((r) => typeof r.text === "string")).toBe(true);
    expect(rows[0]!.text).toBe("venue said no to order 1");
    expect(rows[n - 1]!.text).toBe("RISK_REJECTED");
    expect(rows[n - 2]!.text).toBe("venue said no to order #");
    expect(await db.all("SELECT count(*)::INTEGER AS n FROM labels")).toEqual([{ n: rec.labels.size }]);
  } finally {
    db.close();
  }
}, 60_000);
