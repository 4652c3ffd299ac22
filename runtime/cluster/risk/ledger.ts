/**
 * The global risk ledger: what the risk service has granted each shard, so that the sum of grants
 * never exceeds a firm-wide limit. A shard may only trade inside its grants (gross notional it may
 * hold, order tokens of the current one-second window, loss it may take), so no interleaving of
 * shards can breach a limit: every grant is decided here, one request at a time. Reported losses
 * are summed; at the firm-wide loss limit, or on an operator's request, the kill switch engages
 * and every later reservation is refused.
 */
import type { GlobalRiskConfig } from "../schema.ts";

/** What a shard can reserve. */
export type ReserveKind = "notional" | "orders" | "loss";

/** The answer to a reservation. */
export interface Grant {
  /** Amount granted by this request (0..asked). */
  readonly granted: number;
  /** The shard's whole grant of this kind after the request. */
  readonly total: number;
  /** For order tokens: wall µs at which the window (and its tokens) ends. */
  readonly windowEndUs: number;
  readonly killed: boolean;
}

const WINDOW_US = 1_000_000;

/** A ledger's whole state as plain data (persisted by the risk service, restored by its standby). */
export interface LedgerState {
  grants: [string, { notional: number; loss: number; orders: number; window: number }][];
  losses: [string, number][];
  killed: boolean;
  killReason: string;
  refusals: number;
}

/** Grants per shard and kind, with the firm-wide limits. */
export class RiskLedger {
  private readonly grants = new Map<string, { notional: number; loss: number; orders: number; window: number }>();
  private readonly losses = new Map<string, number>();
  killed = false;
  killReason = "";
  /** Requests refused or cut because a limit was reached. */
  refusals = 0;

  constructor(readonly limits: GlobalRiskConfig) {}

  private of(shard: string) {
    let g = this.grants.get(shard);
    if (g === undefined) {
      g = { notional: 0, loss: 0, orders: 0, window: -1 };
      this.grants.set(shard, g);
    }
    return g;
  }

  /** Sum of every shard's grant of a kind (order tokens: of the window containing `nowUs`). */
  total(kind: ReserveKind, nowUs = 0): number {
    let sum = 0;
    const w = Math.floor(nowUs / WINDOW_US);
    for (const g of this.grants.values()) {
      if (kind === "orders") sum += g.window === w ? g.orders : 0;
      else sum += g[kind];
    }
    return sum;
  }

  /** Reserves up to `amount` for a shard; grants what fits under the limit (0 once killed). */
  reserve(shard: string, kind: ReserveKind, amount: number, nowUs: number): Grant {
    const g = this.of(shard);
    const w = Math.floor(nowUs / WINDOW_US);
    const windowEndUs = (w + 1) * WINDOW_US;
    if (kind === "orders" && g.window !== w) {
      g.window = w;
      g.orders = 0;
    }
    if (this.killed || !(amount > 0)) return { granted: 0, total: kind === "orders" ? g.orders : g[kind], windowEndUs, killed: this.killed };
    const limit = kind === "notional" ? this.limits.maxGrossNotional : kind === "loss" ? this.limits.maxDailyLoss : this.limits.maxOrdersPerSecond;
    const room = Math.max(0, limit - this.total(kind, nowUs));
    const granted = kind === "orders" ? Math.min(Math.floor(amount), Math.floor(room)) : Math.min(amount, room);
    if (granted < amount) this.refusals++;
    if (kind === "orders") g.orders += granted;
    else g[kind] += granted;
    return { granted, total: kind === "orders" ? g.orders : g[kind], windowEndUs, killed: false };
  }

  /** Gives back part of a grant (never below zero); returns the shard's grant after it. */
  release(shard: string, kind: Exclude<ReserveKind, "orders">, amount: number): number {
    const g = this.of(shard);
    g[kind] = Math.max(0, g[kind] - Math.max(0, amount));
    return g[kind];
  }

  /** Records a shard's current loss (positive = money lost); true when it engaged the kill switch. */
  reportLoss(shard: string, loss: number): boolean {
    this.losses.set(shard, Math.max(0, loss));
    let sum = 0;
    for (const l of this.losses.values()) sum += l;
    if (!this.killed && sum >= this.limits.maxDailyLoss) {
      this.kill(`firm-wide loss ${sum.toFixed(2)} >= maxDailyLoss ${this.limits.maxDailyLoss}`);
      return true;
    }
    return false;
  }

  /** Engages the firm-wide kill switch. */
  kill(reason: string): void {
    this.killed = true;
    this.killReason = reason;
  }

  /** The ledger's state as plain data. */
  snapshot(): LedgerState {
    return { grants: [...this.grants].map(([k, g]) => [k, { ...g }]), losses: [...this.losses], killed: this.killed, killReason: this.killReason, refusals: this.refusals };
  }

  /** A ledger with the given limits continuing from a snapshot. */
  static restore(limits: GlobalRiskConfig, state: LedgerState): RiskLedger {
    const l = new RiskLedger(limits);
    for (const [k, g] of state.grants) l.grants.set(k, { ...g });
    for (const [k, v] of state.losses) l.losses.set(k, v);
    l.killed = state.killed;
    l.killReason = state.killReason;
    l.refusals = state.refusals;
    return l;
  }

  /** Releases the firm-wide kill switch. */
  releaseKill(): void {
    this.killed = false;
    this.killReason = "";
  }
}
