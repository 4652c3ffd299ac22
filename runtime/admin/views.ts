/**
 * JSON views of runtime state for operators: integers turned into exact decimal text at the edge
 * (prices at the instrument's price decimals, sizes at its size decimals, money at their sum),
 * sides as "buy"/"sell", instruments by symbol.
 */
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import { moneyDecimals } from "../../plugins/sdk/instrument.ts";
import { formatScaled } from "../../plugins/sdk/decimal.ts";
import type { Fill, OrderView } from "../../plugins/sdk/orders.ts";
import type { Alert } from "../kernel/alerts.ts";

/** An order as the API shows it. */
export interface OrderJson {
  id: number;
  strategy: string;
  instrument: string;
  side: "buy" | "sell";
  type: string;
  tif: string;
  price: string | null;
  stopPrice: string | null;
  size: string;
  filled: string;
  status: string;
  reason: string;
  createdTs: number;
  updatedTs: number;
}

/** A fill as the API shows it. */
export interface FillJson {
  id: number;
  orderId: number;
  strategy: string;
  instrument: string;
  side: "buy" | "sell";
  price: string;
  size: string;
  fee: string;
  liquidity: string;
  ts: number;
}

/** Formats a price in ticks. */
export function priceText(inst: Instrument, ticks: number): string {
  return formatScaled(ticks, inst.priceDecimals);
}

/** Formats a size in units. */
export function sizeText(inst: Instrument, units: number): string {
  return formatScaled(units, inst.sizeDecimals);
}

/** Formats money of an instrument (in its quote currency). */
export function moneyText(inst: Instrument, money: number): string {
  return formatScaled(money, moneyDecimals(inst));
}

/** The API view of an order. */
export function orderJson(instruments: readonly Instrument[], o: OrderView): OrderJson {
  const inst = instruments[o.instrument]!;
  return {
    id: o.id,
    strategy: o.strategy,
    instrument: inst.symbol,
    side: o.side === 1 ? "buy" : "sell",
    type: o.type,
    tif: o.tif,
    price: o.price === 0 ? null : priceText(inst, o.price),
    stopPrice: o.stopPrice === 0 ? null : priceText(inst, o.stopPrice),
    size: sizeText(inst, o.size),
    filled: sizeText(inst, o.filled),
    status: o.status,
    reason: o.reason,
    createdTs: o.createdTs,
    updatedTs: o.updatedTs,
  };
}

/** The API view of a fill. */
export function fillJson(instruments: readonly Instrument[], f: Fill): FillJson {
  const inst = instruments[f.instrument]!;
  return {
    id: f.id,
    orderId: f.orderId,
    strategy: f.strategy,
    instrument: inst.symbol,
    side: f.side === 1 ? "buy" : "sell",
    price: priceText(inst, f.price),
    size: sizeText(inst, f.size),
    fee: moneyText(inst, f.fee),
    liquidity: f.liquidity,
    ts: f.ts,
  };
}

/** The API view of an alert. */
export function alertJson(a: Alert): Alert {
  return { id: a.id, ts: a.ts, code: a.code, severity: a.severity, subject: a.subject, message: a.message, acknowledged: a.acknowledged };
}
