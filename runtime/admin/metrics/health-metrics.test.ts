/**
 * The health families on a real session (a synthetic backtest with the FPGA gate in software
 * mode): alerts counted by code, each instrument's quote age in kernel seconds, the sidecar's
 * attachment and fallbacks, and model families declared without samples when no model runs.
 */
import { afterAll, expect, test } from "bun:test";
import { runBacktest } from "../../session/backtest.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../../session/test-session.ts";
import { Exposition } from "./exposition.ts";
import { renderHealthMetrics } from "./health-metrics.ts";

const tmp = tempDir("kestrel-health-");
afterAll(() => tmp.dispose());

test("alerts by code, quote ages, sidecar state and model families", async () => {
  const strategies = "  - { name: obi, plugin: obi-scalper, instruments: [EURUSD], params: { entryImbalance: 0.3, maxSpreadTicks: 30 } }";
  const s = await sessionFromYaml(tmp.path, syntheticYaml(strategies, { seconds: 60, extra: "sidecars: { fpga: { mode: software } }" }), { store: false, journalPath: "" });
  runBacktest(s);
  s.core.alerts.raise(s.core.now(), "DATA_STALE_FEED", "warning", "EURUSD", "test");
  s.core.alerts.raise(s.core.now(), "DATA_STALE_FEED", "warning", "GBPUSD", "test");
  s.core.alerts.raise(s.core.now(), "STORE_LAG", "warning", "store", "test");
  const x = new Exposition();
  renderHealthMetrics(x, s);
  const text = x.render();
  await s.close();
  const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}".]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1]);
  expect(value('kestrel_alerts_raised_total{code="DATA_STALE_FEED"}')).toBe(s.core.alerts.all().filter((a) => a.code === "DATA_STALE_FEED").length);
  expect(value('kestrel_alerts_raised_total{code="DATA_STALE_FEED"}')).toBeGreaterThanOrEqual(2);
  expect(value('kestrel_alerts_raised_total{code="STORE_LAG"}')).toBe(1);
  for (const inst of s.instruments) {
    const book = s.core.books.books[inst.id]!;
    expect(value(`kestrel_quote_age_seconds{instrument="${inst.symbol}"}`)).toBeCloseTo((s.core.now() - book.ts) / 1e6, 9);
  }
  expect(value('kestrel_sidecar_attached{sidecar="fpga",mode="software"}')).toBe(0);
  expect(value('kestrel_sidecar_fallbacks_total{sidecar="fpga"}')).toBeGreaterThanOrEqual(0);
  expect(text).not.toContain('sidecar="gpu"');
  for (const family of ["kestrel_model_answer_age_seconds", "kestrel_model_batches_total", "kestrel_var_account"]) {
    expect(text).toContain(`# TYPE ${family} `);
    expect(text).not.toMatch(new RegExp(`^${family}[{ ]`, "m"));
  }
});
