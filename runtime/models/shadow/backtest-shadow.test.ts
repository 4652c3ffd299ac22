/**
 * Shadow mode in a backtest, on a real OANDA day: the shipped vol-window@1 trades through the
 * model-scalper while vol-window@2 runs beside it as the shadow. The shadow's signals are logged
 * (one JSON line per period, both models' signals and the mids) and scored against the market
 * (information coefficient, hit rate, edge, agreement with the live model), and it never trades:
 * the fills are identical, order by order, to the same backtest without a shadow.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../config/load.ts";
import { buildSession } from "../../session/build.ts";
import { runBacktest } from "../../session/backtest.ts";
import { tinySetup, type TinySetup } from "../../learning/test-support.ts";
import { ModelSet } from "../model-set.ts";

let setup: TinySetup;

beforeAll(() => {
  setup = tinySetup({ pairs: ["eurusd", "nzdusd"], days: ["20140506"] });
});
afterAll(() => setup?.[Symbol.dispose]());

/** Runs the day with vol-window@1 live (and vol-window@2 as the shadow when `shadow`); returns the summary, the fills and the model set's state. */
async function backtest(name: string, shadow: boolean) {
  const base = readFileSync(setup.deployment, "utf8").replace(
    "strategies: []",
    `strategies:
  - { name: model, plugin: model-scalper, instruments: [EURUSD, NZDUSD], params: { orderSize: 100000, threshold: 0.05, thresholdBounds: [0.02, 0.3], holdUs: 30000000 } }`,
  );
  const log = join(setup.dir, `${name}.shadow.jsonl`);
  const models = `models:
  mode: in-process
  everyMs: 10000
  model: vol-window@1
${shadow ? `  shadow: { model: vol-window@2, horizonMs: 30000, threshold: 0.05, log: ${log}, logEveryMs: 10000 }\n` : ""}`;
  const file = join(setup.dir, `${name}.yaml`);
  writeFileSync(file, `${base}${models}`);
  const loaded = loadConfig(file);
  if (!loaded.ok) throw new Error(loaded.problems.join("; "));
  const session = await buildSession(loaded.config, file, { journalPath: "", store: false, log: () => {} });
  const fills: string[] = [];
  const prev = session.core.listeners.fill;
  session.core.listeners.fill = (f) => {
    prev?.(f);
    fills.push(JSON.stringify(f));
  };
  const summary = runBacktest(session);
  const set = session.models;
  const status = set instanceof ModelSet ? set.status() : null;
  await session.close();
  return { summary, fills, status, log };
}

describe("shadow model in a backtest", () => {
  let plain: Awaited<ReturnType<typeof backtest>>;
  let shadowed: Awaited<ReturnType<typeof backtest>>;

  beforeAll(async () => {
    plain = await backtest("plain", false);
    shadowed = await backtest("shadowed", true);
  }, 300_000);

  test("the live model trades: the day has fills to compare", () => {
    expect(plain.summary.fills).toBeGreaterThan(10);
    expect(plain.status?.shadow ?? null).toBeNull();
  });

  test("the shadow never trades: fills identical to the same backtest without it", () => {
    expect(shadowed.summary.fills).toBe(plain.summary.fills);
    expect(shadowed.summary.fillsHash).toBe(plain.summary.fillsHash);
    expect(shadowed.fills).toEqual(plain.fills);
    expect(shadowed.summary.pnl).toEqual(plain.summary.pnl);
  });

  test("both models ran every period; the shadow is vol-window@2 and the live one vol-window@1", () => {
    const st = shadowed.status!;
    expect(st.live.ref).toBe("vol-window@1");
    expect(st.shadow!.ref).toBe("vol-window@2");
    expect(st.live.version).toBe("vol-window/1");
    expect(st.shadow!.version).toBe("vol-window/2");
    // One batch every 10 s of a trading day's market time.
    expect(st.shadow!.batches).toBeGreaterThan(3000);
    expect(st.shadow!.batches).toBe(st.live.batches);
    expect(st.promotions).toEqual([]);
  });

  test("the shadow's signals are scored against the market and against the live model's", () => {
    const c = shadowed.status!.comparison!;
    expect(c.horizonUs).toBe(30_000_000);
    expect(c.threshold).toBe(0.05);
    expect(c.samples).toBeGreaterThan(2 * 3000);
    expect(c.scored).toBeGreaterThan(2 * 3000);
    for (const ref of ["vol-window@1", "vol-window@2"]) {
      const s = c.models[ref]!;
      expect(s.scored).toBeGreaterThan(5000);
      expect(Number.isFinite(s.ic)).toBe(true);
      expect(Math.abs(s.ic)).toBeLessThan(1);
      expect(s.traded).toBeGreaterThan(0);
      expect(s.hitRate).toBeGreaterThan(0);
      expect(s.hitRate).toBeLessThan(1);
      expect(Number.isFinite(s.edgeBps)).toBe(true);
    }
    // Two different models: their ICs differ, and they agree on the sign often but not always.
    expect(c.models["vol-window@1"]!.ic).not.toBe(c.models["vol-window@2"]!.ic);
    expect(c.agreement.both).toBeGreaterThan(5000);
    expect(c.agreement.sameSign).toBeGreaterThan(0);
    expect(c.agreement.sameSign).toBeLessThan(c.agreement.both);
    expect(c.agreement.sameDecision).toBeLessThanOrEqual(c.agreement.both);
  });

  test("the shadow log has a line per period with both models' signals and the mids", () => {
    expect(existsSync(plain.log)).toBe(false);
    const lines = readFileSync(shadowed.log, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(3000);
    let withBoth = 0;
    let differ = 0;
    for (let k = 0; k < lines.length; k++) {
      const l = lines[k]!;
      expect(l.live).toBe("vol-window@1");
      expect(l.shadow).toBe("vol-window@2");
      expect(l.liveSignal).toHaveLength(2);
      expect(l.shadowSignal).toHaveLength(2);
      expect(l.mid2).toHaveLength(2);
      if (k > 0) expect(l.ts - lines[k - 1]!.ts).toBe(10_000_000);
      for (let i = 0; i < 2; i++) {
        const [a, b] = [l.liveSignal[i], l.shadowSignal[i]];
        if (a === null || b === null) continue;
        withBoth++;
        expect(Math.abs(b)).toBeLessThanOrEqual(1);
        if (a !== b) differ++;
      }
    }
    expect(withBoth).toBeGreaterThan(5000);
    expect(differ).toBeGreaterThan(withBoth / 2);
  });
});
