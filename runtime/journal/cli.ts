/**
 * `kestrel journal inspect|verify <file>`: look inside a session's journal. `inspect` prints the
 * records (kind, time, key fields; `--limit`, `--kind`), the count of each kind and the file's
 * integrity; `verify` checks every CRC, the tail and the uniqueness of order and fill ids, and with
 * `--json` prints exactly one object. Exit codes: 0 ok, 1 a problem found (or the file missing),
 * 2 bad usage.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "../cli/args.ts";
import { OperationalError } from "../errors/codes.ts";
import { runCompact } from "./compact.ts";
import { recordKind, recordLine } from "./format.ts";
import { scanJournal, verifyScan, type JournalScan } from "./scan.ts";

/** Where the command writes; stdout and stderr by default. */
export interface JournalCommandIo {
  out(line: string): void;
  err(line: string): void;
}

const STD_IO: JournalCommandIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** Help of the command. */
export const JOURNAL_HELP = `Usage: kestrel journal <inspect|verify|compact> <file> [options]

  inspect <file> [--limit N] [--kind K]   print records (offset, kind, time, key fields), then the
                                          count of each kind and the file's integrity
      --limit <n>   print at most n records (default 100; 0 = counts only)
      --kind <k>    only records of this kind: order, cancel, control, report, or a report kind
                    (accepted, rejected, fill, canceled, cancel-rejected, expired, replaced)
  verify <file> [--json]                  check CRCs, the tail, duplicate order ids and fill ids;
                                          exit 1 when a check fails
      --json        print one object: ok, records, orders, fills, duplicateOrderIds,
                    duplicateFillIds, tornTail
  compact <file> [--out <file>]           rewrite as the last snapshot + the records after it
                                          (in place, atomically, without --out; compact.ts)`;

/** Runs the command; returns the exit code. */
export async function runJournalCommand(argv: readonly string[], io: JournalCommandIo = STD_IO): Promise<number> {
  if (argv[0] === "compact") return runCompact(argv.slice(1), io);
  let args;
  try {
    args = parseArgs(argv, new Set(["limit", "kind"]));
  } catch (err) {
    io.err(`kestrel journal: ${(err as Error).message}`);
    return 2;
  }
  const [sub, file] = args.positionals;
  if (args.flags.has("help") || sub === undefined) {
    (sub === undefined && !args.flags.has("help") ? io.err : io.out)(JOURNAL_HELP);
    return sub === undefined && !args.flags.has("help") ? 2 : 0;
  }
  if (sub !== "inspect" && sub !== "verify") {
    io.err(`kestrel journal: unknown subcommand "${sub}"\n\n${JOURNAL_HELP}`);
    return 2;
  }
  if (file === undefined) {
    io.err(`kestrel journal ${sub}: missing <file>\n\n${JOURNAL_HELP}`);
    return 2;
  }
  if (!existsSync(file)) throw new OperationalError("JOURNAL_NOT_FOUND", { file });
  const scan = scanJournal(file);
  if (sub === "verify") return verify(scan, file, args.flags.has("json"), io);
  const limitText = args.flags.get("limit");
  const limit = typeof limitText === "string" ? Number(limitText) : 100;
  if (!Number.isInteger(limit) || limit < 0) {
    io.err(`kestrel journal inspect: --limit: expected an integer >= 0, got "${limitText}"`);
    return 2;
  }
  const kind = args.flags.get("kind");
  return inspect(scan, file, limit, typeof kind === "string" ? kind : null, io);
}

function verify(scan: JournalScan, file: string, json: boolean, io: JournalCommandIo): number {
  const { result, problems } = verifyScan(scan);
  if (json) {
    io.out(JSON.stringify(result));
    for (const p of problems) io.err(`kestrel journal verify: ${p}`);
  } else {
    io.out(`${file}: ${result.ok ? "ok" : "NOT OK"}: ${result.records} records, ${result.orders} orders, ${result.fills} fills`);
    for (const p of problems) io.out(`  ${p}`);
  }
  return result.ok ? 0 : 1;
}

function inspect(scan: JournalScan, file: string, limit: number, kind: string | null, io: JournalCommandIo): number {
  const counts = new Map<string, number>();
  let shown = 0;
  let matched = 0;
  for (const f of scan.frames) {
    if (f.record === null) {
      if (limit > shown) io.out(`${String(f.offset).padStart(10)}  ${"BAD FRAME".padEnd(15)} length=${f.length} crc=${f.crcOk ? "ok" : "mismatch"}`);
      continue;
    }
    const k = recordKind(f.record);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    if (kind !== null && k !== kind && f.record.t !== kind) continue;
    matched++;
    if (shown < limit) {
      io.out(recordLine(f.offset, f.record));
      shown++;
    }
  }
  if (matched > shown) io.out(`... ${matched - shown} more (--limit)`);
  const { result, problems } = verifyScan(scan);
  io.out("");
  io.out(`File            ${file} (${scan.bytes} bytes, ${scan.frames.length} frames)`);
  io.out(`Records         ${result.records}: ${[...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ") || "none"}`);
  io.out(`Integrity       ${result.ok ? "ok (every CRC matches, no torn tail, order and fill ids unique)" : `${problems.length} problem(s)`}`);
  for (const p of problems) io.out(`  ${p}`);
  return result.ok ? 0 : 1;
}
