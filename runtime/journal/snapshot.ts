/**
 * Snapshots of trading state for the journal: what a restart needs to continue without replaying
 * the whole history — the orders still open, the id counters, the portfolio (lots, realised P&L,
 * fees), the kill switch, the last limits change, each strategy's state (quarantined, paused), the
 * fills hash so far and the last journaled time. A snapshot is sealed with the SHA-256 of its
 * canonical JSON; `checkSnapshot` refuses one whose digest or shape does not fit the deployment,
 * before anything is applied, so a bad snapshot never leaves half-restored state.
 */
import type { PortfolioSnapshot } from "../portfolio/snapshot.ts";
import type { SnapshotRecord } from "./records.ts";

/** An open order as a snapshot keeps it (every field the OMS holds). */
export interface SnapshotOrder {
  id: number;
  strategy: string;
  instrument: number;
  side: 1 | -1;
  type: string;
  tif: string;
  price: number;
  stopPrice: number;
  size: number;
  expireTs: number;
  postOnly: boolean;
  reduceOnly: boolean;
  tag: string;
  createdTs: number;
  updatedTs: number;
  status: string;
  filled: number;
  notionalFilled: number;
  reason: string;
  cause: { event: number; version: string; features: number; model: string };
}

/** A parent order (execution algorithm) as a snapshot keeps it; fills of its finished children are summed into `settled`. */
export interface SnapshotParent {
  id: number;
  spec: { strategy: string; algo: string; instrument: number; side: 1 | -1; quantity: number; limitPrice: number; params: Record<string, unknown> };
  createdTs: number;
  updatedTs: number;
  status: string;
  quantity: number;
  limitPrice: number;
  children: number[];
  settled: { filled: number; notional: number; exit: number };
  fees: number;
  cancelRequested: boolean;
  paused: boolean;
  finished: boolean;
  reason: string;
  /** Mid times two at arrival (the TCA benchmark). */
  arrivalMid2: number;
}

/** The trading state a snapshot carries. */
export interface SnapshotState {
  /** Journaled records before this snapshot (over the whole history, compactions included). */
  records: number;
  /** Kernel time of the last journaled record (µs). */
  lastTs: number;
  orders: SnapshotOrder[];
  lastOrderId: number;
  lastFillId: number;
  ordersCreated: number;
  ordersRefused: number;
  portfolio: PortfolioSnapshot;
  kill: { engaged: boolean; reason: string };
  /** The last limits change as journaled (`{ limits, instruments }` JSON), "" when none. */
  limits: string;
  /**
   * Each strategy's state and, when its plugin was deployed while running (hot swap), the plugin
   * reference it runs; `isolated` when the watchdog moved it into an isolate.
   */
  strategies: { name: string; state: string; deployed?: string; isolated?: boolean }[];
  /** The live and shadow models after the last promotion (absent when none was promoted). */
  models?: { live: string; shadow: string };
  /** Online learning's version events so far (absent when none). */
  learning?: import("../learning/online/learning-event.ts").LearningEvent[];
  /** Hex SHA-256 over every fill before the snapshot (the core continues a chain from it). */
  fillsHash: string;
  fillCount: number;
  /** Parent orders that can still change, and the last parent id (deployments with execution algorithms). */
  parents?: { lastId: number; open: SnapshotParent[] };
}

/** Hex SHA-256 of a state's canonical JSON. */
export function stateDigest(state: SnapshotState): string {
  return new Bun.CryptoHasher("sha256").update(JSON.stringify(state)).digest("hex");
}

/** A snapshot record for `state`. */
export function sealSnapshot(state: SnapshotState, compacted = false): SnapshotRecord {
  return { t: "snapshot", v: 1, ts: state.lastTs, compacted, digest: stateDigest(state), state };
}

/** What the deployment must agree with for a snapshot to apply (null symbols: the digest only). */
export interface SnapshotFit {
  readonly symbols: readonly string[] | null;
  /** The deployment runs execution algorithms: a snapshot must carry its parent orders. */
  readonly parents?: boolean;
}

/** Null when `record` can be applied to this deployment; otherwise the reason (key=value). */
export function checkSnapshot(record: SnapshotRecord, fit: SnapshotFit): string | null {
  if (record.v !== 1) return `version=${String(record.v)} expected=1`;
  const s = record.state;
  if (s === null || typeof s !== "object") return "state=missing";
  const digest = stateDigest(s);
  if (digest !== record.digest) return `digest=${digest.slice(0, 16)} expected=${String(record.digest).slice(0, 16)}`;
  if (!Array.isArray(s.orders) || !Array.isArray(s.strategies) || s.portfolio?.version !== 1) return "shape=invalid";
  if (fit.symbols === null) return null;
  if (fit.parents === true && s.parents === undefined) return "parents=missing reason=written without parent orders";
  for (const o of s.orders) {
    if (!Number.isSafeInteger(o.id) || o.id <= 0 || o.id > s.lastOrderId) return `order=${o.id} reason=id out of range`;
    if (fit.symbols[o.instrument] === undefined) return `order=${o.id} instrument=${o.instrument} reason=unknown instrument`;
    if (!(o.filled >= 0 && o.filled < o.size)) return `order=${o.id} filled=${o.filled} size=${o.size} reason=not open`;
  }
  for (const b of s.portfolio.books) {
    if (fit.symbols[b.instrument] !== b.symbol) return `book strategy=${b.strategy} instrument=${b.instrument} symbol=${b.symbol} reason=unknown instrument`;
  }
  return null;
}
