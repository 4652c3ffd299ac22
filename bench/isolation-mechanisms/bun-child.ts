/**
 * The Bun child process of the isolation-mechanisms bench: maps the /dev/shm segment the bench
 * created (`Bun.mmap`, shared, as a sidecar does) and serves quotes over its rings, spinning.
 * Usage: `bun bench/isolation-mechanisms/bun-child.ts <segment-path>` (the bench starts it under `taskset`).
 */
import { link, SEG_BACK, SEG_OUT, SEG_PHASE, serve } from "./wire.ts";

const path = process.argv[2];
if (path === undefined) throw new Error("usage: bun-child.ts <segment-path>");
const bytes = Bun.mmap(path, { shared: true });
const napWord = new Int32Array(new SharedArrayBuffer(4));
console.log("ready");
serve(link(bytes.buffer, bytes.byteOffset, bytes.byteLength, SEG_BACK, SEG_OUT, SEG_PHASE), () => void Atomics.wait(napWord, 0, 0, 1), false);
