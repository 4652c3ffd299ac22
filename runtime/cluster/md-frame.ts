/**
 * The wire frame of one normalised market event on a per-instrument subject: eleven little-endian
 * float64 fields (88 bytes), integers only (ticks, units, microseconds), so the hot path encodes
 * and decodes without msgpack. Layout:
 *
 * ```
 *  0 kind | 1 instrument | 2 ts | 3 bid | 4 ask | 5 bidSize | 6 askSize | 7 price | 8 size | 9 side
 * 10 sentUs (feed's wall clock when published; tick-to-order across the broker is measured from it)
 * ```
 */
import type { MarketEvent } from "../data/sources/market-source.ts";
import { ClusterError } from "./errors.ts";

/** Bytes of one market-data frame. */
export const MD_FRAME_BYTES = 88;
const FIELDS = 11;

/** Encodes an event into a fresh frame (the publisher hands it to the client, which keeps it). */
export function encodeMd(ev: MarketEvent, sentUs: number): Uint8Array {
  const f = new Float64Array(FIELDS);
  f[0] = ev.kind;
  f[1] = ev.instrument;
  f[2] = ev.ts;
  f[3] = ev.bid;
  f[4] = ev.ask;
  f[5] = ev.bidSize;
  f[6] = ev.askSize;
  f[7] = ev.price;
  f[8] = ev.size;
  f[9] = ev.side;
  f[10] = sentUs;
  return new Uint8Array(f.buffer);
}

/** Decodes a frame into `out`; returns the publisher's sentUs. Throws CLUSTER_MESSAGE on a bad frame. */
export function decodeMd(data: Uint8Array, out: MarketEvent, subject: string): number {
  if (data.byteLength !== MD_FRAME_BYTES) throw new ClusterError("CLUSTER_MESSAGE", `subject=${subject} bytes=${data.byteLength} expected=${MD_FRAME_BYTES}`);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  out.kind = v.getFloat64(0, true);
  out.instrument = v.getFloat64(8, true);
  out.ts = v.getFloat64(16, true);
  out.bid = v.getFloat64(24, true);
  out.ask = v.getFloat64(32, true);
  out.bidSize = v.getFloat64(40, true);
  out.askSize = v.getFloat64(48, true);
  out.price = v.getFloat64(56, true);
  out.size = v.getFloat64(64, true);
  out.side = v.getFloat64(72, true);
  return v.getFloat64(80, true);
}
