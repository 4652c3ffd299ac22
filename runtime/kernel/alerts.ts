/**
 * Operator alerts: raised once per open condition (same code and subject), listed, streamed to
 * listeners and acknowledged. Raising never throws and never blocks the loop.
 */

/** How bad an alert is. */
export type AlertSeverity = "info" | "warning" | "critical";

/** One alert. */
export interface Alert {
  readonly id: number;
  readonly ts: number;
  readonly code: string;
  readonly severity: AlertSeverity;
  /** What it is about, e.g. a plugin or instrument name; part of the de-duplication key. */
  readonly subject: string;
  readonly message: string;
  acknowledged: boolean;
}

/** Alerts a session keeps by default: the newest; older ones are dropped (logged when raised). */
export const DEFAULT_KEEP_ALERTS = 5_000;

/** Alerts of a session (the newest `keep`; an alert per order or subject cannot grow memory without end). */
export class Alerts {
  private list: Alert[] = [];
  /** Alerts dropped as the oldest past `keep`. */
  dropped = 0;

  constructor(readonly keep = DEFAULT_KEEP_ALERTS) {}
  private readonly open = new Map<string, Alert>();
  private readonly listeners = new Set<(a: Alert) => void>();
  private nextId = 1;

  /** Raises an alert unless the same code and subject is already open; returns it either way. */
  raise(ts: number, code: string, severity: AlertSeverity, subject: string, message: string): Alert {
    const key = `${code}|${subject}`;
    const existing = this.open.get(key);
    if (existing !== undefined && !existing.acknowledged) return existing;
    const alert: Alert = { id: this.nextId++, ts, code, severity, subject, message, acknowledged: false };
    this.list.push(alert);
    this.open.set(key, alert);
    if (this.list.length >= 2 * this.keep) this.trim();
    for (const l of this.listeners) {
      try {
        l(alert);
      } catch {
        // A listener (e.g. a closed WebSocket) must not stop the others or the loop.
      }
    }
    return alert;
  }

  /** Drops the oldest alerts past `keep` (in one go, so raising stays cheap on average). */
  private trim(): void {
    const cut = this.list.length - this.keep;
    for (let i = 0; i < cut; i++) {
      const a = this.list[i]!;
      const key = `${a.code}|${a.subject}`;
      if (this.open.get(key) === a) this.open.delete(key);
    }
    this.list = this.list.slice(cut);
    this.dropped += cut;
  }

  /** Acknowledges an alert; false when there is no such alert. */
  acknowledge(id: number): boolean {
    const a = this.list.find((x) => x.id === id);
    if (a === undefined) return false;
    a.acknowledged = true;
    return true;
  }

  /** Every alert, oldest first. */
  all(): readonly Alert[] {
    return this.list;
  }

  /** Calls `fn` for each new alert; returns an unsubscribe function. */
  subscribe(fn: (a: Alert) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
