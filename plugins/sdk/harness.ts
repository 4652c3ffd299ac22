/**
 * A test harness for strategy plugins: it drives a plugin through the real `StrategyContext`
 * interface without starting the runtime. A test feeds quotes, trades, fills and the passage of
 * time, then asserts on the intents, cancels, orders, positions and logs the plugin produced.
 *
 * The harness is a stand-in for the runtime, kept deliberately simple: no risk chain is applied
 * (every intent is accepted unless the test installs a `reject` predicate), orders are
 * acknowledged at once ("working"), cancels take effect at once, and an IOC, FOK or market order
 * that the test has not filled is canceled before the next market event or timer (as a venue
 * would have done on arrival). Status changes caused by the plugin's own calls reach `onOrder`
 * after the hook that made them returns, never re-entrantly. The trading state starts "active";
 * `setTradingState` changes it and calls `onTradingState`, and while it is not "active" the
 * harness holds back intents as the runtime does (counted in `held`, `submit` returns 0), judged
 * on the strategy's own position.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import type { Instrument } from "./instrument.ts";
import type { BookView, Quote, Trade } from "./market.ts";
import { isTerminal, type Fill, type Liquidity, type OrderIntent, type OrderStatus, type OrderView, type Side } from "./orders.ts";
import type { StrategyContext, StrategyHooks, StrategyPlugin } from "./strategy.ts";
import { heldBy, type TradingState } from "./trading-state.ts";

/** How a test sets up a harness. */
export interface StrategyHarnessOptions {
  /** Raw params as the YAML would give them; schema defaults are applied. */
  readonly params?: unknown;
  readonly instruments: readonly Instrument[];
  /** Feature names the fake feature engine offers (values start as NaN; set them with setFeature). */
  readonly features?: { readonly names: readonly string[] };
  /** Kernel time at start, microseconds since epoch (default 2026-01-01T00:00:00Z). */
  readonly startTs?: number;
  /** Instance name (default the manifest's name). */
  readonly name?: string;
  /** Positions held before start, by symbol, in size units (e.g. recovered after a restart). */
  readonly positions?: Readonly<Record<string, number>>;
  /**
   * When true, a cancel leaves the order "pending-cancel" (it can still fill) until the test calls
   * confirmCancels(), as with a venue round trip; by default cancels take effect at once.
   */
  readonly pendingCancels?: boolean;
}

/** One intent the plugin submitted, with the order id it got and whether it was refused. */
export interface SubmittedIntent {
  readonly orderId: number;
  readonly ts: number;
  readonly intent: OrderIntent;
  /** Reason given by the reject predicate, or null when accepted. */
  readonly rejected: string | null;
}

/** One line the plugin logged. */
export interface LoggedLine {
  readonly ts: number;
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
}

/** Returns a refusal reason for an intent, or null/false/undefined to accept it. */
export type RejectPredicate = (intent: OrderIntent) => string | null | false | undefined;

/** A strategy under test and everything it did. */
export interface StrategyHarness<P extends TSchema = TSchema> {
  /** The context handed to the plugin (the same object every hook gets). */
  readonly ctx: StrategyContext<P>;
  /** Params after defaults, as the plugin sees them. */
  readonly params: Static<P>;
  /** Every intent submitted, in order. */
  readonly intents: readonly SubmittedIntent[];
  /** Ids of orders the plugin canceled (each once), in order. */
  readonly cancels: readonly number[];
  readonly fills: readonly Fill[];
  readonly logs: readonly LoggedLine[];
  /** Live views of the plugin's orders that can still fill. */
  readonly openOrders: readonly OrderView[];
  now(): number;
  /** Signed position in size units, from the fills the test applied. */
  position(instrument: number | string): number;
  order(orderId: number): OrderView | undefined;
  /** Delivers a quote at `ts` (default now), firing earlier timers first. */
  quote(instrument: number | string, bid: number, ask: number, bidSize: number, askSize: number, ts?: number): void;
  /** Delivers a public trade at `ts` (default now), firing earlier timers first. */
  trade(instrument: number | string, price: number, size: number, side?: number, ts?: number): void;
  /** Fills an open order (default: all that remains at its limit price), then calls onFill and onOrder. */
  fill(orderId: number, price?: number, size?: number, liquidity?: Liquidity): Fill;
  /** Moves kernel time forward by `us`, firing due timers in (due time, set order). */
  advance(us: number): void;
  /** Sets a feature value of an instrument (the name must be one of options.features.names). */
  setFeature(instrument: number | string, name: string, value: number): void;
  /** Installs (or with null removes) a predicate that simulates risk refusals. */
  reject(predicate: RejectPredicate | null): void;
  /** Intents held back by the trading state, by reason (they are not in `intents`). */
  readonly held: Readonly<Record<string, number>>;
  /** Sets the trading state and, when it changed, calls onTradingState. */
  setTradingState(state: TradingState): void;
  /** Confirms every pending cancel (options.pendingCancels): the orders become "canceled" and onOrder is called. */
  confirmCancels(): void;
  /** Calls onStop. */
  stop(): void;
}

/** Invalid params or setup: a stable code and every problem, each naming its path. */
export class HarnessSetupError extends Error {
  readonly code = "HARNESS_SETUP_INVALID";
  constructor(readonly plugin: string, readonly problems: readonly string[]) {
    super(`HARNESS_SETUP_INVALID: plugin=${plugin}\n  ${problems.join("\n  ")}`);
  }
}

/** A plugin misused the context (bad intent, missing capability, unknown instrument). */
export class HarnessUsageError extends Error {
  readonly code = "HARNESS_USAGE_INVALID";
}

interface MutableOrder {
  id: number; strategy: string; instrument: number; side: Side; type: OrderIntent["type"]; tif: NonNullable<OrderIntent["tif"]>;
  price: number; stopPrice: number; size: number; filled: number; status: OrderStatus; createdTs: number; updatedTs: number; reason: string;
}
type MutableBook = { -readonly [K in keyof BookView]: BookView[K] };
type MutableQuote = { -readonly [K in keyof Quote]: Quote[K] };

/** Applies defaults to `params` and returns them, or throws a HarnessSetupError naming each bad path. */
export function validateParams<P extends TSchema>(plugin: StrategyPlugin<P>, params: unknown): Static<P> {
  const value = Value.Default(plugin.manifest.params, structuredClone(params ?? {}));
  if (Value.Check(plugin.manifest.params, value)) return value as Static<P>;
  const problems: string[] = [];
  for (const e of Value.Errors(plugin.manifest.params, value)) {
    const path = "params" + e.path.split("/").filter((p) => p !== "").map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join("");
    problems.push(`${path}: ${e.message}, got ${JSON.stringify(e.value) ?? "nothing"}`);
  }
  throw new HarnessSetupError(plugin.manifest.name, problems);
}

/**
 * Creates a started strategy (create + onStart) driven by the test, with no risk applied.
 * @example
 * const h = createStrategyHarness(plugin, { params: { orderSize: 1000 }, instruments: [eurusd] });
 * h.quote("EURUSD", 114420, 114421, 900_000, 100_000);
 * expect(h.intents[0]?.intent.side).toBe(1);
 */
export function createStrategyHarness<P extends TSchema>(plugin: StrategyPlugin<P>, options: StrategyHarnessOptions): StrategyHarness<P> {
  const manifest = plugin.manifest;
  const params = validateParams(plugin, options.params);
  const featureNames = options.features?.names ?? [];
  const setup: string[] = [];
  const range = manifest.instruments;
  const n = options.instruments.length;
  if (range?.min !== undefined && n < range.min) setup.push(`instruments: expected at least ${range.min}, got ${n}`);
  if (range?.max !== undefined && n > range.max) setup.push(`instruments: expected at most ${range.max}, got ${n}`);
  for (const f of manifest.features ?? []) if (!featureNames.includes(f)) setup.push(`features: plugin needs "${f}", not in options.features.names`);
  if (setup.length > 0) throw new HarnessSetupError(manifest.name, setup);

  const name = options.name ?? manifest.name;
  const caps = manifest.capabilities;
  let now = options.startTs ?? 1_767_225_600_000_000;
  const byId = new Map<number, Instrument>();
  for (const i of options.instruments) byId.set(i.id, i);
  const books = new Map<number, MutableBook>();
  const features = new Map<number, Float64Array>();
  const positions = new Map<number, number>();
  for (const i of options.instruments) {
    books.set(i.id, { instrument: i.id, ts: 0, bid: 0, ask: 0, bidSize: 0, askSize: 0, mid2: 0, valid: false });
    features.set(i.id, new Float64Array(featureNames.length).fill(NaN));
    positions.set(i.id, options.positions?.[i.symbol] ?? 0);
  }
  const orders = new Map<number, MutableOrder>();
  /** Orders that can still fill, in submission order (kept apart so long replays stay linear). */
  const live = new Set<MutableOrder>();
  const intents: SubmittedIntent[] = [];
  const cancels: number[] = [];
  const fills: Fill[] = [];
  const logs: LoggedLine[] = [];
  const timers: { due: number; seq: number; token: number }[] = [];
  const notices: MutableOrder[] = [];
  let nextOrderId = 1;
  let nextFillId = 1;
  let timerSeq = 0;
  let depth = 0;
  let rejectWith: RejectPredicate | null = null;
  let tradingState: TradingState = "active";
  const held: Record<string, number> = {};
  const quoteEvent: MutableQuote = { ts: 0, instrument: 0, bid: 0, ask: 0, bidSize: 0, askSize: 0 };

  const fail = (message: string): never => {
    throw new HarnessUsageError(`HARNESS_USAGE_INVALID: plugin=${name}, ${message}`);
  };
  const need = (cap: "orders" | "timers" | "features", call: string): void => {
    if (caps !== undefined && !caps.includes(cap)) fail(`call=${call}, missing capability "${cap}" in the manifest`);
  };
  const resolve = (instrument: number | string): number => {
    if (typeof instrument === "number") return byId.has(instrument) ? instrument : fail(`instrument=${instrument} is not assigned`);
    for (const i of options.instruments) if (i.symbol === instrument) return i.id;
    return fail(`instrument=${instrument} is not assigned`);
  };
  const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

  function checkIntent(it: OrderIntent): void {
    const inst = byId.get(it.instrument) ?? fail(`instrument=${it.instrument} is not assigned`);
    if (it.side !== 1 && it.side !== -1) fail(`field=side, value=${it.side}, expected 1 or -1`);
    if (!isInt(it.size) || it.size <= 0) fail(`field=size, value=${it.size}, expected a positive integer number of units`);
    if (it.size % inst.lotSize !== 0 || it.size < inst.minSize) fail(`field=size, value=${it.size}, lotSize=${inst.lotSize}, minSize=${inst.minSize}`);
    const limit = it.type === "limit" || it.type === "stop-limit";
    const stop = it.type === "stop" || it.type === "stop-limit";
    if (limit && (!isInt(it.price) || it.price <= 0)) fail(`field=price, value=${it.price}, expected a positive integer number of ticks`);
    if (stop && (!isInt(it.stopPrice) || it.stopPrice <= 0)) fail(`field=stopPrice, value=${it.stopPrice}, expected a positive integer number of ticks`);
    if (it.tif === "GTD" && !isInt(it.expireTs)) fail("field=expireTs, expected an integer for GTD");
  }

  function setStatus(o: MutableOrder, status: OrderStatus, reason: string, notify: boolean): void {
    o.status = status;
    o.reason = reason;
    if (isTerminal(status)) live.delete(o);
    o.updatedTs = now;
    if (notify) notices.push(o);
  }

  /** Runs a hook, then delivers the order notices it caused (and those they cause). */
  function dispatch(run: () => void): void {
    depth++;
    try {
      run();
    } finally {
      depth--;
    }
    if (depth > 0) return;
    while (notices.length > 0) {
      const o = notices.shift() as MutableOrder;
      depth++;
      try {
        hooks.onOrder?.(ctx, o);
      } finally {
        depth--;
      }
    }
  }

  function doCancel(o: MutableOrder | undefined, reason: string): void {
    if (o === undefined || isTerminal(o.status) || o.status === "pending-cancel") return;
    cancels.push(o.id);
    if (options.pendingCancels === true) setStatus(o, "pending-cancel", reason, false);
    else setStatus(o, "canceled", reason, true);
  }

  const ctx: StrategyContext<P> = {
    name,
    params,
    instruments: options.instruments,
    now: () => now,
    book: (instrument) => books.get(instrument) ?? fail(`instrument=${instrument} is not assigned`),
    featureIndex: (feature) => featureNames.indexOf(feature),
    features: (instrument) => features.get(instrument) ?? fail(`instrument=${instrument} is not assigned`),
    position: (instrument) => positions.get(instrument) ?? 0,
    openOrders: (instrument) => [...live].filter((o) => instrument === undefined || o.instrument === instrument),
    order: (orderId) => orders.get(orderId),
    submit(intent) {
      need("orders", "submit");
      checkIntent(intent);
      const hold = heldBy(tradingState, intent.side, intent.size, positions.get(intent.instrument) ?? 0);
      if (hold !== null) {
        held[hold] = (held[hold] ?? 0) + 1;
        return 0;
      }
      const copy = Object.freeze({ ...intent });
      const id = nextOrderId++;
      const tif = intent.tif ?? (intent.type === "market" ? "IOC" : "GTC");
      const o: MutableOrder = {
        id, strategy: name, instrument: intent.instrument, side: intent.side, type: intent.type, tif,
        price: intent.price ?? 0, stopPrice: intent.stopPrice ?? 0, size: intent.size, filled: 0,
        status: "working", createdTs: now, updatedTs: now, reason: "",
      };
      orders.set(id, o);
      live.add(o);
      const refusal = rejectWith?.(copy) || null;
      if (refusal !== null) setStatus(o, "rejected", refusal, true);
      intents.push({ orderId: id, ts: now, intent: copy, rejected: refusal });
      return id;
    },
    cancel(orderId) {
      need("orders", "cancel");
      doCancel(orders.get(orderId), "canceled by strategy");
    },
    cancelAll(instrument) {
      need("orders", "cancelAll");
      for (const o of [...live]) if (instrument === undefined || o.instrument === instrument) doCancel(o, "canceled by strategy");
    },
    setTimer(afterUs, token) {
      need("timers", "setTimer");
      if (!isInt(afterUs) || afterUs < 0) fail(`field=afterUs, value=${afterUs}, expected a non-negative integer`);
      timers.push({ due: now + afterUs, seq: timerSeq++, token });
      timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
    },
    log(message, fields) {
      logs.push({ ts: now, message, fields });
    },
    tradingState: () => tradingState,
  };

  /** Cancels unfilled immediate orders, then fires timers due at or before `ts` and sets the clock. */
  function runUntil(ts: number): void {
    if (!isInt(ts) || ts < now) fail(`ts=${ts} is before now=${now} or not an integer`);
    for (const o of [...live]) {
      if ((o.tif === "IOC" || o.tif === "FOK" || o.type === "market")) setStatus(o, "canceled", `${o.tif} not filled`, true);
    }
    dispatch(() => {});
    while (timers.length > 0 && (timers[0] as { due: number }).due <= ts) {
      const t = timers.shift() as { due: number; token: number };
      now = t.due;
      dispatch(() => hooks.onTimer?.(ctx, t.token));
    }
    now = ts;
  }

  const hooks: StrategyHooks<P> = plugin.create(ctx);
  dispatch(() => hooks.onStart?.(ctx));

  return {
    ctx,
    params,
    intents,
    cancels,
    fills,
    logs,
    get openOrders() {
      return ctx.openOrders();
    },
    now: () => now,
    position: (instrument) => positions.get(resolve(instrument)) ?? 0,
    order: (orderId) => orders.get(orderId),
    quote(instrument, bid, ask, bidSize, askSize, ts = now) {
      const id = resolve(instrument);
      runUntil(ts);
      const b = books.get(id) as MutableBook;
      b.ts = ts; b.bid = bid; b.ask = ask; b.bidSize = bidSize; b.askSize = askSize;
      b.mid2 = bid + ask;
      b.valid = b.valid || (bid > 0 && ask > bid);
      quoteEvent.ts = ts; quoteEvent.instrument = id; quoteEvent.bid = bid; quoteEvent.ask = ask;
      quoteEvent.bidSize = bidSize; quoteEvent.askSize = askSize;
      dispatch(() => hooks.onQuote?.(ctx, quoteEvent));
    },
    trade(instrument, price, size, side = 0, ts = now) {
      const id = resolve(instrument);
      runUntil(ts);
      const t: Trade = { ts, instrument: id, price, size, side };
      dispatch(() => hooks.onTrade?.(ctx, t));
    },
    fill(orderId, price, size, liquidity = "maker") {
      const o = orders.get(orderId) ?? fail(`fill: no order ${orderId}`);
      if (isTerminal(o.status)) fail(`fill: order ${orderId} is ${o.status}`);
      const px = price ?? (o.price > 0 ? o.price : fail(`fill: order ${orderId} has no limit price; give one`));
      const qty = size ?? o.size - o.filled;
      if (!isInt(px) || !isInt(qty) || qty <= 0 || qty > o.size - o.filled) fail(`fill: price=${px}, size=${qty}, remaining=${o.size - o.filled}`);
      if (o.price > 0 && o.side * (px - o.price) > 0) fail(`fill: price=${px} is worse than the limit ${o.price}`);
      o.filled += qty;
      positions.set(o.instrument, (positions.get(o.instrument) ?? 0) + o.side * qty);
      // A fill can race a cancel in flight: the order stays pending-cancel until it is done or confirmed.
      setStatus(o, o.filled === o.size ? "filled" : o.status === "pending-cancel" ? "pending-cancel" : "partially-filled", o.reason, true);
      const f: Fill = { id: nextFillId++, orderId, strategy: name, instrument: o.instrument, side: o.side, price: px, size: qty, fee: 0, liquidity, ts: now };
      fills.push(f);
      dispatch(() => hooks.onFill?.(ctx, f));
      return f;
    },
    advance(us) {
      runUntil(now + us);
    },
    setFeature(instrument, feature, value) {
      const k = featureNames.indexOf(feature);
      if (k < 0) fail(`setFeature: "${feature}" is not in options.features.names`);
      (features.get(resolve(instrument)) as Float64Array)[k] = value;
    },
    reject(predicate) {
      rejectWith = predicate;
    },
    held,
    setTradingState(state) {
      if (state === tradingState) return;
      tradingState = state;
      dispatch(() => hooks.onTradingState?.(ctx, state));
    },
    confirmCancels() {
      for (const o of [...live]) if (o.status === "pending-cancel") setStatus(o, "canceled", o.reason, true);
      dispatch(() => {});
    },
    stop() {
      runUntil(now);
      dispatch(() => hooks.onStop?.(ctx));
    },
  };
}
