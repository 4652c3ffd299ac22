/**
 * Risk plugins: extra pre-trade rules the risk engine runs after its built-in chain. A rule returns
 * null to pass or a verdict to refuse; it never throws on purpose and never allocates to pass.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import type { Instrument } from "./instrument.ts";
import type { Manifest } from "./manifest.ts";
import type { BookView, Quote } from "./market.ts";
import type { Fill, OrderIntent } from "./orders.ts";
import type { TradingState } from "./trading-state.ts";

/** A refusal: a stable code and a `key=value` reason. */
export interface RiskVerdict {
  readonly code: string;
  readonly reason: string;
}

/** What a rule sees of a proposed order. */
export interface RiskCheck {
  readonly strategy: string;
  readonly instrument: Instrument;
  readonly intent: OrderIntent;
  /** Current signed position of the whole deployment in the instrument. */
  readonly position: number;
  /** Signed size of working orders on the same side, not yet filled. */
  readonly workingSameSide: number;
  readonly book: BookView;
  readonly now: number;
}

/** What the runtime offers a risk plugin. */
export interface RiskContext<P extends TSchema = TSchema> {
  readonly name: string;
  readonly params: Static<P>;
  readonly instruments: readonly Instrument[];
  now(): number;
  log(message: string, fields?: Record<string, unknown>): void;
  /** Deployment-wide signed position of an instrument, in size units. */
  position(instrument: number): number;
  /** Top of book of an instrument (`valid` is false before its first quote). */
  book(instrument: number): BookView;
  /** An instrument's money (price ticks × size units) in the account currency; null while no conversion rate is known. */
  toAccount(instrument: number, money: number): number | null;
  /**
   * Asks the risk engine to hold the deployment in `state` ("active" withdraws the request), with a
   * one-line `key=value` reason. The engine's trading state is the most restrictive of the kill
   * switch, the loss breaker and every rule's standing request; while a rule holds it, orders are
   * refused with `RULE_HALTED` / `RULE_REDUCING` (`rule=` names it). Each change of a rule's request
   * is journaled (control record `trading-state`), raised as an alert (`RISK_TRADING_HALTED` / `_REDUCING` / `_ACTIVE`) and
   * told to the strategies (`onTradingState`); reaching "halted" cancels every working order. Call
   * it from `onQuote` / `onFill`, not from `check`; asking again for the standing state does nothing.
   * @example
   * if (outside && ctx.requestedTradingState() === "active") ctx.requestTradingState("halted", "regime=outside");
   */
  requestTradingState(state: TradingState, reason: string): void;
  /** This rule's standing request ("active" when none, or after an operator released it). */
  requestedTradingState(): TradingState;
  /**
   * Journals a limit the rule changed (control record `rule-limit`; the audit log shows it as a
   * `limit-change`). The engine's own limits are not touched: the rule enforces its limit in `check`.
   */
  journalLimitChange(change: RuleLimitChange): void;
  /**
   * The last answer of the deployment's periodic portfolio VaR (`sidecars.gpu`: Monte Carlo, or the
   * bootstrap over stored returns, on the GPU sidecar or in process, off the order path); null when
   * the deployment runs none or before its first answer.
   */
  portfolioVar(): PortfolioVarView | null;
}

/** One periodic portfolio VaR answer, account currency. */
export interface PortfolioVarView {
  readonly var: number;
  readonly es: number;
  /** Kernel time (µs) of the portfolio it was computed on. */
  readonly asOf: number;
  readonly source: "sidecar" | "in-process";
  readonly method: "monte-carlo" | "bootstrap";
  readonly confidence: number;
  readonly horizonSeconds: number;
}

/** A limit a risk rule changed, as journaled. */
export interface RuleLimitChange {
  /** Instrument symbol ("" for a deployment-wide limit). */
  readonly instrument: string;
  /** Name of the limit, e.g. "maxPosition". */
  readonly limit: string;
  readonly from: number;
  readonly to: number;
  /** Why, as `key=value` context. */
  readonly why: string;
}

/** Hooks of a risk plugin. */
export interface RiskHooks<P extends TSchema = TSchema> {
  /** Pre-trade check: null passes. */
  check(ctx: RiskContext<P>, order: RiskCheck): RiskVerdict | null;
  /** Post-trade notification. */
  onFill?(ctx: RiskContext<P>, fill: Fill): void;
  /** Every applied quote, after the strategies have seen it; off the order path, but on the loop: no allocation. */
  onQuote?(ctx: RiskContext<P>, quote: Quote): void;
  /** What operators see of the rule (admin API `GET /api/v1/risk/rules`, dashboard); plain JSON, read off the order path. */
  status?(ctx: RiskContext<P>): Record<string, unknown>;
}

/** A risk plugin: its manifest and a factory of hooks. */
export interface RiskPlugin<P extends TSchema = TSchema> {
  readonly manifest: Manifest<P> & { readonly kind: "risk" };
  create(ctx: RiskContext<P>): RiskHooks<P>;
}

/**
 * Declares a risk plugin; an identity function that exists for type inference.
 * @example
 * export default defineRisk({
 *   manifest: { name: "max-size", version: "1.0.0", kind: "risk", sdk: "^0.1.0", params: Type.Object({ max: Type.Integer() }) },
 *   create: () => ({ check: (ctx, o) => (o.intent.size > ctx.params.max ? { code: "SIZE", reason: `size=${o.intent.size}` } : null) }),
 * });
 */
export function defineRisk<P extends TSchema>(plugin: RiskPlugin<P>): RiskPlugin<P> {
  return plugin;
}
