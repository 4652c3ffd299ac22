/**
 * The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core)
 * against a running paper session: it logs in with a token, shows live P&L and fills, pauses and
 * resumes a strategy, restarts a quarantined one, sends a manual order, and its kill switch (behind a confirm) stops trading.
 * A screenshot goes to $KESTREL_TEST_ARTIFACTS when that is set.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { startPaperFixture, waitFor, type PaperFixture } from "../testing/paper-session.ts";
import { call, passivePrice } from "../testing/http.ts";
import { needsTools } from "../../testing/system-tools.ts";

const CHROMIUM = Bun.which("chromium") ?? Bun.which("chromium-browser") ?? "chromium";

describe.skipIf(!needsTools("admin: dashboard in headless Chromium", "chromium"))("dashboard in headless Chromium", () => {
  let f: PaperFixture;
  let browser: Browser;
  beforeAll(async () => {
    // "bad" throws on its 30th quote and is quarantined; the operator restarts it from its row.
    const throwing = resolve(import.meta.dir, "../../session/fixtures/throwing-strategy.ts");
    f = await startPaperFixture({ strategies: [`{ name: bad, plugin: ${JSON.stringify(throwing)}, instruments: [EURUSD], params: { throwOnQuote: 30 } }`] });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await f?.stop();
  });

  test("money is shown in its currency's units with its code, and in the account currency beside it", async () => {
    // Only the operator trades here, so exposure holds still while the page and the API are compared.
    expect((await call(f, "POST", "/api/v1/strategies/obi/pause", f.tokens.trader)).status).toBe(200);
    // A paused strategy's resting orders could still fill: cancel them, and let "bad" reach its quarantine.
    await waitFor(() => f.session.core.host.get("bad")!.state === "quarantined", 10_000, "bad is quarantined");
    f.session.core.cancelAll("obi");
    await waitFor(() => f.session.core.openOrdersOf("obi").length === 0 && f.session.core.openOrdersOf("bad").length === 0, 10_000, "no strategy order working");
    const sent = await call(f, "POST", "/api/v1/orders", f.tokens.trader, { instrument: "EURGBP", side: "sell", type: "market", size: "100000" });
    expect(sent.status).toBe(201);
    const eurgbp = f.session.instruments.find((i) => i.symbol === "EURGBP")!.id;
    // The paused strategy's resting orders stay working; only the operator's order must be done.
    await waitFor(() => f.session.core.portfolio.position(eurgbp) !== 0 && f.session.core.openOrdersOf("manual").length === 0, 10_000, "the EURGBP order filled");
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    try {
      await page.goto(f.admin.url);
      await page.getByTestId("token").fill(f.tokens.admin);
      await page.getByTestId("login").click();
      await page.locator('[data-testid="exposure"] tr[data-currency="GBP"]').waitFor({ timeout: 10_000 });
      await page.getByTestId("pnl").filter({ hasText: /^-?[\d,]+\.\d{2} USD$/ }).waitFor({ timeout: 10_000 });
      expect(await page.getByTestId("equity").textContent()).toMatch(/^[\d,]+\.\d{2} USD$/);
      const api = (await call(f, "GET", "/api/v1/portfolio", f.tokens.analyst)).json as { exposure: { currency: string; long: string; short: string; net: string }[] };
      const shown = (text: string, code: string) => `${Number(text).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).replace(/^-(0\.00)$/, "$1")} ${code}`;
      const rows = await page.locator('[data-testid="exposure"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));
      expect(rows.map((r) => r[0])).toEqual(api.exposure.map((e) => e.currency));
      for (const [i, e] of api.exposure.entries()) {
        const [currency, long, short, net, account] = rows[i]!;
        // Exact per-currency figures, in that currency's units (two decimals for EUR, GBP and USD).
        expect([long, short, net]).toEqual([shown(e.long, currency!), shown(e.short, currency!), shown(e.net, currency!)]);
        expect(account).toMatch(/^-?[\d,]+\.\d{2} USD$/);
      }
      // The operator's sale of 100,000 EUR shows as a short of exactly that.
      expect(rows.find((r) => r[0] === "EUR")![2]).toMatch(/^-[\d,]+\.00 EUR$/);
      expect(await page.getByTestId("exposure-gross").textContent()).toMatch(/^[\d,]+\.\d{2} USD$/);
      // Positions: realised, unrealised and net with their code; net beside it in USD.
      const positions = await page.locator('[data-testid="positions"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));
      const gbp = positions.find((r) => r[0] === "EURGBP")!;
      for (const cell of gbp.slice(3, 6)) expect(cell).toMatch(/^-?[\d,]+\.\d{2} GBP$/);
      expect(gbp[6]).toMatch(/^-?[\d,]+\.\d{2} USD$/);
      // No raw minor-unit text ("-13100.000", "0.00000") anywhere in the money tables.
      const cells = [...rows.flat(), ...positions.flatMap((r) => r.slice(3))];
      for (const cell of cells) expect(cell).not.toMatch(/^-?\d+\.\d{3,}$/);
    } finally {
      await page.close();
      expect((await call(f, "POST", "/api/v1/strategies/obi/resume", f.tokens.trader)).status).toBe(200);
    }
  }, 90_000); // above the sum of its waits (50 s), which bound each step

  test("an operator logs in, watches P&L and fills, pauses a strategy, sends an order and hits the kill switch", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("dialog", (d) => void d.accept());
    await page.goto(f.admin.url);
    await page.getByTestId("token").fill(f.tokens.admin);
    await page.getByTestId("login").click();
    await page.getByTestId("status").filter({ hasText: "connected" }).waitFor({ timeout: 10_000 });

    // Live P&L and fills from the running session.
    await page.getByTestId("pnl").filter({ hasText: /^-?[\d,]+\.\d{2} USD$/ }).waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="fillstable"] tbody tr').first().waitFor({ timeout: 15_000 });
    expect(Number(await page.getByTestId("fills").textContent())).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="blotter"] tbody tr').count()).toBeGreaterThan(0);

    // Pause and resume the strategy from its row.
    await page.locator('button[data-pause="obi"]').click();
    await page.getByTestId("state-obi").filter({ hasText: "paused" }).waitFor({ timeout: 5000 });
    expect(f.session.core.host.get("obi")!.state).toBe("paused");
    await page.locator('button[data-resume="obi"]').click();
    await page.getByTestId("state-obi").filter({ hasText: "running" }).waitFor({ timeout: 5000 });

    // Restart the quarantined strategy from its row (confirm accepted).
    await page.getByTestId("state-bad").filter({ hasText: "quarantined" }).waitFor({ timeout: 10_000 });
    await page.locator('button[data-restart="bad"]').click();
    await waitFor(() => f.session.core.alerts.all().some((a) => a.code === "PLUGIN_RESTARTED" && a.subject === "bad"), 5000, "bad restarted");

    // A manual order from the form.
    await page.locator("#o-inst").selectOption("EURUSD");
    await page.locator("#o-size").fill("1000");
    await page.locator("#o-price").fill(passivePrice(f, "EURUSD", "buy", 80));
    await page.locator('#orderform button[type="submit"]').click();
    await page.locator("#o-result").filter({ hasText: /^order \d+ pending$/ }).waitFor({ timeout: 5000 });
    expect([...f.session.core.oms.all()].some((o) => o.strategy === "manual")).toBe(true);

    // The kill switch (confirm accepted) stops trading: working orders canceled, new ones refused.
    await page.getByTestId("kill").click();
    await page.getByTestId("killstate").filter({ hasText: "ENGAGED" }).waitFor({ timeout: 5000 });
    expect(f.session.core.risk.killSwitch).toBe(true);
    await waitFor(() => f.session.core.oms.openCount === 0, 5000, "working orders canceled");
    const last = f.session.core.oms.orderIds.current;
    const events = f.session.loop.marketEvents;
    await waitFor(() => f.session.loop.marketEvents > events + 100, 10_000, "100 more market events");
    for (const o of f.session.core.oms.all()) if (o.id > last) expect(o.status).toBe("rejected");

    const artefacts = process.env.KESTREL_TEST_ARTIFACTS;
    if (artefacts) await page.screenshot({ path: join(artefacts, "admin-dashboard.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000); // above the sum of its waits (85 s), which bound each step
});

/**
 * Hot swap and parent orders from the dashboard: a deploy button on a strategy's row swaps in
 * another version (the operator names it in the prompt); an operator's iceberg parent shows with its
 * children under it, each child naming its parent in the blotter, is started from the parents'
 * form, and is paused and canceled from its row.
 */
describe.skipIf(!needsTools("admin: dashboard in headless Chromium", "chromium"))("dashboard: deploy and parent orders", () => {
  const V1 = resolve(import.meta.dir, "../../strategy/fixtures/counter-v1.ts");
  const V2 = resolve(import.meta.dir, "../../strategy/fixtures/counter-v2.ts");
  let f: PaperFixture;
  let browser: Browser;
  beforeAll(async () => {
    f = await startPaperFixture({
      strategy: false,
      strategies: [`{ name: counted, plugin: ${JSON.stringify(V1)}, isolate: false, instruments: [EURUSD] }`],
      extraYaml: `execution:
  algos:
    - { name: iceberg, plugin: iceberg, params: { displaySize: 100000, sizeVariance: 0.2 } }
`,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await f?.stop();
  });

  test("an admin deploys version 2 from the strategy's row; a parent shows with its children, is paused and canceled from its row", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // The deploy prompt gets version 2's path; every confirm is accepted.
    page.on("dialog", (d) => void (d.type() === "prompt" ? d.accept(V2) : d.accept()));
    await page.goto(f.admin.url);
    await page.getByTestId("token").fill(f.tokens.admin);
    await page.getByTestId("login").click();
    await page.getByTestId("status").filter({ hasText: "connected" }).waitFor({ timeout: 10_000 });

    // Hot swap from the row.
    await page.getByTestId("state-counted").filter({ hasText: "running" }).waitFor({ timeout: 10_000 });
    expect(f.session.core.host.get("counted")!.plugin.manifest.version).toBe("1.0.0");
    await page.locator('button[data-deploy="counted"]').click();
    await page.getByTestId("status").filter({ hasText: "deployed: counted now runs version 2.0.0 (running)" }).waitFor({ timeout: 10_000 });
    expect(f.session.core.host.get("counted")!.plugin.manifest.version).toBe("2.0.0");
    // The row names the deployed plugin and its version.
    await page.locator("#strategies tbody tr", { hasText: "counter-v2.ts 2.0.0" }).waitFor({ timeout: 5000 });

    // An operator starts a parent from the form: an iceberg resting 40 ticks under the bid.
    await page.locator("#a-algo option", { hasText: "iceberg" }).waitFor({ state: "attached", timeout: 10_000 });
    await page.locator("#a-algo").selectOption("iceberg");
    await page.locator("#a-inst").selectOption("EURUSD");
    await page.locator("#a-qty").fill("300000");
    const limit = passivePrice(f, "EURUSD", "buy", 40);
    await page.locator("#a-limit").fill(limit);
    await page.locator('#algoform button[type="submit"]').click();
    await page.getByTestId("a-result").filter({ hasText: /^parent \d+ working$/ }).waitFor({ timeout: 10_000 });
    const id = Number(/^parent (\d+)/.exec((await page.getByTestId("a-result").textContent())!)![1]);
    const started = f.session.algos!.parents.get(id)!;
    expect([started.spec.strategy, started.spec.algo, started.spec.side, started.quantity]).toEqual(["manual", "iceberg", 1, 300000]);
    // The limit went to the API in ticks.
    expect(started.limitPrice).toBe(Number(limit.replace(".", "")));
    await waitFor(() => f.session.algos!.parents.get(id)!.children.length > 0, 10_000, "the iceberg's first child");
    const child = f.session.algos!.parents.get(id)!.children[0]!;
    await page.locator(`#parents tr[data-parent="${id}"]`).waitFor({ timeout: 10_000 });
    await page.locator(`#parents tr[data-child="${child}"][data-child-of="${id}"]`).waitFor({ timeout: 10_000 });
    // Children follow their parent in the table, and name it in the blotter.
    const order = await page.locator("#parents tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-parent") ?? `c${tr.getAttribute("data-child-of")}`));
    expect(order.indexOf(String(id))).toBeLessThan(order.indexOf(`c${id}`));
    await page.locator(`#blotter tr[data-order="${child}"] td`, { hasText: `#${id}` }).waitFor({ timeout: 10_000 });
    expect(await page.locator(`#parents tr[data-parent="${id}"] td`).nth(2).textContent()).toBe("iceberg");

    await page.locator(`button[data-ppause="${id}"]`).click();
    await page.getByTestId(`pstatus-${id}`).filter({ hasText: "paused" }).waitFor({ timeout: 5000 });
    expect(f.session.algos!.parents.get(id)!.status).toBe("paused");
    await page.locator(`button[data-pcancel="${id}"]`).click();
    await waitFor(() => f.session.algos!.parents.get(id)!.status === "canceled", 10_000, "the parent canceled");
    await page.getByTestId(`pstatus-${id}`).filter({ hasText: "canceled" }).waitFor({ timeout: 5000 });
    // The cancel reached the children: none is left working (one may have filled before it arrived).
    const children = f.session.algos!.parents.get(id)!.children;
    await waitFor(() => children.every((c) => ["canceled", "filled", "rejected", "expired"].includes(f.session.core.oms.get(c)!.status)), 10_000, "the children ended");
    expect(children.map((c) => f.session.core.oms.get(c)!.status).filter((st) => st !== "canceled" && st !== "filled")).toEqual([]);

    const artefacts = process.env.KESTREL_TEST_ARTIFACTS;
    if (artefacts) await page.screenshot({ path: join(artefacts, "admin-dashboard-parents.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
