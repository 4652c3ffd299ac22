/**
 * `kestrel audit verify <deployment|audit file> [--json]`: checks an audit log's hash chain (see
 * verify.ts). A .yaml/.yml argument is a deployment: its audit path is `audit.path` or the one
 * beside its journal. Exit codes: 0 ok, 1 not ok, 2 bad usage.
 */
import { resolve } from "node:path";
import { parseArgs } from "../cli/args.ts";
import { loadConfig } from "../config/load.ts";
import { auditPathFor } from "./path.ts";
import { verifyAudit } from "./verify.ts";

/** Where the command writes. */
export interface AuditCommandIo {
  out(line: string): void;
  err(line: string): void;
}

const STD_IO: AuditCommandIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** Help of the command. */
export const AUDIT_HELP = `Usage: kestrel audit verify <deployment.yaml|audit file> [--json]

Checks the hash-chained audit log: every record's hash, the chain of prev hashes, the sequence
(dropped or reordered records), a cut last line and the head file (records cut off the end).
  --json   print one object: { "ok", "records", "firstBadRecord"?, "reason"? }
Exits 1 when the log is not intact.`;

/** Runs the command; returns the exit code. */
export async function runAuditCommand(argv: readonly string[], io: AuditCommandIo = STD_IO): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, new Set());
  } catch (err) {
    io.err(`kestrel audit: ${(err as Error).message}`);
    return 2;
  }
  const [sub, target] = args.positionals;
  if (args.flags.has("help")) {
    io.out(AUDIT_HELP);
    return 0;
  }
  if (sub !== "verify" || target === undefined) {
    io.err(sub === undefined || sub === "verify" ? `kestrel audit: missing ${sub === undefined ? "subcommand" : "<deployment|audit file>"}\n\n${AUDIT_HELP}` : `kestrel audit: unknown subcommand "${sub}"\n\n${AUDIT_HELP}`);
    return 2;
  }
  let path = resolve(target);
  if (/\.ya?ml$/i.test(target)) {
    const loaded = loadConfig(path);
    if (!loaded.ok) {
      io.err(`kestrel audit verify: ${target} is not valid:\n  ${loaded.problems.join("\n  ")}`);
      return 1;
    }
    const found = auditPathFor(loaded.config, loaded.config.journal ? resolve(loaded.config.journal.path) : null);
    if (found === null) {
      io.err(`kestrel audit verify: AUDIT_NOT_CONFIGURED: deployment=${target} reason=no audit.path and no journal`);
      return 1;
    }
    path = found;
  }
  const v = verifyAudit(path);
  if (args.flags.has("json")) io.out(JSON.stringify(v));
  else io.out(v.ok ? `${path}: ok: ${v.records} records, chain intact` : `${path}: NOT OK at record ${v.firstBadRecord}: ${v.reason} (${v.records} good records before it)`);
  return v.ok ? 0 : 1;
}
