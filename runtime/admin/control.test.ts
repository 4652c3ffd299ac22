/**
 * The admin plane's control routes against a running paper session over loopback HTTP: applying
 * risk limits (validated first, journaled, logged with the token's subject, then enforced on the
 * next order), restarting a strategy quarantined by a fixture that throws, and stored backtest
 * results served by id from a temp folder.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { readJournal } from "../journal/journal-file.ts";
import { saveBacktestResult } from "../session/backtest-results.ts";
import { summarize } from "../session/summary.ts";
import { issueToken } from "./auth/jwt.ts";
import { startPaperFixture, waitFor, type PaperFixture } from "./testing/paper-session.ts";
import { call, passivePrice } from "./testing/http.ts";

const THROWING = resolve(import.meta.dir, "../session/fixtures/throwing-strategy.ts");

let f: PaperFixture;
const logged: string[] = [];
beforeAll(async () => {
  f = await startPaperFixture({
    journal: true,
    strategies: [`{ name: bad, plugin: ${JSON.stringify(THROWING)}, instruments: [EURUSD], params: { throwOnQuote: 30 } }`],
    admin: { log: (line) => logged.push(line) },
  });
}, 20_000);
afterAll(async () => {
  await f?.stop();
});

const journalControls = () => {
  f.session.journal!.flush();
  return readJournal(join(f.dir, "journal.bin")).records.filter((r) => r.t === "control") as { kind: string; subject: string; reason: string }[];
};
const eurgbp = (size: string) => ({ instrument: "EURGBP", side: "buy", type: "limit", size, price: passivePrice(f, "EURGBP", "buy", 80) });

describe("risk limits apply", () => {
  test("an admin's change is applied, journaled, logged with the subject, shown, and the next order beyond it is refused", async () => {
    const alice = await issueToken("admin", 600, f.key, "alice");
    const r = await call(f, "PUT", "/api/v1/risk/limits", alice, { instruments: { EURGBP: { maxPosition: 1000 } } });
    expect(r.status).toBe(200);
    expect(r.json.by).toBe("alice");
    expect(r.json.resolved.find((x: any) => x.instrument === "EURGBP").maxPosition).toBe("1000");

    const g = await call(f, "GET", "/api/v1/risk/limits", f.tokens.analyst);
    expect(g.json.instruments.find((x: any) => x.instrument === "EURGBP").maxPosition).toBe("1000");
    expect(g.json.instruments.find((x: any) => x.instrument === "EURUSD").maxPosition).toBe("5000000");

    // The audit record: a journal entry and a structured log line, both naming alice.
    const limits = journalControls().filter((c) => c.kind === "limits");
    expect(limits.length).toBe(1);
    expect(limits[0]!.subject).toBe("alice");
    expect(JSON.parse(limits[0]!.reason).instruments.EURGBP).toEqual({ maxPosition: 1000 });
    const line = logged.map((l) => JSON.parse(l)).find((l) => l.msg === "risk limits applied");
    expect(line).toMatchObject({ who: "admin", by: "alice", role: "admin", instruments: { EURGBP: { maxPosition: 1000 } } });
    expect(f.session.core.alerts.all().some((a) => a.code === "RISK_LIMITS_CHANGED" && a.message.includes("by=alice"))).toBe(true);

    // Enforced: a resting 1000 fits; another 1000 on the same side would reach 2000 > 1000.
    const first = await call(f, "POST", "/api/v1/orders", f.tokens.trader, eurgbp("1000"));
    expect(first.status).toBe(201);
    const second = await call(f, "POST", "/api/v1/orders", f.tokens.trader, eurgbp("1000"));
    expect(second.status).toBe(422);
    expect(second.json.error.code).toBe("POSITION_LIMIT");
    await call(f, "DELETE", `/api/v1/orders/${first.json.order.id}`, f.tokens.trader);
  });

  test("a later change keeps today's per-instrument overrides it does not name", async () => {
    const r = await call(f, "PUT", "/api/v1/risk/limits", f.tokens.admin, { limits: { priceCollarBps: 250 } });
    expect(r.status).toBe(200);
    expect(f.session.core.risk.config.priceCollarBps).toBe(250);
    const eg = f.session.instruments.find((i) => i.symbol === "EURGBP")!;
    expect(f.session.core.risk.limits[eg.id]).toEqual({ maxPosition: 1000, maxOrderNotional: 5000000, priceCollarBps: 250 });
  });

  test("a change that fails validation is refused with its field paths and nothing is applied", async () => {
    const before = JSON.stringify([f.session.core.risk.config, f.session.core.risk.limits]);
    // Only limits records count: the throwing fixture's quarantine may be journaled meanwhile.
    const journaled = journalControls().filter((r) => r.kind === "limits").length;
    const unknown = await call(f, "PUT", "/api/v1/risk/limits", f.tokens.admin, { limits: { maxPosition: 10 }, instruments: { XAUUSD: { maxPosition: 5 } } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.problems).toEqual([{ in: "body", path: "/instruments/XAUUSD", reason: expect.stringContaining("unknown instrument") }]);
    const negative = await call(f, "PUT", "/api/v1/risk/limits", f.tokens.admin, { limits: { maxPosition: -1 } });
    expect(negative.status).toBe(400);
    expect(negative.json.error.problems[0].path).toBe("/limits/maxPosition");
    const trader = await call(f, "PUT", "/api/v1/risk/limits", f.tokens.trader, { limits: { maxPosition: 10 } });
    expect(trader.status).toBe(403);
    expect(JSON.stringify([f.session.core.risk.config, f.session.core.risk.limits])).toBe(before);
    expect(journalControls().filter((r) => r.kind === "limits").length).toBe(journaled);
  });
});

describe("strategy restart", () => {
  test("a quarantined strategy is restarted with fresh hooks, journaled and alerted; it then runs (and throws) again", async () => {
    const slot = f.session.core.host.get("bad")!;
    await waitFor(() => slot.state === "quarantined", 10_000, "the throwing strategy is quarantined");
    const r = await call(f, "POST", "/api/v1/strategies/bad/restart", f.tokens.admin);
    expect(r.status).toBe(200);
    expect(r.json.strategy).toMatchObject({ name: "bad", state: "running", failure: "" });
    expect(f.session.core.alerts.all().some((a) => a.code === "PLUGIN_RESTARTED" && a.subject === "bad")).toBe(true);
    expect(journalControls().some((c) => c.kind === "resume" && c.subject === "bad" && c.reason === "restart by=admin")).toBe(true);
    // Fresh hooks count quotes from zero again, so the fixture throws again on its 30th.
    await waitFor(() => slot.state === "quarantined", 10_000, "the restarted strategy sees quotes and throws again");
  }, 25_000);

  test("restarting a strategy that is not quarantined is a 409; an unknown one a 404", async () => {
    const running = await call(f, "POST", "/api/v1/strategies/obi/restart", f.tokens.admin);
    expect(running.status).toBe(409);
    expect(running.json.error.code).toBe("ADMIN_STRATEGY_NOT_QUARANTINED");
    expect(f.session.core.host.get("obi")!.state).toBe("running");
    const unknown = await call(f, "POST", "/api/v1/strategies/nobody/restart", f.tokens.admin);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("ADMIN_UNKNOWN_STRATEGY");
  });
});

describe("backtest results", () => {
  test("results are listed newest first with headline figures and served in full by id", async () => {
    const dir = join(f.dir, "backtests");
    const summary = summarize(f.session, 1);
    const older = saveBacktestResult(dir, "older", "a.yaml", summary, new Date("2026-01-01T00:00:00Z"));
    const newer = saveBacktestResult(dir, "newer", "b.yaml", summary, new Date("2026-02-01T00:00:00Z"));
    const list = await call(f, "GET", "/api/v1/backtests", f.tokens.analyst);
    expect(list.status).toBe(200);
    expect(list.json.total).toBe(2);
    expect(list.json.results.map((r: any) => r.id)).toEqual([newer, older]);
    expect(list.json.results[0]).toEqual({
      id: newer, deployment: "newer", configFile: "b.yaml", finishedAt: "2026-02-01T00:00:00.000Z",
      events: summary.events, orders: summary.orders, fills: summary.fills, pnl: summary.pnl, equity: summary.equity, currency: "USD", fillsHash: summary.fillsHash,
    });
    expect((await call(f, "GET", "/api/v1/backtests?limit=1", f.tokens.analyst)).json.results.map((r: any) => r.id)).toEqual([newer]);

    const one = await call(f, "GET", `/api/v1/backtests/${older}`, f.tokens.analyst);
    expect(one.status).toBe(200);
    expect(one.json.result).toEqual(JSON.parse(JSON.stringify({ id: older, deployment: "older", configFile: "a.yaml", finishedAt: "2026-01-01T00:00:00.000Z", summary })));
  });

  test("an unknown id is a 404 ADMIN_NOT_FOUND; a malformed one a 400 with its path", async () => {
    const unknown = await call(f, "GET", "/api/v1/backtests/20200101T000000Z-00000000", f.tokens.analyst);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("ADMIN_NOT_FOUND");
    const bad = await call(f, "GET", "/api/v1/backtests/..%2Fpaper", f.tokens.analyst);
    expect(bad.status).toBe(400);
    expect(bad.json.error.problems[0]).toMatchObject({ in: "path", path: "/id" });
  });
});

describe("OpenAPI", () => {
  test("the document lists the control routes with their roles", async () => {
    const doc = (await call(f, "GET", "/api/v1/openapi.json", null)).json;
    expect(doc.paths["/api/v1/risk/limits"].put["x-role"]).toBe("admin");
    expect(doc.paths["/api/v1/strategies/{name}/restart"].post["x-role"]).toBe("admin");
    expect(doc.paths["/api/v1/backtests"].get["x-role"]).toBe("analyst");
    expect(doc.paths["/api/v1/backtests/{id}"].get.parameters[0]).toMatchObject({ name: "id", in: "path", required: true });
  });
});
