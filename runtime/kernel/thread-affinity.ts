/**
 * Pins the calling thread (not the whole process) to one CPU: Linux `sched_setaffinity(0, …)`
 * through `bun:ffi`, called from inside the thread it pins (the main thread, or a Worker). Used by
 * benchmarks to keep the trading loop and the admin front on separate cores.
 */

/** Pins the calling thread to `cpu`; returns null when pinned, else why not (not Linux, no libc, refused). */
export function pinThisThread(cpu: number): string | null {
  if (process.platform !== "linux") return `not pinned: platform=${process.platform}`;
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= 1024) return `not pinned: cpu=${cpu} expected 0..1023`;
  try {
    // Loaded on demand: nothing on the trading path needs FFI.
    const { dlopen, FFIType, ptr } = require("bun:ffi") as typeof import("bun:ffi");
    const lib = dlopen("libc.so.6", { sched_setaffinity: { args: [FFIType.i32, FFIType.u64, FFIType.ptr], returns: FFIType.i32 } });
    const mask = new Uint8Array(128);
    mask[cpu >> 3] = 1 << (cpu & 7);
    const rc = lib.symbols.sched_setaffinity(0, mask.byteLength, ptr(mask));
    lib.close();
    return rc === 0 ? null : `not pinned: sched_setaffinity cpu=${cpu} rc=${rc}`;
  } catch (err) {
    return `not pinned: ${(err as Error).message}`;
  }
}

/** The CPUs the calling thread may run on, from /proc (Linux), as text such as "0-1"; null elsewhere. */
export function threadCpus(): string | null {
  try {
    const status = require("node:fs").readFileSync("/proc/thread-self/status", "utf8") as string;
    return /Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1] ?? null;
  } catch {
    return null;
  }
}
