/**
 * Risk plugins as operators see them, over loopback HTTP against a running paper session: the
 * hmm-regime rule's filtered regime probabilities (`GET /api/v1/risk/rules`), and a rule's
 * trading-state request moving the deployment to halted (journaled, alerted, manual orders refused
 * with RULE_HALTED) until an admin releases it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { readJournal } from "../journal/journal-file.ts";
import { startPaperFixture, waitFor, type PaperFixture } from "./testing/paper-session.ts";
import { call, passivePrice } from "./testing/http.ts";

const REQUESTER = resolve(import.meta.dir, "../session/fixtures/state-request-risk.ts");

let f: PaperFixture;
beforeAll(async () => {
  f = await startPaperFixture({
    strategy: false,
    journal: true,
    speed: 40,
    riskPlugins: [`{ name: regime, plugin: hmm-regime, params: { instruments: [EURUSD] } }`, `{ name: gate, plugin: ${JSON.stringify(REQUESTER)}, params: { state: halted, afterQuotes: 400 } }`],
  });
}, 30_000);
afterAll(async () => {
  await f?.stop();
});

type Rules = { tradingState: string; rules: { name: string; plugin: string; request: { state: string; reason: string } | null; status: Record<string, unknown> | null }[] };
const rules = async (): Promise<Rules> => (await call(f, "GET", "/api/v1/risk/rules", f.tokens.analyst)).json as Rules;
const controls = () => {
  f.session.journal!.flush();
  // The regime rule may also act on the synthetic market after its 20-bar warm-up (30 s of wall time); only the gate's records are asserted.
  return readJournal(join(f.dir, "journal.bin")).records.filter((r) => r.t === "control" && r.kind === "trading-state" && r.subject === "gate") as { subject: string; reason: string }[];
};

describe("risk rules over the admin API", () => {
  test("the hmm-regime rule's regime probabilities are served once bars close", async () => {
    let last: Rules | null = null;
    const until = performance.now() + 60_000;
    for (;;) {
      last = await rules();
      const regime = last.rules.find((r) => r.name === "regime")!;
      const inst = (regime.status!.instruments as { bars: number }[])[0]!;
      if (inst.bars >= 2) break;
      if (performance.now() > until) throw new Error(`no regime bar closed: ${JSON.stringify(regime)}`);
      await Bun.sleep(100);
    }
    const regime = last.rules.find((r) => r.name === "regime")!;
    expect(regime.plugin).toBe("hmm-regime");
    const inst = (regime.status!.instruments as { instrument: string; probs: number[]; regime: number; bound: number }[])[0]!;
    expect(inst.instrument).toBe("EURUSD");
    expect(inst.probs.length).toBeGreaterThanOrEqual(2);
    expect(Math.abs(inst.probs.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
    expect(inst.probs[inst.regime]).toBe(Math.max(...inst.probs));
    expect(Number.isFinite(inst.bound)).toBe(true);
  }, 90_000);

  test("a rule's halted request halts the deployment (journaled, alerted, orders refused with RULE_HALTED) until an admin releases it", async () => {
    await waitFor(() => f.session.core.tradingState === "halted", 60_000, "the gate rule halts trading");
    const r = await rules();
    expect(r.tradingState).toBe("halted");
    expect(r.rules.find((x) => x.name === "gate")!.request).toMatchObject({ state: "halted", reason: "quotes=400" });
    expect(controls()).toEqual([{ t: "control", kind: "trading-state", subject: "gate", reason: JSON.stringify({ state: "halted", reason: "quotes=400", effective: "halted" }), ts: expect.any(Number) } as never]);
    const alerts = (await call(f, "GET", "/api/v1/alerts?limit=50", f.tokens.analyst)).json as { alerts: { code: string; subject: string; severity: string }[] };
    expect(alerts.alerts.some((a) => a.code === "RISK_TRADING_HALTED" && a.subject === "gate" && a.severity === "critical")).toBe(true);
    const order = { instrument: "EURUSD", side: "buy", type: "limit", size: "100000", price: passivePrice(f, "EURUSD", "buy", 50) };
    const refused = await call(f, "POST", "/api/v1/orders", f.tokens.trader, order);
    expect(refused.status).toBe(422);
    expect((refused.json as { error: { code: string; message: string } }).error).toMatchObject({ code: "RULE_HALTED" });

    expect((await call(f, "POST", "/api/v1/risk/rules/gate/release", f.tokens.trader, {})).status).toBe(403);
    const unknown = await call(f, "POST", "/api/v1/risk/rules/nope/release", f.tokens.admin, {});
    expect(unknown.status).toBe(404);
    expect((unknown.json as { error: { code: string } }).error.code).toBe("ADMIN_UNKNOWN_RULE");
    const released = await call(f, "POST", "/api/v1/risk/rules/gate/release", f.tokens.admin, {});
    expect(released.status).toBe(200);
    expect((released.json as Rules).rules.find((x) => x.name === "gate")!.request).toBeNull();
    const last = JSON.parse(controls().at(-1)!.reason) as Record<string, string>;
    expect(last).toMatchObject({ state: "active", reason: "released by operator", by: expect.any(String) });
    // Active again unless the regime rule holds the deployment by now (it cannot before its warm-up).
    const regimeHolds = f.session.core.risk.ruleStates.has("regime");
    expect((released.json as Rules).tradingState).toBe(regimeHolds ? f.session.core.tradingState : "active");
    const accepted = await call(f, "POST", "/api/v1/orders", f.tokens.trader, order);
    if (!regimeHolds) expect(accepted.status).toBe(201);
  }, 90_000);
});
