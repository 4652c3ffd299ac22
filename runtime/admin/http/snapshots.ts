/**
 * Read snapshots published by the trading loop. Read routes marked `snapshot` do not walk live
 * core state per request: at the end of a loop turn, at most every `periodMs`, the loop publishes a
 * new snapshot in which it renders (view + JSON text, once) every read that was asked for since
 * the previous one (so the loop never renders more often than reads come); requests are answered
 * from the latest snapshot. A read not in it yet (first ask, or
 * a new query) is rendered once and kept in the current snapshot for every later request of it.
 * A command (POST/PUT/DELETE) drops the snapshot so a caller reads its own write at once. When the
 * loop has not published for `2 × periodMs` (stopped, or a long turn), reads render live.
 *
 * With the worker front, each publication is handed to `onPublish` (the front answers from its
 * copy), and the front reports which reads it answered (`markAsked`) so they stay in the next ones.
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
  /** Publication count when it was last asked for (asked since the last publication: equal to `published`). */
  askedAt: number;
}

/** Latest published read bodies, keyed by method, path and query. */
export class ReadSnapshots {
  private entries = new Map<string, SnapshotEntry>();
  private readonly demand = new Map<string, Demand>();
  private publishedAt = Number.NEGATIVE_INFINITY;
  /** Snapshots the loop has published (for metrics). */
  published = 0;
  /** Reads answered from a snapshot on this thread. */
  private localHits = 0;
  /** Reads answered from a snapshot elsewhere (the worker front's count). */
  remoteHits: () => number = () => 0;
  /** Bumped by every `invalidate()`: an entry rendered before a command is older than the command's answer. */
  generation = 0;
  /** Receives each publication (the worker front's copy), with the generation it belongs to. */
  onPublish: ((entries: ReadonlyMap<string, SnapshotEntry>, generation: number) => void) | null = null;
  /** Reads rendered at request time (not in the snapshot yet, or no recent snapshot). */
  misses = 0;

  constructor(
    /** Least time between two publications, ms; 0 turns snapshots off (every read renders live). */
    readonly periodMs = 20,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Reads answered from a snapshot (here and in the worker front). */
  get hits(): number {
    return this.localHits + this.remoteHits();
  }

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
    // With the worker front, reads are kept one publication longer: the front reports the reads
    // it answered when the next publication reaches it, a period late.
    const grace = this.onPublish === null ? 0 : 1;
    for (const [key, d] of this.demand) {
      if (this.published - d.askedAt > grace) {
        this.demand.delete(key);
        continue;
      }
      try {
        next.set(key, freeze(d.render()));
      } catch {
        // Left out: the next request renders it itself, where the failure is answered and logged.
      }
    }
    this.entries = next;
    this.publishedAt = now;
    this.published++;
    this.onPublish?.(next, this.generation);
  }

  /** Notes reads the worker front answered from its copy since its last report. */
  markAsked(keys: readonly string[]): void {
    for (const key of keys) {
      const d = this.demand.get(key);
      if (d !== undefined) d.askedAt = this.published;
    }
  }

  /** The answer to a read: from the current snapshot, else rendered now (and kept in it). */
  read(key: string, render: Render): SnapshotEntry {
    const now = this.nowMs();
    const d = this.demand.get(key);
    if (d === undefined) this.demand.set(key, { render, askedAt: this.published });
    else {
      d.render = render;
      d.askedAt = this.published;
    }
    const fresh = now - this.publishedAt <= 2 * this.periodMs;
    const hit = fresh ? this.entries.get(key) : undefined;
    if (hit !== undefined) {
      this.localHits++;
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
    this.generation++;
  }
}

/** Serialises a reply once: JSON text, or the raw text of a text reply. */
export function freeze(reply: Reply): SnapshotEntry {
  if (reply.contentType !== undefined) return { status: reply.status, contentType: reply.contentType, body: reply.body as string };
  return { status: reply.status, contentType: "application/json", body: JSON.stringify(reply.body) };
}
