/**
 * `kestrel token --role <analyst|trader|admin> [--ttl 8h] [--subject name]`: prints a signed JWT
 * for the admin plane, with the key from KESTREL_ADMIN_KEY or KESTREL_ADMIN_KEY_FILE.
 */
import { issueToken } from "./auth/jwt.ts";
import { resolveAdminKey } from "./auth/keys.ts";
import { isRole } from "./auth/roles.ts";

/** Help text of the command. */
export const TOKEN_HELP = `Usage: kestrel token --role <analyst|trader|admin> [--ttl 8h] [--subject <name>]

Prints a bearer token (JWT, HS256) for the admin API and dashboard. The key comes from
KESTREL_ADMIN_KEY, or from the file named by KESTREL_ADMIN_KEY_FILE; the running session must
use the same key.

  --role <role>      analyst (read), trader (read, orders, pause, kill), admin (everything)
  --ttl <duration>   lifetime: 90s, 30m, 8h, 7d (default 8h)
  --subject <name>   who the token speaks for, in logs and the journal (default: the role)`;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses "90s", "30m", "8h", "7d" (or plain seconds) into seconds; null when it is not one. */
export function parseTtl(text: string): number | null {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (m === null) return null;
  const seconds = Number(m[1]) * UNITS[m[2] || "s"]!;
  return seconds > 0 ? seconds : null;
}

/** Runs the command; returns the exit code. Output goes through `out`/`err` (default console). */
export async function runTokenCommand(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
  out: (line: string) => void = (l) => console.log(l),
  err: (line: string) => void = (l) => console.error(l),
): Promise<number> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") {
      out(TOKEN_HELP);
      return 0;
    }
    const m = /^--(role|ttl|subject)(?:=(.*))?$/.exec(a);
    if (m === null) {
      err(`kestrel token: unknown argument "${a}"\n\n${TOKEN_HELP}`);
      return 2;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) {
      err(`kestrel token: --${m[1]} needs a value`);
      return 2;
    }
    flags.set(m[1]!, value);
  }
  const role = flags.get("role");
  if (!isRole(role)) {
    err(`kestrel token: --role: expected analyst, trader or admin, got ${role === undefined ? "nothing" : `"${role}"`}`);
    return 2;
  }
  const ttl = parseTtl(flags.get("ttl") ?? "8h");
  if (ttl === null) {
    err(`kestrel token: --ttl: expected a duration such as 90s, 30m, 8h or 7d, got "${flags.get("ttl")}"`);
    return 2;
  }
  if ((env.KESTREL_ADMIN_KEY ?? "") === "" && (env.KESTREL_ADMIN_KEY_FILE ?? "") === "") {
    err("kestrel token: set KESTREL_ADMIN_KEY or KESTREL_ADMIN_KEY_FILE to the key the session uses");
    return 1;
  }
  let key: string;
  try {
    key = resolveAdminKey(env).key;
  } catch (e) {
    err(`kestrel token: ${(e as Error).message}`);
    return 1;
  }
  out(await issueToken(role, ttl, key, flags.get("subject") ?? role));
  return 0;
}
