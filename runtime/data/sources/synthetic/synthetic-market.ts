/**
 * A seeded synthetic FX market for many pairs at once. Hidden log USD values of the seven
 * non-USD currencies move as correlated Brownian motions (Cholesky of a correlation matrix),
 * with a variance rate that follows the session of day and a hidden Markov chain of volatility
 * regimes (quiet, normal, bursts), plus rare jumps. Every pair's mid is derived from the two
 * currency values, so triangles are consistent up to the spread. Quote updates arrive as a
 * Poisson process whose intensity follows session and regime (exact time change over
 * piecewise-constant segments); each picks a pair by its activity share in that session, rounds bid and ask
 * outward to the pair's tick around a spread that widens with volatility and thin hours, and may
 * be followed by a trade. A short-term log-volatility factor (Ornstein-Uhlenbeck, minutes) makes
 * volatility cluster and widens spreads with it; the top-of-book sizes lean towards the side the
 * hidden mid sits closer to (the microprice), so their imbalance predicts the next mid move, as
 * on real books. README.md in this folder lists these regularities and the tests that check them
 * against real quotes. Hidden values move at most once per `stepUs` and only when an event
 * needs them, by the variance integrated since the last move, so the sampled path is exact
 * whatever the step. Per event the cost is a few random words, a division and some rounding; no
 * allocation, no log or exp outside the rare slow paths.
 */
import type { Instrument } from "../../../../plugins/sdk/instrument.ts";
import { MarketEventKind, type MarketEvent, type MarketSource } from "../market-source.ts";
import { resolveMarketParams, type ResolvedMarket, type SyntheticMarketParams } from "./market-params.ts";
import { Xoshiro128 } from "./prng.ts";
import { CURRENCIES } from "./fx-universe.ts";
import { hourOfWeek, sessionTilt, WEEK_HOURS, weekProfile, type WeekProfile } from "./session-profile.ts";

const HOUR_US = 3_600_000_000;
/** Quote sizes in units, picked by 3 random bits. */
const QUOTE_SIZES = new Float64Array([100_000, 250_000, 500_000, 1_000_000, 1_000_000, 2_000_000, 3_000_000, 5_000_000]);
/** Top-of-book depth (bid + ask) in units when sizes follow the microprice, picked by 3 random bits. */
const DEPTHS = new Float64Array([500_000, 1_000_000, 1_500_000, 2_000_000, 2_000_000, 3_000_000, 4_000_000, 6_000_000]);
/** Sizes are whole multiples of this many units. */
const SIZE_STEP = 1000;
/** How far the buy probability of a trade leans with the hidden mid's offset (0.5 ± this at a full half-spread). */
const INFORMED_FLOW = 0.45;
/** Largest |imbalance| a synthetic quote shows (both sides keep some size). */
const MAX_IMBALANCE = 0.95;
/** Trade sizes in units, picked by 3 random bits. */
const TRADE_SIZES = new Float64Array([10_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 1_000_000, 2_000_000]);
/** Resolution of the pair-picking table (10 random bits). */
const PICK_BITS = 10;

/** The synthetic market: a `MarketSource` plus a look at its hidden state for tests and venues. */
export class SyntheticMarket implements MarketSource {
  readonly name = "synthetic";
  readonly errorCount = 0;
  /** The instruments quoted, in the order of `quoteOf`'s index. */
  readonly instruments: readonly Instrument[];
  private lastRegime = 0;

  private readonly p: ResolvedMarket;
  private readonly rng: Xoshiro128;
  private readonly profile: WeekProfile;
  /** USD value of each currency (CURRENCIES order; USD is 1). */
  private readonly value: Float64Array;
  private readonly z: Float64Array;
  private readonly factorCurrency: Int32Array;
  /** 24 pair-picking tables, one per UTC hour of day, each 2^PICK_BITS entries. */
  private readonly pickTable: Uint8Array;
  private pickBase = 0;
  private readonly regimeVariance: Float64Array;
  private readonly regimeMeanUs: Float64Array;
  private readonly tradeThreshold: number;

  /** Float time of the next quote (µs) and its pair index. */
  private t: number;
  private nextPair = 0;
  private emitted = 0;
  // Current segment of constant intensity: hour of week and regime.
  private how: number;
  private hourEnd: number;
  private currentRegime = 0;
  private regimeEnd: number;
  private segEnd = 0;
  private rate = 0;
  private varRate = 0;
  private spreadMult = 1;
  // Short-term log-volatility factor (Ornstein-Uhlenbeck) and what it multiplies.
  private logVol = 0;
  private volMult = 1;
  private spreadVol = 1;
  // Hidden-value clock: last move and the variance integrated since.
  private latentTs: number;
  private accTs: number;
  private accVar = 0;
  // A trade waiting to be written after its quote.
  private tradePending = false;
  private tradeTs = 0;
  private tradeInstrument = 0;
  private tradePrice = 0;
  private tradeSize = 0;
  private tradeSide = 0;

  constructor(params: SyntheticMarketParams = {}) {
    const p = resolveMarketParams(params);
    this.p = p;
    this.instruments = p.instruments;
    this.rng = new Xoshiro128(p.seed);
    this.profile = weekProfile(p.weekendsClosed);
    this.value = Float64Array.from(p.startLogValue, Math.exp);
    this.z = new Float64Array(p.sigmaPerRootUs.length);
    this.factorCurrency = new Int32Array(p.sigmaPerRootUs.length);
    p.factorOf.forEach((f, c) => {
      if (f >= 0) this.factorCurrency[f] = c;
    });
    this.pickTable = new Uint8Array(24 << PICK_BITS);
    for (let h = 0; h < 24; h++) {
      const tilted = p.pairActivity.map((a, i) => a * sessionTilt(h, CURRENCIES[p.pairBase[i]], CURRENCIES[p.pairQuote[i]]));
      this.pickTable.set(buildPickTable(tilted), h << PICK_BITS);
    }
    this.regimeVariance = Float64Array.from(p.regimes, (r) => r.vol * r.vol);
    this.regimeMeanUs = Float64Array.from(p.regimes, (r) => r.meanDurationSec * 1e6);
    this.tradeThreshold = Math.round(p.tradeProbability * 65536);

    if (p.volOfVol > 0) this.setLogVol(p.volOfVol * this.rng.normal());
    this.t = p.startTs;
    this.latentTs = p.startTs;
    this.accTs = p.startTs;
    this.how = hourOfWeek(p.startTs);
    this.hourEnd = (Math.floor(p.startTs / HOUR_US) + 1) * HOUR_US;
    this.regimeEnd = p.regimes.length > 1 ? p.startTs + this.regimeMeanUs[0] * this.rng.exponential() : Infinity;
    this.updateSegment();
    this.advance();
  }

  /** Index (in the params' `regimes`) of the volatility regime in effect at the last event written. */
  get regime(): number {
    return this.lastRegime;
  }

  /** Name of the regime in effect at the last event written. */
  get regimeName(): string {
    return this.p.regimes[this.lastRegime].name;
  }

  /** ts of the next event, or Infinity when the source is exhausted. */
  peekTs(): number {
    if (this.emitted >= this.p.maxEvents) return Infinity;
    if (this.tradePending) return this.tradeTs;
    return this.t < this.p.endTs ? Math.floor(this.t) : Infinity;
  }

  /** Writes the next quote or trade into `out`; returns false when exhausted. */
  next(out: MarketEvent): boolean {
    if (this.emitted >= this.p.maxEvents) return false;
    if (this.tradePending) {
      this.tradePending = false;
      out.kind = MarketEventKind.Trade;
      out.ts = this.tradeTs;
      out.instrument = this.tradeInstrument;
      out.price = this.tradePrice;
      out.size = this.tradeSize;
      out.side = this.tradeSide;
      this.emitted++;
      return true;
    }
    const t = this.t;
    if (t >= this.p.endTs) return false;
    if (t - this.latentTs >= this.p.stepUs) this.moveHiddenValues(t);
    const pair = this.nextPair;
    const p = this.p;
    const mid = (this.value[p.pairBase[pair]] / this.value[p.pairQuote[pair]]) * p.pairScale[pair];
    const bits = this.rng.nextU32();
    const half = (p.pairSpread[pair] * this.spreadMult * this.spreadVol + (bits & 3) * 0.5) * 0.5;
    const bid = Math.floor(mid - half);
    let ask = Math.ceil(mid + half);
    if (ask <= bid) ask = bid + 1;
    const ts = Math.floor(t);
    out.kind = MarketEventKind.Quote;
    out.ts = ts;
    out.instrument = p.pairId[pair];
    out.bid = bid;
    out.ask = ask;
    if (p.imbalanceSignal > 0) {
      // The side the hidden mid leans towards shows more size: (bidSize - askSize) / depth follows
      // the mid's offset from the quoted mid in half-spreads, plus uniform noise (bits 5-7 and 28-31).
      const lean = ((mid - (bid + ask) * 0.5) / ((ask - bid) * 0.5)) * p.imbalanceSignal;
      const noise = ((((bits >>> 5) & 7) << 4) | (bits >>> 28)) / 127.5 - 1;
      let imb = lean + 0.5 * noise;
      imb = imb > MAX_IMBALANCE ? MAX_IMBALANCE : imb < -MAX_IMBALANCE ? -MAX_IMBALANCE : imb;
      const depth = DEPTHS[(bits >>> 2) & 7];
      const bidSize = Math.round((depth * (1 + imb)) / (2 * SIZE_STEP)) * SIZE_STEP;
      out.bidSize = bidSize;
      out.askSize = depth - bidSize;
    } else {
      out.bidSize = QUOTE_SIZES[(bits >>> 2) & 7];
      out.askSize = QUOTE_SIZES[(bits >>> 5) & 7];
    }
    if (((bits >>> 8) & 0xffff) < this.tradeThreshold) {
      // Informed flow: with the microprice effect on, aggressors buy more often when the hidden mid
      // sits above the quoted one (the next move is up), so a resting order is filled more often
      // just before the price moves through it, as on real books.
      let side = (bits >>> 24) & 1 ? 1 : -1;
      if (p.imbalanceSignal > 0) {
        const offset = Math.max(-1, Math.min(1, (mid - (bid + ask) * 0.5) / ((ask - bid) * 0.5)));
        side = this.rng.uniform() < 0.5 + INFORMED_FLOW * offset ? 1 : -1;
      }
      this.tradePending = true;
      this.tradeTs = ts;
      this.tradeInstrument = out.instrument;
      this.tradeSide = side;
      this.tradePrice = side > 0 ? ask : bid;
      this.tradeSize = TRADE_SIZES[(bits >>> 25) & 7];
      // Permanent impact: the trade moves the hidden mid its way by `tradeImpact` half-spreads
      // (half through the base currency, half through the quote), so a resting order that a print
      // fills tends to be followed by a move against it.
      if (p.tradeImpact > 0) {
        const x = (side * p.tradeImpact * (ask - bid) * 0.25) / mid;
        this.value[p.pairBase[pair]] *= 1 + x;
        this.value[p.pairQuote[pair]] /= 1 + x;
      }
    }
    this.lastRegime = this.currentRegime;
    this.emitted++;
    this.advance();
    return true;
  }

  /**
   * Writes the quote of instrument `index` (in `instruments` order) at the current hidden state,
   * with the typical spread of the current session and regime and no random jitter; draws no
   * random numbers, so it does not change the stream.
   */
  quoteOf(index: number, out: MarketEvent): void {
    const p = this.p;
    const mid = (this.value[p.pairBase[index]] / this.value[p.pairQuote[index]]) * p.pairScale[index];
    const half = p.pairSpread[index] * this.spreadMult * this.spreadVol * 0.5;
    out.kind = MarketEventKind.Quote;
    out.ts = Math.floor(this.latentTs);
    out.instrument = p.pairId[index];
    out.bid = Math.floor(mid - half);
    out.ask = Math.max(Math.ceil(mid + half), out.bid + 1);
    out.bidSize = 1_000_000;
    out.askSize = 1_000_000;
  }

  close(): void {
    this.emitted = this.p.maxEvents;
    this.tradePending = false;
    this.t = Infinity;
  }

  /** Draws the time and pair of the next quote: a unit exponential spent across segments. */
  private advance(): void {
    let e = this.rng.exponential();
    let t = this.t;
    for (;;) {
      const room = (this.segEnd - t) * this.rate;
      if (e < room) {
        t += e / this.rate;
        break;
      }
      e -= room;
      t = this.segEnd;
      this.crossBoundary(t);
      if (t >= this.p.endTs) break;
    }
    this.t = t;
    this.nextPair = this.pickTable[this.pickBase + (this.rng.nextU32() >>> (32 - PICK_BITS))];
  }

  /** Moves into the next segment at `b`: a new hour of the week, a new regime, or both. */
  private crossBoundary(b: number): void {
    this.accVar += this.varRate * (b - this.accTs);
    this.accTs = b;
    if (b >= this.regimeEnd) {
      const next = this.p.regimes[this.currentRegime].next;
      let u = this.rng.uniform();
      let r = 0;
      while (r < next.length - 1 && u >= next[r]) u -= next[r++];
      this.currentRegime = r;
      this.regimeEnd = b + this.regimeMeanUs[r] * this.rng.exponential();
    }
    if (b >= this.hourEnd) {
      this.how = this.how + 1 === WEEK_HOURS ? 0 : this.how + 1;
      this.hourEnd += HOUR_US;
    }
    this.updateSegment();
  }

  private updateSegment(): void {
    const r = this.p.regimes[this.currentRegime];
    this.segEnd = Math.min(this.hourEnd, this.regimeEnd);
    this.rate = this.p.quotesPerUs * r.activity * this.profile.activity[this.how];
    this.varRate = this.regimeVariance[this.currentRegime] * this.profile.variance[this.how];
    this.spreadMult = r.spread * this.profile.spread[this.how];
    this.pickBase = (this.how % 24) << PICK_BITS;
  }

  /** Sets the short-term log-volatility factor and the volatility and spread multipliers (mean 1) it implies. */
  private setLogVol(h: number): void {
    const v = this.p.volOfVol;
    const b = this.p.spreadVolElasticity;
    this.logVol = h;
    this.volMult = Math.exp(h - v * v);
    this.spreadVol = Math.exp(b * h - (b * b * v * v) / 2);
  }

  /**
   * Moves the hidden currency values by the variance integrated up to `t` (times the short-term
   * volatility factor), plus a jump now and then; then steps the factor (exact OU transition over dt).
   */
  private moveHiddenValues(t: number): void {
    const p = this.p;
    this.accVar += this.varRate * (t - this.accTs);
    this.accTs = t;
    const scale = Math.sqrt(this.accVar) * this.volMult;
    this.accVar = 0;
    const dt = t - this.latentTs;
    this.latentTs = t;
    if (p.volOfVol > 0) {
      const a = Math.exp((-Math.LN2 * dt) / p.volHalfLifeUs);
      this.setLogVol(a * this.logVol + p.volOfVol * Math.sqrt(1 - a * a) * this.rng.normal());
    }
    const n = this.z.length;
    const z = this.z;
    const l = p.choleskyL;
    for (let i = 0; i < n; i++) z[i] = this.rng.normal();
    for (let i = 0; i < n; i++) {
      let y = 0;
      for (let k = 0; k <= i; k++) y += l[i * n + k] * z[k];
      this.value[this.factorCurrency[i]] *= expOf(p.sigmaPerRootUs[i] * scale * y);
    }
    if (p.jumpsPerUs > 0 && this.rng.uniform() < p.jumpsPerUs * dt) {
      const size = p.jumpSize * this.rng.normal();
      const who = this.rng.nextU32() % (n + 1);
      // `who === n` is a dollar jump: every other currency moves against the dollar.
      const factor = Math.exp(size);
      if (who === n) for (let i = 0; i < n; i++) this.value[this.factorCurrency[i]] /= factor;
      else this.value[this.factorCurrency[who]] *= factor;
    }
  }
}

/**
 * Returns e^x; for the small log moves of one step (|x| < 1e-3) a 5-term Taylor sum, whose
 * first omitted term (x^5/120 < 1e-17) is below double precision.
 */
function expOf(x: number): number {
  if (x > -1e-3 && x < 1e-3) return 1 + x * (1 + x * (0.5 + x * (1 / 6 + x * (1 / 24))));
  return Math.exp(x);
}

/** Maps 2^PICK_BITS buckets to pair indexes in proportion to their activity (bucket midpoints on the cumulative share). */
function buildPickTable(activity: Float64Array): Uint8Array {
  const size = 1 << PICK_BITS;
  const total = activity.reduce((a, b) => a + b, 0);
  const table = new Uint8Array(size);
  let pair = 0;
  let cumulative = activity[0];
  for (let b = 0; b < size; b++) {
    const x = ((b + 0.5) / size) * total;
    while (x > cumulative && pair < activity.length - 1) cumulative += activity[++pair];
    table[b] = pair;
  }
  return table;
}

/**
 * Builds a synthetic market source.
 * @example
 * const market = createSyntheticMarket({ seed: 7, endTs: Date.UTC(2024, 0, 9) * 1000 });
 * const ev = newMarketEvent();
 * while (market.next(ev)) handle(ev);
 */
export function createSyntheticMarket(params: SyntheticMarketParams = {}): SyntheticMarket {
  return new SyntheticMarket(params);
}
