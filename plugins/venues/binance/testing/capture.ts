/**
 * The Binance captures in ../shared/data/binance as the exchange double replays them: each line's
 * combined-stream envelope kept as the exact text received, depth diffs also parsed (integer
 * levels) so the double can keep its own book, and the one REST snapshot of the first file as the
 * starting book. Several files of one continuous capture are stitched in order.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { resolve } from "node:path";
import { scaledText, type DepthDiff, type DepthSnapshot, type Level } from "../../../../runtime/data/formats/binance.ts";

/** One frame of the capture as sent on the wire. */
export interface Frame {
  /** Receive time of the recorder, ns (its order is the replay order). */
  readonly ns: number;
  /** Stream name, e.g. "btcusdt@depth@100ms". */
  readonly stream: string;
  /** The envelope text exactly as received. */
  readonly text: string;
  /** The parsed diff when the frame is a depth update. */
  readonly diff: DepthDiff | null;
}

/** A capture ready to replay: the starting snapshot and the frames after it. */
export interface Capture {
  readonly snapshot: DepthSnapshot;
  readonly frames: readonly Frame[];
}

/** Folder of the shared data (../shared/data from the repository root). */
export const SHARED_DATA = resolve(import.meta.dir, "../../../../../shared/data");

/** The spot BTCUSDT capture: both files, stitched (about 11 minutes). */
export const SPOT_FILES = ["binance/spot_btcusdt_20240808.gz", "binance/spot_btcusdt_20240809.gz"];

/** The USD-M futures BTCUSDT capture (about 6 minutes, depth diffs chained by `pu`). */
export const USDM_FILES = ["binance/usdm_btcusdt_20240808.gz"];

/** Loads and stitches capture files; frames before the snapshot are left out (the book starts there). */
export function loadCapture(files: readonly string[], priceDecimals: number, sizeDecimals: number): Capture {
  const key = `${files.join("+")}@${priceDecimals}/${sizeDecimals}`;
  let c = loaded.get(key);
  if (c === undefined) {
    c = readCapture(files, priceDecimals, sizeDecimals);
    loaded.set(key, c);
  }
  return c;
}

/** Captures already read in this process (they are immutable; doubles share them). */
const loaded = new Map<string, Capture>();

function readCapture(files: readonly string[], priceDecimals: number, sizeDecimals: number): Capture {
  let snapshot: DepthSnapshot | null = null;
  const all: Frame[] = [];
  for (const f of files) {
    const raw = readFileSync(resolve(SHARED_DATA, f));
    const text = new TextDecoder().decode(f.endsWith(".gz") ? gunzipSync(raw) : raw);
    let at = 0;
    while (at < text.length) {
      let nl = text.indexOf("\n", at);
      if (nl < 0) nl = text.length;
      const line = text.slice(at, nl);
      at = nl + 1;
      const space = line.indexOf(" ");
      if (space < 0) continue;
      const ns = Number(line.slice(0, space));
      const body = line.slice(space + 1);
      const msg = JSON.parse(body);
      if (msg.stream === undefined) {
        if (snapshot === null) snapshot = { kind: "snapshot", localTs: Math.floor(ns / 1000), lastId: msg.lastUpdateId, bids: levels(msg.bids, priceDecimals, sizeDecimals), asks: levels(msg.asks, priceDecimals, sizeDecimals) };
        continue;
      }
      let diff: DepthDiff | null = null;
      if (String(msg.stream).includes("@depth")) {
        const d = msg.data;
        diff = { kind: "depth", localTs: Math.floor(ns / 1000), eventTs: d.E * 1000, firstId: d.U, lastId: d.u, prevLastId: typeof d.pu === "number" ? d.pu : -1, bids: levels(d.b, priceDecimals, sizeDecimals), asks: levels(d.a, priceDecimals, sizeDecimals) };
      }
      all.push({ ns, stream: msg.stream, text: body, diff });
    }
  }
  if (snapshot === null) throw new Error(`BINANCE_DOUBLE_NO_SNAPSHOT: files=${files.join(",")} hold no REST snapshot line`);
  // Diffs the snapshot already holds are left out (some were received before the snapshot's answer).
  const lastId = snapshot.lastId;
  return { snapshot, frames: all.filter((f) => f.diff === null || f.diff.lastId > lastId) };
}

function levels(raw: [string, string][], pd: number, sd: number): Level[] {
  return raw.map(([p, q]) => {
    const price = scaledText(p, pd);
    const size = scaledText(q, sd);
    if (price !== price || size !== size) throw new Error(`BINANCE_DOUBLE_BAD_LEVEL: level=${p}/${q} not exact at ${pd}/${sd} decimals`);
    return [price, size] as Level;
  });
}
