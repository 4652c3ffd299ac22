/**
 * The dashboard's Backtests view in a real headless Chromium against a running paper session
 * whose results folder holds two real backtests of one synthetic deployment with different
 * strategy params (each stored with its tearsheet): the list shows both, a result's tearsheet
 * renders with every chart drawn from data, and two results compare side by side, all through the
 * existing /api/v1/backtests routes. The live view is hidden meanwhile. No console error; a screenshot goes to var/test-artefacts/
 * (or $KESTREL_TEST_ARTIFACTS).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { startPaperFixture, type PaperFixture } from "../testing/paper-session.ts";
import { runBacktest } from "../../session/backtest.ts";
import { saveBacktestResult } from "../../session/backtest-results.ts";
import { sessionFromYaml, syntheticYaml } from "../../session/test-session.ts";
import { TearsheetRecorder } from "../../session/tearsheet/recorder.ts";
import { CHROMIUM_ARGS, CHROMIUM_PATH, chartsOf } from "../../session/tearsheet/chromium.ts";
import { needsTools } from "../../testing/system-tools.ts";

/** Runs a short synthetic backtest with the given obi entry threshold and stores it with its tearsheet. */
async function storeBacktest(dir: string, entryImbalance: number, finished: Date): Promise<string> {
  const strategies = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD], params: { entryImbalance: ${entryImbalance}, maxSpreadTicks: 30 } }`;
  const s = await sessionFromYaml(dir, syntheticYaml(strategies, { seconds: 600 }), { store: false, journalPath: "" });
  const rec = new TearsheetRecorder(s);
  const summary = runBacktest(s);
  await s.close();
  return saveBacktestResult(join(dir, "backtests"), `obi-${entryImbalance}`, join(dir, "deployment.yaml"), summary, finished, rec.finish(summary.equity));
}

describe.skipIf(!needsTools("admin: dashboard Backtests view in headless Chromium", "chromium"))("dashboard Backtests view in headless Chromium", () => {
  let f: PaperFixture;
  let browser: Browser;
  let ids: string[];
  beforeAll(async () => {
    f = await startPaperFixture();
    ids = [await storeBacktest(f.dir, 0.3, new Date("2026-01-01T00:00:00Z")), await storeBacktest(f.dir, 0.5, new Date("2026-01-02T00:00:00Z"))];
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await f?.stop();
  });

  test("an analyst lists stored backtests, opens a tearsheet and compares two runs", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`${m.text()} ${m.location().url}`);
    });
    await page.goto(`${f.admin.url}#backtests`);
    await page.getByTestId("token").fill(f.tokens.analyst);
    await page.getByTestId("login").click();
    await page.getByTestId("status").filter({ hasText: "connected" }).waitFor({ timeout: 30_000 });

    // The Backtests view (no live streams meanwhile), its list newest first, from GET /api/v1/backtests.
    const rows = page.locator('[data-testid="bt-list"] tbody tr');
    await rows.nth(1).waitFor({ timeout: 30_000 });
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-bt")))).toEqual([ids[1]!, ids[0]!]);
    expect(await page.locator("main").isHidden()).toBe(true);
    expect(await page.getByTestId("nav").textContent()).toBe("Live session");

    // One result's tearsheet, from GET /api/v1/backtests/{id}.
    await page.locator(`button[data-bt-view="${ids[0]}"]`).click();
    await page.locator('#btview [data-chart="equity"][data-points]').waitFor({ timeout: 30_000 });
    expect(await page.locator("#btview h1").textContent()).toContain(ids[0]!);
    const single = await chartsOf(page, "#btview");
    expect(single.map((c) => c.name)).toEqual(["equity", "drawdown", "price-EURUSD", "price-GBPUSD", "pnl-by-strategy", "pnl-by-instrument", "pnl-by-hour", "trade-outcomes", "holding-times"]);
    for (const c of single) expect({ chart: c.name, drawn: c.drawn, hasData: c.points > 0 }).toEqual({ chart: c.name, drawn: true, hasData: true });

    // Two results side by side: the params that differ are on the page, both curves are drawn.
    for (const id of ids) await page.locator(`input[data-bt-pick="${id}"]`).check();
    await page.getByTestId("bt-compare").click();
    await page.locator('#btview [data-chart="compare-equity"][data-points]').waitFor({ timeout: 30_000 });
    const compared = await chartsOf(page, "#btview");
    expect(compared.map((c) => c.name)).toEqual(["compare-equity", "compare-drawdown"]);
    for (const c of compared) expect({ chart: c.name, drawn: c.drawn, hasData: c.points > 0 }).toEqual({ chart: c.name, drawn: true, hasData: true });
    const view = (await page.locator("#btview").textContent()) ?? "";
    expect(view).toContain('"entryImbalance":0.3');
    expect(view).toContain('"entryImbalance":0.5');
    expect(view).toContain(`Compare ${ids[0]} (A, blue) with ${ids[1]} (B, orange)`);

    const artefacts = process.env.KESTREL_TEST_ARTIFACTS ?? resolve(import.meta.dir, "../../../var/test-artefacts");
    mkdirSync(artefacts, { recursive: true });
    await page.screenshot({ path: join(artefacts, "dashboard-backtests-compare.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
