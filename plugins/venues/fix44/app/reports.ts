/**
 * Reading ExecutionReport, OrderCancelReject, Reject and BusinessMessageReject into plain
 * objects with integer prices and sizes. Decimals that do not map exactly onto the
 * instrument's scale read as NaN and are listed in `inexact` so the caller can raise them.
 */
import type { FixMessage } from "../codec/message.ts";
import type { ExecKind, FixCancelReject, FixExecutionReport, FixInstrument, FixMessageReject } from "./types.ts";

/** The report, plus the tags whose decimals were not exact at the instrument's scale. */
export interface ReadReport {
  readonly report: FixExecutionReport;
  readonly inexact: readonly number[];
}

function kindOf(execType: number, ordStatus: number): ExecKind {
  switch (execType) {
    case 48: return "new";
    case 49: return "partial-fill"; // FIX 4.2 values still sent by some venues
    case 50: return "fill";
    case 52: return "canceled";
    case 53: return "replaced";
    case 54: return "pending-cancel";
    case 56: return "rejected";
    case 67: return "expired";
    case 69: return "pending-replace";
    case 70: return ordStatus === 50 ? "fill" : "partial-fill";
    case 73: return "status";
    default: return "other";
  }
}

/** Reads an ExecutionReport; `instrument` gives the scales (undefined: symbol not configured). */
export function readExecutionReport(session: string, m: FixMessage, instrument: FixInstrument | undefined, ts: number): ReadReport {
  const pd = instrument?.priceDecimals ?? 0, sd = instrument?.sizeDecimals ?? 0;
  const inexact: number[] = [];
  const num = (tag: number, d: number): number => {
    const i = m.indexOf(tag);
    if (i < 0) return 0;
    const v = m.scaledAt(i, d);
    if (Number.isNaN(v)) inexact.push(tag);
    return v;
  };
  const report: FixExecutionReport = {
    session,
    kind: kindOf(m.char(150), m.char(39)),
    clOrdId: m.string(11) ?? "",
    origClOrdId: m.string(41),
    orderId: m.string(37) ?? "",
    execId: m.string(17) ?? "",
    symbol: m.string(55) ?? "",
    side: m.char(54) === 50 ? "sell" : "buy",
    orderQty: num(38, sd),
    price: num(44, pd),
    lastQty: num(32, sd),
    lastPrice: num(31, pd),
    cumQty: num(14, sd),
    leavesQty: num(151, sd),
    avgPrice: num(6, pd),
    text: m.string(58),
    possDup: m.possDup,
    ordStatus: String.fromCharCode(m.char(39)),
    massStatusReqId: m.string(584),
    totNumReports: m.int(911, -1),
    lastRptRequested: m.string(912) === "Y",
    ts,
  };
  return { report, inexact };
}

/** Reads an OrderCancelReject. */
export function readCancelReject(session: string, m: FixMessage): FixCancelReject {
  return {
    session,
    clOrdId: m.string(11) ?? "",
    origClOrdId: m.string(41) ?? "",
    responseTo: m.char(434) === 50 ? "replace" : "cancel",
    reason: m.int(102, -1),
    text: m.string(58),
  };
}

/** Reads a session Reject (35=3) or BusinessMessageReject (35=j). */
export function readMessageReject(session: string, m: FixMessage): FixMessageReject {
  const business = m.msgType === "j";
  return {
    session,
    level: business ? "business" : "session",
    refSeqNum: m.int(45, 0),
    refMsgType: m.string(372),
    reason: m.int(business ? 380 : 373, -1),
    text: m.string(58),
  };
}
