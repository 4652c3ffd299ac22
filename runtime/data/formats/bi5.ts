/**
 * Dukascopy `.bi5` tick files: one per UTC hour, LZMA "alone" compressed, 20-byte big-endian
 * records `uint32 ms in hour, uint32 ask, uint32 bid, float32 ask volume, float32 bid volume`
 * (prices in points, volumes in millions). The hour comes from the path: a `YYYY-MM-DD/HHh_ticks.bi5`
 * folder, or Dukascopy's own `YYYY/MM/DD/HHh_ticks.bi5` with months counted from 0.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import { decodeLzmaAlone } from "./lzma.ts";
import { DataFormatError, RowErrorLog, type QuoteReader, type QuoteRow, type RowError } from "./quote-reader.ts";
import { DAY_US, daysFromCivil } from "./time-text.ts";

const RECORD = 20;
const HOUR_MS = 3_600_000;

/** Options of the bi5 readers. */
export interface Bi5Options {
  /** Decimals of the file's price points; the instrument's priceDecimals by default (5 for EURUSD, 3 for USDJPY). */
  pointDecimals?: number;
}

/** Returns epoch microseconds at the start of the hour a bi5 path names; NaN if it names none. */
export function bi5HourStart(path: string): number {
  const hm = /^(\d{2})h_ticks\.bi5$/.exec(basename(path));
  if (hm === null) return Number.NaN;
  const hour = Number(hm[1]);
  const day = dirname(path);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(basename(day));
  if (iso !== null) return daysFromCivil(Number(iso[1]), Number(iso[2]), Number(iso[3])) * DAY_US + hour * HOUR_MS * 1000;
  const dd = basename(day);
  const mm = basename(dirname(day));
  const yyyy = basename(dirname(dirname(day)));
  if (/^\d{2}$/.test(dd) && /^\d{2}$/.test(mm) && /^\d{4}$/.test(yyyy)) {
    return daysFromCivil(Number(yyyy), Number(mm) + 1, Number(dd)) * DAY_US + hour * HOUR_MS * 1000;
  }
  return Number.NaN;
}

/** Decodes one bi5 file into its raw records; throws `DataFormatError` naming the file if it is unreadable or corrupt. */
export function decodeBi5File(path: string): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new DataFormatError("DATA_FILE_UNREADABLE", { file: path, cause: (e as Error).message });
  }
  if (raw.length === 0) return raw;
  const res = decodeLzmaAlone(raw);
  if (!res.ok) throw new DataFormatError("DATA_FILE_CORRUPT", { file: path, format: "bi5", cause: res.reason });
  if (res.bytes.length % RECORD !== 0) {
    throw new DataFormatError("DATA_FILE_CORRUPT", { file: path, format: "bi5", cause: `${res.bytes.length} bytes is not a whole number of 20-byte records` });
  }
  return res.bytes;
}

/** One hour file of a bi5 reader, already decoded when `bytes` is set. */
interface Bi5Hour {
  path: string;
  startUs: number;
  bytes?: Uint8Array;
}

/** Walks the records of decoded bi5 hours, converting points and millions to ticks and units. */
class Bi5Reader implements QuoteReader {
  private readonly log: RowErrorLog;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private at = 0;
  private record = 0;
  private hourUs = 0;
  private file = "";
  private hourIndex = 0;
  private readonly priceScale: number;
  private readonly priceDivisor: number;
  private readonly sizeScale: number;

  constructor(
    readonly source: string,
    private readonly hours: readonly Bi5Hour[],
    instrument: Instrument,
    options: Bi5Options,
  ) {
    this.log = new RowErrorLog(source);
    const shift = instrument.priceDecimals - (options.pointDecimals ?? instrument.priceDecimals);
    this.priceScale = shift >= 0 ? 10 ** shift : 1;
    this.priceDivisor = shift < 0 ? 10 ** -shift : 1;
    this.sizeScale = 10 ** instrument.sizeDecimals;
  }

  get errors(): readonly RowError[] {
    return this.log.errors;
  }

  get errorCount(): number {
    return this.log.count;
  }

  next(out: QuoteRow): boolean {
    for (;;) {
      if (this.at + RECORD <= this.view.byteLength) {
        const v = this.view;
        const at = this.at;
        this.at += RECORD;
        this.record++;
        const ms = v.getUint32(at);
        let ask = v.getUint32(at + 4);
        let bid = v.getUint32(at + 8);
        if (ms >= HOUR_MS) {
          this.bad(`record ${this.record}: time ${ms} ms is past the hour`);
          continue;
        }
        if (this.priceDivisor !== 1) {
          if (ask % this.priceDivisor !== 0 || bid % this.priceDivisor !== 0) {
            this.bad(`record ${this.record}: price ${bid}/${ask} points is finer than the instrument's tick`);
            continue;
          }
          ask /= this.priceDivisor;
          bid /= this.priceDivisor;
        }
        out.ts = this.hourUs + ms * 1000;
        out.ask = ask * this.priceScale;
        out.bid = bid * this.priceScale;
        // Volumes are float32 millions; Dukascopy's own decoders print them to 6 decimals, i.e. whole units.
        out.askSize = Math.round(v.getFloat32(at + 12) * 1e6) * this.sizeScale;
        out.bidSize = Math.round(v.getFloat32(at + 16) * 1e6) * this.sizeScale;
        return true;
      }
      if (!this.openNextHour()) return false;
    }
  }

  close(): void {
    this.hourIndex = this.hours.length;
    this.view = new DataView(new ArrayBuffer(0));
  }

  private bad(reason: string): void {
    // Each error names the hour file; the line is the record number in it.
    this.log.add(this.record, reason, this.file);
  }

  private openNextHour(): boolean {
    while (this.hourIndex < this.hours.length) {
      const hour = this.hours[this.hourIndex++];
      this.file = hour.path;
      this.hourUs = hour.startUs;
      this.at = 0;
      this.record = 0;
      if (!existsSync(hour.path)) {
        this.log.add(0, "hour file missing", hour.path);
        continue;
      }
      try {
        const bytes = hour.bytes ?? decodeBi5File(hour.path);
        this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        return true;
      } catch (e) {
        this.log.add(0, (e as Error).message, hour.path);
      }
    }
    this.view = new DataView(new ArrayBuffer(0));
    return false;
  }
}

/** Opens one hourly bi5 file; the hour comes from the path unless `hourStartUs` is given. Throws `DataFormatError` if the file is corrupt. */
export function openBi5Hour(path: string, instrument: Instrument, hourStartUs?: number, options: Bi5Options = {}): QuoteReader {
  const startUs = hourStartUs ?? bi5HourStart(path);
  if (startUs !== startUs) throw new DataFormatError("DATA_FILE_NAME_INVALID", { file: path, expected: "YYYY-MM-DD/HHh_ticks.bi5 or YYYY/MM0/DD/HHh_ticks.bi5" });
  return new Bi5Reader(path, [{ path, startUs, bytes: decodeBi5File(path) }], instrument, options);
}

/** Opens a folder of 24 hourly bi5 files as one day; a missing or corrupt hour is reported in `errors` with line 0. */
export function openBi5Day(folder: string, instrument: Instrument, options: Bi5Options = {}): QuoteReader {
  const hours: Bi5Hour[] = [];
  for (let h = 0; h < 24; h++) {
    const path = join(folder, `${String(h).padStart(2, "0")}h_ticks.bi5`);
    const startUs = bi5HourStart(path);
    if (startUs !== startUs) throw new DataFormatError("DATA_FILE_NAME_INVALID", { file: folder, expected: "a YYYY-MM-DD or YYYY/MM0/DD folder" });
    hours.push({ path, startUs });
  }
  return new Bi5Reader(folder, hours, instrument, options);
}
