/**
 * Read snapshots published by the trading loop. Read routes marked `snapshot` do not walk live
 * core state per request: at the end of a loop turn, at most every `periodMs`, the loop publishes a
 * new snapshot in which it renders (view + JSON text, once) every read that was asked for since
 * the previous one (so the loop never renders more often than reads come); requests are answered
 * from the latest snapshot. A read not in it yet (first ask, or
 * a new query) is rendered once and kept in the current snapshot for every later request of it.
 * A command (POST/PUT/DELETE) drops the snapshot so a caller reads its own write at once. When the
 * loop has not published for `2 × periodMs` (stopped, or a long turn), reads render live.
 */
import type { Reply } from "./reply.ts";

/** One read as it stands in a snapshot: status, content type and the body's text. */
export interface SnapshotEntry {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** How a read is rendered (the route's handler with its validated input). */
export type Render = () => Reply;

interface Demand {
  render: Render;
  /** Asked for since the last publication. */
  asked: boolean;
}

/** Latest published read bodies, keyed by method, path and query. */
export class ReadSnapshots {
  private entries = new Map<string, SnapshotEntry>();
  private readonly demand = new Map<string, Demand>();
  private publishedAt = Number.NEGATIVE_INFINITY;
  /** Snapshots the loop has published (for metrics). */
  published = 0;
  /** Reads answered from a snapshot. */
  hits = 0;
  /** Reads rendered at request time (not in the snapshot yet, or no recent snapshot). */
  misses = 0;

  constructor(
    /** Least time between two publications, ms; 0 turns snapshots off (every read renders live). */
    readonly periodMs = 20,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** True when reads go through snapshots. */
  get enabled(): boolean {
    return this.periodMs > 0;
  }

  /** Called by the loop after a turn: publishes a new snapshot when `periodMs` has passed since the last. */
  afterTurn(): void {
    if (this.periodMs <= 0) return;
    const now = this.nowMs();
    if (now - this.publishedAt < this.periodMs) return;
    const next = new Map<string, SnapshotEntry>();
    for (const [key, d] of this.demand) {
      if (!d.asked) {
        this.demand.delete(key);
        continue;
      }
      d.asked = false;
      try {
        next.set(key, freeze(d.render()));
      } catch {
        // Left out: the next request renders it itself, where the failure is answered and logged.
      }
    }
    this.entries = next;
    this.publishedAt = now;
    this.published++;
  }

  /** The answer to a read: from the current snapshot, else rendered now (and kept in it). */
  read(key: string, render: Render): SnapshotEntry {
    const now = this.nowMs();
    const d = this.demand.get(key);
    if (d === undefined) this.demand.set(key, { render, asked: true });
    else {
      d.render = render;
      d.asked = true;
    }
    const fresh = now - this.publishedAt <= 2 * this.periodMs;
    const hit = fresh ? this.entries.get(key) : undefined;
    if (hit !== undefined) {
      this.hits++;
      return hit;
    }
    this.misses++;
    const entry = freeze(render());
    if (fresh) this.entries.set(key, entry);
    return entry;
  }

  /** Drops the current snapshot (after a command changed state). */
  invalidate(): void {
    this.entries = new Map();
  }
}

/** Serialises a reply once: JSON text, or the raw text of a text reply. */
export function freeze(reply: Reply): SnapshotEntry {
  if (reply.contentType !== undefined) return { status: reply.status, contentType: reply.contentType, body: reply.body as string };
  return { status: reply.status, contentType: "application/json", body: JSON.stringify(reply.body) };
}
