/**
 * A test harness for execution algorithm plugins: it drives an algorithm on one parent order
 * through the real `AlgoContext` interface without the runtime. A test sets the book, lets time
 * pass (timers fire in order), fills children, and asserts on the children the algorithm sent and
 * canceled. Deliberately simple: children are accepted at once, cancels take effect at once, IOC
 * and market children the test has not filled are canceled before the next event, and the
 * parent's fills derive from its same-side children as in the runtime.
 */
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import type { AlgoContext, AlgoHooks, AlgoPlugin, ChildIntent, ParentView, VolumeCurve } from "./algo.ts";
import type { Instrument } from "./instrument.ts";
import type { BookView } from "./market.ts";
import type { Fill, OrderStatus, OrderView, Side } from "./orders.ts";

/** How a test sets up an algorithm harness. */
export interface AlgoHarnessOptions {
  readonly instrument: Instrument;
  readonly side: Side;
  readonly quantity: number;
  readonly limitPrice?: number;
  /** Raw params; schema defaults are applied. */
  readonly params?: unknown;
  readonly startTs?: number;
  readonly seed?: number;
  readonly curve?: VolumeCurve | null;
  /** Book at start (bid, ask in ticks). */
  readonly bid?: number;
  readonly ask?: number;
}

/** A child the algorithm sent, as the harness keeps it. */
export interface HarnessChild extends OrderView {
  readonly intent: ChildIntent;
}

/** An algorithm under test. */
export interface AlgoHarness {
  readonly hooks: AlgoHooks;
  readonly ctx: AlgoContext;
  readonly children: HarnessChild[];
  readonly parent: ParentView & { finished: string };
  now(): number;
  /** Sets the book and delivers a quote. */
  quote(bid: number, ask: number, bidSize?: number, askSize?: number): void;
  /** Delivers a market trade. */
  trade(price: number, size: number, side?: number): void;
  /** Lets kernel time pass, firing due timers in order. */
  advance(us: number): void;
  /** Fills (part of) a child at a price. */
  fill(childId: number, price: number, size?: number): void;
  /** Children still open. */
  open(): HarnessChild[];
}

type MutableChild = { -readonly [K in keyof HarnessChild]: HarnessChild[K] } & { notional: number };

/** Starts an algorithm on a parent (calls onStart). */
export function startAlgo(plugin: AlgoPlugin<TSchema>, o: AlgoHarnessOptions): AlgoHarness {
  const params = Value.Default(plugin.manifest.params, structuredClone(o.params ?? {})) as Record<string, unknown>;
  if (!Value.Check(plugin.manifest.params, params)) throw new Error(`ALGO_PARAMS_INVALID: ${[...Value.Errors(plugin.manifest.params, params)].map((e) => `${e.path} ${e.message}`).join("; ")}`);
  let now = o.startTs ?? Date.UTC(2026, 0, 5, 12) * 1000;
  let rng = ((o.seed ?? 1) ^ 0x9e3779b1) >>> 0 || 1;
  const book = { instrument: o.instrument.id, ts: now, bid: o.bid ?? 0, ask: o.ask ?? 0, bidSize: 1_000_000, askSize: 1_000_000, mid2: (o.bid ?? 0) + (o.ask ?? 0), valid: (o.bid ?? 0) > 0 };
  const children: MutableChild[] = [];
  const timers: { at: number; token: number; seq: number }[] = [];
  let seq = 0;
  let finished = "";
  const pending: (() => void)[] = [];
  const side = o.side;
  const parent = {
    id: 1,
    algo: plugin.manifest.name,
    strategy: "test",
    instrument: o.instrument.id,
    side,
    quantity: o.quantity,
    limitPrice: o.limitPrice ?? 0,
    createdTs: now,
    get filled() {
      return children.filter((c) => c.side === side).reduce((a, c) => a + c.filled, 0);
    },
    get remaining() {
      return Math.max(0, o.quantity - this.filled);
    },
    get working() {
      return children.filter((c) => c.side === side && isOpen(c.status)).reduce((a, c) => a + c.size - c.filled, 0);
    },
    get openChildren() {
      return children.filter((c) => isOpen(c.status)).length;
    },
    get exitFilled() {
      return children.filter((c) => c.side !== side).reduce((a, c) => a + c.filled, 0);
    },
    get avgPrice() {
      const f = children.filter((c) => c.side === side);
      const q = f.reduce((a, c) => a + c.filled, 0);
      return q === 0 ? 0 : f.reduce((a, c) => a + c.notional, 0) / q;
    },
    get status() {
      return finished !== "" ? "done" : "working";
    },
    get finished() {
      return finished;
    },
  };
  const ctx: AlgoContext = {
    params: params as never,
    parent,
    instrument: o.instrument,
    now: () => now,
    book: () => book as BookView,
    child(intent) {
      if (finished !== "") return [];
      const id = children.length + 1;
      const s = intent.side ?? side;
      let price = intent.price ?? 0;
      if (parent.limitPrice > 0 && s === side && price > 0) price = s === 1 ? Math.min(price, parent.limitPrice) : Math.max(price, parent.limitPrice);
      const c: MutableChild = { id, strategy: "test", instrument: intent.instrument ?? o.instrument.id, side: s, type: intent.type, tif: intent.tif ?? (intent.type === "market" ? "IOC" : "GTC"), price, stopPrice: intent.stopPrice ?? 0, size: intent.size, filled: 0, status: "working", createdTs: now, updatedTs: now, reason: "", intent, notional: 0 };
      children.push(c);
      return [id];
    },
    cancel(childId) {
      const c = children[childId - 1];
      if (c === undefined || !isOpen(c.status)) return;
      c.status = "canceled";
      pending.push(() => hooks.onChild?.(ctx, c));
    },
    openChildren: () => children.filter((c) => isOpen(c.status)),
    setTimer(afterUs, token) {
      timers.push({ at: now + Math.max(0, afterUs), token, seq: seq++ });
    },
    random() {
      let x = rng;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      rng = x >>> 0;
      return rng / 4294967296;
    },
    volumeCurve: () => o.curve ?? null,
    observed: () => ({ volume: observedVolume, ticks: observedTicks }),
    finish(reason) {
      finished = reason;
      for (const c of children) if (isOpen(c.status)) c.status = "canceled";
    },
    log() {},
  };
  let observedVolume = 0;
  let observedTicks = 0;
  const hooks = plugin.create(ctx as never) ?? {};
  const flush = () => {
    while (pending.length > 0) pending.shift()!();
  };
  const expireIoc = () => {
    for (const c of children) {
      if (isOpen(c.status) && (c.tif === "IOC" || c.tif === "FOK" || c.type === "market")) {
        c.status = "canceled";
        pending.push(() => hooks.onChild?.(ctx, c));
      }
    }
    flush();
  };
  hooks.onStart?.(ctx);
  flush();
  return {
    hooks,
    ctx,
    children,
    parent,
    now: () => now,
    quote(bid, ask, bidSize = 1_000_000, askSize = 1_000_000) {
      expireIoc();
      book.bid = bid;
      book.ask = ask;
      book.bidSize = bidSize;
      book.askSize = askSize;
      book.mid2 = bid + ask;
      book.valid = true;
      book.ts = now;
      observedTicks++;
      if (finished === "") hooks.onQuote?.(ctx, { ts: now, instrument: o.instrument.id, bid, ask, bidSize, askSize });
      flush();
    },
    trade(price, size, s = 0) {
      expireIoc();
      observedVolume += size;
      if (finished === "") hooks.onTrade?.(ctx, { ts: now, instrument: o.instrument.id, price, size, side: s });
      flush();
    },
    advance(us) {
      const end = now + us;
      for (;;) {
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const t = timers[0];
        if (t === undefined || t.at > end) break;
        timers.shift();
        expireIoc();
        now = t.at;
        if (finished === "") hooks.onTimer?.(ctx, t.token);
        flush();
      }
      now = end;
    },
    fill(childId, price, size) {
      const c = children[childId - 1]!;
      const q = Math.min(size ?? c.size - c.filled, c.size - c.filled);
      c.filled += q;
      c.notional += price * q;
      c.status = c.filled === c.size ? "filled" : "partially-filled";
      const f: Fill = { id: childId * 1000 + c.filled, orderId: childId, strategy: "test", instrument: c.instrument, side: c.side, price, size: q, fee: 0, liquidity: "taker", ts: now };
      if (finished === "") {
        hooks.onFill?.(ctx, f);
        hooks.onChild?.(ctx, c);
      }
      flush();
    },
    open: () => children.filter((c) => isOpen(c.status)),
  };
}

function isOpen(s: OrderStatus): boolean {
  return s !== "filled" && s !== "canceled" && s !== "rejected" && s !== "expired";
}
