/**
 * A small test harness for risk plugins, the counterpart of the SDK's strategy harness: it builds
 * the plugin with its params (schema defaults applied), keeps deployment positions and top-of-book
 * views, converts USD-quoted money to a USD account (other quote currencies need a rate set by the
 * test), feeds quotes to the plugin's `onQuote`, and builds the `RiskCheck` of an order as the risk
 * engine does. Integration through a real session is tested separately.
 */
import { Value } from "@sinclair/typebox/value";
import type { BookView, Instrument, OrderIntent, RiskCheck, RiskContext, RiskHooks, PortfolioVarView, RiskPlugin, RiskVerdict, RuleLimitChange, TradingState, TSchema } from "../../sdk/index.ts";

/** A mutable top of book. */
interface Book {
  instrument: number;
  ts: number;
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
  mid2: number;
  valid: boolean;
}

/** A risk plugin under test and its world. */
export interface RiskHarness {
  readonly ctx: RiskContext;
  readonly hooks: RiskHooks;
  readonly logs: { message: string; fields: Record<string, unknown> | undefined }[];
  positions: number[];
  /** Every trading-state change the rule asked for, in order (a repeat of the standing state is not one). */
  readonly stateRequests: { state: TradingState; reason: string; ts: number }[];
  /** Every limit change the rule journaled. */
  readonly limitChanges: (RuleLimitChange & { ts: number })[];
  /** What `ctx.portfolioVar()` answers (null: no portfolio VaR in the deployment). */
  portfolioVar: PortfolioVarView | null;
  /** Withdraws the rule's standing request, as an operator's release does. */
  release(): void;
  /** Account-currency value of one unit of each quote currency (USD is 1). */
  readonly rates: Record<string, number>;
  quote(instrument: number, bid: number, ask: number, ts: number): void;
  /** Runs the plugin's check on an order as the engine would build it. */
  check(intent: Partial<OrderIntent> & { instrument: number; side: 1 | -1; size: number }, workingSameSide?: number): RiskVerdict | null;
  now(): number;
}

/** Creates a harness for a risk plugin. */
export function createRiskHarness<P extends TSchema>(plugin: RiskPlugin<P>, opts: { params: unknown; instruments: readonly Instrument[] }): RiskHarness {
  const params = Value.Default(plugin.manifest.params, structuredClone(opts.params ?? {}));
  if (!Value.Check(plugin.manifest.params, params)) throw new Error(`params invalid: ${[...Value.Errors(plugin.manifest.params, params)].map((e) => `${e.path} ${e.message}`).join("; ")}`);
  const books: Book[] = opts.instruments.map((i) => ({ instrument: i.id, ts: 0, bid: 0, ask: 0, bidSize: 0, askSize: 0, mid2: 0, valid: false }));
  const logs: RiskHarness["logs"] = [];
  const rates: Record<string, number> = { USD: 1 };
  let now = 0;
  let standing: TradingState = "active";
  const h = {
    positions: opts.instruments.map(() => 0),
    logs,
    rates,
    stateRequests: [],
    limitChanges: [],
    release: () => void (standing = "active"),
    portfolioVar: null,
  } as unknown as RiskHarness & { positions: number[] };
  const ctx = {
    name: plugin.manifest.name, params, instruments: opts.instruments, now: () => now,
    log: (message: string, fields?: Record<string, unknown>) => logs.push({ message, fields }),
    position: (i: number) => h.positions[i]!,
    book: (i: number): BookView => books[i]!,
    toAccount: (i: number, money: number) => {
      const inst = opts.instruments[i]!;
      const rate = rates[inst.quote];
      return rate === undefined ? null : (money / 10 ** (inst.priceDecimals + inst.sizeDecimals)) * rate;
    },
    requestTradingState: (state: TradingState, reason: string) => {
      if (state === standing) return;
      standing = state;
      h.stateRequests.push({ state, reason, ts: now });
    },
    requestedTradingState: () => standing,
    journalLimitChange: (change: RuleLimitChange) => void h.limitChanges.push({ ...change, ts: now }),
    portfolioVar: () => h.portfolioVar,
  } as RiskContext<P>;
  const hooks = plugin.create(ctx) as RiskHooks;
  Object.assign(h, {
    ctx, hooks,
    now: () => now,
    quote(instrument: number, bid: number, ask: number, ts: number) {
      now = ts;
      Object.assign(books[instrument]!, { ts, bid, ask, bidSize: 1_000_000, askSize: 1_000_000, mid2: bid + ask, valid: true });
      hooks.onQuote?.(ctx, { ts, instrument, bid, ask, bidSize: 1_000_000, askSize: 1_000_000 });
    },
    check(intent: Partial<OrderIntent> & { instrument: number; side: 1 | -1; size: number }, workingSameSide = 0) {
      const book = books[intent.instrument]!;
      const full = { type: "market", tif: "IOC", ...intent } as OrderIntent;
      const order: RiskCheck = { strategy: "test", instrument: opts.instruments[intent.instrument]!, intent: full, position: h.positions[intent.instrument]!, workingSameSide, book, now };
      return hooks.check(ctx, order);
    },
  });
  return h;
}
