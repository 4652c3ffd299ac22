/**
 * Plain typed objects the FIX venue emits and accepts: quotes, execution reports, cancel
 * rejects and message rejects out; orders, cancels and replaces in. Prices are integer ticks
 * and sizes integer units of the instrument (see plugins/sdk/instrument.ts); `ts` is integer
 * microseconds since the epoch.
 */
import type { Instrument } from "../../../sdk/instrument.ts";

/** What the venue needs to know about an instrument to map FIX decimals exactly. */
export type FixInstrument = Pick<Instrument, "symbol" | "priceDecimals" | "sizeDecimals">;

/** Order side. */
export type Side = "buy" | "sell";

/** Best bid and offer of one symbol from one session; a missing side has price and size 0. */
export interface FixQuote {
  readonly session: string;
  readonly symbol: string;
  readonly bidPrice: number;
  readonly bidSize: number;
  readonly askPrice: number;
  readonly askSize: number;
  readonly ts: number;
}

/** Execution report kinds, from ExecType (150) and OrdStatus (39). */
export type ExecKind = "new" | "partial-fill" | "fill" | "canceled" | "replaced" | "rejected" | "pending-cancel" | "pending-replace" | "expired" | "status" | "other";

/** An ExecutionReport (35=8). */
export interface FixExecutionReport {
  readonly session: string;
  readonly kind: ExecKind;
  readonly clOrdId: string;
  readonly origClOrdId: string | undefined;
  readonly orderId: string;
  readonly execId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly orderQty: number;
  /** Limit price in ticks, or 0 when absent. */
  readonly price: number;
  readonly lastQty: number;
  readonly lastPrice: number;
  readonly cumQty: number;
  readonly leavesQty: number;
  readonly avgPrice: number;
  readonly text: string | undefined;
  /** The counterparty marked it as possibly sent before (PossDupFlag=Y); dedupe by execId. */
  readonly possDup: boolean;
  /** OrdStatus (39) as its character ("0" new, "1" partially filled, "2" filled, "4" canceled, "8" rejected, "C" expired, ...). */
  readonly ordStatus: string;
  /** MassStatusReqID (584) of a status report answering an OrderMassStatusRequest. */
  readonly massStatusReqId: string | undefined;
  /** TotNumReports (911) of such a report (-1 when absent). */
  readonly totNumReports: number;
  /** LastRptRequested (912): the last report of the answer. */
  readonly lastRptRequested: boolean;
  readonly ts: number;
}

/** An OrderCancelReject (35=9). */
export interface FixCancelReject {
  readonly session: string;
  readonly clOrdId: string;
  readonly origClOrdId: string;
  readonly responseTo: "cancel" | "replace";
  /** CxlRejReason (102), or -1. */
  readonly reason: number;
  readonly text: string | undefined;
}

/** A session-level Reject (35=3) or a BusinessMessageReject (35=j) of something we sent. */
export interface FixMessageReject {
  readonly session: string;
  readonly level: "session" | "business";
  readonly refSeqNum: number;
  readonly refMsgType: string | undefined;
  readonly reason: number;
  readonly text: string | undefined;
}

/** A new order. `price` (ticks) is required for limit orders. */
export interface FixOrder {
  readonly clOrdId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: "limit" | "market";
  readonly quantity: number;
  readonly price?: number;
  readonly timeInForce?: "day" | "gtc" | "ioc" | "fok";
}

/** A cancel of the order last known as `origClOrdId`. */
export interface FixCancel {
  readonly clOrdId: string;
  readonly origClOrdId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
}

/** A cancel/replace giving the order new terms. */
export interface FixReplace extends FixOrder {
  readonly origClOrdId: string;
}

/** Outcome of a send: the MsgSeqNum used, or why nothing was sent. */
export type SendResult = { ok: true; seq: number } | { ok: false; code: string; reason: string };
