/**
 * The dashboard's explanation panel in a real headless Chromium against a running paper session
 * with a journal: clicking an order id in the blotter shows why the order was sent — its strategy
 * and version, the risk verdict check by check and what the venue answered.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chromium, type Browser } from "playwright-core";
import { startPaperFixture, waitFor, type PaperFixture } from "../testing/paper-session.ts";
import { needsTools } from "../../testing/system-tools.ts";

const CHROMIUM = Bun.which("chromium") ?? Bun.which("chromium-browser") ?? "chromium";

describe.skipIf(!needsTools("admin: explanation panel in headless Chromium", "chromium"))("explanation panel in headless Chromium", () => {
  let f: PaperFixture;
  let browser: Browser;
  beforeAll(async () => {
    f = await startPaperFixture({ journal: true, strategy: false });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await f?.stop();
  });

  test("clicking an order in the blotter explains it", async () => {
    const { core } = f.session;
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    try {
      await page.goto(f.admin.url);
      await page.getByTestId("token").fill(f.tokens.analyst);
      await page.getByTestId("login").click();
      await page.getByTestId("killstate").filter({ hasText: /\w/ }).waitFor({ timeout: 15_000 });
      // An operator order that rests: the page sees it on its order stream and keeps it in the blotter.
      const bid = core.books.books[0]!.bid;
      const id = core.submit("manual", { instrument: 0, side: 1, type: "limit", price: bid - 40, size: 1000, tif: "GTC" });
      await waitFor(() => core.oms.get(id)!.status === "working", 10_000, "the order working");
      const link = page.locator(`[data-explain="${id}"]`);
      await link.waitFor({ timeout: 15_000 });
      await link.click();
      await page.getByTestId("explain-order").filter({ hasText: `order ${id}` }).waitFor({ timeout: 10_000 });
      expect(await page.getByTestId("explain-order").textContent()).toContain("by manual");
      expect(await page.getByTestId("explain-risk").textContent()).toMatch(/^risk: pass .*price-collar:pass/);
      expect(await page.getByTestId("explain-events").textContent()).toMatch(/^venue: accepted \+\d+ µs/);
    } finally {
      await page.close();
    }
  }, 60_000);
});
