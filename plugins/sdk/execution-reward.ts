/**
 * The execution agent's step reward, shared by the RL environment and the rl-executor (so a policy
 * is rewarded live exactly as in training): the change of the marked P&L, less the growth of the
 * drawdown and the entry fills' slippage against the arrival mid (bps of the arrival notional), and
 * once at the end the share of the quantity never entered.
 */
import type { ExecutionEpisode } from "./execution-episode.ts";

/** Weights of the reward terms. */
export interface RewardWeights {
  /** Change of the marked P&L, bps of the arrival notional. */
  readonly pnl: number;
  /** Growth of the drawdown of the marked P&L, bps. */
  readonly drawdown: number;
  /** Entry fills' cost against the arrival mid, bps. */
  readonly slippage: number;
  /** Share of the quantity never entered, charged once at the end (bps per 100%). */
  readonly unfilled: number;
}

/** Accumulates one episode's reward between decisions. */
export class RewardMeter {
  private lastMark = 0;
  private lastDd = 0;
  private stepSlip = 0;

  constructor(readonly weights: RewardWeights) {}

  /** Starts a new episode. */
  reset(): void {
    this.lastMark = 0;
    this.lastDd = 0;
    this.stepSlip = 0;
  }

  /** Notes a fill of `orderId` before the episode applies it (entry fills in the active phase count as slippage). */
  onFill(ep: ExecutionEpisode, orderId: number, price: number, size: number): void {
    const side = ep.open.get(orderId);
    if (side !== undefined && side === ep.intent.side && ep.phase === "active") this.stepSlip += side * (price - ep.arrival) * size;
  }

  /** The reward since the last call (at a decision, or at the end when `done`), touch `bid`/`ask`. */
  reward(ep: ExecutionEpisode, bid: number, ask: number, done: boolean): number {
    const w = this.weights;
    const notional = ep.intent.quantity * ep.arrival;
    const mark = ep.mark(bid, ask);
    if (mark > ep.peak) ep.peak = mark;
    const dd = Math.max(ep.maxDrawdown, ep.peak - mark);
    ep.maxDrawdown = dd;
    const bps = 1e4 / notional;
    let r = w.pnl * (mark - this.lastMark) * bps - w.drawdown * (dd - this.lastDd) * bps - w.slippage * this.stepSlip * bps;
    if (done && w.unfilled !== 0) r -= w.unfilled * Math.max(0, 1 - ep.entered / ep.intent.quantity);
    this.lastMark = mark;
    this.lastDd = dd;
    this.stepSlip = 0;
    return r;
  }
}
