import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runBacktest } from "../../../runtime/session/backtest.ts";
import { REPO_ROOT, sessionFromYaml, syntheticYaml, tempDir } from "../../../runtime/session/test-session.ts";

const tmp = tempDir("kestrel-risk-hooks-");
afterAll(() => tmp.dispose());

/** A risk plugin that counts quotes and fills it is given and throws on the `throwAt`-th quote (0: never). */
function writeRule(file: string, throwAt: number): void {
  writeFileSync(join(tmp.path, file), `import { defineRisk, Type } from ${JSON.stringify(join(REPO_ROOT, "plugins/sdk/index.ts"))};
export const seen = { quotes: 0, fills: 0, positionsAtFill: [] };
export default defineRisk({
  manifest: { name: "counting", version: "0.1.0", kind: "risk", sdk: "^0.1.0", params: Type.Object({}), capabilities: [] },
  create: () => ({
    check: () => null,
    onQuote(ctx, q) {
      seen.quotes++;
      if (${throwAt} > 0 && seen.quotes === ${throwAt}) throw new Error("boom");
      if (!ctx.book(q.instrument).valid) throw new Error("book not applied before onQuote");
    },
    onFill(ctx, f) { seen.fills++; seen.positionsAtFill.push(ctx.position(f.instrument)); },
  }),
});
`);
}

const STRATEGIES = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD], params: { entryImbalance: 0.3, maxSpreadTicks: 30 } }`;

async function run(file: string) {
  const extra = `  plugins:\n    - { name: counting, plugin: ./${file} }\n`;
  const yaml = syntheticYaml(STRATEGIES, { seconds: 60, pairs: "EURUSD" }).replace(/(risk:\n  limits: [^\n]*\n)/, `$1${extra}`);
  const s = await sessionFromYaml(tmp.path, yaml, { journalPath: "" });
  const summary = runBacktest(s);
  await s.close();
  const mod = await import(join(tmp.path, file));
  return { s, summary, seen: mod.seen as { quotes: number; fills: number; positionsAtFill: number[] } };
}

test("a risk plugin is given every applied quote and every fill, with the position after the fill", async () => {
  writeRule("counting.ts", 0);
  const { s, seen } = await run("counting.ts");
  expect(seen.quotes).toBeGreaterThan(1000);
  const fills = Array.from(s.core.oms.all()).filter((o) => o.filled > 0).length;
  expect(fills).toBeGreaterThan(0);
  expect(seen.fills).toBeGreaterThanOrEqual(fills);
  // The last fill leaves the position the session ends with (no fill after it).
  expect(seen.positionsAtFill.at(-1)).toBe(s.core.portfolio.position(0));
}, 30_000);

test("a risk plugin that throws in onQuote is quarantined with the hook named, and every later order is refused", async () => {
  writeRule("throwing.ts", 50);
  const { s, summary } = await run("throwing.ts");
  const alert = s.core.alerts.all().find((a) => a.code === "PLUGIN_QUARANTINED");
  expect(alert?.message ?? "").toContain("hook=onQuote error=boom");
  expect(summary.riskRejections.RISK_RULE_QUARANTINED ?? 0).toBeGreaterThan(0);
  const orders = Array.from(s.core.oms.all());
  expect(orders.filter((o) => o.createdTs > alert!.ts && o.filled > 0)).toHaveLength(0);
}, 30_000);
