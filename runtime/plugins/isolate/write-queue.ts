/**
 * The context writes an isolated plugin queues (they return nothing) as binary records, in the
 * order made, crossing as the tail of its next frame back; the runtime applies them in place.
 *
 * ```
 * record: u8 op, then
 *   CANCEL       7 bytes 0, f64 order id                         (16 bytes)
 *   CANCEL_ALL   u8 1 when an instrument is given, 6 bytes 0, f64 instrument  (16 bytes)
 *   SET_TIMER    7 bytes 0, f64 after µs, f64 token             (24 bytes)
 *   CANCEL_ALGO  7 bytes 0, f64 parent id                       (16 bytes)
 *   PACKED       3 bytes 0, u32 n, n bytes of msgpack [method, args]   (8 + n bytes)
 * ```
 * A write whose arguments are not numbers (and `log`, whose fields are encoded when it is made, so
 * an object changed afterwards logs what it was) is a PACKED record, so the runtime sees what the
 * plugin passed.
 */
import type { StrategyContext } from "../../../plugins/sdk/strategy.ts";
import { packed } from "./frames.ts";

/** Record ops. */
export const Op = { CANCEL: 1, CANCEL_ALL: 2, SET_TIMER: 3, CANCEL_ALGO: 4, PACKED: 5 } as const;

/** The isolate's side: the queued writes, encoded as they are made. */
export class WriteQueue {
  bytes: Uint8Array;
  private view: DataView;
  /** Bytes queued. */
  length = 0;

  constructor(capacity = 4096) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Makes room for `n` more bytes and returns where they go. */
  private room(n: number): number {
    const at = this.length;
    if (at + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(2 * this.bytes.length, at + n));
      grown.set(this.bytes.subarray(0, at));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = at + n;
    return at;
  }

  /** A record of `op` with one f64 argument (and `flag` in byte 1). */
  private one(op: number, flag: number, a: number): void {
    const at = this.room(16);
    const v = this.view;
    v.setUint32(at, op | (flag << 8), true);
    v.setUint32(at + 4, 0, true);
    v.setFloat64(at + 8, a, true);
  }

  /** Queues `cancel(id)`. */
  cancel(id: number): void {
    if (typeof id === "number") this.one(Op.CANCEL, 0, id);
    else this.pack("cancel", [id]);
  }

  /** Queues `cancelAll(instrument?)`. */
  cancelAll(instrument?: number): void {
    if (instrument === undefined) this.one(Op.CANCEL_ALL, 0, 0);
    else if (typeof instrument === "number") this.one(Op.CANCEL_ALL, 1, instrument);
    else this.pack("cancelAll", [instrument]);
  }

  /** Queues `cancelAlgo(id)`. */
  cancelAlgo(id: number): void {
    if (typeof id === "number") this.one(Op.CANCEL_ALGO, 0, id);
    else this.pack("cancelAlgo", [id]);
  }

  /** Queues `setTimer(afterUs, token)`. */
  setTimer(afterUs: number, token: number): void {
    if (typeof afterUs !== "number" || typeof token !== "number") {
      this.pack("setTimer", [afterUs, token]);
      return;
    }
    const at = this.room(24);
    const v = this.view;
    v.setUint32(at, Op.SET_TIMER, true);
    v.setUint32(at + 4, 0, true);
    v.setFloat64(at + 8, afterUs, true);
    v.setFloat64(at + 16, token, true);
  }

  /** Queues any other write as msgpack `[method, args]`, encoded now. */
  pack(method: string, args: unknown[]): void {
    const body = packed([method, args]);
    const at = this.room(8 + body.length);
    this.view.setUint32(at, Op.PACKED, true);
    this.view.setUint32(at + 4, body.length, true);
    this.bytes.set(body, at + 8);
  }

  /** Forgets what was queued (it was sent). */
  clear(): void {
    this.length = 0;
  }
}

/** How the runtime performs a PACKED write (`[method, args]`); an error's message, or null. */
export type PackedWrite = (method: string, args: unknown[]) => string | null;

/**
 * Applies the write records of `bytes[at, end)` on `ctx`, in order, stopping at the first that
 * fails; returns its error's message (as the call would have thrown it in process), null when all
 * applied. `applied` counts them. A record this side cannot read is refused in one line.
 */
export class WriteApplier {
  applied = 0;

  constructor(private readonly unpack: (bytes: Uint8Array, at: number, n: number) => unknown, private readonly other: PackedWrite) {}

  apply(ctx: StrategyContext | null, v: DataView, bytes: Uint8Array, at: number, end: number): string | null {
    while (at < end) {
      if (ctx === null) return "ISOLATE_PROTOCOL: context writes before the plugin was created";
      const op = v.getUint8(at);
      const n = op === Op.SET_TIMER ? 24 : op === Op.PACKED && at + 8 <= end ? 8 + v.getUint32(at + 4, true) : 16;
      if (op < Op.CANCEL || op > Op.PACKED) return `ISOLATE_FRAME_UNKNOWN: ring=back unknown=write op=${op} at=${at}`;
      if (at + n > end) return `ISOLATE_FRAME_UNKNOWN: ring=back unknown=write ragged op=${op} at=${at} end=${end}`;
      this.applied++;
      try {
        if (op === Op.CANCEL) ctx.cancel(v.getFloat64(at + 8, true));
        else if (op === Op.SET_TIMER) ctx.setTimer(v.getFloat64(at + 8, true), v.getFloat64(at + 16, true));
        else if (op === Op.CANCEL_ALL) {
          if (v.getUint8(at + 1) === 1) ctx.cancelAll(v.getFloat64(at + 8, true));
          else ctx.cancelAll();
        } else if (op === Op.CANCEL_ALGO) {
          if (typeof ctx.cancelAlgo !== "function") return `ALGO_NOT_CONFIGURED: strategy=${ctx.name} call=cancelAlgo (the deployment has no execution.algos)`;
          ctx.cancelAlgo(v.getFloat64(at + 8, true));
        } else {
          const [m, a] = this.unpack(bytes, at + 8, n - 8) as [string, unknown[]];
          const e = this.other(m, a);
          if (e !== null) return e;
        }
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
      at += n;
    }
    return null;
  }
}
