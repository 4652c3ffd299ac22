/**
 * The durability benchmarks in one command: the SIGKILL chaos suite (bench/chaos.ts), the FIX
 * counterparty restarted in a row (bench/chaos-fix.ts), the memory soak of the 28-pair paper
 * deployment (bench/soak.ts) and the restart-time benchmark (bench/journal-restart.ts; `--flat`
 * keeps its synthetic book near flat, as a position-limited session's is), one after the other, each in its own process, their tables printed
 * as they finish and a closing line per part (exit status). The defaults are the issue's full
 * counts; pass smaller ones for a quick run.
 *
 * Run: nice bun bench/durability.ts [--kills 100] [--fix-restarts 50] [--soak 3600s] [--speed 50] [--records 1000000,10000000] [--flat] [--skip chaos,fix,soak,restart]
 */
import { resolve } from "node:path";
import { parseArgs } from "../runtime/cli/args.ts";

const args = parseArgs(process.argv.slice(2), new Set(["kills", "fix-restarts", "soak", "speed", "records", "skip", "seed"]));
const text = (name: string, d: string) => (typeof args.flags.get(name) === "string" ? (args.flags.get(name) as string) : d);
const skip = new Set(text("skip", "").split(",").filter((s) => s !== ""));
for (const s of skip) if (!["chaos", "fix", "soak", "restart"].includes(s)) throw new Error(`--skip: expected chaos, fix, soak or restart, got "${s}"`);
const here = import.meta.dir;
const parts: { name: string; argv: string[] }[] = [
  { name: "chaos", argv: [resolve(here, "chaos.ts"), "--kills", text("kills", "100"), "--seed", text("seed", "1")] },
  { name: "fix", argv: [resolve(here, "chaos-fix.ts"), "--restarts", text("fix-restarts", "50")] },
  { name: "soak", argv: [resolve(here, "soak.ts"), "--for", text("soak", "3600s"), "--speed", text("speed", "50")] },
  { name: "restart", argv: [resolve(here, "journal-restart.ts"), text("records", "1000000,10000000"), ...(args.flags.has("flat") ? ["--flat"] : [])] },
];
const outcome: string[] = [];
for (const p of parts) {
  if (skip.has(p.name)) {
    outcome.push(`${p.name}: skipped`);
    continue;
  }
  console.log(`\n## ${p.name}: bun ${p.argv.map((a) => a.replace(`${here}/`, "bench/")).join(" ")}\n`);
  const t0 = performance.now();
  const proc = Bun.spawn([process.execPath, ...p.argv], { stdout: "inherit", stderr: "inherit" });
  const code = await proc.exited;
  outcome.push(`${p.name}: exit ${code} after ${((performance.now() - t0) / 1000).toFixed(0)} s${code === 0 ? "" : " (FAILED)"}`);
}
console.log(`\n${outcome.join("\n")}`);
process.exitCode = outcome.some((o) => o.includes("FAILED")) ? 1 : 0;
