/**
 * Scheduling of the calling thread (not the whole process), Linux only, through `bun:ffi` from
 * inside the thread itself (the main thread, or a Worker): pin it to one CPU
 * (`sched_setaffinity(0, …)`), or lower its CPU priority (`setpriority` on its thread id). Used to
 * keep the admin front from taking CPU time the trading loop wants, and by benchmarks to keep them
 * on separate cores.
 */

/** Pins the calling thread to `cpu`; returns null when pinned, else why not (not Linux, no libc, refused). */
export function pinThisThread(cpu: number): string | null {
  return pinThread(0, cpu);
}

/** Pins thread `tid` of this process (0: the calling thread) to `cpu`; returns null when pinned, else why not. */
export function pinThread(tid: number, cpu: number): string | null {
  if (process.platform !== "linux") return `not pinned: platform=${process.platform}`;
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= 1024) return `not pinned: cpu=${cpu} expected 0..1023`;
  if (!Number.isInteger(tid) || tid < 0) return `not pinned: tid=${tid} expected a thread id`;
  try {
    // Loaded on demand: nothing on the trading path needs FFI.
    const { dlopen, FFIType, ptr } = require("bun:ffi") as typeof import("bun:ffi");
    const lib = dlopen("libc.so.6", { sched_setaffinity: { args: [FFIType.i32, FFIType.u64, FFIType.ptr], returns: FFIType.i32 } });
    const mask = new Uint8Array(128);
    mask[cpu >> 3] = 1 << (cpu & 7);
    const rc = lib.symbols.sched_setaffinity(tid, mask.byteLength, ptr(mask));
    lib.close();
    return rc === 0 ? null : `not pinned: sched_setaffinity tid=${tid} cpu=${cpu} rc=${rc}`;
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

/** Raises the calling thread's niceness by `delta` (1..19; capped at 19); returns null when done, else why not. */
export function niceThisThread(delta: number): string | null {
  if (process.platform !== "linux") return `not reniced: platform=${process.platform}`;
  if (!Number.isInteger(delta) || delta < 1 || delta > 19) return `not reniced: delta=${delta} expected 1..19`;
  try {
    const tid = Number((require("node:fs").readlinkSync("/proc/thread-self") as string).split("/").at(-1));
    const { dlopen, FFIType } = require("bun:ffi") as typeof import("bun:ffi");
    const lib = dlopen("libc.so.6", {
      getpriority: { args: [FFIType.i32, FFIType.u32], returns: FFIType.i32 },
      setpriority: { args: [FFIType.i32, FFIType.u32, FFIType.i32], returns: FFIType.i32 },
    });
    // PRIO_PROCESS (0) with a thread id sets that thread's niceness on Linux.
    const now = lib.symbols.getpriority(0, tid);
    const rc = lib.symbols.setpriority(0, tid, Math.min(19, now + delta));
    lib.close();
    return rc === 0 ? null : `not reniced: setpriority tid=${tid} rc=${rc}`;
  } catch (err) {
    return `not reniced: ${(err as Error).message}`;
  }
}

/** The calling thread's niceness (Linux, from /proc), or null. */
export function threadNice(): number | null {
  try {
    const stat = require("node:fs").readFileSync("/proc/thread-self/stat", "utf8") as string;
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
  } catch {
    return null;
  }
}
