/**
 * RequestForPositions (AN) out, RequestForPositionsAck (AO) and PositionReport (AP) in: a
 * provider's view of our net position per symbol, for reconciliation after a (re)connect.
 */
import type { FixEncoder } from "../codec/encode.ts";
import type { FixMessage } from "../codec/message.ts";
import type { FixInstrument } from "./types.ts";

/** The provider's answer to one RequestForPositions, as it arrives. */
export interface FixPositionsAnswer {
  /** Net position per symbol (long minus short), in size units. */
  readonly positions: Map<string, number>;
  /** PositionReports announced by the ack (TotalNumPosReports), -1 until the ack arrives. */
  expected: number;
  received: number;
  /** Set when the provider refused the request or a report could not be read. */
  problem: string | null;
}

/** Writes a RequestForPositions body: positions (PosReqType 0) of `account` on `businessDate` (YYYYMMDD). */
export function writeRequestForPositions(enc: FixEncoder, reqId: string, account: string, businessDate: string, now: number): void {
  enc.str(710, reqId).int(724, 0).str(1, account).int(581, 1).str(715, businessDate).timestamp(60, now);
}

/** PosReqID (710) of an AO or AP message, or undefined. */
export function positionsReqIdOf(m: FixMessage): string | undefined {
  return m.string(710);
}

/** Applies a RequestForPositionsAck: the number of reports to expect, or the refusal. */
export function readPositionsAck(m: FixMessage, answer: FixPositionsAnswer): void {
  const result = m.int(728);
  const status = m.int(729);
  if (result !== 0 || status === 2) {
    answer.problem = `FIX_VENUE_POSITIONS_REFUSED: pos_req_result=${result} pos_req_status=${status} text=${m.string(58) ?? ""}`;
    answer.expected = 0;
    return;
  }
  const total = m.int(727, 0);
  answer.expected = Number.isSafeInteger(total) && total >= 0 ? total : 0;
}

/** Applies a PositionReport: adds long minus short of every PositionQty entry to the symbol's position. */
export function readPositionReport(m: FixMessage, answer: FixPositionsAnswer, instruments: ReadonlyMap<string, FixInstrument>): void {
  answer.received++;
  if (m.int(727, Number.NaN) >= 0 && answer.expected < 0) answer.expected = m.int(727);
  const symbol = m.string(55) ?? "";
  const instrument = instruments.get(symbol);
  if (instrument === undefined) {
    answer.problem = `FIX_VENUE_POSITIONS_UNKNOWN_SYMBOL: symbol=${symbol}`;
    return;
  }
  let net = answer.positions.get(symbol) ?? 0;
  for (const [tag, value] of m.toFields()) {
    if (tag !== 704 && tag !== 705) continue;
    const qty = decimalUnits(value, instrument.sizeDecimals);
    if (qty === null) {
      answer.problem = `FIX_VENUE_POSITIONS_BAD_QTY: symbol=${symbol} tag=${tag} value=${value}`;
      return;
    }
    net += tag === 704 ? qty : -qty;
  }
  answer.positions.set(symbol, net);
}

/** Whether every announced report has arrived (or the request was refused). */
export function positionsComplete(answer: FixPositionsAnswer): boolean {
  return answer.problem !== null || (answer.expected >= 0 && answer.received >= answer.expected);
}

/** Exact decimal text to integer units at `decimals`, or null when it does not map exactly. */
function decimalUnits(text: string, decimals: number): number | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) return null;
  let frac = (m[3] ?? "").replace(/0+$/, "");
  if (frac.length > decimals) return null;
  frac = frac.padEnd(decimals, "0");
  const v = Number(`${m[2]}${frac}`);
  if (!Number.isSafeInteger(v)) return null;
  return m[1] === "-" ? -v : v;
}
