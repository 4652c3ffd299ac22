/**
 * One execution episode: an intent (side, quantity, window) worked by decisions on a fixed grid of
 * market time. At each decision the action sets how much of the quantity should be entered by now,
 * how far behind the touch the entry rests (or take), and where the stop sits; after the window
 * the position is flattened at the market. The same logic runs in the RL environment (orders go
 * straight to the sim venue) and in the `rl-executor` algorithm (orders are child orders), through
 * an `ExecutionPort`, so an episode's actions replayed through a backtest send the same orders.
 * Every order action happens at a decision, never on a report.
 */
import type { Side } from "./orders.ts";
import type { ExecutionAction } from "./execution-spaces.ts";

/** Where an episode's orders go. */
export interface ExecutionPort {
  /** Sends an order; returns its id, 0 when refused. */
  send(side: Side, type: "market" | "limit" | "stop", size: number, price: number, stopPrice: number): number;
  /** Asks to cancel; a port drops the request while an earlier cancel of the order is in flight (as the OMS does). */
  cancel(orderId: number): void;
}

/** The intent an episode works. */
export interface ExecutionIntent {
  readonly side: Side;
  /** Size units. */
  readonly quantity: number;
  readonly lotSize: number;
  /** Agent decisions in the window. */
  readonly steps: number;
  readonly stepUs: number;
  /** Signal behind the intent, in [-1, 1]. */
  readonly signal: number;
}

/** Episode phases. */
export type EpisodePhase = "active" | "flattening" | "done";

/** Outcome of an episode, money in the instrument's money units. */
export interface EpisodeOutcome {
  /** Realised P&L net of fees (the position is flat). */
  pnl: number;
  /** Implementation shortfall of the entry, bps of the arrival notional (fees and unfilled part at the window-end mid included). */
  shortfallBps: number;
  /** Entered size / quantity. */
  fillRate: number;
  /** Largest fall of the marked P&L from its peak, at decisions. */
  maxDrawdown: number;
  fees: number;
  entered: number;
}

/** An execution episode's state and order logic. */
export class ExecutionEpisode {
  phase: EpisodePhase = "active";
  /** Decisions taken (agent steps, then flatten rounds). */
  step = 0;
  nextDecisionTs = 0;
  startTs = 0;
  /** Arrival mid, ticks (may be a half tick). */
  arrival = 0;
  position = 0;
  cash = 0;
  fees = 0;
  entered = 0;
  enteredNotional = 0;
  enteredFees = 0;
  stoppedOut = false;
  /** Mid at the end of the window (for the unfilled part's cost). */
  endMid = 0;
  peak = 0;
  maxDrawdown = 0;
  entryId = 0;
  entryPrice = 0;
  entryRemaining = 0;
  entryOffset = -1;
  stopId = 0;
  stopPrice = 0;
  stopSize = 0;
  stopTicks = 0;
  /** Orders of this episode not yet terminal, with their side. */
  readonly open = new Map<number, Side>();
  private readonly sides = new Map<number, Side>();
  private readonly entryIds = new Set<number>();
  /** Orders asked to be canceled and not yet terminal: asked again at each decision (a cancel can reach the venue before its order). */
  private readonly canceling = new Set<number>();

  constructor(
    readonly port: ExecutionPort,
    readonly intent: ExecutionIntent,
  ) {}

  /** Starts the episode at the first decision (`ts`, touch `bid`/`ask`). */
  start(ts: number, bid: number, ask: number): void {
    this.startTs = ts;
    this.nextDecisionTs = ts;
    this.arrival = (bid + ask) / 2;
  }

  /** True when a quote at `ts` is a decision point. */
  due(ts: number): boolean {
    return this.phase !== "done" && ts >= this.nextDecisionTs;
  }

  /** Marked P&L at the touch's mid, money units. */
  mark(bid: number, ask: number): number {
    return this.cash + (this.position * (bid + ask)) / 2;
  }

  /** Applies an agent action at a decision (phase active). */
  act(a: ExecutionAction, bid: number, ask: number): void {
    this.trackDrawdown(bid, ask);
    this.recancel();
    const it = this.intent;
    const side = it.side;
    const lot = it.lotSize;
    const target = this.stoppedOut ? this.entered : Math.min(it.quantity, Math.floor((a.sizeFraction * it.quantity) / lot) * lot);
    const want = Math.max(0, target - this.entered);
    const wantPrice = a.offsetTicks < 0 ? 0 : side === 1 ? bid - a.offsetTicks : ask + a.offsetTicks;
    if (this.entryId !== 0 && (want === 0 || a.offsetTicks < 0 || this.entryPrice !== wantPrice || this.entryRemaining !== want)) {
      this.cancel(this.entryId);
      this.entryId = 0;
    }
    if (want > 0 && this.entryId === 0) {
      const id = a.offsetTicks < 0 ? this.port.send(side, "market", want, 0, 0) : this.port.send(side, "limit", want, wantPrice, 0);
      if (id !== 0) {
        this.track(id, side);
        this.entryIds.add(id);
        if (a.offsetTicks >= 0) {
          this.entryId = id;
          this.entryPrice = wantPrice;
          this.entryRemaining = want;
        }
      }
    }
    this.entryOffset = this.entryId === 0 ? -1 : a.offsetTicks;
    this.placeStop(a.stopTicks);
    this.step++;
    this.nextDecisionTs = this.startTs + this.step * it.stepUs;
    if (this.step >= it.steps) this.phase = "flattening";
  }

  /** A decision in the flattening phase: cancels what works and takes the market for the position. */
  flatten(bid: number, ask: number): void {
    if (this.step === this.intent.steps) {
      this.endMid = (bid + ask) / 2;
      this.trackDrawdown(bid, ask);
    }
    this.recancel();
    if (this.entryId !== 0) this.cancel(this.entryId);
    if (this.stopId !== 0) this.cancel(this.stopId);
    this.entryId = 0;
    this.stopId = 0;
    if (this.position !== 0) {
      const side: Side = this.position > 0 ? -1 : 1;
      const id = this.port.send(side, "market", Math.abs(this.position), 0, 0);
      if (id !== 0) this.track(id, side);
    }
    this.step++;
    this.nextDecisionTs = this.startTs + this.step * this.intent.stepUs;
    this.checkDone();
  }

  /** A fill of one of the episode's orders (orders of others are ignored). */
  onFill(orderId: number, price: number, size: number, fee: number): void {
    const side = this.sides.get(orderId);
    if (side === undefined) return;
    this.position += side * size;
    this.cash -= side * price * size + fee;
    this.fees += fee;
    if (this.entryIds.has(orderId)) {
      this.entered += size;
      this.enteredNotional += price * size;
      this.enteredFees += fee;
      if (orderId === this.entryId) this.entryRemaining -= size;
    } else if (orderId === this.stopId || (this.phase === "active" && side !== this.intent.side)) this.stoppedOut = true;
    this.checkDone();
  }

  /** An order of the episode reached a terminal state. */
  onDone(orderId: number): void {
    this.canceling.delete(orderId);
    if (!this.open.delete(orderId)) return;
    if (orderId === this.entryId) this.entryId = 0;
    if (orderId === this.stopId) this.stopId = 0;
    this.checkDone();
  }

  /** The episode's outcome (call when done). */
  outcome(): EpisodeOutcome {
    const it = this.intent;
    const notional = it.quantity * this.arrival;
    const unfilled = Math.max(0, it.quantity - this.entered);
    const endMid = this.endMid > 0 ? this.endMid : this.arrival;
    const cost = it.side * (this.enteredNotional - this.entered * this.arrival) + this.enteredFees + unfilled * it.side * (endMid - this.arrival);
    return {
      pnl: this.cash,
      shortfallBps: notional > 0 ? (cost / notional) * 1e4 : 0,
      fillRate: Math.min(1, this.entered / it.quantity),
      maxDrawdown: this.maxDrawdown,
      fees: this.fees,
      entered: this.entered,
    };
  }

  private placeStop(stopTicks: number): void {
    const side = this.intent.side;
    const held = side * this.position;
    let price = 0;
    if (stopTicks > 0 && held > 0 && this.entered > 0) {
      const avg = this.enteredNotional / this.entered;
      price = side === 1 ? Math.floor(avg) - stopTicks : Math.ceil(avg) + stopTicks;
    }
    this.stopTicks = price === 0 ? 0 : stopTicks;
    if (this.stopId !== 0 && (price === 0 || price !== this.stopPrice || held !== this.stopSize)) {
      this.cancel(this.stopId);
      this.stopId = 0;
    }
    if (price !== 0 && this.stopId === 0) {
      const id = this.port.send(side === 1 ? -1 : 1, "stop", held, 0, price);
      if (id !== 0) {
        this.track(id, side === 1 ? -1 : 1);
        this.stopId = id;
        this.stopPrice = price;
        this.stopSize = held;
      }
    }
  }

  private cancel(id: number): void {
    this.canceling.add(id);
    this.port.cancel(id);
  }

  /** Asks again for cancels that have not ended their order (the port drops one already in flight). */
  private recancel(): void {
    for (const id of this.canceling) {
      if (this.open.has(id)) this.port.cancel(id);
      else this.canceling.delete(id);
    }
  }

  private track(id: number, side: Side): void {
    this.sides.set(id, side);
    this.open.set(id, side);
  }

  private trackDrawdown(bid: number, ask: number): void {
    const m = this.mark(bid, ask);
    if (m > this.peak) this.peak = m;
    if (this.peak - m > this.maxDrawdown) this.maxDrawdown = this.peak - m;
  }

  private checkDone(): void {
    if (this.phase === "flattening" && this.position === 0 && this.open.size === 0) this.phase = "done";
  }
}
