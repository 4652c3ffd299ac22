/**
 * LOBSTER files (lobsterdata.com): a message file (`time,type,order_id,size,price,direction`,
 * time in seconds after midnight, exchange local time, up to nanosecond decimals; price in
 * dollars × 10,000) and an order-book file whose row i is the book after message i (ask price,
 * ask size, bid price, bid size per level). The date and level count come from the file name
 * `TICKER_YYYY-MM-DD_START_END_{message|orderbook}_LEVELS.csv[.gz]`.
 */
import { basename } from "node:path";
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import { readDataFile } from "./file-bytes.ts";
import { DataFormatError, RowErrorLog, type RecordReader, type RowError } from "./quote-reader.ts";
import { TextCursor } from "./text-cursor.ts";
import { parseDateText } from "./time-text.ts";

/** LOBSTER event types. */
export const LobsterType = { Submit: 1, Cancel: 2, Delete: 3, Execute: 4, ExecuteHidden: 5, CrossTrade: 6, Halt: 7 } as const;

/** One LOBSTER message, integers: ts in µs since epoch, price in ticks, size in units, direction 1 buy / -1 sell. Reused by the reader. */
export interface LobsterMessage {
  ts: number;
  type: number;
  orderId: number;
  size: number;
  price: number;
  direction: number;
}

/** One LOBSTER book row, reused: level i (0 = best) of each side; empty levels have price 0 and size 0. */
export interface LobsterBook {
  askPrice: Float64Array;
  askSize: Float64Array;
  bidPrice: Float64Array;
  bidSize: Float64Array;
  /** Occupied levels on each side. */
  askLevels: number;
  bidLevels: number;
}

/** Options of the LOBSTER readers. */
export interface LobsterOptions {
  /** Offset of exchange local time from UTC in minutes on the file's day; computed for `timeZone` when absent. */
  utcOffsetMinutes?: number;
  /** IANA zone of the exchange; "America/New_York" by default (NASDAQ). */
  timeZone?: string;
}

/** What a LOBSTER file name says. */
export interface LobsterFileName {
  ticker: string;
  /** Epoch µs at UTC midnight of the trading day. */
  dayUs: number;
  kind: "message" | "orderbook";
  levels: number;
}

/** Parses a LOBSTER file name; undefined if it is not one. */
export function parseLobsterFileName(path: string): LobsterFileName | undefined {
  const m = /^([A-Za-z0-9.]+)_(\d{4}-\d{2}-\d{2})_\d+_\d+_(message|orderbook)_(\d+)\.csv(\.gz|\.zip)?$/.exec(basename(path));
  if (m === null) return undefined;
  return { ticker: m[1], dayUs: parseDateText(m[2]), kind: m[3] as "message" | "orderbook", levels: Number(m[4]) };
}

/** Returns the offset of a zone from UTC in minutes at noon UTC of a day (e.g. -240 for New York in June). */
export function zoneOffsetMinutes(timeZone: string, dayUs: number): number {
  const name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" })
    .formatToParts(new Date(dayUs / 1000 + 43_200_000))
    .find((p) => p.type === "timeZoneName")?.value;
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name ?? "");
  if (m === null) throw new DataFormatError("DATA_TIME_ZONE_INVALID", { timeZone, offset: name ?? "(none)" });
  return m[1] === undefined ? 0 : (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function fileName(path: string, kind: "message" | "orderbook"): LobsterFileName {
  const name = parseLobsterFileName(path);
  if (name === undefined || name.kind !== kind || name.dayUs !== name.dayUs) {
    throw new DataFormatError("DATA_FILE_NAME_INVALID", { file: path, expected: `TICKER_YYYY-MM-DD_START_END_${kind}_LEVELS.csv` });
  }
  return name;
}

/** Scale from LOBSTER's dollars × 10,000 to the instrument's ticks, refusing an instrument too coarse to hold them. */
function priceScale(path: string, instrument: Instrument): number {
  if (instrument.priceDecimals < 4) throw new DataFormatError("DATA_INSTRUMENT_TOO_COARSE", { file: path, instrument: instrument.symbol, priceDecimals: instrument.priceDecimals, needed: 4 });
  return 10 ** (instrument.priceDecimals - 4);
}

abstract class LobsterReader<T> implements RecordReader<T> {
  protected readonly log: RowErrorLog;
  protected readonly cursor: TextCursor;

  constructor(readonly source: string) {
    this.log = new RowErrorLog(source);
    this.cursor = new TextCursor(readDataFile(source));
  }

  get errors(): readonly RowError[] {
    return this.log.errors;
  }

  get errorCount(): number {
    return this.log.count;
  }

  next(out: T): boolean {
    while (this.cursor.nextLine()) {
      const reason = this.parse(out);
      if (reason === null) return true;
      this.log.add(this.cursor.line, reason);
    }
    return false;
  }

  close(): void {}

  protected abstract parse(out: T): string | null;
}

class MessageReader extends LobsterReader<LobsterMessage> {
  constructor(
    source: string,
    private readonly midnightUs: number,
    private readonly scale: number,
    private readonly sizeScale: number,
  ) {
    super(source);
  }

  protected parse(out: LobsterMessage): string | null {
    const c = this.cursor;
    let t = c.scaled(6);
    if (t !== t) {
      if (c.failure !== 3) return c.describe("time");
      // Nanosecond decimals: keep the microseconds.
      const buf = c.buf;
      let dot = c.fieldStart;
      while (buf[dot] !== 46) dot++;
      const savedEnd = c.lineEnd;
      const next = c.pos;
      c.pos = c.fieldStart;
      c.lineEnd = dot + 7;
      t = c.scaled(6);
      c.lineEnd = savedEnd;
      c.pos = next;
      if (t !== t) return c.describe("time");
    }
    const type = c.scaled(0);
    if (type !== type) return c.describe("type");
    if (type < 1 || type > 7) return `type: unknown event type ${type}`;
    const orderId = c.scaled(0);
    if (orderId !== orderId) return c.describe("order_id");
    const size = c.scaled(0);
    if (size !== size) return c.describe("size");
    const price = c.scaled(0);
    if (price !== price) return c.describe("price");
    const direction = c.scaled(0);
    if (direction !== direction) return c.describe("direction");
    if (direction !== 1 && direction !== -1) return `direction: ${direction} is not 1 or -1`;
    out.ts = this.midnightUs + t;
    out.type = type;
    out.orderId = orderId;
    out.size = size * this.sizeScale;
    // Halt messages carry -1/0/1 as a flag in the price column, not a price.
    out.price = type === LobsterType.Halt ? price : price * this.scale;
    out.direction = direction;
    return null;
  }
}

const DUMMY_ASK = 9999999999;
const DUMMY_BID = -9999999999;

class BookReader extends LobsterReader<LobsterBook> {
  constructor(
    source: string,
    private readonly levels: number,
    private readonly scale: number,
    private readonly sizeScale: number,
  ) {
    super(source);
  }

  protected parse(out: LobsterBook): string | null {
    const c = this.cursor;
    let asks = 0;
    let bids = 0;
    for (let level = 0; level < this.levels; level++) {
      const ap = c.scaled(0);
      if (ap !== ap) return c.describe(`ask price ${level + 1}`);
      const as = c.scaled(0);
      if (as !== as) return c.describe(`ask size ${level + 1}`);
      const bp = c.scaled(0);
      if (bp !== bp) return c.describe(`bid price ${level + 1}`);
      const bs = c.scaled(0);
      if (bs !== bs) return c.describe(`bid size ${level + 1}`);
      const askEmpty = ap === DUMMY_ASK;
      const bidEmpty = bp === DUMMY_BID;
      out.askPrice[level] = askEmpty ? 0 : ap * this.scale;
      out.askSize[level] = askEmpty ? 0 : as * this.sizeScale;
      out.bidPrice[level] = bidEmpty ? 0 : bp * this.scale;
      out.bidSize[level] = bidEmpty ? 0 : bs * this.sizeScale;
      if (!askEmpty) asks++;
      if (!bidEmpty) bids++;
    }
    out.askLevels = asks;
    out.bidLevels = bids;
    return null;
  }
}

/** Opens a LOBSTER message file; times become UTC µs using the exchange's offset on the file's day. */
export function openLobsterMessages(path: string, instrument: Instrument, options: LobsterOptions = {}): RecordReader<LobsterMessage> {
  const name = fileName(path, "message");
  const offset = options.utcOffsetMinutes ?? zoneOffsetMinutes(options.timeZone ?? "America/New_York", name.dayUs);
  return new MessageReader(path, name.dayUs - offset * 60_000_000, priceScale(path, instrument), 10 ** instrument.sizeDecimals);
}

/** Opens a LOBSTER order-book file; the level count comes from the file name. */
export function openLobsterBook(path: string, instrument: Instrument): { reader: RecordReader<LobsterBook>; newRow(): LobsterBook; levels: number } {
  const name = fileName(path, "orderbook");
  const levels = name.levels;
  const newRow = (): LobsterBook => ({
    askPrice: new Float64Array(levels),
    askSize: new Float64Array(levels),
    bidPrice: new Float64Array(levels),
    bidSize: new Float64Array(levels),
    askLevels: 0,
    bidLevels: 0,
  });
  return { reader: new BookReader(path, levels, priceScale(path, instrument), 10 ** instrument.sizeDecimals), newRow, levels };
}

/** Returns an empty message to pass to a message reader. */
export function newLobsterMessage(): LobsterMessage {
  return { ts: 0, type: 0, orderId: 0, size: 0, price: 0, direction: 0 };
}
