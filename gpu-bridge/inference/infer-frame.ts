/**
 * Bodies of the inference binary frames (gpu-bridge/PROTOCOL.md, "Binary frames"): a request is
 * u32 [count, rows, width, 0] then the windows as f32[count*rows*width]; the reply is u32
 * [count, 0], the device (16 NUL-padded bytes), the model version (48 NUL-padded bytes) and one
 * f32 signal per window. Little-endian (the host's order on every platform Kestrel runs on).
 */
import { readFixedText } from "../shm/binary-frame.ts";

/** Bytes before the outputs of an inference reply. */
const REPLY_HEAD = 72;

/** Returns the frame body of a batch of `count` windows of `rows` x `width` float32. */
export function encodeInferFrame(input: Float32Array, count: number, rows: number, width: number): Uint8Array {
  const n = count * rows * width;
  const out = new Uint8Array(16 + 4 * n);
  const head = new Uint32Array(out.buffer, 0, 4);
  head[0] = count;
  head[1] = rows;
  head[2] = width;
  new Float32Array(out.buffer, 16, n).set(input.subarray(0, n));
  return out;
}

/** An inference reply: the signals, the sidecar's device and model version. */
export interface InferReply {
  readonly outputs: Float32Array;
  readonly device: string;
  readonly version: string;
}

/** Reads an inference reply body of `count` signals, or returns null when it is not one. */
export function decodeInferReply(b: Uint8Array, count: number): InferReply | null {
  if (b.length !== REPLY_HEAD + 4 * count) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (dv.getUint32(0, true) !== count) return null;
  const outputs = new Float32Array(count);
  new Uint8Array(outputs.buffer).set(b.subarray(REPLY_HEAD));
  return { outputs, device: readFixedText(b, 8, 16), version: readFixedText(b, 24, 48) };
}
