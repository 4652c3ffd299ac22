/**
 * The runtime's side of each isolation mechanism the bench compares: starts the other side
 * (a Bun Worker, a Bun or Deno child process under `taskset`, a Deno host with a Deno Worker), times
 * the first answer, and then times round trips of a quote frame, checking every answer.
 */
import { readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import type { Subprocess } from "bun";
import { formatBridgeError } from "../../gpu-bridge/shm/errors.ts";
import { Segment } from "../../gpu-bridge/shm/segment.ts";
import type { LatencyHistogram } from "../../runtime/kernel/latency-histogram.ts";
import type { ClonedQuote, WorkerBoot } from "./bun-worker.ts";
import { clientTrips, expectedAnswer, INNER_RESULTS, INNER_TRIPS, INNER_WRONG, link, Phase, ringBell, SAB_BACK, SAB_BYTES, SAB_OUT, SAB_PHASE, SEG_BACK, SEG_CAPACITY, SEG_OUT, SEG_PHASE, type Link } from "./wire.ts";

/** One mechanism, started and answering. */
export interface Mechanism {
  readonly name: string;
  /** From starting the other side to its first answer, ms. */
  readonly startMs: number;
  /** Resident memory the other side added, MiB (a process's own RSS; a Worker's: this process's RSS growth, rough); null when not measured. */
  readonly rssMiB: number | null;
  /** What the other side printed or reported when it started (the Deno Worker's permission probe). */
  readonly notes: string[];
  /** Runs `warm` untimed then `n` timed round trips, recording each into `h` (when given); returns how many answers were wrong. */
  trips(n: number, warm: number, h: LatencyHistogram | null): Promise<number>;
  /** Stops the other side. */
  stop(): Promise<void>;
  /** Set by a mechanism timed on the other side (the Deno Worker hop alone), after each `trips`: ns. */
  reported?: { roundP50: number; roundP99: number; p50: number; p99: number; p999: number; count: number };
}

/** A mechanism over a /dev/shm segment, with the runtime's side of the segment. */
export interface SegmentMechanism extends Mechanism {
  readonly link: Link;
}

const rssOf = (pid: number | "self"): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m === null ? Number.NaN : Number(m[1]) / 1024;
};

/** Ring round trips over `l` (the server spinning, or asleep on the doorbell when `sleepy`); `seq` numbers the quotes. */
function ringTrips(l: Link, sleepy: boolean, state: { seq: number }, n: number, warm: number, h: LatencyHistogram | null): number {
  Atomics.store(l.words, l.phase, Phase.RUN);
  const bad = clientTrips(l, sleepy, state, n, warm, Bun.nanoseconds, h === null ? () => {} : (ns) => h.record(ns));
  Atomics.store(l.words, l.phase, Phase.IDLE);
  return bad;
}

/** Waits for the first message of `w`. */
const firstMessage = (w: Worker): Promise<unknown> =>
  new Promise((ok, fail) => {
    w.onmessage = (e) => ok(e.data);
    w.onerror = (e) => fail(new Error(`BENCH_WORKER: ${e.message}`));
  });

/** 1 (and 1b): a Bun Worker over a SharedArrayBuffer, spinning (or asleep on the doorbell when `sleepy`), pinned to `cpu`. */
export async function bunWorker(cpu: number, sleepy: boolean): Promise<Mechanism> {
  const rss0 = rssOf("self");
  const t0 = Bun.nanoseconds();
  const buffer = new SharedArrayBuffer(SAB_BYTES);
  const l = link(buffer, 0, SAB_BYTES, SAB_OUT, SAB_BACK, SAB_PHASE);
  const w = new Worker(new URL("./bun-worker.ts", import.meta.url).href);
  const ready = firstMessage(w);
  w.postMessage({ buffer, cpu, sleepy } satisfies WorkerBoot);
  const { pinned } = (await ready) as { pinned: string | null };
  const state = { seq: 0 };
  const firstBad = ringTrips(l, sleepy, state, 0, 1, null);
  const startMs = (Bun.nanoseconds() - t0) / 1e6;
  return {
    name: sleepy ? "Bun Worker, SAB, worker asleep on doorbell" : "Bun Worker, SAB, both spinning",
    startMs,
    rssMiB: rssOf("self") - rss0,
    notes: [`worker thread ${pinned ?? `pinned to cpu ${cpu}`}`],
    trips: async (n, warm, h) => firstBad + ringTrips(l, sleepy, state, n, warm, h),
    stop: async () => {
      Atomics.store(l.words, l.phase, Phase.STOP);
      ringBell(l.words);
      await Bun.sleep(20);
      w.terminate();
    },
  };
}

/** 5 (reference): a Bun Worker answering postMessage quotes (structured clone both ways), pinned to `cpu`. */
export async function bunWorkerPostMessage(cpu: number): Promise<Mechanism> {
  const rss0 = rssOf("self");
  const t0 = Bun.nanoseconds();
  const w = new Worker(new URL("./bun-worker.ts", import.meta.url).href);
  const ready = firstMessage(w);
  w.postMessage({ buffer: null, cpu, sleepy: false } satisfies WorkerBoot);
  const { pinned } = (await ready) as { pinned: string | null };
  let answered: (v: number) => void = () => {};
  w.onmessage = (e) => answered(e.data as number);
  const q: ClonedQuote = { instrument: 3, now: 0, ts: 0, bid: 0, ask: 114_503, bidSize: 1_000_000, askSize: 900_000 };
  let seq = 0;
  const trips = async (n: number, warm: number, h: LatencyHistogram | null): Promise<number> => {
    let bad = 0;
    for (let k = -warm; k < n; k++) {
      const s = seq++;
      const t = Bun.nanoseconds();
      q.now = t;
      q.ts = s;
      q.bid = 114_500 + 7 * s;
      const answer = new Promise<number>((ok) => (answered = ok));
      w.postMessage(q);
      const a = await answer;
      const t1 = Bun.nanoseconds();
      if (a !== expectedAnswer(s)) bad++;
      if (k >= 0 && h !== null) h.record(t1 - t);
    }
    return bad;
  };
  const firstBad = await trips(0, 1, null);
  const startMs = (Bun.nanoseconds() - t0) / 1e6;
  return {
    name: "Bun Worker, postMessage ping-pong",
    startMs,
    rssMiB: rssOf("self") - rss0,
    notes: [`worker thread ${pinned ?? `pinned to cpu ${cpu}`}`],
    trips: async (n, warm, h) => firstBad + (await trips(n, warm, h)),
    stop: async () => w.terminate(),
  };
}

/** Collects the lines a child prints on stdout into `into`. */
async function collectLines(proc: Subprocess<"ignore", "pipe", "inherit">, into: string[]): Promise<void> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of proc.stdout) {
    rest += decoder.decode(chunk, { stream: true });
    const lines = rest.split("\n");
    rest = lines.pop()!;
    into.push(...lines);
  }
  if (rest !== "") into.push(rest);
}

/** 2–4: a child process (`argv`, to which the segment's path is given by `argvFor`) under `taskset -c cpu`, over a /dev/shm segment. */
export async function childProcess(name: string, cpu: number, argvFor: (segment: string) => string[]): Promise<SegmentMechanism> {
  const path = `/dev/shm/kestrel-bench-mech-${process.pid}-${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`;
  const seg = Segment.create(path, SEG_CAPACITY, 1000);
  if (!(seg instanceof Segment)) throw new Error(formatBridgeError(seg));
  const l = link(seg.bytes.buffer, seg.bytes.byteOffset, seg.bytes.byteLength, SEG_OUT, SEG_BACK, SEG_PHASE);
  const lines: string[] = [];
  const t0 = Bun.nanoseconds();
  const proc = Bun.spawn(["taskset", "-c", String(cpu), ...argvFor(path)], { stdin: "ignore", stdout: "pipe", stderr: "inherit", cwd: "/tmp" });
  const reading = collectLines(proc, lines);
  const state = { seq: 0 };
  let firstBad: number;
  try {
    firstBad = ringTrips(l, false, state, 0, 1, null);
  } catch (err) {
    proc.kill();
    rmSync(path, { force: true });
    throw err;
  }
  const startMs = (Bun.nanoseconds() - t0) / 1e6;
  const rssMiB = rssOf(proc.pid);
  await Bun.sleep(0);
  return {
    name,
    link: l,
    startMs,
    rssMiB,
    notes: lines,
    trips: async (n, warm, h) => firstBad + ringTrips(l, false, state, n, warm, h),
    stop: async () => {
      Atomics.store(l.words, l.phase, Phase.STOP);
      const done = await Promise.race([proc.exited, Bun.sleep(3000).then(() => null)]);
      if (done === null) proc.kill();
      await reading;
      rmSync(path, { force: true });
    },
  };
}

/**
 * 4c: the hop between a relaying Deno host (`host`, started with `denoChildArgv(.., "spin" | "handoff")`)
 * and its Deno Worker alone, both spinning, timed by the host (`performance.now()`) with its main
 * thread moved to the runtime's core while this side sleeps: what the hop adds on a machine with
 * a core for each of the three spinning threads, which this one lacks.
 */
export function denoInnerHop(host: SegmentMechanism): Mechanism {
  const l = host.link;
  const m: Mechanism = {
    name: "Deno main ↔ Deno Worker (none), hop alone",
    startMs: Number.NaN,
    rssMiB: null,
    notes: [],
    trips: async (n) => {
      Atomics.store(l.words, INNER_TRIPS >> 2, n);
      Atomics.store(l.words, l.phase, Phase.INNER);
      const t0 = Date.now();
      while (Atomics.load(l.words, l.phase) === Phase.INNER) {
        if (Date.now() - t0 > 60_000) throw new Error("BENCH_STUCK: the Deno host did not time its Worker hop in 60 s");
        await Bun.sleep(5);
      }
      const f = (k: number): number => l.view.getFloat64(INNER_RESULTS + 8 * k, true);
      m.reported = { roundP50: f(0), roundP99: f(1), p50: f(2), p99: f(3), p999: f(4), count: f(5) };
      return Atomics.exchange(l.words, INNER_WRONG >> 2, 0);
    },
    stop: async () => {},
  };
  return m;
}

/** The Bun child process's command line. */
export const bunChildArgv = (segment: string): string[] => [process.execPath, resolve(import.meta.dir, "bun-child.ts"), segment];

/** The Deno child's command line: `direct` serves itself; `spin` / `handoff` host a Deno Worker with no permissions from `bundle` (`deno-child.ts`). */
export function denoChildArgv(deno: string, mode: "direct" | "spin" | "handoff", bundle?: string): (segment: string) => string[] {
  const file = resolve(import.meta.dir, "deno-child.ts");
  const flags = ["run", "--quiet", "--no-config", "--no-lock", "--allow-ffi"];
  if (mode === "direct") return (segment) => [deno, ...flags, file, segment, "direct"];
  if (bundle === undefined) throw new Error("relay: the Deno Worker's bundle is needed");
  return (segment) => [deno, ...flags, `--allow-read=${bundle}`, "--unstable-worker-options", file, segment, "relay", bundle, mode];
}

/** Bundles the Deno Worker's code (it may not read its own module file) into `out`; returns `out`. */
export async function bundleDenoWorker(out: string): Promise<string> {
  const built = await Bun.build({ entrypoints: [resolve(import.meta.dir, "deno-worker.ts")], target: "browser", format: "esm" });
  if (!built.success) throw new Error(`BENCH_BUNDLE: ${built.logs.map((x) => x.message).join("; ")}`);
  await Bun.write(out, await built.outputs[0]!.text());
  return out;
}

/** The Deno executable: env KESTREL_DENO, else `deno` on PATH; null when neither is there. */
export function findDeno(): string | null {
  const env = process.env.KESTREL_DENO;
  if (env !== undefined && env !== "") return env;
  return Bun.which("deno");
}
