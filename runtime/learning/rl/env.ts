/**
 * The execution RL environment: `reset(seed, day)` starts an episode at a seeded time of a tape's
 * day, `step(action)` applies the action at the current decision and runs the market (a kernel
 * event loop over the shared tape, the sim venue with the deployment's latency, queue and fee
 * models) to the next decision. Deterministic by seed: the episode's start, side and the venue's
 * latency jitter all come from it. Observation and reward are written into caller-owned arrays.
 */
import { SimVenue, type SimVenueParams } from "../../../plugins/venues/sim/sim-venue.ts";
import type { Side } from "../../../plugins/sdk/orders.ts";
import type { ExecutionReport, VenueContext } from "../../../plugins/sdk/venue.ts";
import { MarketEventKind, type MarketEvent } from "../../data/sources/market-source.ts";
import { EventLoop } from "../../kernel/event-loop.ts";
import { ExecutionEpisode, type ExecutionPort } from "../../../plugins/sdk/execution-episode.ts";
import { decodeAction, observationLayout, writeObservation, type ActionBounds, type ExecutionAction, type ObservationLayout } from "../../../plugins/sdk/execution-spaces.ts";
import { RewardMeter, type RewardWeights } from "../../../plugins/sdk/execution-reward.ts";
import { firstAtOrAfter, TapeSource, type MarketTape } from "./tape.ts";

export type { RewardWeights };

/** How episodes are made. */
export interface EnvSpec extends ActionBounds {
  readonly quantity: number;
  readonly windowSeconds: number;
  readonly steps: number;
  /** random: side drawn from the seed; signal: the sign of `signalFeature`; buy/sell: fixed. */
  readonly side: "random" | "signal" | "buy" | "sell";
  readonly signalFeature?: string;
  readonly reward: RewardWeights;
  /** Flatten rounds after the window before an episode is cut (the rest marked at the mid). */
  readonly maxFlattenRounds: number;
}

/** One recorded venue command or fill of an episode (for replays and tests). */
export type EpisodeRecord =
  | { readonly k: "send"; readonly ts: number; readonly id: number; readonly side: Side; readonly type: string; readonly size: number; readonly price: number; readonly stopPrice: number }
  | { readonly k: "cancel"; readonly ts: number; readonly id: number }
  | { readonly k: "fill"; readonly ts: number; readonly id: number; readonly price: number; readonly size: number; readonly fee: number; readonly liquidity: string };

/** xorshift32 step. */
export function xorshift(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

/** Mixes a seed with integers into a non-zero 32-bit state. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = xorshift(h || 1);
  }
  return h || 1;
}

/** An execution environment over one tape. */
export class ExecutionEnv implements ExecutionPort {
  readonly layout: ObservationLayout;
  /** Set by reset: the episode being played. */
  episode!: ExecutionEpisode;
  /** Commands and fills of the current episode, when `record` is on. */
  records: EpisodeRecord[] = [];
  record = false;
  day = "";
  seed = 0;
  /** Cancels the venue refused since the environment was made (a cancel that overtook its order). */
  cancelRejects = 0;
  /** Market events processed since the environment was made. */
  events = 0;
  private loop!: EventLoop;
  private venue!: SimVenue;
  private source!: TapeSource;
  private nextId = 1;
  private readonly remaining = new Map<number, number>();
  /** Orders with a cancel in flight (the OMS's pending-cancel): another cancel is not sent. */
  private readonly cancelPending = new Set<number>();
  private bid = 0;
  private ask = 0;
  /** Tape index of the last event processed. */
  private at = 0;
  private readonly meter: RewardMeter;
  private readonly action: ExecutionAction = { sizeFraction: 0, offsetTicks: -1, stopTicks: 0 };
  private readonly signalSlot: number;
  private readonly ev: { onMarket(ev: MarketEvent): void };

  constructor(
    readonly tape: MarketTape,
    readonly spec: EnvSpec,
    readonly venueParams: SimVenueParams,
  ) {
    this.layout = observationLayout(tape.featureNames);
    this.signalSlot = spec.signalFeature === undefined ? -1 : tape.featureNames.indexOf(spec.signalFeature);
    if (spec.side === "signal" && this.signalSlot < 0) throw new Error(`RL_CONFIG_INVALID: env.signalFeature=${spec.signalFeature ?? "(none)"} is not a kernel feature (${tape.featureNames.join(",")})`);
    this.ev = { onMarket: (e) => this.onMarket(e) };
    this.meter = new RewardMeter(spec.reward);
  }

  /** Episode window start candidates of a day: [first, last] event indices. */
  private startRange(day: string): { from: number; lo: number; hi: number; to: number } {
    const d = this.tape.days.get(day);
    if (d === undefined) throw new Error(`RL_UNKNOWN_DAY: day=${day} tape has=${[...this.tape.days.keys()].join(",")}`);
    const windowUs = this.spec.windowSeconds * 1e6;
    const stepUs = windowUs / this.spec.steps;
    const lastTs = this.tape.ts[d.to - 1]!;
    const hi = firstAtOrAfter(this.tape, lastTs - windowUs - (this.spec.maxFlattenRounds + 1) * stepUs, d.from, d.to) - 1;
    const lo = Math.min(d.from + 2, d.to - 1);
    if (hi < lo) throw new Error(`RL_DAY_TOO_SHORT: day=${day} events=${d.to - d.from} window=${this.spec.windowSeconds}s`);
    return { from: d.from, lo, hi, to: d.to };
  }

  /** Starts an episode on `day`, seeded; writes the first observation into `obs` at `offset`. */
  reset(seed: number, day: string, obs: Float32Array, offset = 0): void {
    const r = this.startRange(day);
    let rng = mixSeed(seed, 0x5eed);
    rng = xorshift(rng);
    let start = r.lo + (rng % (r.hi - r.lo + 1));
    while (start < r.hi && this.tape.kind[start] !== MarketEventKind.Quote) start++;
    rng = xorshift(rng);
    const t = this.tape;
    let side: Side;
    let signal = 0;
    if (this.spec.side === "buy") side = 1;
    else if (this.spec.side === "sell") side = -1;
    else if (this.spec.side === "signal") {
      const v = t.features[start * t.width + this.signalSlot]!;
      side = v < 0 ? -1 : 1;
      signal = Math.tanh(v);
    } else side = (rng & 1) === 1 ? 1 : -1;
    this.startAt(seed, day, start, side, signal, r.from, r.to);
    this.observe(obs, offset);
  }

  /** Starts an episode at a given tape event with a given side (replays, evaluation). */
  startAt(seed: number, day: string, start: number, side: Side, signal: number, from: number, to: number): void {
    this.seed = seed;
    this.day = day;
    this.records = [];
    this.remaining.clear();
    this.cancelPending.clear();
    this.nextId = 1;
    this.source = new TapeSource(this.tape, Math.max(from, start - 2), to, 0);
    this.loop = new EventLoop([this.source]);
    this.loop.attach(this.ev);
    const loop = this.loop;
    const ctx: VenueContext = {
      name: "sim", params: this.venueParams as never, instruments: [{ ...this.tape.instrument, id: 0 }], seed,
      now: () => loop.clock.now(),
      schedule: (ts, fn) => loop.schedule(ts, fn),
      report: (r) => this.onReport(r),
      quote: () => false, trade: () => false, alert: () => {},
    };
    this.venue = new SimVenue(ctx, this.venueParams);
    const spec = this.spec;
    this.episode = new ExecutionEpisode(this, { side, quantity: spec.quantity, lotSize: this.tape.instrument.lotSize, steps: spec.steps, stepUs: (spec.windowSeconds * 1e6) / spec.steps, signal });
    // Run up to and including the start event: the venue has seen the touch before the first decision.
    this.runThrough(start);
    this.episode.start(this.tape.ts[start]!, this.bid, this.ask);
    this.meter.reset();
  }

  /** Applies a raw action (3 numbers in [-1, 1]) and runs to the next decision; returns the reward and writes the next observation. */
  step(raw: ArrayLike<number>, rawOffset: number, obs: Float32Array, obsOffset = 0): number {
    return this.stepDecoded(decodeAction(raw, rawOffset, this.spec, this.action), obs, obsOffset);
  }

  /** Decodes a raw action with this environment's bounds. */
  decode(raw: ArrayLike<number>, out: ExecutionAction): ExecutionAction {
    return decodeAction(raw, 0, this.spec, out);
  }

  /** Same as `step` with an action already decoded (baselines). */
  stepDecoded(a: ExecutionAction, obs: Float32Array, obsOffset = 0): number {
    const ep = this.episode;
    if (ep.phase !== "active") throw new Error("RL_EPISODE_OVER: reset before stepping");
    ep.act(a, this.bid, this.ask);
    this.advance();
    const reward = this.reward();
    this.observe(obs, obsOffset);
    return reward;
  }

  /** True when the episode has ended. */
  get done(): boolean {
    return this.episode.phase !== "active";
  }

  /** ExecutionPort: sends an order to the sim venue. */
  send(side: Side, type: "market" | "limit" | "stop", size: number, price: number, stopPrice: number): number {
    const id = this.nextId++;
    const ts = this.loop.clock.now();
    this.remaining.set(id, size);
    if (this.record) this.records.push({ k: "send", ts, id, side, type, size, price, stopPrice });
    this.venue.submit({ id, instrument: 0, side, type, tif: type === "market" ? "IOC" : "GTC", price, stopPrice, size, expireTs: 0, postOnly: false, ts });
    return id;
  }

  /** ExecutionPort: asks the venue to cancel (as the OMS: not for an ended order, not twice while one is in flight). */
  cancel(orderId: number): void {
    if (!this.remaining.has(orderId) || this.cancelPending.has(orderId)) return;
    this.cancelPending.add(orderId);
    if (this.record) this.records.push({ k: "cancel", ts: this.loop.clock.now(), id: orderId });
    this.venue.cancel(orderId);
  }

  /** Runs events until the next decision of the active phase, flattening rounds included, or the end. */
  private advance(): void {
    const ep = this.episode;
    for (;;) {
      const next = this.nextDecisionIndex();
      if (next < 0) {
        // The tape ran out: run the timers left, then close the episode at the last mid.
        this.loop.runUntil(Infinity);
        ep.phase = "done";
        return;
      }
      this.runThrough(next);
      if (ep.phase === "active") return;
      if (ep.phase === "done") return;
      if (ep.step >= ep.intent.steps + this.spec.maxFlattenRounds) {
        ep.phase = "done";
        return;
      }
      ep.flatten(this.bid, this.ask);
      // Done: reports still in flight (cancel acknowledgements) change nothing the episode holds.
      if (this.done && (ep.phase as string) === "done") return;
    }
  }

  /** Index of the first quote at or after the episode's next decision time, -1 if none. */
  private nextDecisionIndex(): number {
    const t = this.tape;
    const to = this.sourceEnd();
    let i = firstAtOrAfter(t, this.episode.nextDecisionTs, this.source.index, to);
    while (i < to && t.kind[i] !== MarketEventKind.Quote) i++;
    return i < to ? i : -1;
  }

  private sourceEnd(): number {
    const d = this.tape.days.get(this.day)!;
    return d.to;
  }

  /** Runs the loop until tape event `index` has been processed (with the timers due before it). */
  private runThrough(index: number): void {
    const loop = this.loop;
    const ts = this.tape.ts[index]!;
    if (ts > loop.clock.now() + 1) loop.runUntil(ts - 1);
    while (this.source.index <= index) loop.runUntil(Infinity, 1);
  }

  private onMarket(e: MarketEvent): void {
    this.events++;
    this.at = this.source.index - 1;
    if (e.kind === MarketEventKind.Quote) {
      this.bid = e.bid;
      this.ask = e.ask;
      this.venue.onQuote(e);
    } else if (e.kind === MarketEventKind.Trade) this.venue.onTrade(e);
  }

  private onReport(r: ExecutionReport): void {
    const ep = this.episode;
    if (r.kind === "fill") {
      if (this.record) this.records.push({ k: "fill", ts: r.ts, id: r.orderId, price: r.price, size: r.size, fee: r.fee, liquidity: r.liquidity });
      this.meter.onFill(ep, r.orderId, r.price, r.size);
      ep.onFill(r.orderId, r.price, r.size, r.fee);
      const left = (this.remaining.get(r.orderId) ?? 0) - r.size;
      this.remaining.set(r.orderId, left);
      this.cancelPending.delete(r.orderId);
      if (left <= 0) this.ended(r.orderId);
    } else if (r.kind === "canceled" || r.kind === "rejected" || r.kind === "expired") this.ended(r.orderId);
    else if (r.kind === "cancel-rejected") {
      this.cancelRejects++;
      this.cancelPending.delete(r.orderId);
    }
  }

  private ended(orderId: number): void {
    this.remaining.delete(orderId);
    this.cancelPending.delete(orderId);
    this.episode.onDone(orderId);
  }

  private reward(): number {
    return this.meter.reward(this.episode, this.bid, this.ask, this.done);
  }

  /** Writes the observation of the current decision. */
  observe(obs: Float32Array, offset: number): void {
    writeObservation(this.layout, this.tape.features, this.at * this.tape.width, this.bid, this.ask, this.episode, obs, offset);
  }
}
