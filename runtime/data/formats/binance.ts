/**
 * Binance market-data captures as recorded (e.g. by hftbacktest): gzip text, one message a line,
 * `<local receive ns> <json>`, the JSON a combined-stream envelope `{"stream", "data"}` carrying
 * depth diffs, bookTicker or trades, plus REST depth snapshots without `stream`. Each message is
 * turned into a typed event with integer prices (ticks) and sizes (units). This reader feeds the
 * importer, not the replay hot path, so it returns one object per message.
 */
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import { parseScaled } from "../../../plugins/sdk/decimal.ts";
import { readDataFile } from "./file-bytes.ts";
import { RowErrorLog, type RowError } from "./quote-reader.ts";

/** A price level: price in ticks, size in units (0 removes the level in a diff). */
export type Level = [price: number, size: number];

/** An order-book diff (`depthUpdate`): update ids `firstId..lastId`, and `prevLastId` on futures (-1 on spot). */
export interface DepthDiff {
  kind: "depth";
  localTs: number;
  eventTs: number;
  firstId: number;
  lastId: number;
  prevLastId: number;
  bids: Level[];
  asks: Level[];
}

/** A REST depth snapshot as of update id `lastId`. */
export interface DepthSnapshot {
  kind: "snapshot";
  localTs: number;
  lastId: number;
  bids: Level[];
  asks: Level[];
}

/** Best bid and ask with sizes as of update id `updateId`. */
export interface BookTicker {
  kind: "bookTicker";
  localTs: number;
  updateId: number;
  bid: number;
  bidSize: number;
  ask: number;
  askSize: number;
}

/** One trade; `buyerIsMaker` true means the seller was the aggressor. */
export interface BinanceTrade {
  kind: "trade";
  localTs: number;
  eventTs: number;
  tradeTs: number;
  tradeId: number;
  price: number;
  size: number;
  buyerIsMaker: boolean;
}

/** Any event of a Binance capture; times in µs since epoch (`localTs` from the recorder's clock, the others from Binance's). */
export type BinanceEvent = DepthDiff | DepthSnapshot | BookTicker | BinanceTrade;

/** Parses decimal text (plain or in exponent notation) into an integer scaled by 10^decimals; NaN if it is not exact at that scale. */
export function scaledText(text: unknown, decimals: number): number {
  if (typeof text !== "string" || text.length === 0) return Number.NaN;
  let value = 0;
  let frac = -1;
  let digits = 0;
  let inexact = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 46 && frac < 0) {
      frac = 0;
      continue;
    }
    if ((ch | 32) === 101) {
      // Exponent notation (`1.3e-05`): the SDK's exact parser shifts the point on the digits.
      const r = parseScaled(text, decimals);
      return r.ok ? r.value : Number.NaN;
    }
    const d = ch - 48;
    if (d < 0 || d > 9) return Number.NaN;
    digits++;
    if (frac < 0) value = value * 10 + d;
    else if (frac < decimals) {
      value = value * 10 + d;
      frac++;
    } else if (d !== 0) inexact = true;
  }
  if (digits === 0 || inexact) return Number.NaN;
  const scaled = value * 10 ** (decimals - Math.max(frac, 0));
  return Number.isSafeInteger(scaled) ? scaled : Number.NaN;
}

/** Reads the events of one capture file in order, skipping and reporting bad lines. */
export class BinanceCaptureReader {
  private readonly log: RowErrorLog;
  private readonly text: string;
  private at = 0;
  private line = 0;
  private readonly pd: number;
  private readonly sd: number;

  constructor(
    readonly source: string,
    instrument: Instrument,
  ) {
    this.log = new RowErrorLog(source);
    this.text = new TextDecoder().decode(readDataFile(source));
    this.pd = instrument.priceDecimals;
    this.sd = instrument.sizeDecimals;
  }

  /** Bad lines kept in full (the first 100). */
  get errors(): readonly RowError[] {
    return this.log.errors;
  }

  /** Every bad line seen. */
  get errorCount(): number {
    return this.log.count;
  }

  /** Returns the next event, or undefined at the end. */
  next(): BinanceEvent | undefined {
    const text = this.text;
    while (this.at < text.length) {
      let nl = text.indexOf("\n", this.at);
      if (nl < 0) nl = text.length;
      const start = this.at;
      this.at = nl + 1;
      this.line++;
      if (nl === start) continue;
      const result = this.parseLine(text.slice(start, nl));
      if (typeof result === "string") this.log.add(this.line, result);
      else return result;
    }
    return undefined;
  }

  private parseLine(line: string): BinanceEvent | string {
    const space = line.indexOf(" ");
    if (space < 4) return "expected `<receive ns> <json>`";
    const nsText = line.slice(0, space);
    if (!/^\d+$/.test(nsText)) return `receive time: not a number: "${nsText.slice(0, 30)}"`;
    const localTs = Number(nsText.slice(0, -3));
    let msg: any;
    try {
      msg = JSON.parse(line.slice(space + 1));
    } catch (e) {
      return `not JSON: ${(e as Error).message}`;
    }
    if (msg === null || typeof msg !== "object") return "JSON is not an object";
    if (msg.stream === undefined) {
      if (typeof msg.lastUpdateId !== "number") return "message has neither `stream` nor `lastUpdateId`";
      const bids = this.levels(msg.bids, "bids");
      if (typeof bids === "string") return bids;
      const asks = this.levels(msg.asks, "asks");
      if (typeof asks === "string") return asks;
      return { kind: "snapshot", localTs, lastId: msg.lastUpdateId, bids, asks };
    }
    const d = msg.data;
    if (d === null || typeof d !== "object") return `stream ${msg.stream}: no data`;
    const stream = String(msg.stream);
    if (stream.includes("@depth")) {
      if (typeof d.U !== "number" || typeof d.u !== "number") return `${stream}: update ids U/u missing`;
      const bids = this.levels(d.b, "b");
      if (typeof bids === "string") return bids;
      const asks = this.levels(d.a, "a");
      if (typeof asks === "string") return asks;
      return { kind: "depth", localTs, eventTs: d.E * 1000, firstId: d.U, lastId: d.u, prevLastId: typeof d.pu === "number" ? d.pu : -1, bids, asks };
    }
    if (stream.endsWith("@bookTicker")) {
      const bid = scaledText(d.b, this.pd);
      const ask = scaledText(d.a, this.pd);
      const bidSize = scaledText(d.B, this.sd);
      const askSize = scaledText(d.A, this.sd);
      if (bid !== bid || ask !== ask) return `${stream}: bid/ask not exact at ${this.pd} decimals: ${d.b}/${d.a}`;
      if (bidSize !== bidSize || askSize !== askSize) return `${stream}: sizes not exact at ${this.sd} decimals: ${d.B}/${d.A}`;
      if (typeof d.u !== "number") return `${stream}: update id u missing`;
      return { kind: "bookTicker", localTs, updateId: d.u, bid, bidSize, ask, askSize };
    }
    if (stream.endsWith("@trade") || stream.endsWith("@aggTrade")) {
      const price = scaledText(d.p, this.pd);
      const size = scaledText(d.q, this.sd);
      if (price !== price) return `${stream}: price not exact at ${this.pd} decimals: ${d.p}`;
      if (size !== size) return `${stream}: size not exact at ${this.sd} decimals: ${d.q}`;
      return { kind: "trade", localTs, eventTs: d.E * 1000, tradeTs: d.T * 1000, tradeId: d.t ?? d.a, price, size, buyerIsMaker: d.m === true };
    }
    return `unknown stream ${stream}`;
  }

  private levels(raw: unknown, field: string): Level[] | string {
    if (!Array.isArray(raw)) return `${field}: not a list of levels`;
    const out: Level[] = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const lv = raw[i];
      const price = Array.isArray(lv) ? scaledText(lv[0], this.pd) : Number.NaN;
      const size = Array.isArray(lv) ? scaledText(lv[1], this.sd) : Number.NaN;
      if (price !== price || size !== size) return `${field}[${i}]: ${JSON.stringify(lv)} not exact at ${this.pd}/${this.sd} decimals`;
      out[i] = [price, size];
    }
    return out;
  }
}

/** Opens a Binance capture (gzip or plain). */
export function openBinanceCapture(path: string, instrument: Instrument): BinanceCaptureReader {
  return new BinanceCaptureReader(path, instrument);
}
