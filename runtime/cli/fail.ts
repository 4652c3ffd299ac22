/**
 * How the command line reports a failure. An expected operational error (a locked store, a missing
 * file, a bad deployment, a port in use, an unknown instrument) is any error that carries a stable
 * code — an `OperationalError`, `KestrelError`, `StoreError`, `DeploymentError` or an error whose
 * message starts with `CODE: ` — and is printed as one line, `kestrel: CODE: message key=value`,
 * with exit code 1. Anything else is a bug: its stack trace is printed in full, exit code 70.
 */
import { formatContext, oneLine } from "../errors/codes.ts";

/** Exit code of an expected operational error. */
export const EXIT_OPERATIONAL = 1;
/** Exit code of a bug (an unexpected error; EX_SOFTWARE). */
export const EXIT_BUG = 70;

const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
const PREFIXED = /^([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+): ([\s\S]*)$/;

/** An expected error reduced to what the user sees. */
export interface OperationalFailure {
  readonly code: string;
  readonly message: string;
}

/** Returns the code and one-line message of an expected operational error; null for a bug. */
export function operationalFailure(err: unknown): OperationalFailure | null {
  if (!(err instanceof Error)) return null;
  const e = err as Error & { code?: unknown; context?: unknown; problems?: unknown };
  const code = typeof e.code === "string" && CODE.test(e.code) ? e.code : (PREFIXED.exec(e.message)?.[1] ?? null);
  if (code === null) return null;
  let message: string;
  if (Array.isArray(e.problems)) message = (e.problems as unknown[]).map(String).join("; ");
  else if (e.context !== null && typeof e.context === "object") message = formatContext(e.context as Record<string, unknown>);
  else message = e.message.startsWith(`${code}: `) ? e.message.slice(code.length + 2) : e.message;
  return { code, message: oneLine(message) };
}

/** The one line printed for an expected error. */
export function failureLine(f: OperationalFailure): string {
  return `kestrel: ${f.code}: ${f.message}`;
}

/** Prints an error the way the CLI does and returns the exit code to use. */
export function reportFailure(err: unknown, write: (line: string) => void = (l) => console.error(l)): number {
  const f = operationalFailure(err);
  if (f !== null) {
    write(failureLine(f));
    return EXIT_OPERATIONAL;
  }
  write(`kestrel: internal error (a bug; please report it with this trace):\n${err instanceof Error ? (err.stack ?? String(err)) : String(err)}`);
  return EXIT_BUG;
}
