/** Small, strict argument parsing for the CLI: flags, values and durations, with clear errors. */

/** Parsed command line: positionals and flags. */
export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/** Splits argv into positionals and `--flag`, `--flag value`, `--flag=value`. */
export function parseArgs(argv: readonly string[], valueFlags: ReadonlySet<string>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (eq >= 0) flags.set(name, a.slice(eq + 1));
      else if (valueFlags.has(name)) {
        const v = argv[i + 1];
        if (v === undefined) throw new Error(`--${name} needs a value`);
        flags.set(name, v);
        i++;
      } else flags.set(name, true);
    } else if (a === "-h") flags.set("help", true);
    else positionals.push(a);
  }
  return { positionals, flags };
}

/** Parses a duration such as 500ms, 30s, 5m, 2h into microseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s|m|h)?$/.exec(text.trim());
  if (m === null) throw new Error(`expected a duration such as 30s, 5m or 500ms, got "${text}"`);
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  const mult = { us: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 }[unit]!;
  return Math.round(n * mult);
}
