/**
 * Time budgets of in-process strategies, reported: a plugin run in process that blocks for 5 ms
 * every hundredth quote, under a 1 ms budget, has its overruns counted and its worst call shown
 * (hook and duration) in `GET /api/v1/strategies` and in `/metrics`, and keeps trading (in
 * process an overrun is reported, not stopped); with `maxOverruns: 2` the same plugin is
 * quarantined with PLUGIN_OVERRUN at its second overrun; an isolated strategy shows no budget
 * figures (its watchdog stops an overrun instead).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import { startPaperFixture, waitFor, type PaperFixture } from "./testing/paper-session.ts";
import { call } from "./testing/http.ts";

const MISBEHAVING = resolve(import.meta.dir, "../plugins/isolate/fixtures/misbehaving.ts");

let f: PaperFixture;
beforeAll(async () => {
  f = await startPaperFixture({
    strategy: false,
    strategies: [
      `{ name: slow, plugin: ${JSON.stringify(MISBEHAVING)}, isolate: false, budgetUs: 1000, instruments: [EURUSD], params: { mode: slow, slowMs: 5 } }`,
      `{ name: walled, plugin: ${JSON.stringify(MISBEHAVING)}, instruments: [GBPUSD] }`,
      `{ name: capped, plugin: ${JSON.stringify(MISBEHAVING)}, isolate: false, budgetUs: 1000, maxOverruns: 2, instruments: [EURGBP], params: { mode: slow, slowMs: 5 } }`,
    ],
  });
}, 30_000);
afterAll(async () => {
  await f?.stop();
});

test("an in-process strategy's overruns are counted, its worst call shown, in the admin API and the metrics", async () => {
  const slot = f.session.core.host.get("slow")!;
  await waitFor(() => (slot.budget?.overruns ?? 0) >= 3, 20_000, "three overruns of the slow strategy");
  const r = await call(f, "GET", "/api/v1/strategies", f.tokens.analyst);
  expect(r.status).toBe(200);
  const byName = new Map((r.json as { strategies: { name: string }[] }).strategies.map((s) => [s.name, s as Record<string, any>]));
  const slow = byName.get("slow")!;
  expect(slow.state).toBe("running");
  expect(slow.isolated).toBe(false);
  expect(slow.budget.budgetUs).toBe(1000);
  expect(slow.budget.overruns).toBeGreaterThanOrEqual(3);
  // At least one call per hundred quotes blocked; most did not.
  expect(slow.budget.calls).toBeGreaterThan(slow.budget.overruns);
  expect(slow.budget.worstUs).toBeGreaterThanOrEqual(5000);
  expect(slow.budget.lastOverrunHook).toBe("onQuote");
  const walled = byName.get("walled")!;
  expect(walled.isolated).toBe(true);
  expect(walled.budget).toBeNull();

  const m = await call(f, "GET", "/metrics", f.tokens.analyst);
  const overruns = /^kestrel_strategy_hook_overruns_total\{strategy="slow"\} (\d+)$/m.exec(m.text);
  expect(overruns).not.toBeNull();
  expect(Number(overruns![1])).toBeGreaterThanOrEqual(3);
  const worst = /^kestrel_strategy_hook_worst_seconds\{strategy="slow",hook="(\w+)"\} ([\d.e-]+)$/m.exec(m.text);
  expect(worst).not.toBeNull();
  expect(Number(worst![2])).toBeGreaterThanOrEqual(0.005);
  expect(m.text).not.toContain('kestrel_strategy_hook_overruns_total{strategy="walled"}');
}, 60_000);

test("with maxOverruns an in-process strategy is quarantined with PLUGIN_OVERRUN when its overruns reach it", async () => {
  const slot = f.session.core.host.get("capped")!;
  await waitFor(() => slot.state === "quarantined", 20_000, "the capped strategy quarantined");
  expect(slot.failure).toMatch(/^hook=onQuote error=PLUGIN_OVERRUN: strategy=capped overruns=2 budgetUs=1000 worstUs=\d+ worstHook=onQuote \(maxOverruns reached\)$/);
  expect(slot.budget!.overruns).toBe(2);
  expect(f.session.core.alerts.all().some((a) => a.subject === "capped" && a.message.includes("PLUGIN_OVERRUN"))).toBe(true);
  // The others trade on.
  expect(f.session.core.host.get("slow")!.state).toBe("running");
}, 60_000);
