/**
 * `kestrel backtest configs/backtest.yaml --html <file>` as a real process on the real Dukascopy
 * EURUSD day, then the file opened from disk in headless Chromium (Debian's `chromium` through
 * playwright-core): no console error, every chart present and drawn with data, the price chart
 * carrying the run's entries and exits. A screenshot is kept in var/test-artefacts/ (or
 * $KESTREL_TEST_ARTIFACTS).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_PATH, chartsOf } from "./chromium.ts";
import { needsTools } from "../../testing/system-tools.ts";

const ROOT = resolve(import.meta.dir, "../../..");

describe.skipIf(!needsTools("tearsheet: HTML file in headless Chromium", "chromium"))("HTML tearsheet of the EURUSD day in headless Chromium", () => {
  let dir: string;
  let browser: Browser;
  let summary: { fills: number; performance: { trades: number }; html: string; id?: string };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kestrel-tearsheet-"));
    const html = join(dir, "report.html");
    const proc = Bun.spawn([process.execPath, "runtime/cli.ts", "backtest", "configs/backtest.yaml", "--no-store", "--no-save", "--json", "--html", html], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    if (code !== 0) throw new Error(`kestrel backtest exited ${code}: ${err}`);
    summary = JSON.parse(out);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the file is self-contained: the chart library, the renderer and the data are inline, nothing is fetched", () => {
    const text = readFileSync(summary.html, "utf8");
    expect(text).not.toMatch(/<script[^>]+src=/i);
    expect(text).not.toMatch(/<link[^>]+href=/i);
    expect(text).toContain("LightweightCharts");
    expect(text).toContain("KestrelTearsheet");
    expect(summary.id).toBeUndefined();
  });

  test("it renders with no console error and every chart drawn with data", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("request", (r) => {
      if (!r.url().startsWith("file:")) requests.push(r.url());
    });
    await page.goto(`file://${summary.html}`);
    await page.locator('[data-chart="equity"][data-points]').waitFor({ timeout: 30_000 });
    const charts = await chartsOf(page);
    const names = charts.map((c) => c.name);
    expect(names).toEqual(["equity", "drawdown", "price-EURUSD", "pnl-by-strategy", "pnl-by-instrument", "pnl-by-hour", "trade-outcomes", "holding-times"]);
    for (const c of charts) {
      expect({ name: c.name, drawn: c.drawn }).toEqual({ name: c.name, drawn: true });
      expect(c.points).toBeGreaterThan(0);
    }
    // The EURUSD day: one equity sample a minute for 24 hours, minute bars, a marker per fill.
    expect(charts.find((c) => c.name === "equity")!.points).toBeGreaterThan(1000);
    expect(charts.find((c) => c.name === "price-EURUSD")!.points).toBeGreaterThan(1000);
    expect(Number(await page.locator('[data-chart="price-EURUSD"]').getAttribute("data-markers"))).toBe(summary.fills);
    // Each time chart shows the whole day, not its last hours (2019-02-04 00:00 to 23:59 UTC).
    const dayStart = Date.UTC(2019, 1, 4) / 1000;
    // The shown range is published when a chart applies fitContent (on a later frame): wait for it
    // to settle on the day's start; the assertions below say what it was if it never does.
    const settled = `["equity", "drawdown", "price-EURUSD"].every((n) => Number(document.querySelector('[data-chart="' + n + '"]')?.getAttribute("data-shown-from")) === ${dayStart})`;
    await page.waitForFunction(settled, undefined, { timeout: 30_000 }).catch(() => {});
    for (const name of ["equity", "drawdown", "price-EURUSD"]) {
      const chart = page.locator(`[data-chart="${name}"]`);
      expect({ name, from: Number(await chart.getAttribute("data-shown-from")) }).toEqual({ name, from: dayStart });
      expect(Number(await chart.getAttribute("data-shown-to"))).toBeGreaterThanOrEqual(Date.UTC(2019, 1, 4, 23, 59) / 1000);
    }
    expect(await page.getByTestId("period").textContent()).toContain("2019-02-04");
    expect(await page.locator("text=Trade outcomes (").textContent()).toContain(`${summary.performance.trades} closing fills`);
    const artefacts = process.env.KESTREL_TEST_ARTIFACTS ?? join(ROOT, "var", "test-artefacts");
    mkdirSync(artefacts, { recursive: true });
    await page.screenshot({ path: join(artefacts, "tearsheet.png"), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  }, 120_000);
});
