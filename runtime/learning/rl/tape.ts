/**
 * A market tape: one instrument's market events of a deployment (replayed days or a synthetic
 * market), recorded once through the session's own data path, with the feature vector the kernels
 * held after each event. Every RL environment reads the same tape (struct-of-arrays, shared, never
 * copied), so N environments in one process cost one copy of the data. Days are UTC days.
 */
import { loadConfig } from "../../config/load.ts";
import type { DeploymentConfig } from "../../config/schema.ts";
import { MarketEventKind, type MarketEvent, type MarketSource } from "../../data/sources/market-source.ts";
import { buildSession } from "../../session/build.ts";
import type { Instrument } from "../../../plugins/sdk/instrument.ts";

const DAY_US = 86_400_000_000;

/** One instrument's events and features, in event order. */
export interface MarketTape {
  readonly instrument: Instrument;
  readonly events: number;
  readonly kind: Uint8Array;
  readonly ts: Float64Array;
  readonly bid: Int32Array;
  readonly ask: Int32Array;
  readonly bidSize: Float64Array;
  readonly askSize: Float64Array;
  /** Trades: price, size and aggressor side (0 for quotes). */
  readonly price: Int32Array;
  readonly size: Float64Array;
  readonly side: Int8Array;
  /** Feature vector after each event, `width` values per event. */
  readonly features: Float32Array;
  readonly width: number;
  readonly featureNames: readonly string[];
  /** UTC days present (YYYY-MM-DD), each with its first and one-past-last event index. */
  readonly days: ReadonlyMap<string, { readonly from: number; readonly to: number }>;
}

/** A tape that cannot be built (unknown instrument, no events). */
export class TapeError extends Error {
  constructor(readonly code: string, detail: string) {
    super(`${code}: ${detail}`);
  }
}

class Grow {
  n = 0;
  kind = new Uint8Array(1024);
  ts = new Float64Array(1024);
  bid = new Int32Array(1024);
  ask = new Int32Array(1024);
  bidSize = new Float64Array(1024);
  askSize = new Float64Array(1024);
  price = new Int32Array(1024);
  size = new Float64Array(1024);
  side = new Int8Array(1024);
  features: Float32Array;
  constructor(readonly width: number) {
    this.features = new Float32Array(1024 * width);
  }
  push(ev: MarketEvent, f: Float64Array): void {
    if (this.n === this.ts.length) this.grow();
    const i = this.n++;
    this.kind[i] = ev.kind;
    this.ts[i] = ev.ts;
    this.bid[i] = ev.bid;
    this.ask[i] = ev.ask;
    this.bidSize[i] = ev.bidSize;
    this.askSize[i] = ev.askSize;
    this.price[i] = ev.kind === MarketEventKind.Trade ? ev.price : 0;
    this.size[i] = ev.kind === MarketEventKind.Trade ? ev.size : 0;
    this.side[i] = ev.kind === MarketEventKind.Trade ? ev.side : 0;
    for (let k = 0; k < this.width; k++) this.features[i * this.width + k] = f[k]!;
  }
  private grow(): void {
    const m = this.ts.length * 2;
    const g = <T extends { length: number; set(a: T): void }>(a: T, C: new (n: number) => T, w = 1): T => {
      const b = new C(m * w);
      b.set(a);
      return b;
    };
    this.kind = g(this.kind, Uint8Array);
    this.ts = g(this.ts, Float64Array);
    this.bid = g(this.bid, Int32Array);
    this.ask = g(this.ask, Int32Array);
    this.bidSize = g(this.bidSize, Float64Array);
    this.askSize = g(this.askSize, Float64Array);
    this.price = g(this.price, Int32Array);
    this.size = g(this.size, Float64Array);
    this.side = g(this.side, Int8Array);
    this.features = g(this.features, Float32Array, this.width);
  }
}

/** UTC day of a kernel timestamp. */
export function utcDay(ts: number): string {
  return new Date(Math.floor(ts / 1000)).toISOString().slice(0, 10);
}

/**
 * Records `symbol`'s events of a deployment through a backtest session with no strategy (the same
 * readers, books and feature kernels a backtest uses). `overrides` replace top-level config keys
 * (a synthetic day's seed and start).
 */
export async function recordTape(deploymentFile: string, symbol: string, overrides: Partial<DeploymentConfig> = {}): Promise<MarketTape> {
  const loaded = loadConfig(deploymentFile);
  if (!loaded.ok) throw new TapeError("RL_DEPLOYMENT_INVALID", `deployment=${deploymentFile} ${loaded.problems.join("; ")}`);
  const config: DeploymentConfig = { ...loaded.config, ...overrides, strategies: [], execution: undefined, features: { ...(loaded.config.features ?? {}), instruments: "all" } } as DeploymentConfig;
  const session = await buildSession(config, deploymentFile, { mode: "backtest", journalPath: "", store: false, log: () => {} });
  session.core.measureLatency = false;
  const instrument = session.instruments.find((i) => i.symbol === symbol);
  if (instrument === undefined) {
    await session.close();
    throw new TapeError("RL_UNKNOWN_INSTRUMENT", `instrument=${symbol} deployment=${deploymentFile} has=${session.instruments.map((i) => i.symbol).join(",")}`);
  }
  const features = session.core.features;
  const layout = features.kernels.layout;
  const width = layout.width;
  const names = Object.entries(layout.index).sort((a, b) => a[1] - b[1]).map(([n]) => n);
  const g = new Grow(width);
  const id = instrument.id;
  session.core.listeners.quote = (ev) => {
    if (ev.instrument === id) g.push(ev, features.values(id));
  };
  session.core.listeners.trade = (ev) => {
    if (ev.instrument === id) g.push(ev, features.values(id));
  };
  const { loop } = session;
  while (!loop.exhausted) loop.runUntil(Infinity, 1_000_000);
  loop.close();
  await session.close();
  if (g.n === 0) throw new TapeError("RL_NO_EVENTS", `instrument=${symbol} deployment=${deploymentFile}`);
  const days = new Map<string, { from: number; to: number }>();
  let start = 0;
  for (let i = 1; i <= g.n; i++) {
    if (i === g.n || Math.floor(g.ts[i]! / DAY_US) !== Math.floor(g.ts[start]! / DAY_US)) {
      days.set(utcDay(g.ts[start]!), { from: start, to: i });
      start = i;
    }
  }
  const n = g.n;
  return {
    instrument, events: n, width, featureNames: names, days,
    kind: g.kind.slice(0, n), ts: g.ts.slice(0, n), bid: g.bid.slice(0, n), ask: g.ask.slice(0, n),
    bidSize: g.bidSize.slice(0, n), askSize: g.askSize.slice(0, n), price: g.price.slice(0, n), size: g.size.slice(0, n), side: g.side.slice(0, n),
    features: g.features.slice(0, n * width),
  };
}

/** Index of the first event at or after `ts` within [from, to) (to when none). */
export function firstAtOrAfter(tape: MarketTape, ts: number, from: number, to: number): number {
  let lo = from, hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tape.ts[mid]! < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A market source over a tape from event `from` up to `to`, with the instrument id the session gives it. */
export class TapeSource implements MarketSource {
  readonly name = "tape";
  readonly errorCount = 0;
  private i: number;

  constructor(
    private readonly tape: MarketTape,
    from: number,
    private readonly to: number,
    private readonly instrument = 0,
  ) {
    this.i = from;
  }

  /** Index of the next event. */
  get index(): number {
    return this.i;
  }

  peekTs(): number {
    return this.i < this.to ? this.tape.ts[this.i]! : Infinity;
  }

  next(out: MarketEvent): boolean {
    const i = this.i;
    if (i >= this.to) return false;
    const t = this.tape;
    out.kind = t.kind[i]!;
    out.ts = t.ts[i]!;
    out.instrument = this.instrument;
    out.bid = t.bid[i]!;
    out.ask = t.ask[i]!;
    out.bidSize = t.bidSize[i]!;
    out.askSize = t.askSize[i]!;
    out.price = t.price[i]!;
    out.size = t.size[i]!;
    out.side = t.side[i]!;
    this.i = i + 1;
    return true;
  }

  close(): void {
    this.i = this.to;
  }
}
