/**
 * The Deno child process of the isolation-mechanisms bench. Deno has no mmap, so it maps the
 * /dev/shm segment through FFI (libc `open` + `mmap`, `--allow-ffi`, which in Deno amounts to every
 * permission: native code can do anything). `direct`: serves quotes over the segment's rings itself,
 * spinning. `relay`: a trusted host that starts a Deno Worker with no permissions
 * (`--unstable-worker-options`), from the bundled worker code at `<bundle>`, and relays every frame
 * between the segment and the Worker's SharedArrayBuffer rings (two hops per direction); the Worker
 * sleeps on its doorbell between frames, the host spins (`spin`) or sleeps while the Worker answers
 * (`handoff`).
 * Usage: `deno run --allow-ffi [--allow-read --unstable-worker-options] deno-child.ts <segment> direct|relay [<bundle> spin|handoff]`.
 */
import { segmentBytes } from "../../gpu-bridge/shm/layout.ts";
import { LatencyHistogram } from "../../runtime/kernel/latency-histogram.ts";
import { clientTrips, INNER_RESULTS, INNER_TRIPS, INNER_WRONG, link, Phase, SAB_BACK, SAB_BYTES, SAB_OUT, SAB_PHASE, SEG_BACK, SEG_CAPACITY, SEG_OUT, SEG_PHASE, relay, serve } from "./wire.ts";

/** The Deno APIs this file uses (the project's types are Bun's). */
declare const Deno: {
  args: string[];
  dlopen(path: string, symbols: Record<string, { parameters: string[]; result: string }>): { symbols: Record<string, ((...a: unknown[]) => unknown) | undefined> };
  UnsafePointerView: { getArrayBuffer(pointer: unknown, byteLength: number): ArrayBuffer };
  UnsafePointer: { value(pointer: unknown): bigint | number };
  readTextFileSync(path: string): string;
};

const [path, mode, bundle, workerMode] = Deno.args;
if (path === undefined || (mode !== "direct" && mode !== "relay")) throw new Error("usage: deno-child.ts <segment> direct|relay [<bundle> spin|handoff]");

const size = segmentBytes(SEG_CAPACITY);
const libc = Deno.dlopen("libc.so.6", {
  open: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
  sched_setaffinity: { parameters: ["i32", "usize", "buffer"], result: "i32" },
});
const O_RDWR = 2;
const PROT_READ_WRITE = 3;
const MAP_SHARED = 1;
const fd = libc.symbols.open!(new TextEncoder().encode(`${path}\0`), O_RDWR, 0) as number;
if (fd < 0) throw new Error(`BENCH_SHM: op=open path=${path} rc=${fd}`);
const pointer = libc.symbols.mmap!(null, size, PROT_READ_WRITE, MAP_SHARED, fd, 0);
if (pointer === null || BigInt(Deno.UnsafePointer.value(pointer)) === 0xffffffffffffffffn) throw new Error(`BENCH_SHM: op=mmap path=${path}`);
const seg = link(Deno.UnsafePointerView.getArrayBuffer(pointer, size), 0, size, SEG_BACK, SEG_OUT, SEG_PHASE);
const napWord = new Int32Array(new SharedArrayBuffer(4));
const nap = (): void => void Atomics.wait(napWord, 0, 0, 1);

if (mode === "direct") {
  console.log("ready");
  serve(seg, nap, false);
} else {
  if (bundle === undefined) throw new Error("relay: expected the worker bundle's path");
  const url = URL.createObjectURL(new Blob([Deno.readTextFileSync(bundle)], { type: "application/javascript" }));
  const worker = new Worker(url, { type: "module", deno: { permissions: "none" } } as WorkerOptions);
  const buffer = new SharedArrayBuffer(SAB_BYTES);
  const inner = link(buffer, 0, SAB_BYTES, SAB_OUT, SAB_BACK, SAB_PHASE);
  worker.onmessage = (e: MessageEvent) => {
    // The Worker's permission probe; then the relay takes this thread until the bench says STOP.
    console.log(`probe ${JSON.stringify(e.data)}`);
    console.log("ready");
    relay(seg, inner, nap, workerMode === "handoff", () => timeInner(inner));
    Atomics.store(inner.words, inner.phase, Phase.STOP);
    worker.terminate();
  };
  worker.postMessage({ buffer, sleepy: true });
}

/** Pins the calling thread to `cpu`; throws when refused. */
function pin(cpu: number): void {
  const mask = new Uint8Array(128);
  mask[cpu >> 3] = 1 << (cpu & 7);
  const rc = libc.symbols.sched_setaffinity!(0, mask.byteLength, mask) as number;
  if (rc !== 0) throw new Error(`BENCH_PIN: cpu=${cpu} rc=${rc}`);
}

const innerAll = new LatencyHistogram();
const innerRound = new LatencyHistogram();
const innerState = { seq: 0 };
/**
 * Times the Worker hop alone (Phase.INNER): this thread moves to cpu 0 (the runtime sleeps
 * meanwhile; the Worker, started while the process was under `taskset -c 1`, stays on cpu 1), both
 * spin, and the figures go back through the segment (`wire.ts`, INNER_*).
 */
function timeInner(inner: ReturnType<typeof link>): void {
  const n = Atomics.load(seg.words, INNER_TRIPS >> 2);
  innerRound.reset();
  pin(0);
  const wrong = clientTrips(inner, false, innerState, n, 2000, () => performance.now() * 1e6, (ns) => innerRound.record(ns));
  pin(1);
  innerAll.merge(innerRound);
  const out = [innerRound.percentile(50), innerRound.percentile(99), innerAll.percentile(50), innerAll.percentile(99), innerAll.percentile(99.9), innerAll.count];
  out.forEach((v, k) => seg.view.setFloat64(INNER_RESULTS + 8 * k, v, true));
  Atomics.store(seg.words, INNER_WRONG >> 2, wrong);
}
