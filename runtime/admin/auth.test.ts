/**
 * Walks every route of the admin API (and every stream) with no token, a malformed token, a token
 * signed with another key, an expired token and each role, over loopback HTTP against a running
 * paper session, and checks 401 / 403 / 2xx.
 */
import { tradeDateOf } from "../portfolio/settlement.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { saveBacktestResult } from "../session/backtest-results.ts";
import { summarize } from "../session/summary.ts";
import { issueToken } from "./auth/jwt.ts";
import { allows, ROLES, type Role } from "./auth/roles.ts";
import { STREAM_ROUTES } from "./streams/upgrade.ts";
import { startPaperFixture, waitFor, type PaperFixture } from "./testing/paper-session.ts";
import { call, passivePrice } from "./testing/http.ts";

let f: PaperFixture;
let badSignature: string;
let expired: string;
let backtest: string;

const THROWING = resolve(import.meta.dir, "../session/fixtures/throwing-strategy.ts");

beforeAll(async () => {
  // "bad" throws on its 3rd quote (before it sends anything), so it is soon quarantined again after each restart.
  f = await startPaperFixture({
    strategies: [`{ name: bad, plugin: ${JSON.stringify(THROWING)}, instruments: [EURUSD], params: { throwOnQuote: 3 } }`],
    riskPlugins: [`{ name: gate, plugin: ${JSON.stringify(resolve(import.meta.dir, "../session/fixtures/state-request-risk.ts"))}, params: { state: reducing, afterQuotes: 100000000 } }`],
    extraYaml: "execution:\n  algos:\n    - { name: iceberg, plugin: iceberg, params: { displaySize: 1000 } }\n" +
      "models: { mode: in-process, everyMs: 500, model: signal-mlp@1, shadow: { model: vol-window@1 } }\nfeatures: { instruments: all }\n",
    journal: true,
  });
  backtest = saveBacktestResult(join(f.dir, "backtests"), "walk", "walk.yaml", summarize(f.session, 1));
  badSignature = await issueToken("admin", 600, "another-key-0123456789abcdef0123456789");
  expired = await issueToken("admin", 60, f.key, "old", Math.floor(Date.now() / 1000) - 3600);
  // An alert to acknowledge.
  f.session.core.engageKill("test setup", "test");
  f.session.core.releaseKill("test");
});

afterAll(async () => {
  await f?.stop();
});

/** A valid request for a route; `cleanup` undoes what a successful call changed. */
interface Sample {
  path(): Promise<string> | string;
  body?: () => unknown;
  cleanup?: () => Promise<void> | void;
}

async function restingOrder(): Promise<number> {
  const r = await call(f, "POST", "/api/v1/orders", f.tokens.admin, { instrument: "EURUSD", side: "buy", type: "limit", size: "1000", price: passivePrice(f, "EURUSD", "buy", 80) });
  expect(r.status).toBe(201);
  return r.json.order.id;
}

/** A fresh passive iceberg parent (paused when asked); returns its id. */
function parent(paused = false): number {
  const eur = f.session.instruments.find((i) => i.symbol === "EURUSD")!;
  const id = f.session.algos!.submit("manual", { algo: "iceberg", instrument: eur.id, side: 1, quantity: 1000, limitPrice: f.session.core.books.books[eur.id]!.bid - 80 });
  if (paused) f.session.algos!.setPaused(id, true, "test");
  return id;
}

const SAMPLES: Record<string, Sample> = {
  "GET /api/v1/parents": { path: () => "/api/v1/parents" },
  "GET /api/v1/parents/{id}": { path: () => `/api/v1/parents/${parent()}` },
  "GET /api/v1/parents/{id}/tca": { path: () => `/api/v1/parents/${parent()}/tca` },
  "POST /api/v1/parents": { path: () => "/api/v1/parents", body: () => ({ algo: "iceberg", instrument: "EURUSD", side: "buy", quantity: 1000, limitPrice: f.session.core.books.books[f.session.instruments.find((i) => i.symbol === "EURUSD")!.id]!.bid - 80 }) },
  "POST /api/v1/parents/{id}/pause": { path: () => `/api/v1/parents/${parent()}/pause` },
  "POST /api/v1/parents/{id}/resume": { path: () => `/api/v1/parents/${parent(true)}/resume` },
  "POST /api/v1/parents/{id}/cancel": { path: () => `/api/v1/parents/${parent()}/cancel` },
  "GET /api/v1/health": { path: () => "/api/v1/health" },
  "GET /api/v1/ready": { path: () => "/api/v1/ready" },
  "GET /api/v1/session": { path: () => "/api/v1/session" },
  "GET /api/v1/markets/{venue}/instruments": { path: () => "/api/v1/markets/sim/instruments" },
  "POST /api/v1/orders": { path: () => "/api/v1/orders", body: () => ({ instrument: "EURUSD", side: "buy", type: "limit", size: "1000", price: passivePrice(f, "EURUSD", "buy", 80) }) },
  "GET /api/v1/orders": { path: () => "/api/v1/orders?strategy=manual&limit=5" },
  "GET /api/v1/orders/{id}": { path: async () => `/api/v1/orders/${await restingOrder()}` },
  "GET /api/v1/orders/{id}/explain": { path: async () => `/api/v1/orders/${await restingOrder()}/explain` },
  "DELETE /api/v1/orders/{id}": { path: async () => `/api/v1/orders/${await restingOrder()}` },
  "GET /api/v1/positions": { path: () => "/api/v1/positions" },
  "GET /api/v1/portfolio": { path: () => "/api/v1/portfolio" },
  "GET /api/v1/pnl": { path: () => "/api/v1/pnl" },
  "GET /api/v1/risk/limits": { path: () => "/api/v1/risk/limits" },
  "POST /api/v1/risk/limits/validate": { path: () => "/api/v1/risk/limits/validate", body: () => ({ limits: { maxPosition: 1000000 } }) },
  "PUT /api/v1/risk/limits": { path: () => "/api/v1/risk/limits", body: () => ({ limits: { maxPosition: 5000000 } }) },
  "GET /api/v1/risk/rules": { path: () => "/api/v1/risk/rules" },
  "POST /api/v1/risk/rules/{name}/release": { path: () => "/api/v1/risk/rules/gate/release", body: () => ({}) },
  "GET /api/v1/risk/stress": { path: () => "/api/v1/risk/stress" },
  "POST /api/v1/risk/stress": { path: () => "/api/v1/risk/stress", body: () => ({ scenarios: [{ name: "eur-down", moves: { EUR: -5 } }] }) },
  "GET /api/v1/kill-switch": { path: () => "/api/v1/kill-switch" },
  "POST /api/v1/kill-switch/engage": {
    path: () => "/api/v1/kill-switch/engage",
    body: () => ({ reason: "auth walk" }),
    cleanup: () => f.session.core.releaseKill("test"),
  },
  "POST /api/v1/kill-switch/release": { path: () => "/api/v1/kill-switch/release", body: () => ({}) },
  "GET /api/v1/strategies": { path: () => "/api/v1/strategies" },
  "POST /api/v1/strategies/{name}/pause": { path: () => "/api/v1/strategies/obi/pause", cleanup: () => void f.session.core.setPaused("obi", false, "test") },
  "POST /api/v1/strategies/{name}/resume": { path: () => "/api/v1/strategies/obi/resume" },
  "POST /api/v1/strategies/{name}/restart": {
    path: async () => {
      await waitFor(() => f.session.core.host.get("bad")!.state === "quarantined", 10_000, "bad is quarantined");
      return "/api/v1/strategies/bad/restart";
    },
  },
  "POST /api/v1/strategies/{name}/deploy": { path: () => "/api/v1/strategies/obi/deploy", body: () => ({ plugin: "obi-scalper" }) },
  "GET /api/v1/models": { path: () => "/api/v1/models" },
  "GET /api/v1/learning": { path: () => "/api/v1/learning" },
  // Each admin call swaps live and shadow (a second promotion undoes the first).
  "POST /api/v1/models/promote": { path: () => "/api/v1/models/promote", body: () => ({}) },
  "GET /api/v1/backtests": { path: () => "/api/v1/backtests" },
  "GET /api/v1/backtests/{id}": { path: () => `/api/v1/backtests/${backtest}` },
  "GET /api/v1/alerts": { path: () => "/api/v1/alerts?limit=10" },
  "POST /api/v1/alerts/{id}/acknowledge": { path: () => `/api/v1/alerts/${f.session.core.alerts.all()[0]!.id}/acknowledge`, body: () => ({}) },
  "GET /api/v1/reports/eod/{date}": { path: () => `/api/v1/reports/eod/${tradeDateOf(f.session.core.now())}` },
  "GET /metrics": { path: () => "/metrics" },
  "GET /api/v1/openapi.json": { path: () => "/api/v1/openapi.json" },
  "GET /": { path: () => "/" },
  "GET /assets/lightweight-charts.js": { path: () => "/assets/lightweight-charts.js" },
  "GET /assets/tearsheet.js": { path: () => "/assets/tearsheet.js" },
};

type Credential = { name: string; token: () => string | null; role: Role | null; code?: string };
const CREDENTIALS: Credential[] = [
  { name: "no token", token: () => null, role: null, code: "AUTH_MISSING" },
  { name: "malformed token", token: () => "not-a-jwt", role: null, code: "AUTH_MALFORMED" },
  { name: "bad signature", token: () => badSignature, role: null, code: "AUTH_BAD_SIGNATURE" },
  { name: "expired token", token: () => expired, role: null, code: "AUTH_EXPIRED" },
  ...ROLES.map((role) => ({ name: role, token: () => f.tokens[role], role })),
];

describe("every route declares a role and answers 401/403/2xx by credential", () => {
  test("the walk covers every route in the table", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(f.admin.routes.map((r) => `${r.method} ${r.path}`).sort());
    for (const r of f.admin.routes) expect(["public", "analyst", "trader", "admin"]).toContain(r.role);
  });

  test("each route with each credential", async () => {
    const seen: string[] = [];
    for (const route of f.admin.routes) {
      const key = `${route.method} ${route.path}`;
      const sample = SAMPLES[key]!;
      for (const cred of CREDENTIALS) {
        const path = await sample.path();
        const r = await call(f, route.method, path, cred.token(), sample.body?.());
        const what = `${key} with ${cred.name} -> ${r.status} ${r.text.slice(0, 160)}`;
        if (route.role === "public") {
          expect(r.status, what).toBeGreaterThanOrEqual(200);
          expect(r.status, what).toBeLessThan(300);
        } else if (cred.role === null) {
          expect(r.status, what).toBe(401);
          expect(r.json.error.code, what).toBe(cred.code);
          expect(r.headers.get("www-authenticate"), what).toContain("Bearer");
        } else if (!allows(cred.role, route.role)) {
          expect(r.status, what).toBe(403);
          expect(r.json.error.code, what).toBe("AUTH_FORBIDDEN");
        } else {
          expect(r.status, what).toBeGreaterThanOrEqual(200);
          expect(r.status, what).toBeLessThan(300);
          await sample.cleanup?.();
        }
        seen.push(`${key} ${cred.name}`);
      }
    }
    expect(seen.length).toBe(f.admin.routes.length * CREDENTIALS.length);
  }, 20_000);

  test("roles are ordered: analysts read, traders trade and engage the kill switch, only admins release it", () => {
    const role = (k: string) => f.admin.routes.find((r) => `${r.method} ${r.path}` === k)!.role;
    expect(role("GET /api/v1/orders")).toBe("analyst");
    expect(role("POST /api/v1/orders")).toBe("trader");
    expect(role("DELETE /api/v1/orders/{id}")).toBe("trader");
    expect(role("POST /api/v1/strategies/{name}/pause")).toBe("trader");
    expect(role("POST /api/v1/kill-switch/engage")).toBe("trader");
    expect(role("POST /api/v1/kill-switch/release")).toBe("admin");
    expect(role("PUT /api/v1/risk/limits")).toBe("admin");
    expect(role("POST /api/v1/risk/rules/{name}/release")).toBe("admin");
    expect(role("GET /api/v1/risk/stress")).toBe("analyst");
    expect(role("POST /api/v1/strategies/{name}/restart")).toBe("admin");
    expect(role("POST /api/v1/strategies/{name}/deploy")).toBe("admin");
    expect(role("GET /api/v1/models")).toBe("analyst");
    expect(role("GET /api/v1/learning")).toBe("analyst");
    expect(role("POST /api/v1/models/promote")).toBe("admin");
    expect(role("GET /api/v1/backtests/{id}")).toBe("analyst");
    expect(role("GET /metrics")).toBe("analyst");
  });

  test("each stream refuses bad tokens with 401 and lets every role through to the upgrade", async () => {
    for (const s of STREAM_ROUTES) {
      for (const cred of CREDENTIALS) {
        const token = cred.token();
        const path = token === null ? s.path : `${s.path}?token=${encodeURIComponent(token)}`;
        // A plain GET (no Upgrade header) passes auth and then fails the upgrade with 400.
        const r = await call(f, "GET", path, null);
        const what = `${s.path} with ${cred.name} -> ${r.status} ${r.text}`;
        if (cred.role === null) {
          expect(r.status, what).toBe(401);
          expect(r.json.error.code, what).toBe(cred.code);
        } else {
          expect(allows(cred.role, s.role)).toBe(true);
          expect(r.status, what).toBe(400);
          expect(r.json.error.code, what).toBe("ADMIN_NOT_WEBSOCKET");
        }
      }
    }
  });
});
