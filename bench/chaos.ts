/**
 * The chaos suite at full count: a real paper session (`kestrel run`, four synthetic pairs at speed
 * 20, a market maker and a scalper, sim venue with its state file, journal fsync batch) killed with
 * SIGKILL at random moments and restarted on its journal, N times (default 100); then a final
 * restart is compared with the venue's own memory (runtime/session/chaos/chaos.ts says what is
 * checked). The baseline row is the same session's journal growth between kills: records per kill.
 *
 * Run: nice bun bench/chaos.ts [--kills 100] [--min-ms 300] [--max-ms 3000] [--seed 1]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "../runtime/cli/args.ts";
import { runChaos } from "../runtime/session/chaos/chaos.ts";

const args = parseArgs(process.argv.slice(2), new Set(["kills", "min-ms", "max-ms", "seed"]));
const num = (name: string, d: number) => (typeof args.flags.get(name) === "string" ? Number(args.flags.get(name)) : d);
const kills = num("kills", 100);
const dir = mkdtempSync(join(tmpdir(), "kestrel-chaos-bench-"));
const t0 = performance.now();
try {
  const r = await runChaos({ dir, kills, minMs: num("min-ms", 300), maxMs: num("max-ms", 3000), speed: 20, seed: num("seed", 1), log: (l) => console.error(l) });
  const wall = (performance.now() - t0) / 1000;
  const torn = r.kills.filter((k) => k.tornTail).length;
  const alive = r.kills.map((k) => k.aliveMs).sort((a, b) => a - b);
  console.log(`| kills | wall s | median life ms | records | orders | fills | torn tails cut | reconciled differences | lost records | duplicate order ids | duplicate fill ids | open-order mismatches | position mismatches |`);
  console.log(`| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  console.log(`| ${kills} | ${wall.toFixed(0)} | ${alive[Math.floor(alive.length / 2)]} | ${r.records} | ${r.orders} | ${r.fills} | ${torn} | ${r.reconciled} | ${r.lostRecords} | ${r.duplicateOrderIds} | ${r.duplicateFillIds} | ${r.openOrderMismatches} | ${r.positionMismatches} |`);
  const perKill = r.records / kills;
  console.log(`\nrecords journaled per kill (baseline): ${perKill.toFixed(0)}; lost per kill: ${(r.lostRecords / kills).toFixed(3)} (ratio ${(r.lostRecords / Math.max(1, r.records)).toFixed(6)})`);
  const bad = r.lostRecords + r.duplicateOrderIds + r.duplicateFillIds + r.openOrderMismatches + r.positionMismatches;
  process.exitCode = bad === 0 ? 0 : 1;
} finally {
  if (process.exitCode === 1 || process.env.KESTREL_KEEP === "1") console.error(`kept for inspection: ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
