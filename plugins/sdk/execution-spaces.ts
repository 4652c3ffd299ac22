/**
 * The execution agent's spaces. Observation: the instrument's kernel feature vector (price-like
 * features as ticks from the mid, so the vector is the same at any price level), then the intent
 * and the episode's state. Action: three numbers in [-1, 1] (size fraction, entry offset, stop
 * distance), decoded into an `ExecutionAction`. Documented in plugins/sdk/README.md.
 */

/** State entries after the features, in order. */
export const STATE_NAMES = [
  "side", // intent side, +1 buy / -1 sell
  "signal", // the strategy's signal behind the intent, in [-1, 1]
  "position", // side * position / quantity
  "working", // unfilled size of the working entry order / quantity
  "workingOffset", // that order's ticks behind the near touch (-1: none)
  "stopTicks", // distance of the working stop from the entry price, ticks (0: none)
  "timeLeft", // share of the window left, 1 .. 0
  "pnlBps", // marked P&L of the episode, bps of the intent's notional at arrival
  "spreadTicks", // spread now, ticks
] as const;

/** Action entries, each in [-1, 1] before decoding. */
export const ACTION_NAMES = ["size", "offset", "stop"] as const;
/** Length of an action vector. */
export const ACTION_DIM = ACTION_NAMES.length;

/** Features whose value is a price: given to the agent as ticks from the mid. */
const PRICE_LIKE = /^(mid|microprice|ema_fast|ema_slow|donchian_high|donchian_low|vwap_\d+)$/;

/** Layout of observations for a feature layout. */
export interface ObservationLayout {
  readonly width: number;
  readonly featureWidth: number;
  /** Feature slots that are prices (minus the mid before use). */
  readonly priceLike: Uint8Array;
  readonly names: readonly string[];
}

/** Builds the observation layout for the kernels' feature names (in slot order). */
export function observationLayout(featureNames: readonly string[]): ObservationLayout {
  const priceLike = new Uint8Array(featureNames.length);
  featureNames.forEach((n, k) => (priceLike[k] = PRICE_LIKE.test(n) ? 1 : 0));
  return { width: featureNames.length + STATE_NAMES.length, featureWidth: featureNames.length, priceLike, names: [...featureNames, ...STATE_NAMES] };
}

/** What an action means at the venue. */
export interface ExecutionAction {
  /** Share of the intent's quantity to have entered (filled or working) by now, 0..1. */
  sizeFraction: number;
  /** Ticks behind the near touch for the entry order; -1 takes the far touch (IOC). */
  offsetTicks: number;
  /** Stop distance from the average entry price, ticks; 0 places no stop. */
  stopTicks: number;
}

/** Bounds of the decoded action. */
export interface ActionBounds {
  readonly maxOffsetTicks: number;
  readonly minStopTicks: number;
  readonly maxStopTicks: number;
}

const clip = (v: number): number => (v > 1 ? 1 : v < -1 ? -1 : v !== v ? 0 : v);

/** Decodes a raw action (3 numbers in [-1, 1], clipped) into `out`. */
export function decodeAction(raw: ArrayLike<number>, offset: number, b: ActionBounds, out: ExecutionAction): ExecutionAction {
  const s = (clip(raw[offset]!) + 1) / 2;
  const o = (clip(raw[offset + 1]!) + 1) / 2;
  const st = (clip(raw[offset + 2]!) + 1) / 2;
  out.sizeFraction = s;
  out.offsetTicks = Math.min(b.maxOffsetTicks, Math.floor(o * (b.maxOffsetTicks + 2)) - 1);
  out.stopTicks = Math.round(b.minStopTicks + st * (b.maxStopTicks - b.minStopTicks));
  return out;
}

/** The episode state an observation reads (an `ExecutionEpisode`). */
export interface ObservedEpisode {
  readonly intent: { readonly side: number; readonly signal: number; readonly quantity: number; readonly steps: number };
  readonly position: number;
  readonly entryId: number;
  readonly entryRemaining: number;
  readonly entryOffset: number;
  readonly stopId: number;
  readonly stopTicks: number;
  readonly step: number;
  readonly arrival: number;
  mark(bid: number, ask: number): number;
}

/**
 * Writes an observation: features (`features[fOffset ..]`, as float32, price-like ones minus the
 * mid, non-finite ones as 0), then the state entries of STATE_NAMES.
 */
export function writeObservation(L: ObservationLayout, features: ArrayLike<number> | undefined, fOffset: number, bid: number, ask: number, ep: ObservedEpisode, obs: Float32Array, offset: number): void {
  const mid = (bid + ask) / 2;
  for (let k = 0; k < L.featureWidth; k++) {
    const f = features === undefined ? 0 : Math.fround(features[fOffset + k] ?? 0);
    const v = L.priceLike[k] === 1 ? f - mid : f;
    obs[offset + k] = Number.isFinite(v) ? v : 0;
  }
  const it = ep.intent;
  const q = it.quantity;
  let o = offset + L.featureWidth;
  obs[o++] = it.side;
  obs[o++] = it.signal;
  obs[o++] = (it.side * ep.position) / q;
  obs[o++] = ep.entryId === 0 ? 0 : ep.entryRemaining / q;
  obs[o++] = ep.entryOffset;
  obs[o++] = ep.stopId === 0 ? 0 : ep.stopTicks;
  obs[o++] = Math.max(0, 1 - ep.step / it.steps);
  obs[o++] = (ep.mark(bid, ask) / (q * ep.arrival)) * 1e4;
  obs[o++] = ask - bid;
}
