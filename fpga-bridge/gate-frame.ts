/**
 * Bodies of the risk gate's binary frames (gpu-bridge/shm/binary-frame.ts): a `check` carries one
 * order as five little-endian f64 integers [instrument, side, price, qty, ts] and is answered
 * with u32 [code, cycles]; a `regs` carries [addr, value] pairs as f64 and is answered with u32
 * [count, 0]. One encoder per caller, reused: no allocation per order.
 */
import type { GateOrder } from "./golden/model.ts";

/** Bytes of a check body. */
export const CHECK_BODY_BYTES = 40;
/** Bytes of a check or regs reply body. */
export const GATE_REPLY_BYTES = 8;

/** Reused encoder of a caller's gate frames. */
export class GateFrameEncoder {
  private readonly check = new Uint8Array(CHECK_BODY_BYTES);
  private readonly checkView = new DataView(this.check.buffer);
  private regs = new Uint8Array(16 * 64);
  private regsView = new DataView(this.regs.buffer);

  /** Encodes an order's check body; the view is valid until the next call. */
  order(o: GateOrder): Uint8Array {
    const dv = this.checkView;
    dv.setFloat64(0, o.instrument, true);
    dv.setFloat64(8, o.side, true);
    dv.setFloat64(16, o.price, true);
    dv.setFloat64(24, o.qty, true);
    dv.setFloat64(32, o.ts, true);
    return this.check;
  }

  /** Encodes flat [addr, value, ...] register writes; the view is valid until the next call. */
  registers(flat: ArrayLike<number>, n: number = flat.length): Uint8Array {
    if (16 * (n >> 1) > this.regs.length) {
      this.regs = new Uint8Array(Math.max(16 * (n >> 1), this.regs.length * 2));
      this.regsView = new DataView(this.regs.buffer);
    }
    const dv = this.regsView;
    for (let i = 0; i + 1 < n; i += 2) {
      dv.setFloat64(8 * i, flat[i]!, true);
      dv.setFloat64(8 * i + 8, flat[i + 1]!, true);
    }
    return this.regs.subarray(0, 16 * (n >> 1));
  }
}

/** Reads the first u32 of a gate reply body (verdict code of a check, write count of a regs), or -1 when the body is too short. */
export function gateReplyWord(body: Uint8Array, index: 0 | 1): number {
  if (body.length < GATE_REPLY_BYTES) return -1;
  return (body[4 * index]! | (body[4 * index + 1]! << 8) | (body[4 * index + 2]! << 16) | (body[4 * index + 3]! << 24)) >>> 0;
}
