/**
 * Risk plugins: extra pre-trade rules the risk engine runs after its built-in chain. A rule returns
 * null to pass or a verdict to refuse; it never throws on purpose and never allocates to pass.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import type { Instrument } from "./instrument.ts";
import type { Manifest } from "./manifest.ts";
import type { BookView, Quote } from "./market.ts";
import type { Fill, OrderIntent } from "./orders.ts";

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
}

/** Hooks of a risk plugin. */
export interface RiskHooks<P extends TSchema = TSchema> {
  /** Pre-trade check: null passes. */
  check(ctx: RiskContext<P>, order: RiskCheck): RiskVerdict | null;
  /** Post-trade notification. */
  onFill?(ctx: RiskContext<P>, fill: Fill): void;
  /** Every applied quote, after the strategies have seen it; off the order path, but on the loop: no allocation. */
  onQuote?(ctx: RiskContext<P>, quote: Quote): void;
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
