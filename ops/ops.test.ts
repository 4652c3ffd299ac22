/**
 * The operations files: the Prometheus alerting rules pass `promtool check rules` and their unit
 * tests (`promtool test rules`); every rule has a unit test and the alerts the runbook promises
 * exist; the Grafana dashboards are well-formed provisioning JSON (unique ids, a 24-column grid
 * without overlaps, the provisioned datasource, queries that promtool parses as PromQL); and every
 * metric name in the panels and rules is one that a live paper session's /metrics really exports.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { startPaperFixture, waitFor, type PaperFixture } from "../runtime/admin/testing/paper-session.ts";
import { call } from "../runtime/admin/testing/http.ts";
import { needsTools } from "../runtime/testing/system-tools.ts";

const OPS = import.meta.dir;
const RULES = join(OPS, "prometheus", "kestrel.rules.yml");
const RULE_TESTS = join(OPS, "prometheus", "kestrel.rules.test.yml");
const DASHBOARDS = join(OPS, "grafana", "dashboards");
const PROMTOOL = Bun.which("promtool") ?? "/usr/bin/promtool";

interface Target {
  refId: string;
  expr: string;
  datasource: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string }[] };
}
interface Rule {
  alert: string;
  expr: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}

async function promtool(...args: string[]): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn([PROMTOOL, ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out: `${out}${err}` };
}

const rules = (parse(readFileSync(RULES, "utf8")) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const dashboards = readdirSync(DASHBOARDS)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => ({ file: f, d: JSON.parse(readFileSync(join(DASHBOARDS, f), "utf8")) as Dashboard }));
const queries = dashboards.flatMap(({ file, d }) => d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${file} "${p.title}" ${t.refId}`, expr: t.expr }))));
/** Grafana variables replaced by values Prometheus accepts, so promtool can parse the query. */
const promql = (expr: string) => expr.replaceAll("$__rate_interval", "1m").replaceAll("$instance", ".*");
const metricNames = (expr: string) => [...expr.matchAll(/\bkestrel_[a-z0-9_]+\b/g)].map((m) => m[0]);

describe.skipIf(!needsTools("ops: promtool check/test rules", "promtool"))("Prometheus rules (promtool)", () => {
  test("promtool check rules accepts the rules file", async () => {
    const r = await promtool("check", "rules", RULES);
    expect(r.out).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(r.code).toBe(0);
  });

  test("promtool test rules passes every unit test", async () => {
    const r = await promtool("test", "rules", RULE_TESTS);
    expect(r.out).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });

});

describe("Prometheus rules", () => {
  test("every alert has a unit test and a severity, summary and description", () => {
    const tests = parse(readFileSync(RULE_TESTS, "utf8")) as { tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] };
    const fired = new Set(tests.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    const quiet = new Set(tests.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length === 0).map((a) => a.alertname)));
    for (const r of rules) {
      expect({ alert: r.alert, firesInATest: fired.has(r.alert), quietInATest: quiet.has(r.alert) }).toEqual({ alert: r.alert, firesInATest: true, quietInATest: true });
      expect(["warning", "critical"]).toContain(r.labels.severity);
      expect(r.annotations.summary.length).toBeGreaterThan(10);
      expect(r.annotations.description.length).toBeGreaterThan(10);
    }
  });

  test("the alerts the runbook promises exist: stale feed, store lag, kill switch, breaker, sidecar fallback, latency p99, model stale", () => {
    const names = rules.map((r) => r.alert);
    for (const a of ["KestrelFeedStale", "KestrelStoreLagging", "KestrelKillSwitchEngaged", "KestrelBreakerTripped", "KestrelSidecarFallback", "KestrelTickToOrderP99High", "KestrelModelStale"]) expect(names).toContain(a);
    const docs = readFileSync(resolve(OPS, "../docs/operations.md"), "utf8");
    for (const a of names) expect(docs).toContain(a);
  });
});

describe("Grafana dashboards", () => {
  const datasources = parse(readFileSync(join(OPS, "grafana", "provisioning", "datasources", "kestrel.yml"), "utf8")) as { datasources: { uid: string; type: string }[] };
  const uid = datasources.datasources[0]!.uid;

  test("the provisioning files name the Prometheus datasource and a file provider", () => {
    expect(datasources.datasources[0]!.type).toBe("prometheus");
    const providers = parse(readFileSync(join(OPS, "grafana", "provisioning", "dashboards", "kestrel.yml"), "utf8")) as { apiVersion: number; providers: { type: string; options: { path: string } }[] };
    expect(providers.apiVersion).toBe(1);
    expect(providers.providers[0]!.type).toBe("file");
    expect(dashboards.map((x) => x.file)).toEqual(["kestrel-runtime.json", "kestrel-trading.json"]);
  });

  for (const { file, d } of dashboards) {
    test(`${file} is well-formed: unique uid and ids, panels on a 24-column grid without overlaps, queries on the provisioned datasource`, () => {
      expect(d.uid).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(d.title.length).toBeGreaterThan(0);
      expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(d.templating.list.map((v) => v.name)).toContain("instance");
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      const cells = new Map<string, string>();
      for (const p of d.panels) {
        const g = p.gridPos;
        expect(g.x >= 0 && g.w > 0 && g.h > 0 && g.x + g.w <= 24).toBe(true);
        for (let x = g.x; x < g.x + g.w; x++)
          for (let y = g.y; y < g.y + g.h; y++) {
            const key = `${x},${y}`;
            expect(cells.get(key) ?? p.title).toBe(p.title);
            cells.set(key, p.title);
          }
        if (p.type === "row") continue;
        expect(["timeseries", "stat"]).toContain(p.type);
        expect(p.datasource?.uid).toBe(uid);
        expect((p.description ?? "").length).toBeGreaterThan(0);
        const targets = p.targets ?? [];
        expect(targets.length).toBeGreaterThan(0);
        expect(new Set(targets.map((t) => t.refId)).size).toBe(targets.length);
        for (const t of targets) {
          expect(t.datasource.uid).toBe(uid);
          expect(metricNames(t.expr).length).toBeGreaterThan(0);
        }
      }
    });
  }

  test.skipIf(!needsTools("ops: dashboard queries parsed by promtool", "promtool"))("every panel query parses as PromQL (promtool checks them as recording rules)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kestrel-promql-"));
    try {
      const file = join(dir, "queries.yml");
      const lines = ["groups:", "  - name: dashboard-queries", "    rules:"];
      queries.forEach((q, i) => lines.push(`      - record: dashboard_query_${i}`, `        expr: ${JSON.stringify(promql(q.expr))}`));
      writeFileSync(file, `${lines.join("\n")}\n`);
      const r = await promtool("check", "rules", file);
      expect(r.out).toContain(`SUCCESS: ${queries.length} rules found`);
      expect(r.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("metric names against a live session's /metrics", () => {
  let f: PaperFixture;
  let exported: Set<string>;
  let sampled: Set<string>;
  beforeAll(async () => {
    f = await startPaperFixture({ store: true });
    await waitFor(() => (f.session.recorder?.stats().quotes?.appended ?? 0) > 0, 30_000, "stored quotes");
    const r = await call(f, "GET", "/metrics", f.tokens.analyst);
    expect(r.status).toBe(200);
    sampled = new Set([...r.text.matchAll(/^([a-z_][a-z0-9_]*)(?:\{| )/gm)].map((m) => m[1]!));
    exported = new Set([...sampled, ...[...r.text.matchAll(/^# TYPE ([a-z_][a-z0-9_]*) /gm)].map((m) => m[1]!)]);
  }, 60_000);
  afterAll(async () => {
    await f?.stop();
  });

  test("every metric a dashboard panel queries is exported", () => {
    const missing = queries.flatMap((q) => metricNames(q.expr).filter((n) => !exported.has(n)).map((n) => `${q.where}: ${n}`));
    expect(missing).toEqual([]);
  });

  test("every metric an alerting rule reads is exported", () => {
    const missing = rules.flatMap((r) => metricNames(r.expr).filter((n) => !exported.has(n)).map((n) => `${r.alert}: ${n}`));
    expect(missing).toEqual([]);
  });

  test("the paper session has samples for the trading, latency, market and store panels", () => {
    for (const n of ["kestrel_pnl_account", "kestrel_fills_total", "kestrel_tick_to_order_seconds", "kestrel_market_events_total", "kestrel_quote_age_seconds", "kestrel_store_lag_seconds", "kestrel_kill_switch_engaged"]) {
      expect({ metric: n, sampled: sampled.has(n) }).toEqual({ metric: n, sampled: true });
    }
  });

  test("a name missing from /metrics would be caught", () => {
    expect(exported.has("kestrel_rl_policy_entropy")).toBe(false);
    expect(exported.size).toBeGreaterThan(40);
  });
});
