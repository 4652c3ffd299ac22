/** `kestrel bench`: runs the benchmark suite of bench/ on this machine and prints the table or JSON. */
import { parseArgs } from "./args.ts";

const HELP = `Usage: kestrel bench [--quick] [--json] [--only key,key]

Runs the benchmark suite on this machine (one core busy; minutes) and prints each figure with its
same-run baseline and the ratio between them, so machines can be compared by their ratios.
Progress goes to stderr. Exits 1 when a row fails: an error, a WASM kernel slower than its
TypeScript twin, or order books that end with different depths.

  --quick        a subset in under 5 minutes (backtests, paced tick-to-order, kernels, shm, matching, FIX, VaR)
  --json         print one JSON object: a key per row (null when not run), each with its baseline and ratio
  --only <keys>  run only these rows (comma-separated keys as in --json)`;

/** Runs `kestrel bench` with its arguments; returns the exit code. */
export async function runBenchCommand(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, new Set(["only", "size"]));
  } catch (err) {
    console.error(`kestrel bench: ${(err as Error).message}`);
    return 2;
  }
  if (args.flags.has("help")) {
    console.log(HELP);
    return 0;
  }
  const { runSuite, suiteJson, suiteTable, suiteFailed } = await import("../../bench/suite/run.ts");
  const { BENCH_KEYS } = await import("../../bench/suite/types.ts");
  // --size tiny is not in the help: it only checks that every row runs (the suite's own test).
  const sizeFlag = args.flags.get("size");
  const size = sizeFlag === "tiny" ? "tiny" : args.flags.has("quick") ? "quick" : "full";
  if (sizeFlag !== undefined && sizeFlag !== "tiny") {
    console.error(`kestrel bench: --size: expected tiny, got "${sizeFlag}"`);
    return 2;
  }
  const onlyFlag = args.flags.get("only");
  const only = typeof onlyFlag === "string" ? new Set(onlyFlag.split(",").map((s) => s.trim())) : null;
  const unknown = only === null ? [] : [...only].filter((k) => !(BENCH_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    console.error(`kestrel bench: --only: unknown row ${unknown.join(", ")} (rows: ${BENCH_KEYS.join(", ")})`);
    return 2;
  }
  const t0 = performance.now();
  const outcomes = await runSuite(size, only, (line) => console.error(line));
  const wallSeconds = (performance.now() - t0) / 1000;
  if (args.flags.has("json")) console.log(JSON.stringify(suiteJson(outcomes, { size, bun: Bun.version, wallSeconds })));
  else {
    console.log(suiteTable(outcomes));
    console.log(`${size} run in ${wallSeconds.toFixed(0)} s on ${process.platform}-${process.arch}, Bun ${Bun.version}; figures are noisy on a shared machine, ratios are steadier`);
  }
  return suiteFailed(outcomes) ? 1 : 0;
}
