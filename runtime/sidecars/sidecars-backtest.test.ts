import { afterAll, expect, test } from "bun:test";
import type { RiskCheck } from "../../plugins/sdk/risk.ts";
import { runBacktest } from "../session/backtest.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../session/test-session.ts";
import { sidecarParts } from "./index.ts";
import { needsTools } from "../testing/system-tools.ts";

const tmp = tempDir("kestrel-sidecars-bt-");
afterAll(() => tmp.dispose());

const STRATEGIES = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD], params: { entryImbalance: 0.3, maxSpreadTicks: 30 } }
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURGBP, EURUSD] }`;

test("a VaR over its limit raises VAR_LIMIT and refuses exactly the orders that add exposure, while the session keeps trading", async () => {
  const extra = `sidecars:
  gpu: { mode: in-process, everySeconds: 5, confidence: 0.99, horizonSeconds: 60, paths: 2000, maxVar: 1 }`;
  const s = await sessionFromYaml(tmp.path, syntheticYaml(STRATEGIES, { seconds: 300, extra }), { journalPath: "" });
  const gpu = sidecarParts(s.sidecars)!.gpu!;
  const summary = runBacktest(s);
  await s.close();
  expect(gpu.monitor.computed["in-process"]).toBeGreaterThan(10);
  expect(gpu.monitor.computed.sidecar).toBe(0);
  expect(summary.riskRejections.VAR_LIMIT).toBeGreaterThan(0);
  const alert = s.core.alerts.all().find((a) => a.code === "VAR_LIMIT");
  expect(alert?.severity).toBe("critical");
  let refused = 0;
  let filledAfter = 0;
  for (const o of s.core.oms.all()) {
    if (o.reason.startsWith("VAR_LIMIT: ")) {
      refused++;
      const f = Object.fromEntries(o.reason.slice(11).split(" ").map((kv) => kv.split("=") as [string, string]));
      expect(f.source).toBe("in-process");
      expect(Number(f.var)).toBeGreaterThan(1);
      const position = Number(f.position);
      const projected = position + Number(f.side) * (Number(f.size) + Number(f.working));
      expect(Math.abs(projected)).toBeGreaterThan(Math.abs(position));
    }
  }
  expect(refused).toBe(summary.riskRejections.VAR_LIMIT!);
  for (const o of s.core.oms.all()) if (o.filled > 0 && o.createdTs > alert!.ts) filledAfter++;
  expect(filledAfter).toBeGreaterThan(0);
  // The rule itself: over the limit, a reducing order passes and an increasing one is refused.
  expect(gpu.monitor.breached).toBe(true);
  const inst = s.instruments[0]!;
  const book = s.core.books.books[0]!;
  const order = (position: number, side: 1 | -1, size: number): RiskCheck => ({
    strategy: "obi",
    instrument: inst,
    intent: { instrument: 0, side, type: "market", size, tif: "IOC" } as RiskCheck["intent"],
    position,
    workingSameSide: 0,
    book,
    now: s.loop.clock.now(),
  });
  expect(gpu.monitor.check(order(100_000, -1, 50_000))).toBeNull();
  expect(gpu.monitor.check(order(100_000, 1, 1_000))?.code).toBe("VAR_LIMIT");
  expect(gpu.monitor.check(order(-100_000, -1, 1_000))?.code).toBe("VAR_LIMIT");
  expect(gpu.monitor.check(order(100_000, -1, 250_000))?.code).toBe("VAR_LIMIT");
}, 30_000);

test("the deployment's VaR engine and sampler reach the in-process Monte Carlo: WASM and exact-linear agree with the TypeScript engine within Monte Carlo error", async () => {
  // maxVar 1: every VaR of an open position breaches, so the three runs refuse the same orders and
  // their refusal reasons carry the VaR of the same moments, pair by pair.
  const run = async (opts: string) => {
    const extra = `sidecars:
  gpu: { mode: in-process, everySeconds: 5, confidence: 0.99, horizonSeconds: 60, paths: 50000, maxVar: 1${opts} }`;
    const s = await sessionFromYaml(tmp.path, syntheticYaml(STRATEGIES, { seconds: 120, extra }), { journalPath: "" });
    runBacktest(s);
    await s.close();
    expect(s.core.alerts.all().map((a) => a.code)).not.toContain("VAR_ENGINE_FALLBACK");
    return [...s.core.oms.all()].filter((o) => o.reason.startsWith("VAR_LIMIT: ")).map((o) => Number(/ var=([\d.]+)/.exec(o.reason)![1]));
  };
  const ts = await run("");
  const wasm = await run(", engine: wasm");
  const linear = await run(", engine: wasm, sampler: exact-linear");
  expect(ts.length).toBeGreaterThan(5);
  // Different random streams (so not equal), the same distribution: 50,000 paths put the 99%
  // quantile's sampling error near 1-2%, so a median 10% apart would be a wrong engine, not noise.
  const medianRatio = (a: number[]) => a.map((v, i) => v / ts[i]!).sort((x, y) => x - y)[a.length >> 1]!;
  for (const v of [wasm, linear]) {
    expect(v.length).toBe(ts.length);
    expect(v).not.toEqual(ts);
    expect(Math.abs(medianRatio(v) - 1)).toBeLessThan(0.1);
  }
  expect(linear).not.toEqual(wasm);
}, 60_000);

test.skipIf(!needsTools("sidecars: backtest with the FPGA gate", "verilator"))(
  "the simulated gate and the software gate give a backtest the same orders and fills, every sidecar verdict coming from the RTL",
  async () => {
    const run = async (mode: string) => {
      const extra = `sidecars:\n  fpga: { mode: ${mode}, timeoutUs: 1000000 }`;
      const s = await sessionFromYaml(tmp.path, syntheticYaml(STRATEGIES, { seconds: 60, extra }), { journalPath: "" });
      const fpga = sidecarParts(s.sidecars)!.fpga!;
      const summary = runBacktest(s);
      // Refusals the runtime's own chain would not reach: the rule maps them with their source.
      const book = s.core.books.books[0]!;
      const check = (side: 1 | -1, price: number, size: number): RiskCheck => ({
        strategy: "obi",
        instrument: s.instruments[0]!,
        intent: { instrument: 0, side, type: "limit", price, size, tif: "GTC" } as RiskCheck["intent"],
        position: 0,
        workingSameSide: 0,
        book,
        now: s.loop.clock.now(),
      });
      const verdicts = [check(1, book.ask * 2, 1000), check(1, book.ask, 2 ** 30), check(-1, book.bid, 1_200_000)].map((c) => fpga.rule.check(c));
      // The kill switch reaches the gate's register through the session's wiring, both ways.
      s.core.engageKill("test", "operator");
      verdicts.push(fpga.rule.check(check(1, book.ask, 1000)));
      s.core.releaseKill("operator");
      verdicts.push(fpga.rule.check(check(1, book.ask * 2, 1000)));
      await s.close();
      const status = fpga.status();
      return { summary, fpga, verdicts, status };
    };
    const soft = await run("software");
    const rtl = await run("sidecar");
    expect(rtl.summary.orders).toBeGreaterThan(100);
    expect(rtl.summary.fillsHash).toBe(soft.summary.fillsHash);
    expect(rtl.summary.orders).toBe(soft.summary.orders);
    expect(rtl.summary.riskRejections).toEqual(soft.summary.riskRejections);
    expect(soft.fpga.rule.verdicts.fpga).toBe(0);
    expect(rtl.fpga.rule.verdicts.software).toBe(0);
    expect(rtl.fpga.rule.verdicts.fpga).toBe(soft.fpga.rule.verdicts.software);
    expect(rtl.status).toMatchObject({ diverged: 0, fallbacks: 0, attaches: 1, pid: null });
    expect(rtl.verdicts.map((v) => v?.code)).toEqual(["FPGA_PRICE_COLLAR", "FPGA_NOTIONAL_LIMIT", "FPGA_POSITION_LIMIT", "FPGA_KILL_SWITCH", "FPGA_PRICE_COLLAR"]);
    expect(rtl.verdicts.every((v) => v!.reason.startsWith("source=fpga "))).toBe(true);
    expect(soft.verdicts.map((v) => v?.code)).toEqual(rtl.verdicts.map((v) => v?.code));
    expect(soft.verdicts.every((v) => v!.reason.startsWith("source=software "))).toBe(true);
    expect(rtl.verdicts[2]!.reason).toContain("position=0 max=1000000");
  },
  60_000,
);
