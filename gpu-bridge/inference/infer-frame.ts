/**
 * Bodies of the inference binary frames (gpu-bridge/PROTOCOL.md, "Binary frames"): a request is
 * u32 [count, rows, width, 0] then the windows as f32[count*rows*width]; the reply is u32
 * [count, 0], the device (16 NUL-padded bytes), the model version (48 NUL-padded bytes) and one
 * f32 signal per window. Little-endian (the host's order on every platform Kestrel runs on).
 */
import { readFixedText } from "../shm/binary-frame.ts";

/** Bytes before the outputs of an inference reply. */
const REPLY_HEAD = 72;

/** Bytes of an inference request's head (u32 count, rows, width, 0), before the windows. */
export const INFER_HEAD_BYTES = 16;

/** Writes the head of a batch of `count` windows of `rows` x `width` into `head` (16 bytes, e.g. reused) and returns it. */
export function writeInferHead(head: Uint8Array, count: number, rows: number, width: number): Uint8Array {
  const dv = new DataView(head.buffer, head.byteOffset, INFER_HEAD_BYTES);
  dv.setUint32(0, count, true);
  dv.setUint32(4, rows, true);
  dv.setUint32(8, width, true);
  dv.setUint32(12, 0, true);
  return head;
}

/** The windows of a batch as bytes: a view of `input`, not a copy (the body's second part). */
export function inferWindowBytes(input: Float32Array, count: number, rows: number, width: number): Uint8Array {
  return new Uint8Array(input.buffer, input.byteOffset, 4 * count * rows * width);
}

/**
 * Returns the frame body of a batch of `count` windows of `rows` x `width` float32 as one new
 * buffer. The hot path sends head and windows as two parts instead (`writeInferHead`,
 * `inferWindowBytes`, `ShmClient.sendFrame`'s `tail`), which builds no frame per call.
 */
export function encodeInferFrame(input: Float32Array, count: number, rows: number, width: number): Uint8Array {
  const out = new Uint8Array(INFER_HEAD_BYTES + 4 * count * rows * width);
  writeInferHead(out, count, rows, width);
  out.set(inferWindowBytes(input, count, rows, width), INFER_HEAD_BYTES);
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
