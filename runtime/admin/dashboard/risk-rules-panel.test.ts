/**
 * The dashboard's "Risk rules and regimes" panel in a real headless Chromium against a running
 * paper session: the hmm-regime rule's filtered regime probabilities per instrument, the trading
 * state a rule's request moves to halted, and the release button that withdraws it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { startPaperFixture, waitFor, type PaperFixture } from "../testing/paper-session.ts";
import { needsTools } from "../../testing/system-tools.ts";

const CHROMIUM = Bun.which("chromium") ?? Bun.which("chromium-browser") ?? "chromium";
const REQUESTER = resolve(import.meta.dir, "../../session/fixtures/state-request-risk.ts");

describe.skipIf(!needsTools("admin: dashboard in headless Chromium", "chromium"))("risk rules panel in headless Chromium", () => {
  let f: PaperFixture;
  let browser: Browser;
  beforeAll(async () => {
    f = await startPaperFixture({
      strategy: false,
      speed: 40,
      riskPlugins: [`{ name: regime, plugin: hmm-regime, params: { instruments: [EURUSD] } }`, `{ name: gate, plugin: ${JSON.stringify(REQUESTER)}, params: { state: halted, afterQuotes: 400 } }`],
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await f?.stop();
  });

  test("shows the regime probabilities and the halted state, and the release button withdraws the rule's request", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    try {
      await page.goto(f.admin.url);
      await page.getByTestId("token").fill(f.tokens.admin);
      await page.getByTestId("login").click();
      // One probability per state, as percentages, once a bar has closed.
      const probs = page.getByTestId("probs-regime");
      await probs.filter({ hasText: /^(\d+\.\d%( · )?)+$/ }).waitFor({ timeout: 60_000 });
      const shown = (await probs.textContent())!.split(" · ").map((x) => Number(x.replace("%", "")));
      const k = (f.session.riskPlugins.find((r) => r.name === "regime")!.status()!.instruments as { probs: number[] }[])[0]!.probs.length;
      expect(shown.length).toBe(k);
      expect(Math.abs(shown.reduce((a, b) => a + b, 0) - 100)).toBeLessThan(0.1 * k);
      await waitFor(() => f.session.core.tradingState === "halted", 60_000, "the gate rule halts trading");
      await page.getByTestId("tradingstate").filter({ hasText: "halted" }).waitFor({ timeout: 10_000 });
      await page.locator('tr[data-rule="gate"]').filter({ hasText: "halted: quotes=400" }).waitFor({ timeout: 10_000 });
      await page.locator('button[data-rulerelease="gate"]').click();
      await waitFor(() => !f.session.core.risk.ruleStates.has("gate"), 10_000, "the gate's request is withdrawn");
      await page.locator('button[data-rulerelease="gate"]').waitFor({ state: "detached", timeout: 10_000 });
      if (!f.session.core.risk.ruleStates.has("regime")) await page.getByTestId("tradingstate").filter({ hasText: "active" }).waitFor({ timeout: 10_000 });
    } finally {
      await page.close();
    }
  }, 120_000);
});
