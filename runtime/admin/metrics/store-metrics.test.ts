/** With a store, /metrics reports rows recorded and appended per table and the store's lag, valid for promtool. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startPaperFixture, waitFor, type PaperFixture } from "../testing/paper-session.ts";
import { call } from "../testing/http.ts";
import { needsTools } from "../../testing/system-tools.ts";

describe("store metrics", () => {
  let f: PaperFixture;
  beforeAll(async () => {
    f = await startPaperFixture({ store: true });
  }, 20_000);
  afterAll(async () => {
    await f?.stop();
  });

  test("rows recorded and appended per table, lag gauges", async () => {
    await waitFor(() => (f.session.recorder?.stats().quotes?.appended ?? 0) > 0, 10_000, "quotes appended to DuckDB");
    const r = await call(f, "GET", "/metrics", f.tokens.analyst);
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(r.text)?.[1]);
    expect(value('kestrel_store_rows_recorded_total{table="quotes"}')).toBeGreaterThan(0);
    expect(value('kestrel_store_rows_appended_total{table="quotes"}')).toBeGreaterThan(0);
    expect(value('kestrel_store_rows_appended_total{table="quotes"}')).toBeLessThanOrEqual(value('kestrel_store_rows_recorded_total{table="quotes"}'));
    expect(value('kestrel_store_lag_rows{table="quotes"}')).toBeGreaterThanOrEqual(0);
    // A lag in seconds of market time, never an absolute timestamp (which would be ~1.5e9 s).
    const lag = value('kestrel_store_lag_seconds{table="quotes"}');
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(3600);
    if (needsTools("store metrics: promtool check metrics", "promtool")) {
      const proc = Bun.spawn(["promtool", "check", "metrics"], { stdin: new TextEncoder().encode(r.text), stdout: "pipe", stderr: "pipe" });
      const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      expect(`${out}${err}`.trim()).toBe("");
      expect(code).toBe(0);
    }
  }, 15_000);
});
