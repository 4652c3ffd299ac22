/**
 * The REST API against a running paper session over loopback HTTP: exact decimal orders through
 * the risk chain, validation with field paths, cancel, filters, kill switch, pause/resume, alerts,
 * portfolio figures, instruments, metrics, OpenAPI and the per-token rate limit.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseScaled } from "../../plugins/sdk/decimal.ts";
import { issueToken } from "./auth/jwt.ts";
import { startPaperFixture, waitFor, type PaperFixture } from "./testing/paper-session.ts";
import { call, passivePrice } from "./testing/http.ts";
import { needsTools } from "../testing/system-tools.ts";

let f: PaperFixture;
beforeAll(async () => {
  f = await startPaperFixture();
});
afterAll(async () => {
  await f?.stop();
});

const order = (over: Record<string, unknown> = {}) => ({ instrument: "EURUSD", side: "buy", type: "limit", size: "1000", price: passivePrice(f, "EURUSD", "buy", 80), ...over });

describe("manual orders", () => {
  test("decimal price and size are converted exactly and the order goes through risk to the venue", async () => {
    const price = passivePrice(f, "EURUSD", "buy", 61);
    const r = await call(f, "POST", "/api/v1/orders", f.tokens.trader, order({ price, size: "123000", tag: "exact" }));
    expect(r.status).toBe(201);
    expect(r.json.order.price).toBe(price);
    expect(r.json.order.size).toBe("123000");
    expect(r.json.order.strategy).toBe("manual");
    const o = f.session.core.oms.get(r.json.order.id)!;
    expect(o.price).toBe((parseScaled(price, 5) as { value: number }).value);
    expect(o.size).toBe(123000);
    expect(o.tag).toBe("exact");
    await waitFor(() => o.status === "working", 5000, "the venue acknowledges the order");
    const g = await call(f, "GET", `/api/v1/orders/${o.id}`, f.tokens.analyst);
    expect(g.json.order.status).toBe("working");
  });

  test("a price with more decimals than the instrument has is refused with its field path, not rounded", async () => {
    const manualOrders = () => [...f.session.core.oms.all()].filter((o) => o.strategy === "manual").length;
    const before = manualOrders();
    const r = await call(f, "POST", "/api/v1/orders", f.tokens.trader, order({ price: "1.085121" }));
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe("ADMIN_BAD_REQUEST");
    expect(r.json.error.problems).toEqual([{ in: "body", path: "/price", reason: expect.stringContaining("more than 5 decimals") }]);
    expect(manualOrders()).toBe(before);
  });

  test("schema problems are all reported with paths: bad side, text price, extra field", async () => {
    const r = await call(f, "POST", "/api/v1/orders", f.tokens.trader, { instrument: "EURUSD", side: "long", type: "limit", size: "1000", price: "1,08", leverage: 5 });
    expect(r.status).toBe(400);
    const paths = r.json.error.problems.map((p: { path: string }) => p.path);
    expect(paths).toContain("/side");
    expect(paths).toContain("/price");
    expect(paths).toContain("/leverage");
    expect(r.json.error.problems.find((p: { path: string }) => p.path === "/side").reason).toBe('expected one of buy, sell, got "long"');
  });

  test("missing fields, a size off the scale, an unknown instrument and a limit without price are refused", async () => {
    const missing = await call(f, "POST", "/api/v1/orders", f.tokens.trader, { instrument: "EURUSD", type: "market", size: "1000" });
    expect(missing.status).toBe(400);
    expect(missing.json.error.problems[0].path).toBe("/side");
    const size = await call(f, "POST", "/api/v1/orders", f.tokens.trader, order({ size: "1000.5" }));
    expect(size.json.error.problems[0].path).toBe("/size");
    const unknown = await call(f, "POST", "/api/v1/orders", f.tokens.trader, order({ instrument: "USDCHF" }));
    expect(unknown.json.error.problems[0].path).toBe("/instrument");
    const noPrice = await call(f, "POST", "/api/v1/orders", f.tokens.trader, { instrument: "EURUSD", side: "buy", type: "limit", size: "1000" });
    expect(noPrice.json.error.problems).toEqual([{ in: "body", path: "/price", reason: "required for type=limit" }]);
    const json = await call(f, "POST", "/api/v1/orders", f.tokens.trader, "{not json");
    expect(json.status).toBe(400);
    expect(json.json.error.code).toBe("ADMIN_BAD_JSON");
  });

  test("manual orders meet the same risk chain: a price outside the collar is refused and recorded", async () => {
    const r = await call(f, "POST", "/api/v1/orders", f.tokens.trader, order({ price: "2.00000" }));
    expect(r.status).toBe(422);
    expect(r.json.error.code).toBe("PRICE_COLLAR");
    expect(r.json.order.status).toBe("rejected");
    const g = await call(f, "GET", `/api/v1/orders/${r.json.order.id}`, f.tokens.analyst);
    expect(g.json.order.reason).toStartWith("PRICE_COLLAR");
  });

  test("cancel: 202 then canceled by the venue; a second cancel is 409; unknown ids are 404", async () => {
    const placed = await call(f, "POST", "/api/v1/orders", f.tokens.trader, order());
    const id = placed.json.order.id as number;
    const d = await call(f, "DELETE", `/api/v1/orders/${id}`, f.tokens.trader);
    expect(d.status).toBe(202);
    await waitFor(() => f.session.core.oms.get(id)!.status === "canceled", 5000, "the venue cancels");
    const again = await call(f, "DELETE", `/api/v1/orders/${id}`, f.tokens.trader);
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("ADMIN_NOT_CANCELABLE");
    expect((await call(f, "DELETE", "/api/v1/orders/99999999", f.tokens.trader)).status).toBe(404);
    expect((await call(f, "GET", "/api/v1/orders/0", f.tokens.trader)).json.error.problems[0]).toMatchObject({ in: "path", path: "/id" });
  });

  test("the list filters by strategy, status and instrument, newest first, and validates its query", async () => {
    await call(f, "POST", "/api/v1/orders", f.tokens.trader, order({ instrument: "GBPUSD", price: passivePrice(f, "GBPUSD", "buy", 80) }));
    const manual = await call(f, "GET", "/api/v1/orders?strategy=manual&limit=1000", f.tokens.analyst);
    expect(manual.json.orders.length).toBeGreaterThan(2);
    expect(manual.json.orders.every((o: { strategy: string }) => o.strategy === "manual")).toBe(true);
    const ids = manual.json.orders.map((o: { id: number }) => o.id);
    expect(ids).toEqual([...ids].sort((a: number, b: number) => b - a));
    const gbp = await call(f, "GET", "/api/v1/orders?instrument=GBPUSD&strategy=manual", f.tokens.analyst);
    expect(gbp.json.orders.length).toBeGreaterThan(0);
    expect(gbp.json.orders.every((o: { instrument: string }) => o.instrument === "GBPUSD")).toBe(true);
    const rejected = await call(f, "GET", "/api/v1/orders?status=rejected", f.tokens.analyst);
    expect(rejected.json.orders.every((o: { status: string }) => o.status === "rejected")).toBe(true);
    const open = await call(f, "GET", "/api/v1/orders?status=open", f.tokens.analyst);
    expect(open.json.orders.every((o: { status: string }) => ["pending", "working", "partially-filled", "pending-cancel"].includes(o.status))).toBe(true);
    const bad = await call(f, "GET", "/api/v1/orders?status=done&limit=0", f.tokens.analyst);
    expect(bad.status).toBe(400);
    expect(bad.json.error.problems.map((p: { path: string }) => p.path).sort()).toEqual(["/limit", "/status"]);
    expect((await call(f, "GET", "/api/v1/orders?colour=red", f.tokens.analyst)).status).toBe(400);
  });
});

describe("kill switch, strategies and alerts", () => {
  test("engaging the kill switch cancels working orders, refuses new ones and raises an alert; release re-enables", async () => {
    const placed = await call(f, "POST", "/api/v1/orders", f.tokens.trader, order());
    await waitFor(() => f.session.core.oms.get(placed.json.order.id)!.status === "working", 5000, "order working");
    const e = await call(f, "POST", "/api/v1/kill-switch/engage", f.tokens.trader, { reason: "test" });
    expect(e.status).toBe(200);
    expect(e.json.engaged).toBe(true);
    await waitFor(() => f.session.core.oms.openCount === 0, 5000, "every order canceled");
    const lastBefore = f.session.core.oms.orderIds.current;
    const refused = await call(f, "POST", "/api/v1/orders", f.tokens.trader, order());
    expect(refused.status).toBe(422);
    expect(refused.json.error.code).toBe("KILL_SWITCH");
    // The strategy keeps running but nothing it sends gets through while the switch is engaged.
    const events = f.session.loop.marketEvents;
    await waitFor(() => f.session.loop.marketEvents > events + 100, 10_000, "100 more market events");
    for (const o of f.session.core.oms.all()) if (o.id > lastBefore) expect(o.status).toBe("rejected");
    const status = await call(f, "GET", "/api/v1/kill-switch", f.tokens.analyst);
    expect(status.json).toMatchObject({ engaged: true, reason: expect.stringContaining("test"), openOrders: 0 });
    const alerts = await call(f, "GET", "/api/v1/alerts?unacknowledged=true", f.tokens.analyst);
    const kill = alerts.json.alerts.find((a: { code: string }) => a.code === "KILL_SWITCH");
    expect(kill.message).toContain("by=trader");
    const release = await call(f, "POST", "/api/v1/kill-switch/release", f.tokens.admin, {});
    expect(release.json.engaged).toBe(false);
    const accepted = await call(f, "POST", "/api/v1/orders", f.tokens.trader, order());
    expect(accepted.status).toBe(201);
  }, 20_000);

  test("an alert is acknowledged once and drops out of the unacknowledged list", async () => {
    const list = await call(f, "GET", "/api/v1/alerts?unacknowledged=true&limit=1000", f.tokens.analyst);
    const id = list.json.alerts[0].id as number;
    const ack = await call(f, "POST", `/api/v1/alerts/${id}/acknowledge`, f.tokens.trader, {});
    expect(ack.status).toBe(200);
    expect(ack.json.alert.acknowledged).toBe(true);
    const after = await call(f, "GET", "/api/v1/alerts?unacknowledged=true&limit=1000", f.tokens.analyst);
    expect(after.json.alerts.some((a: { id: number }) => a.id === id)).toBe(false);
    expect((await call(f, "POST", "/api/v1/alerts/424242/acknowledge", f.tokens.trader, {})).status).toBe(404);
  });

  test("a paused strategy sends no orders until resumed", async () => {
    const p = await call(f, "POST", "/api/v1/strategies/obi/pause", f.tokens.trader);
    expect(p.status).toBe(200);
    expect(p.json.strategy.state).toBe("paused");
    const last = f.session.core.oms.orderIds.current;
    const events = f.session.loop.marketEvents;
    await waitFor(() => f.session.loop.marketEvents > events + 150, 10_000, "150 more market events");
    for (const o of f.session.core.oms.all()) if (o.id > last) expect(o.strategy).not.toBe("obi");
    const list = await call(f, "GET", "/api/v1/strategies", f.tokens.analyst);
    expect(list.json.strategies).toEqual([expect.objectContaining({ name: "obi", plugin: "obi-scalper", state: "paused", instruments: ["EURUSD", "GBPUSD"] })]);
    const r = await call(f, "POST", "/api/v1/strategies/obi/resume", f.tokens.trader);
    expect(r.json.strategy.state).toBe("running");
    expect((await call(f, "POST", "/api/v1/strategies/nope/pause", f.tokens.trader)).status).toBe(404);
  }, 20_000);
});

describe("reads", () => {
  test("instruments carry their scales and touch as decimal text; an unknown venue is 404", async () => {
    const r = await call(f, "GET", "/api/v1/markets/sim/instruments", f.tokens.analyst);
    expect(r.json.instruments.map((i: { symbol: string }) => i.symbol)).toEqual(["EURUSD", "GBPUSD", "EURGBP"]);
    const eur = r.json.instruments[0];
    expect(eur).toMatchObject({ priceDecimals: 5, sizeDecimals: 0, priceIncrement: "0.00001", sizeIncrement: "1", lotSize: "1000" });
    expect(eur.bid).toMatch(/^\d\.\d{5}$/);
    expect(Number(eur.ask)).toBeGreaterThan(Number(eur.bid));
    expect((await call(f, "GET", "/api/v1/markets/nyse/instruments", f.tokens.analyst)).status).toBe(404);
  });

  test("positions add up exactly: net = realised + unrealised - fees, strategies sum to the position", async () => {
    await waitFor(() => f.session.core.oms.fillIds.current > 0, 10_000, "a fill");
    const r = await call(f, "GET", "/api/v1/positions", f.tokens.analyst);
    expect(r.json.positions.length).toBeGreaterThan(0);
    const n = (t: string, d: number) => (parseScaled(t, d) as { value: number }).value;
    for (const p of r.json.positions) {
      expect(n(p.net, 5)).toBe(n(p.realised, 5) + n(p.unrealised, 5) - n(p.fees, 5));
      expect(p.byStrategy.reduce((s: number, x: { position: string }) => s + n(x.position, 0), 0)).toBe(n(p.position, 0));
    }
    const port = await call(f, "GET", "/api/v1/portfolio", f.tokens.analyst);
    expect(port.json.currency).toBe("USD");
    expect(port.json.equity).toBeCloseTo(port.json.capital + port.json.pnl, 2);
    const pnl = await call(f, "GET", "/api/v1/pnl", f.tokens.analyst);
    expect(pnl.json.byCurrency.map((c: { currency: string }) => c.currency)).toEqual(["GBP", "USD"]);
    expect(pnl.json.performance).toHaveProperty("sharpe");
    // Strategies' exact P&L adds up to the currency totals (read in one answer, so one snapshot).
    for (const c of pnl.json.byCurrency) {
      const sum = pnl.json.byStrategy.reduce((acc: number, st: any) => acc + n(st.byCurrency.find((x: any) => x.currency === c.currency)?.net ?? "0", 5), 0);
      expect(sum).toBe(n(c.net, 5));
    }
    expect(pnl.json.byStrategy.map((st: { strategy: string }) => st.strategy)).toEqual(["obi", "manual"]);
  }, 15_000);

  test("risk limits are readable per instrument", async () => {
    const r = await call(f, "GET", "/api/v1/risk/limits", f.tokens.analyst);
    expect(r.json.config.priceCollarBps).toBe(300);
    expect(r.json.instruments[0]).toEqual({ instrument: "EURUSD", maxPosition: "5000000", maxOrderNotional: 5000000, priceCollarBps: 300 });
    expect(r.json.rejections.PRICE_COLLAR).toBeGreaterThanOrEqual(1);
  });

  test("a proposed limits change is checked against live state without being applied", async () => {
    const resting = await call(f, "POST", "/api/v1/orders", f.tokens.trader, order());
    await waitFor(() => f.session.core.oms.get(resting.json.order.id)!.status === "working", 5000, "order working");
    const before = JSON.stringify(f.session.core.risk.limits);
    const r = await call(f, "POST", "/api/v1/risk/limits/validate", f.tokens.trader, { limits: { maxPosition: 0, priceCollarBps: 10 }, instruments: { GBPUSD: { maxPosition: 2000 } } });
    expect(r.status).toBe(200);
    expect(r.json.valid).toBe(true);
    expect(r.json.resolved.find((x: any) => x.instrument === "GBPUSD")).toEqual({ instrument: "GBPUSD", maxPosition: "2000", maxOrderNotional: 5000000, priceCollarBps: 10 });
    expect(r.json.resolved.find((x: any) => x.instrument === "EURUSD").maxPosition).toBe("0");
    // A resting manual buy on EURUSD is already beyond a zero position limit.
    expect(r.json.warnings.some((w: any) => w.instrument === "EURUSD" && /maxPosition=0/.test(w.reason))).toBe(true);
    expect(JSON.stringify(f.session.core.risk.limits)).toBe(before);
    const bad = await call(f, "POST", "/api/v1/risk/limits/validate", f.tokens.trader, { limits: { maxPosition: -1 }, instruments: { XAUUSD: {} } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.problems[0].path).toBe("/limits/maxPosition");
    const unknown = await call(f, "POST", "/api/v1/risk/limits/validate", f.tokens.trader, { instruments: { XAUUSD: { maxPosition: 5 } } });
    expect(unknown.json.valid).toBe(false);
    expect(unknown.json.problems[0].path).toBe("/instruments/XAUUSD");
  });

  test("health and readiness answer without a token", async () => {
    expect((await call(f, "GET", "/api/v1/health", null)).json).toMatchObject({ status: "ok", mode: "paper", name: "admin-test" });
    expect((await call(f, "GET", "/api/v1/ready", null)).json.ready).toBe(true);
    const nf = await call(f, "GET", "/api/v2/nothing", null);
    expect(nf.status).toBe(404);
    expect(nf.json.error.code).toBe("ADMIN_NOT_FOUND");
  });
});

describe("metrics and OpenAPI", () => {
  test("/metrics is Prometheus text: every sample under its family's HELP and TYPE, figures from the session", async () => {
    const r = await call(f, "GET", "/metrics", f.tokens.analyst);
    expect(r.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const lines = r.text.trimEnd().split("\n");
    let family = "";
    const values = new Map<string, number>();
    for (const line of lines) {
      const help = /^# HELP (\w+) .+$/.exec(line);
      if (help) {
        family = help[1]!;
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        expect(line).toMatch(new RegExp(`^# TYPE ${family} (counter|gauge|summary)$`));
        continue;
      }
      const m = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
      expect(m, line).not.toBeNull();
      expect([family, `${family}_sum`, `${family}_count`]).toContain(m![1]!);
      values.set(`${m![1]}${m![2] ?? ""}`, Number(m![3]));
    }
    expect(values.get("kestrel_orders_total")).toBeGreaterThanOrEqual(5);
    expect(values.get('kestrel_risk_rejections_total{code="PRICE_COLLAR"}')).toBeGreaterThanOrEqual(1);
    expect(values.get('kestrel_risk_rejections_total{code="KILL_SWITCH"}')).toBeGreaterThanOrEqual(1);
    expect(values.get("kestrel_kill_switch_engaged")).toBe(f.session.core.risk.killSwitch ? 1 : 0);
    expect(values.get('kestrel_strategy_state{strategy="obi",state="running"}')).toBe(1);
    expect(values.get("kestrel_tick_to_order_seconds_count")).toBeGreaterThan(0);
    expect(values.get('kestrel_tick_to_order_seconds{quantile="0.99"}')).toBeGreaterThan(0);
    // The sliding window (last minute) holds this short session's orders too.
    expect(values.get("kestrel_tick_to_order_recent_orders")).toBeGreaterThan(0);
    expect(values.get('kestrel_tick_to_order_recent_seconds{stat="p99"}')).toBeGreaterThan(0);
    expect(values.get('kestrel_tick_to_order_recent_seconds{stat="max"}')).toBeGreaterThanOrEqual(values.get('kestrel_tick_to_order_recent_seconds{stat="p99"}')!);
    expect(values.get('kestrel_admin_responses_total{code="400"}')).toBeGreaterThanOrEqual(1);
  });

  test.skipIf(!needsTools("admin: promtool check metrics", "promtool"))("promtool check metrics passes on the live /metrics output", async () => {
    const r = await call(f, "GET", "/metrics", f.tokens.analyst);
    const proc = Bun.spawn(["promtool", "check", "metrics"], { stdin: new TextEncoder().encode(r.text), stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect(`${out}${err}`.trim()).toBe("");
    expect(code).toBe(0);
  });

  test("the OpenAPI document lists every route with its role and the schemas the server validates with", async () => {
    const r = await call(f, "GET", "/api/v1/openapi.json", null);
    expect(r.json.openapi).toBe("3.1.0");
    for (const route of f.admin.routes) {
      const op = r.json.paths[route.path]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op["x-role"]).toBe(route.role);
    }
    const post = r.json.paths["/api/v1/orders"].post;
    expect(post.requestBody.content["application/json"].schema.properties.price.pattern).toBeDefined();
    expect(post.requestBody.content["application/json"].schema.required).toEqual(["instrument", "side", "type", "size"]);
    expect(post.security).toEqual([{ bearer: ["trader"] }]);
    expect(r.json.paths["/api/v1/orders"].get.parameters.map((p: { name: string }) => p.name)).toEqual(["status", "instrument", "strategy", "limit"]);
    expect(r.json.paths["/ws/market-data"].get.parameters.map((p: { name: string }) => p.name)).toContain("rate");
  });
});

describe("rate limit", () => {
  test("one token is limited to its rate with 429, while the kill switch still gets through", async () => {
    const token = await issueToken("admin", 600, f.key, "flood");
    const answers = await Promise.all(Array.from({ length: 260 }, () => call(f, "GET", "/api/v1/kill-switch", token)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(answers.find((a) => a.status === 429)!.json.error.code).toBe("ADMIN_RATE_LIMITED");
    const kill = await call(f, "POST", "/api/v1/kill-switch/engage", token, { reason: "flood" });
    expect(kill.status).toBe(200);
    expect((await call(f, "POST", "/api/v1/kill-switch/release", token, {})).status).toBe(200);
    // Other tokens are not affected.
    expect((await call(f, "GET", "/api/v1/kill-switch", f.tokens.analyst)).status).toBe(200);
  });
});

describe("edges", () => {
  test("a body over 64 KiB is refused before it is parsed", async () => {
    const r = await call(f, "POST", "/api/v1/orders", f.tokens.trader, JSON.stringify({ ...order(), tag: "x".repeat(100_000) }));
    expect(r.status).toBe(413);
  });

  test("the page carries a content security policy and API answers are not cached", async () => {
    const page = await call(f, "GET", "/", null);
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.text).toContain("<title>Kestrel admin</title>");
    expect((await call(f, "GET", "/api/v1/health", null)).headers.get("cache-control")).toBe("no-store");
    const js = await call(f, "GET", "/assets/lightweight-charts.js", null);
    expect(js.headers.get("content-type")).toContain("javascript");
    expect(js.text).toContain("LightweightCharts");
  });
});

describe("listening", () => {
  test("a port already in use fails with ADMIN_LISTEN_FAILED naming host and port", async () => {
    const { startAdmin } = await import("./index.ts");
    await expect(startAdmin(f.session, f.run, { port: f.admin.port, keys: [f.key], log: () => {} })).rejects.toThrow(`ADMIN_LISTEN_FAILED: host=127.0.0.1 port=${f.admin.port}`);
  });
});
