/**
 * Runs a session in real time (paper or live): kernel time follows the wall clock (times a speed
 * factor), the loop processes what is due, then yields so the admin server and signals get their
 * turn, sleeping until shortly before the next event is due and spinning the rest (or, with
 * `busyPoll`, spinning throughout). A graceful stop cancels working orders, waits for the venue's answers (bounded) and
 * flushes the journal.
 */
import { wallMicros } from "../kernel/clock.ts";
import type { Session } from "./build.ts";
import { summarize, type SessionSummary } from "./summary.ts";
import type { IdleShadow } from "./idle-shadow.ts";

/** Options of a real-time run. */
export interface RealtimeOptions {
  /** Stop by itself after this many wall microseconds. */
  forUs?: number;
  /** Kernel microseconds per wall microsecond (1 = real time). */
  speed?: number;
  /** Called about once a second with the current summary. */
  onStatus?: (s: SessionSummary) => void;
  /** Resolves when the run should stop (Ctrl-C, admin). */
  stopSignal?: Promise<unknown>;
  /** Poll without sleeping between loop turns (a core spins; lower, steadier latency). */
  busyPoll?: boolean;
  /** The wall clock the run follows, µs since the epoch (default the kernel's wallMicros; tests inject steps). */
  wallClock?: () => number;
  /** With `busyPoll`, how long a turn spins before yielding to I/O (admin, signals), milliseconds (default 5). */
  spinMs?: number;
  /**
   * With `busyPoll`, called on each spin that found no event due, with the wall µs until the next
   * event is due (Infinity when none is queued); work that leaves the session's state alone only.
   */
  onIdle?: (dueInUs: number) => void;
  /**
   * A copy of the deployment to run one event at a time while nothing is due for more than
   * SHADOW_MIN_US (busy poll: every idle spin; sleeping: the spin before each event), so that the
   * pipeline's code stays in the core's caches (see idle-shadow.ts). The session is not touched.
   */
  idleShadow?: IdleShadow;
}

/** A shadow event runs only when the session's next event is due later than this, wall µs (a shadow event takes a few µs). */
export const SHADOW_MIN_US = 30;

/** A running real-time session. */
export interface RealtimeRun {
  /** Kernel time now (advances the clock to the wall clock first). */
  syncClock(): number;
  /** Asks the run to stop gracefully. */
  stop(): void;
  /** Resolves with the final summary when the run has stopped; rejects when the journal could not close (records it holds are not on disk). */
  readonly done: Promise<SessionSummary>;
  /** Steps of the wall clock seen so far (each alerted; kernel time carried on across it). */
  clockJumps(): number;
  /** Calls `fn` after every loop turn, outside the market turn (e.g. to publish admin snapshots); returns the unhook. */
  afterTurn(fn: () => void): () => void;
}

/** A wall clock that moves this much more or less than the monotonic clock between two reads has stepped, µs. */
export const CLOCK_STEP_US = 250_000;

const BATCH = 100_000;
/** How long a busy-polling turn spins before yielding to I/O (admin, signals), milliseconds. */
const SPIN_MS = 5;
/**
 * The sleeping pacer spins instead of sleeping when the next event is due within this many wall
 * µs: a timer sleeps at least a millisecond and wakes late, so sleeping through the due time makes
 * the event late by up to a millisecond or more. The price is a core spinning up to this long
 * before each event that comes sooner than a timer could wake.
 */
const SPIN_WINDOW_US = 1000;
/** How long a graceful stop waits for a network venue's answers to the orders still open, milliseconds. */
const FINISH_WAIT_MS = 3000;

/** Starts the real-time loop. */
export function startRealtime(session: Session, opts: RealtimeOptions = {}): RealtimeRun {
  const { loop, core } = session;
  const speed = opts.speed ?? 1;
  core.measureLatency = true;
  const wallSource = opts.wallClock ?? wallMicros;
  const spinMs = opts.spinMs ?? SPIN_MS;
  const shadow = opts.idleShadow;
  const hooks: ((dueInUs: number) => void)[] = [];
  if (shadow !== undefined) hooks.push((dueInUs) => dueInUs > SHADOW_MIN_US && shadow.step());
  if (opts.onIdle !== undefined) hooks.push(opts.onIdle);
  const onIdle = opts.busyPoll !== true || hooks.length === 0 ? undefined : hooks.length === 1 ? hooks[0] : (dueInUs: number) => {
    for (let i = 0; i < hooks.length; i++) hooks[i]!(dueInUs);
  };
  let wallStart = wallSource();
  // Every wall reading is checked against the monotonic clock: a step (NTP, an operator, a VM
  // resumed) is alerted and the mapping is shifted by it, so kernel time neither freezes after a
  // step back nor leaps after a step forward.
  const monoUs = () => performance.now() * 1000;
  let lastWall = wallStart;
  let lastMono = monoUs();
  let jumps = 0;
  const wallNow = (): number => {
    const w = wallSource();
    const m = monoUs();
    const skew = w - lastWall - (m - lastMono);
    lastWall = w;
    lastMono = m;
    if (Math.abs(skew) >= CLOCK_STEP_US) {
      wallStart += skew;
      jumps++;
      const back = skew < 0;
      core.alerts.raise(loop.clock.now(), back ? "CLOCK_STEP_BACK" : "CLOCK_STEP_FORWARD", "warning", `wall-clock #${jumps}`, `the wall clock stepped ${back ? "back" : "forward"} by ${Math.round(Math.abs(skew) / 1000)} ms; kernel time carries on by the monotonic clock`);
    }
    return w;
  };
  // Kernel time starts at the market's first event (a paced replay or synthetic market), or at
  // the wall clock for a venue's own feed; never before what the journal already saw.
  const first = loop.peekSourceTs();
  const kernelStart = Math.max(Number.isFinite(first) ? first : wallStart, loop.clock.now());
  const toKernel = (wall: number) => kernelStart + (wall - wallStart) * speed;
  let stopping = false;
  let resolveDone!: (s: SessionSummary) => void;
  let rejectDone!: (err: unknown) => void;
  const done = new Promise<SessionSummary>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const syncClock = () => {
    loop.clock.advance(Math.floor(toKernel(wallNow())));
    return loop.clock.now();
  };
  // Market data a venue pushes in is stamped with the wall-mapped kernel time and dispatched at
  // once, unless the loop is already running (then it is next in line).
  let inLoop = false;
  session.arrival.now = syncClock;
  session.arrival.kick = () => {
    if (inLoop || stopping) return;
    inLoop = true;
    try {
      loop.runUntil(loop.clock.now());
      session.journal?.flush();
    } finally {
      inLoop = false;
    }
  };
  core.resubmitOpen();
  core.host.start();
  session.journal?.flush();
  let lastStatus = performance.now();
  let lastStaleCheck = performance.now();
  const t0 = performance.now();
  opts.stopSignal?.then(() => (stopping = true));
  const turnHooks: (() => void)[] = [];

  const tick = () => {
    try {
      inLoop = true;
      // Busy polling keeps the core spinning on the loop for a few milliseconds per turn (no timer
      // wake-up: a lower, steadier latency; the pipeline's caches still go cold in the gaps on a
      // shared VM unless an idle shadow runs there, issue 13); otherwise one pass per turn.
      const spinUntil = opts.busyPoll === true ? performance.now() + spinMs : 0;
      do {
        const target = Math.floor(toKernel(wallNow()));
        const ran = loop.runUntil(target, BATCH);
        loop.clock.advance(target);
        session.journal?.flush();
        if (ran === 0 && onIdle !== undefined) onIdle((loop.peekTs() - target) / speed);
      } while (performance.now() < spinUntil && !stopping);
    } catch (err) {
      // The core contains plugin failures; anything reaching here is a runtime bug: stop safely.
      core.alerts.raise(loop.clock.now(), "KERNEL", "critical", "event-loop", (err as Error).stack ?? String(err));
      stopping = true;
    } finally {
      inLoop = false;
    }
    for (let i = 0; i < turnHooks.length; i++) turnHooks[i]!();
    const now = performance.now();
    if (now - lastStaleCheck >= 1000) {
      lastStaleCheck = now;
      core.checkStale(loop.clock.now());
    }
    if (opts.onStatus && now - lastStatus >= 1000) {
      lastStatus = now;
      opts.onStatus(summarize(session, (now - t0) / 1000));
    }
    if (opts.forUs !== undefined && wallNow() - wallStart >= opts.forUs) stopping = true;
    if (stopping) {
      void finish();
      return;
    }
    if (opts.busyPoll === true) setImmediate(tick);
    else pace();
  };

  /**
   * Waits for the next due event: a 1 ms sleep while it is further than SPIN_WINDOW_US away (as
   * before), else a spin up to its due time, then a turn through setImmediate (I/O such as the
   * admin server and signals still gets its turn between events).
   */
  const pace = () => {
    const next = loop.peekTs();
    const waitUs = next === Infinity ? Infinity : wallStart + (next - kernelStart) / speed - wallNow();
    if (waitUs > SPIN_WINDOW_US) {
      setTimeout(tick, 1);
      return;
    }
    if (waitUs > 0) {
      // Spun out on the monotonic clock: a wall step inside the spin cannot stretch it. The idle
      // shadow, when there is one, runs while the event is further than SHADOW_MIN_US away.
      const until = monoUs() + waitUs;
      if (shadow !== undefined) for (let now = monoUs(); until - now > SHADOW_MIN_US; now = monoUs()) shadow.step();
      while (monoUs() < until) {
        // spin: the event is due within SPIN_WINDOW_US
      }
    }
    setImmediate(tick);
  };

  const finish = async () => {
    core.host.stop();
    core.cancelAll(null);
    // Give the venue's answers to the cancels up to 2 s of kernel time to arrive.
    loop.runTimersUntil(loop.clock.now() + 2_000_000);
    // A venue over the network (FIX, WebSocket) answers on the socket, not on a timer: let its
    // answers to the orders still open (acks, fills, cancels in flight) come in, up to 3 s of wall time.
    const deadline = performance.now() + FINISH_WAIT_MS;
    while (core.oms.openCount > 0 && performance.now() < deadline) await Bun.sleep(5);
    core.venue.stop?.();
    let failed: unknown = null;
    try {
      // A journal that cannot write what it holds (the disk still full) throws: `done` rejects with that line.
      session.journal?.close();
    } catch (err) {
      failed = err;
    } finally {
      loop.close();
    }
    if (failed !== null) rejectDone(failed);
    else resolveDone(summarize(session, (performance.now() - t0) / 1000));
  };

  setTimeout(tick, 0);
  const afterTurn = (fn: () => void) => {
    turnHooks.push(fn);
    return () => {
      const i = turnHooks.indexOf(fn);
      if (i >= 0) turnHooks.splice(i, 1);
    };
  };
  return { syncClock, stop: () => (stopping = true), done, clockJumps: () => jumps, afterTurn };
}
