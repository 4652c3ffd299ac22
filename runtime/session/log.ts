/** Structured JSON log lines: one object per line with kernel time, who and what. */

/** Formats one log line. */
export function logLine(ts: number, who: string, message: string, fields?: Record<string, unknown>): string {
  return JSON.stringify({ ts, who, msg: message, ...(fields ?? {}) });
}
