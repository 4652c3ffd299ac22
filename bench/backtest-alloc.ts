/**
 * Allocation per event on the backtest hot path, and GC pauses. Each config runs as a backtest in a
 * child process with JavaScriptCore's GC log on (`BUN_JSC_logGC=1`), which writes, for every
 * collection, the heap size when it starts, the size after it and the pause. The child forces a
 * full collection just before the run and another just after it: the bytes allocated during the
 * run are the sum, over the collections from the first forced one to the second, of (size at start
 * − size after the previous one); pauses are those of the collections inside the run. Fills and
 * the fills hash are printed, so a change meant to remove allocations can be shown not to change
 * behaviour.
 *
 *   bun bench/backtest-alloc.ts [config.yaml ...]   (default: configs/backtest.yaml configs/backtest-synthetic.yaml)
 */
import { writeSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { buildSession } from "../runtime/session/build.ts";
import { runBacktest } from "../runtime/session/backtest.ts";

/** What one child run reports. */
export interface AllocFigure {
  config: string;
  events: number;
  fills: number;
  fillsHash: string;
  eventsPerSecond: number;
  /** Collections during the run (the two forced ones not counted). */
  collections: number;
  allocatedBytes: number;
  bytesPerEvent: number;
  pauseMsTotal: number;
  pauseMsMax: number;
}

const START = "ALLOC-BENCH run start";
const END = "ALLOC-BENCH run end";

/** Parses the GC log of a child run (see the file comment). */
export function parseGcLog(log: string): Pick<AllocFigure, "collections" | "allocatedBytes" | "pauseMsTotal" | "pauseMsMax"> {
  let phase: "before" | "run" | "after" | "done" = "before";
  let lastEndKb = Number.NaN;
  let allocatedKb = 0;
  let collections = 0;
  let pauseMsTotal = 0;
  let pauseMsMax = 0;
  for (const line of log.split("\n")) {
    if (line === START) phase = "run";
    else if (line === END) phase = "after";
    if (phase === "done") break;
    const start = /START \w+ (\d+)kb =>/.exec(line);
    if (start && phase !== "before") {
      if (Number.isNaN(lastEndKb)) throw new Error("backtest-alloc: no collection logged before the run");
      allocatedKb += Math.max(0, Number(start[1]) - lastEndKb);
      if (phase === "after") phase = "done";
      else collections++;
    }
    // A collection's pauses (a concurrent one logs several), while the run goes on.
    const pause = /p=([\d.]+)ms/.exec(line);
    if (pause && phase === "run") {
      pauseMsTotal += Number(pause[1]);
      pauseMsMax = Math.max(pauseMsMax, Number(pause[1]));
    }
    const end = /=> (\d+)kb, p=[\d.]+ms.*END\]/.exec(line) ?? /Full sweep: \d+kb => (\d+)kb/.exec(line);
    if (end) lastEndKb = Number(end[1]);
  }
  if (phase !== "done") throw new Error("backtest-alloc: GC log lacks the forced collection after the run");
  return { collections, allocatedBytes: allocatedKb * 1024, pauseMsTotal, pauseMsMax };
}

async function child(file: string): Promise<void> {
  const loaded = loadConfig(file, {});
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const s = await buildSession(loaded.config, file, { mode: "backtest", journalPath: "", store: false, log: () => {} });
  Bun.gc(true);
  writeSync(2, `${START}\n`); // synchronous: in line with the GC log, which JSC writes to fd 2 directly
  const r = runBacktest(s);
  writeSync(2, `${END}\n`);
  Bun.gc(true);
  await s.close();
  console.log(JSON.stringify({ events: r.events, fills: r.fills, fillsHash: r.fillsHash, eventsPerSecond: r.eventsPerSecond }));
}

/** Runs one config's backtest in a child with the GC log on and returns its allocation figures. */
export async function measureAlloc(file: string): Promise<AllocFigure> {
  const proc = Bun.spawn([process.execPath, import.meta.path, "--child", file], { env: { ...process.env, BUN_JSC_logGC: "1" }, stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if ((await proc.exited) !== 0) throw new Error(`backtest-alloc child failed for ${file}: ${err.split("\n").filter((l) => !l.startsWith("[GC") && !l.startsWith("Requesting GC") && l !== "GC END!").slice(-5).join(" | ")}`);
  const gc = parseGcLog(err);
  const r = JSON.parse(out.trim().split("\n").at(-1)!);
  return { config: file, ...r, ...gc, bytesPerEvent: gc.allocatedBytes / r.events };
}

if (import.meta.main) {
  if (process.argv[2] === "--child") await child(process.argv[3]!);
  else {
    const files = process.argv.length > 2 ? process.argv.slice(2) : [resolve(import.meta.dir, "../configs/backtest.yaml"), resolve(import.meta.dir, "../configs/backtest-synthetic.yaml")];
    for (const f of files) {
      const m = await measureAlloc(f);
      console.log(
        `${f.split("/").at(-1)}: ${m.events} events, ${m.fills} fills, hash ${m.fillsHash.slice(0, 12)}, ${Math.round(m.eventsPerSecond)} ev/s; allocated ${(m.allocatedBytes / 2 ** 20).toFixed(1)} MiB (${m.bytesPerEvent.toFixed(1)} B/event), ${m.collections} collections during the run, pauses ${m.pauseMsTotal.toFixed(1)} ms total, max ${m.pauseMsMax.toFixed(2)} ms`,
      );
    }
  }
}
