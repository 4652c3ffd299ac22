/**
 * Checks of an order before it is sent to a crypto exchange, shared by the venue plugins: a known
 * instrument whose exchange rules are loaded, an order type and time in force the plugin sends,
 * and the exchange's increments (size step and minimum, price step, minimum value). Each failure is
 * the reason of the rejection, in the plugin's own codes and names.
 */
import type { Instrument } from "../../sdk/instrument.ts";
import type { VenueContext, VenueOrder } from "../../sdk/venue.ts";

/** An instrument's increments in its integer units. */
export interface Increments {
  readonly sizeStep: number;
  readonly sizeMin: number;
  readonly priceStep: number;
  /** Smallest order value in money units (ticks x units); 0 when none. */
  readonly minValue: number;
}

/** How a plugin names the checks in its reasons. */
export interface CheckNames {
  /** Code of a rules-not-loaded rejection, e.g. BINANCE_NOT_READY. */
  readonly notReady: string;
  /** What is missing, e.g. "exchangeInfo not loaded or not matching". */
  readonly notLoaded: string;
  /** Which market the instrument key names (symbol, product). */
  readonly key: string;
  /** The order types the plugin sends, for the reason. */
  readonly types: string;
  /** Code of an increment rejection, e.g. BINANCE_FILTER. */
  readonly code: string;
  readonly sizeStep: string;
  readonly sizeMin: string;
  readonly priceStep: string;
  /** What the price step is called in the reason (tick, step). */
  readonly priceStepWord: string;
  /** Name of the value check and of the value in its reason. */
  readonly minValue: string;
  readonly value: string;
}

/** The instrument and its rules when the order may go; otherwise the reason it may not. */
export function precheck<R>(ctx: VenueContext, o: VenueOrder, rules: readonly (R | null)[], n: CheckNames): { inst: Instrument; rules: R } | string {
  const inst = ctx.instruments[o.instrument];
  if (inst === undefined) return "UNKNOWN_INSTRUMENT";
  const r = rules[o.instrument];
  if (r === null || r === undefined) return `${n.notReady}: ${n.key}=${inst.symbol} ${n.notLoaded}`;
  if (o.type !== "limit" && o.type !== "market") return `UNSUPPORTED_ORDER_TYPE: type=${o.type} (${n.types})`;
  if (o.tif === "GTD" || o.tif === "DAY") return `UNSUPPORTED_TIF: tif=${o.tif}`;
  return { inst, rules: r };
}

/** Why an order breaks the increments (null when it passes); a market order's value is taken at the far touch. */
export function checkIncrements(o: VenueOrder, r: Increments, touch: { bid: number; ask: number }, n: CheckNames): string | null {
  if (o.size % r.sizeStep !== 0) return `${n.code}: ${n.sizeStep} size=${o.size} step=${r.sizeStep}`;
  if (o.size < r.sizeMin) return `${n.code}: ${n.sizeMin} size=${o.size} min=${r.sizeMin}`;
  if (o.type === "limit" && o.price % r.priceStep !== 0) return `${n.code}: ${n.priceStep} price=${o.price} ${n.priceStepWord}=${r.priceStep}`;
  const ref = o.type === "limit" ? o.price : o.side === 1 ? touch.ask : touch.bid;
  if (ref > 0 && ref * o.size < r.minValue) return `${n.code}: ${n.minValue} ${n.value}=${ref * o.size} min=${r.minValue}`;
  return null;
}
