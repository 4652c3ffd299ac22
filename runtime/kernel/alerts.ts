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

/** Alerts of a session. */
export class Alerts {
  private readonly list: Alert[] = [];
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
    for (const l of this.listeners) {
      try {
        l(alert);
      } catch {
        // A listener (e.g. a closed WebSocket) must not stop the others or the loop.
      }
    }
    return alert;
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
