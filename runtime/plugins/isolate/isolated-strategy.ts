/**
 * Runs a strategy plugin in an isolate (a Bun Worker) behind the ordinary `StrategyPlugin`
 * interface, so the strategy host treats it like any other: each hook call writes the context
 * mirror, sends a frame and waits, serving the plugin's round trips (submit, what the mirror does
 * not hold) meanwhile, until the plugin answers or its time budget runs out; the context writes
 * the plugin queued (cancel, timers, log) come with its answer and are applied in order. A plugin over budget (a loop that never ends, a blocking sleep) has its worker
 * terminated and the call throws PLUGIN_WATCHDOG, which quarantines it like any failure; the loop
 * goes on with every other strategy. A restart spawns a fresh worker.
 */
import type { Quote, Trade } from "../../../plugins/sdk/market.ts";
import type { StrategyContext, StrategyHooks, StrategyPlugin } from "../../../plugins/sdk/strategy.ts";
import type { ParentView } from "../../../plugins/sdk/algo.ts";
import { KestrelError } from "../../errors/codes.ts";
import { FramePort, PEEK_EMPTY, unpackBytes } from "./frames.ts";
import { BACK, BUFFER_BYTES, DOORBELL_BACK, DOORBELL_TO_ISOLATE, FRAME_HEADER, HEAP_KIB, Kind, MIRROR_AT, QUOTE_BODY, TO_ISOLATE, TRADE_BODY, type IsolateBoot } from "./protocol.ts";
import { readIntent, TagTable, writeUnits } from "./submit-frame.ts";
import { WriteApplier } from "./write-queue.ts";
import { H_ON } from "./mirror-layout.ts";
import { MirrorWriter } from "./mirror-writer.ts";

/** How an isolated plugin runs. */
export interface IsolateOptions {
  /** Absolute path of the plugin module. */
  readonly module: string;
  /** Longest a hook call may take, microseconds. */
  readonly budgetUs: number;
  /** Longest the worker may take to load the module and create the plugin, milliseconds. */
  readonly startMs?: number;
  /** The isolate spins between events (lower latency; a core busy) instead of sleeping. */
  readonly spin?: boolean;
  /**
   * Context reads from the shared mirror and nothing-returning writes queued (default true); false
   * makes every context call a round trip, as before the mirror (kept to measure the difference).
   */
  readonly mirror?: boolean;
  /**
   * The submit, its answer and the queued writes as fixed-layout binary (default true); false sends
   * them as msgpack, as before (kept to measure the difference).
   */
  readonly binary?: boolean;
  /** What beyond the context the plugin may reach (network, files, subprocess, env, timers). */
  readonly grants?: readonly string[];
  /**
   * Memory limit, MiB (0 or absent: none): the isolate's heap as it publishes it after its hook
   * calls, and the process's growth during one hook call; over it, the worker is terminated and
   * the call throws PLUGIN_MEMORY.
   */
  readonly memoryLimitMb?: number;
}

const CONTEXT_CALLS = new Set(["book", "featureIndex", "features", "signal", "position", "openOrders", "order", "submit", "cancel", "cancelAll", "setTimer", "log", "tradingState", "submitAlgo", "parent", "cancelAlgo"]);

/**
 * What an isolate gets when its options leave it out; a session's strategies come with none, so a
 * bench sets `mirror: false` here to measure the protocol without the mirror in a real session.
 */
export const isolateDefaults = { mirror: true, binary: true };

/** Turns of the runtime's wait loop spent spinning before it sleeps on the doorbell. */
const SPINS = 2048;

/** Context calls the isolate may queue (they return nothing) instead of making a round trip. */
const QUEUED = new Set(["cancel", "cancelAll", "cancelAlgo", "setTimer", "log"]);

/** One worker and the port to it. */
class Isolate {
  private worker: Worker;
  private readonly port: FramePort;
  dead = false;
  /** Hook calls sent and context calls served (each a round trip over the rings), and queued writes applied (no round trip). */
  hookCalls = 0;
  contextCalls = 0;
  queuedWrites = 0;
  /** Submits that came as binary SUBMIT frames (the rest of `roundTripsBy.submit` came as msgpack). */
  binarySubmits = 0;
  /** Context round trips by method ("sync": queued writes sent before a read that must see them). */
  readonly roundTripsBy: Record<string, number> = {};
  private readonly buffer: SharedArrayBuffer;
  /** The context mirror of the current instance (null before create, or when it could not be laid out). */
  private mirror: MirrorWriter | null = null;
  /** The tags the isolate's binary submits named, by id. */
  private readonly tags = new TagTable();
  /** Applies the queued writes that come as a frame's tail. */
  private readonly writes = new WriteApplier(unpackBytes, (m, a) => {
    const r = QUEUED.has(m) ? serve(this.ctx, m, a) : { e: `ISOLATE_PROTOCOL: ${m} cannot be queued` };
    return r.e ?? null;
  });
  /** The context of the call being served (for the queued writes' msgpack records). */
  private ctx: StrategyContext | null = null;

  constructor(private readonly options: IsolateOptions) {
    const buffer = new SharedArrayBuffer(BUFFER_BYTES);
    this.buffer = buffer;
    this.port = new FramePort(buffer, TO_ISOLATE, BACK, DOORBELL_TO_ISOLATE, DOORBELL_BACK);
    this.worker = new Worker(new URL("./worker.ts", import.meta.url).href);
    const boot: IsolateBoot = { module: options.module, buffer, spin: options.spin ?? false, grants: options.grants ?? [], mirror: options.mirror ?? isolateDefaults.mirror, binary: options.binary ?? isolateDefaults.binary };
    this.worker.postMessage(boot);
  }

  /** Waits for READY (module imported in the worker). */
  ready(plugin: string): void {
    this.awaitAnswer(null, "load", (this.options.startMs ?? 10_000) * 1e6);
  }

  /** Sends CREATE and returns the names of the hooks the plugin defines. */
  create(ctx: StrategyContext): string[] {
    // The isolate's context offers parent orders only where the real one does (a deployment with execution algos).
    const algos = typeof ctx.submitAlgo === "function";
    new Float64Array(this.buffer, MIRROR_AT, 1)[H_ON] = 0;
    this.mirror = !(this.options.mirror ?? isolateDefaults.mirror) ? null : new MirrorWriter(this.buffer, MIRROR_AT, ctx);
    this.mirror?.write(ctx);
    this.port.sendPacked(Kind.CREATE, { name: ctx.name, params: ctx.params, instruments: ctx.instruments, now: ctx.now(), algos });
    return (this.awaitAnswer(ctx, "create", (this.options.startMs ?? 10_000) * 1e6) as { hooks: string[] }).hooks;
  }

  quote(ctx: StrategyContext, q: Quote): void {
    this.mirror?.write(ctx);
    const p = this.port;
    const at = p.begin(Kind.QUOTE, QUOTE_BODY, 0);
    const v = p.view;
    v.setInt32(at, q.instrument, true);
    v.setFloat64(at + 4, ctx.now(), true);
    v.setFloat64(at + 12, q.ts, true);
    v.setFloat64(at + 20, q.bid, true);
    v.setFloat64(at + 28, q.ask, true);
    v.setFloat64(at + 36, q.bidSize, true);
    v.setFloat64(at + 44, q.askSize, true);
    p.commit(FRAME_HEADER + QUOTE_BODY);
    this.awaitAnswer(ctx, "onQuote", this.options.budgetUs * 1000);
  }

  trade(ctx: StrategyContext, t: Trade): void {
    this.mirror?.write(ctx);
    const p = this.port;
    const at = p.begin(Kind.TRADE, TRADE_BODY, 0);
    const v = p.view;
    v.setInt32(at, t.instrument, true);
    v.setFloat64(at + 4, ctx.now(), true);
    v.setFloat64(at + 12, t.ts, true);
    v.setFloat64(at + 20, t.price, true);
    v.setFloat64(at + 28, t.size, true);
    v.setFloat64(at + 36, t.side, true);
    p.commit(FRAME_HEADER + TRADE_BODY);
    this.awaitAnswer(ctx, "onTrade", this.options.budgetUs * 1000);
  }

  /** Runs a hook in the isolate; returns the DONE frame's body (`v`: what snapshot returned). */
  hook(ctx: StrategyContext, hook: string, arg?: unknown): { v?: unknown } {
    this.mirror?.write(ctx);
    this.port.sendPacked(Kind.HOOK, arg === undefined ? { hook, now: ctx.now() } : { hook, arg, now: ctx.now() });
    return this.awaitAnswer(ctx, hook, this.options.budgetUs * 1000) as { v?: unknown };
  }

  /** Ends the worker (a watchdog verdict, a restart or the end of the session). */
  terminate(): void {
    this.dead = true;
    this.worker.terminate();
  }

  /** Applies the queued context writes in the tail of the `len`-byte frame found by `next`, in order; returns the first one's error, or null. */
  private apply(ctx: StrategyContext | null, len: number): string | null {
    const p = this.port;
    const at = p.tailAt();
    const end = p.end(len);
    if (at >= end) return null;
    this.ctx = ctx;
    const before = this.writes.applied;
    const failed = this.writes.apply(ctx, p.view, p.bytes, at, end);
    this.queuedWrites += this.writes.applied - before;
    return failed;
  }

  /** Ends the worker and throws PLUGIN_ISOLATE_PROTOCOL with `what` (a frame this side refuses). */
  private refuse(what: string): never {
    this.terminate();
    throw new KestrelError("PLUGIN_ISOLATE_PROTOCOL", `module=${this.options.module} ${what}`);
  }

  /**
   * Serves a binary SUBMIT (`len` bytes, found by `next`): its queued writes, then the intent read
   * in place through the real context, then the answer (the id, or the error's message) as binary.
   */
  private submit(ctx: StrategyContext | null, len: number): void {
    const p = this.port;
    this.contextCalls++;
    this.binarySubmits++;
    this.roundTripsBy.submit = (this.roundTripsBy.submit ?? 0) + 1;
    const intent = readIntent(p.view, p.body(), p.bodyBytes(), this.tags);
    if (typeof intent === "string") {
      p.release();
      this.refuse(intent);
    }
    let failed = this.apply(ctx, len);
    p.release();
    let id: unknown = 0;
    if (failed === null) {
      if (ctx === null) failed = "ISOLATE_PROTOCOL: no context call submit";
      else {
        try {
          id = ctx.submit(intent);
        } catch (err) {
          failed = err instanceof Error ? err.message : String(err);
        }
      }
    }
    if (failed === null && typeof id === "number") this.mirror?.noteOrder(id);
    if (ctx !== null) this.mirror?.write(ctx);
    if (failed !== null) {
      const at = p.begin(Kind.FAILED, 2 * failed.length, 0);
      writeUnits(p.view, at, failed);
      p.commit(FRAME_HEADER + 2 * failed.length);
    } else if (typeof id === "number") {
      const at = p.begin(Kind.ANSWER, 8, 0);
      p.view.setFloat64(at, id, true);
      p.commit(FRAME_HEADER + 8);
    } else p.sendPacked(Kind.RESULT, { v: id ?? null });
  }

  /**
   * Serves the plugin's context calls until it answers the current request; past `budgetNs` the
   * worker is terminated and PLUGIN_WATCHDOG thrown. Spins first, then sleeps on the doorbell.
   */
  private awaitAnswer(ctx: StrategyContext | null, hook: string, budgetNs: number): unknown {
    if (this.dead) throw new KestrelError("PLUGIN_ISOLATE_DEAD", `module=${this.options.module} hook=${hook}`);
    this.hookCalls++;
    const p = this.port;
    const start = Bun.nanoseconds();
    const limitKib = (this.options.memoryLimitMb ?? 0) * 1024;
    // The process's resident size when a long call starts sleeping, and when it was last sampled.
    let rss0 = -1;
    let rssAt = 0;
    for (let spins = 0; ; spins++) {
      const len = p.next();
      if (len !== PEEK_EMPTY) {
        const bad = p.problem("back", len);
        if (bad !== null) {
          p.release();
          this.refuse(`hook=${hook} ${bad}`);
        }
        const kind = p.kind();
        if (kind === Kind.SUBMIT) {
          this.submit(ctx, len);
          continue;
        }
        if (kind === Kind.DONE || kind === Kind.READY) {
          const body = p.unpack();
          // The plugin's queued writes, in order; the first that fails fails the hook, as it would have in process.
          const failed = this.apply(ctx, len);
          p.release();
          if (failed !== null) throw new Error(failed);
          const heapKib = Atomics.load(p.words, HEAP_KIB >> 2);
          if (limitKib > 0 && heapKib > limitKib) {
            this.terminate();
            throw new KestrelError("PLUGIN_MEMORY", `module=${this.options.module} hook=${hook} heapMb=${Math.round(heapKib / 1024)} limitMb=${this.options.memoryLimitMb} (the isolate was terminated)`);
          }
          return body ?? {};
        }
        if (kind === Kind.CALL) {
          const body = p.unpack();
          const failed = this.apply(ctx, len);
          p.release();
          this.contextCalls++;
          const { m, a } = body as { m: string; a: unknown[] };
          this.roundTripsBy[m] = (this.roundTripsBy[m] ?? 0) + 1;
          const answer = failed !== null ? { e: failed } : m === "sync" ? { v: null } : serve(ctx, m, a);
          if (m === "submit" && typeof answer.v === "number") this.mirror?.noteOrder(answer.v);
          if (ctx !== null) this.mirror?.write(ctx);
          p.sendPacked(Kind.RESULT, answer);
          continue;
        }
        if (kind === Kind.THREW) {
          const body = p.unpack();
          const failed = this.apply(ctx, len);
          p.release();
          throw new Error(failed ?? String((body as { message: unknown }).message));
        }
        const body = p.unpack() as Record<string, unknown>;
        p.release();
        if (kind === Kind.LOAD_FAILED) {
          this.terminate();
          throw new KestrelError("PLUGIN_LOAD_FAILED", `module=${this.options.module} error=${String(body.message)}`);
        }
        this.refuse(`hook=${hook} kind=${kind} (not a frame the isolate sends)`);
      }
      // While spinning, the clock (tens of ns a read) is looked at every 64 turns, so an answer is seen sooner.
      if (spins < SPINS && (spins & 63) !== 0) continue;
      const elapsed = Bun.nanoseconds() - start;
      if (elapsed > budgetNs) {
        this.terminate();
        throw new KestrelError("PLUGIN_WATCHDOG", `module=${this.options.module} hook=${hook} budgetUs=${Math.round(budgetNs / 1000)} (the isolate was terminated)`);
      }
      // A call past 5 ms: every 5 ms, the process's growth since then (this thread only waits
      // meanwhile, so the growth is the isolate's) against the limit.
      if (limitKib > 0 && elapsed > 5e6 && elapsed - rssAt > 5e6) {
        rssAt = elapsed;
        const rss = process.memoryUsage.rss();
        if (rss0 < 0) rss0 = rss;
        else if ((rss - rss0) / 1024 > limitKib) {
          this.terminate();
          throw new KestrelError("PLUGIN_MEMORY", `module=${this.options.module} hook=${hook} growthMb=${Math.round((rss - rss0) / 1048576)} limitMb=${this.options.memoryLimitMb} (the isolate was terminated)`);
        }
      }
      // A few microseconds of spinning catch a quick answer; then sleep until the doorbell or the deadline.
      if (spins >= SPINS) p.sleep(Math.max(0.01, Math.min(1, (budgetNs - elapsed) / 1e6)));
    }
  }
}

/** Performs one context call of the isolated plugin on its real context; an error goes back as `e`. */
function serve(ctx: StrategyContext | null, method: string, args: unknown[]): { v?: unknown; e?: string } {
  if (ctx === null || !CONTEXT_CALLS.has(method)) return { e: `ISOLATE_PROTOCOL: no context call ${method}` };
  try {
    const fn = (ctx as unknown as Record<string, ((...a: unknown[]) => unknown) | undefined>)[method];
    if (typeof fn !== "function") return { e: `ALGO_NOT_CONFIGURED: strategy=${ctx.name} call=${method} (the deployment has no execution.algos)` };
    let v = fn.apply(ctx, args);
    if (v instanceof Float64Array) v = Array.from(v);
    else if (method === "book" && v !== null && typeof v === "object") v = { ...(v as object) };
    else if (method === "parent" && v !== undefined) v = plainParent(v as ParentView);
    return { v: v === undefined ? null : v };
  } catch (err) {
    return { e: err instanceof Error ? err.message : String(err) };
  }
}

/** A parent's view as plain data (the live view reads through getters, which do not cross). */
function plainParent(p: ParentView): ParentView {
  return {
    id: p.id,
    algo: p.algo,
    strategy: p.strategy,
    instrument: p.instrument,
    side: p.side,
    quantity: p.quantity,
    limitPrice: p.limitPrice,
    filled: p.filled,
    remaining: p.remaining,
    working: p.working,
    openChildren: p.openChildren,
    exitFilled: p.exitFilled,
    avgPrice: p.avgPrice,
    status: p.status,
    createdTs: p.createdTs,
  };
}

/**
 * Wraps a strategy plugin (its manifest as the loader checked it) so that its hooks run in an
 * isolate; the worker starts at once and is ready when this returns.
 */
export function isolateStrategy(plugin: StrategyPlugin, options: IsolateOptions): StrategyPlugin & { stop(): void; stats(): { hookCalls: number; contextCalls: number; queuedWrites: number; binarySubmits: number; roundTripsBy: Record<string, number> } } {
  let isolate = new Isolate(options);
  isolate.ready(plugin.manifest.name);
  return {
    manifest: plugin.manifest,
    stop: () => isolate.terminate(),
    /** Round trips of the current worker: hook calls (with its start) and context calls served (the binary submits among them); and the queued writes it applied. */
    stats: () => ({ hookCalls: isolate.hookCalls, contextCalls: isolate.contextCalls, queuedWrites: isolate.queuedWrites, binarySubmits: isolate.binarySubmits, roundTripsBy: { ...isolate.roundTripsBy } }),
    create(ctx: StrategyContext): StrategyHooks {
      if (isolate.dead) {
        isolate = new Isolate(options);
        isolate.ready(plugin.manifest.name);
      }
      const own = isolate;
      const names = new Set(own.create(ctx));
      const hooks: StrategyHooks = {};
      if (names.has("onQuote")) hooks.onQuote = (c, q) => own.quote(c, q);
      if (names.has("onTrade")) hooks.onTrade = (c, t) => own.trade(c, t);
      for (const name of ["onStart", "onStop", "onOrder", "onFill", "onTimer", "onTradingState"] as const) {
        if (names.has(name)) (hooks as Record<string, unknown>)[name] = (c: StrategyContext, arg?: unknown) => void own.hook(c, name, arg);
      }
      // State handoff (hot swap, a move into isolation) crosses as data.
      if (names.has("snapshot")) hooks.snapshot = (c) => own.hook(c, "snapshot").v ?? undefined;
      if (names.has("restore")) hooks.restore = (c, state, from) => void own.hook(c, "restore", { state, from: { version: from.version } });
      return hooks;
    },
  };
}
