/**
 * FIX counterparty chaos at full count: the QuickFIX C++ acceptor under a running live session
 * (a taker and a resting strategy) is killed with SIGKILL and restarted on the same port N times
 * in a row (default 50); runtime/session/chaos/fix-restarts.ts says what is checked. The figure is
 * the time from the restarted acceptor listening to the session's reconnect reconciliation being
 * done (logon, OrderMassStatusRequest answered, differences journaled); the baseline row is the
 * same session's first restart.
 *
 * Run: nice bun bench/chaos-fix.ts [--restarts 50]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "../runtime/cli/args.ts";
import { runFixRestarts } from "../runtime/session/chaos/fix-restarts.ts";

const args = parseArgs(process.argv.slice(2), new Set(["restarts"]));
const restarts = typeof args.flags.get("restarts") === "string" ? Number(args.flags.get("restarts")) : 50;
const dir = mkdtempSync(join(tmpdir(), "kestrel-chaos-fix-bench-"));
const t0 = performance.now();
try {
  const r = await runFixRestarts({ dir, restarts, log: (l) => console.error(l) });
  const wall = (performance.now() - t0) / 1000;
  const ms = [...r.reconnectMs].sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!;
  console.log(`| restarts | wall s | restart→reconciled p50 ms | p95 ms | max ms | orders | fills | records | drop alerts | reconnect reconciliations (journaled / alerted) | orders the restarted provider forgot | lost records | duplicate order ids | duplicate fill ids | OMS errors |`);
  console.log(`| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  console.log(`| ${restarts} | ${wall.toFixed(0)} | ${q(0.5).toFixed(0)} | ${q(0.95).toFixed(0)} | ${ms.at(-1)!.toFixed(0)} | ${r.orders} | ${r.fills} | ${r.records} | ${r.downAlerts} | ${r.reconnectReconciles} / ${r.reconciledAlerts} | ${r.missing} | ${r.lostRecords} | ${r.duplicateOrderIds} | ${r.duplicateFillIds} | ${r.omsErrors} |`);
  console.log(`\nbaseline (first restart) ${r.reconnectMs[0]!.toFixed(0)} ms; median over the run / first: ${(q(0.5) / r.reconnectMs[0]!).toFixed(2)}`);
  const bad = r.lostRecords + r.duplicateOrderIds + r.duplicateFillIds + r.omsErrors + (r.reconnectReconciles === restarts ? 0 : 1) + (r.tornTail ? 1 : 0);
  process.exitCode = bad === 0 ? 0 : 1;
} finally {
  if (process.exitCode === 1 || process.env.KESTREL_KEEP === "1") console.error(`kept for inspection: ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
