/**
 * Order explanations over loopback HTTP against a running paper session with a journal: a
 * strategy's filled order shows its cause (strategy, plugin version, event, features snapshot),
 * the book and features the session saw, every pre-trade check passed and the venue's reports with
 * latencies; an order refused by risk shows the check that refused it, those before it passed and
 * those after it not run; an unknown order is a 404 with its code.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startPaperFixture, waitFor, type PaperFixture } from "./testing/paper-session.ts";
import { call } from "./testing/http.ts";
import { PRE_TRADE_CHECKS } from "../audit/explain.ts";

let f: PaperFixture;
beforeAll(async () => {
  f = await startPaperFixture({ journal: true });
}, 20_000);
afterAll(async () => {
  await f?.stop();
});

test("a strategy's filled order: its cause, what the session saw, every check passed, the venue's reports with latencies", async () => {
  const { core } = f.session;
  await waitFor(() => core.portfolio.fillCount > 0, 20_000, "a fill");
  const fill = [...core.oms.all()].find((o) => o.strategy === "obi" && o.filled > 0)!;
  const r = await call(f, "GET", `/api/v1/orders/${fill.id}/explain`, f.tokens.analyst);
  expect(r.status).toBe(200);
  const x = r.json;
  expect(x.order).toMatchObject({ id: fill.id, strategy: "obi", instrument: fill.instrument, rejected: "" });
  expect(x.cause).toMatchObject({ strategy: "obi", pluginVersion: core.host.get("obi")!.plugin.manifest.version, event: fill.cause.event, featuresSnapshot: fill.cause.features, model: null });
  expect(x.seen.orderId).toBe(fill.id);
  expect(x.seen.bid).toBeGreaterThan(0);
  expect(x.seen.ask).toBeGreaterThan(x.seen.bid);
  expect(Object.keys(x.seen.features).length).toBeGreaterThan(5);
  expect(x.risk.verdict).toBe("pass");
  expect(x.risk.checks.map((c: { result: string }) => c.result)).toEqual(PRE_TRADE_CHECKS.map(() => "pass"));
  const kinds = x.events.map((e: { kind: string }) => e.kind);
  expect(kinds[0]).toBe("accepted");
  expect(kinds).toContain("fill");
  expect(x.latencies.toAcceptedUs).toBeGreaterThanOrEqual(0);
  expect(x.latencies.toFirstFillUs).toBeGreaterThanOrEqual(x.latencies.toAcceptedUs);
  const fills = x.events.filter((e: { kind: string }) => e.kind === "fill").reduce((n: number, e: { detail: { size: number } }) => n + e.detail.size, 0);
  expect(fills).toBe(fill.filled);
}, 30_000);

test("an order refused by risk shows the check that refused it", async () => {
  const { core } = f.session;
  // Far outside the price collar: sizes, market and reduce-only pass, the collar refuses.
  const bid = core.books.books[0]!.bid;
  const id = core.submit("manual", { instrument: 0, side: 1, type: "limit", price: Math.round(bid * 1.2), size: 1000, tif: "GTC" });
  const r = await call(f, "GET", `/api/v1/orders/${id}/explain`, f.tokens.analyst);
  expect(r.status).toBe(200);
  expect(r.json.risk).toMatchObject({ verdict: "refuse", code: "PRICE_COLLAR" });
  const results = Object.fromEntries(r.json.risk.checks.map((c: { check: string; result: string }) => [c.check, c.result]));
  expect(results).toMatchObject({ "kill-switch": "pass", size: "pass", market: "pass", "price-collar": "refuse", notional: "not run", position: "not run" });
  expect(r.json.events).toEqual([]);
  expect(r.json.cause.pluginVersion).toBe("manual");
});

test("an order the journal does not hold is a 404 with its code", async () => {
  const r = await call(f, "GET", "/api/v1/orders/99999999/explain", f.tokens.analyst);
  expect(r.status).toBe(404);
  expect(r.json.error.code).toBe("ADMIN_UNKNOWN_ORDER_EXPLAIN");
});
