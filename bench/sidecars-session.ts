/**
 * Benchmark of the sidecars inside a session: the same synthetic backtest (seeded, both strategies)
 * without sidecars (the baseline), with the FPGA gate in software (golden model), with the gate on
 * the Verilator sidecar, and with the sidecar gate plus in-process VaR. Reports the session's
 * events/s and the gate rule's own cost per order (p50/p99, including its register frame), all
 * measured in this run. Usage: `bun bench/sidecars-session.ts [--seconds N]`.
 */
import { sessionFromYaml, syntheticYaml, tempDir } from "../runtime/session/test-session.ts";
import { runBacktest } from "../runtime/session/backtest.ts";
import { sidecarParts } from "../runtime/sidecars/index.ts";

const sAt = process.argv.indexOf("--seconds");
const SECONDS = sAt >= 0 ? Number(process.argv[sAt + 1]) : 1800;
const STRATEGIES = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD], params: { entryImbalance: 0.3, maxSpreadTicks: 30 } }
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURGBP, EURUSD] }`;
const MODES: Array<[string, string]> = [
  ["no sidecars (baseline)", ""],
  ["fpga software", "sidecars:\n  fpga: { mode: software, timeoutUs: 200 }"],
  ["fpga sidecar", "sidecars:\n  fpga: { mode: sidecar, timeoutUs: 200 }"],
  ["fpga sidecar + VaR in-process", "sidecars:\n  fpga: { mode: sidecar, timeoutUs: 200 }\n  gpu: { mode: in-process, everySeconds: 10, confidence: 0.99, horizonSeconds: 60, paths: 20000, maxVar: 1000000000 }"],
];

interface Row {
  mode: string;
  events: number;
  eventsPerSecond: number;
  orders: number;
  fillsHash: string;
  p50: number;
  p99: number;
  fpgaVerdicts: number;
  softwareVerdicts: number;
}

const tmp = tempDir("kestrel-bench-sidecars-");
const rows: Row[] = [];
for (const [mode, extra] of MODES) {
  const s = await sessionFromYaml(tmp.path, syntheticYaml(STRATEGIES, { seconds: SECONDS, extra }), { journalPath: "" });
  const fpga = sidecarParts(s.sidecars)?.fpga ?? null;
  const ns: number[] = [];
  if (fpga) {
    const rule = fpga.rule;
    const check = rule.check.bind(rule);
    rule.check = (c) => {
      const t0 = Bun.nanoseconds();
      const v = check(c);
      ns.push(Bun.nanoseconds() - t0);
      return v;
    };
  }
  const summary = runBacktest(s);
  await s.close();
  ns.sort((a, b) => a - b);
  const q = (p: number) => (ns.length === 0 ? 0 : ns[Math.min(ns.length - 1, Math.floor(p * ns.length))]!);
  rows.push({ mode, events: summary.events, eventsPerSecond: summary.eventsPerSecond, orders: summary.orders, fillsHash: summary.fillsHash, p50: q(0.5), p99: q(0.99), fpgaVerdicts: fpga?.rule.verdicts.fpga ?? 0, softwareVerdicts: fpga?.rule.verdicts.software ?? 0 });
}
tmp.dispose();

const pad = (v: string | number, n: number) => String(v).padStart(n);
console.log(`${"mode".padEnd(32)}${pad("events", 10)}${pad("events/s", 12)}${pad("orders", 9)}${pad("rtl verdicts", 14)}${pad("sw verdicts", 13)}${pad("check p50 ns", 14)}${pad("check p99 ns", 14)}  fills hash`);
for (const r of rows) {
  console.log(`${r.mode.padEnd(32)}${pad(r.events, 10)}${pad(Math.round(r.eventsPerSecond), 12)}${pad(r.orders, 9)}${pad(r.fpgaVerdicts, 14)}${pad(r.softwareVerdicts, 13)}${pad(r.p50, 14)}${pad(r.p99, 14)}  ${r.fillsHash.slice(0, 12)}`);
}
// The gate refuses a few orders the engine's own chain passes (its collar is around the mid rounded
// down to a tick), so fills differ from the baseline; they must not differ between gate modes.
const same = rows.slice(1).every((r) => r.fillsHash === rows[1]!.fillsHash);
console.log(`same fills with the software gate and the Verilator gate: ${same}`);
const base = rows[0]!;
const rtl = rows[2]!;
const soft = rows[1]!;
console.log(
  `headline: session with the Verilator gate runs at ${(rtl.eventsPerSecond / base.eventsPerSecond).toFixed(2)}x the events/s of no sidecars; gate check p50 ${rtl.p50} ns on the sidecar vs ${soft.p50} ns in software (${(rtl.p50 / Math.max(1, soft.p50)).toFixed(1)}x)`,
);
