/**
 * The Bun child process of the isolation-mechanisms bench: attaches the /dev/shm segment the bench
 * created (`Segment.attach`, as a sidecar does: magic and size checked) and serves quotes over its
 * rings, spinning.
 * Usage: `bun bench/isolation-mechanisms/bun-child.ts <segment-path>` (the bench starts it under `taskset`).
 */
import { formatBridgeError } from "../../gpu-bridge/shm/errors.ts";
import { Segment } from "../../gpu-bridge/shm/segment.ts";
import { link, SEG_BACK, SEG_OUT, SEG_PHASE, serve } from "./wire.ts";

const path = process.argv[2];
if (path === undefined) throw new Error("usage: bun-child.ts <segment-path>");
const seg = Segment.attach(path);
if (!(seg instanceof Segment)) throw new Error(formatBridgeError(seg));
const bytes = seg.bytes;
const napWord = new Int32Array(new SharedArrayBuffer(4));
console.log("ready");
serve(link(bytes.buffer, bytes.byteOffset, bytes.byteLength, SEG_BACK, SEG_OUT, SEG_PHASE), () => void Atomics.wait(napWord, 0, 0, 1), false);
