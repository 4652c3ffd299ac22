/**
 * The isolate side: a Bun Worker that imports one plugin module and runs its hooks when the
 * runtime's frames arrive, answering each with DONE or THREW. The plugin's context reads the
 * mirror the runtime writes into the shared buffer, queues the writes that return nothing (they
 * cross with DONE or THREW), and makes a round trip (CALL, then RESULT) only for submit and what
 * the mirror does not hold (`worker-context.ts`), so a hook sees the state it would in process. Before the plugin is imported, what the grants do not allow is
 * removed from the worker's globals and built-in modules (`lock-down.ts`); what the mechanism
 * cannot remove is listed in runtime/plugins/isolate/README.md.
 */
import { heapSize } from "bun:jsc";
import type { OrderIntent } from "../../../plugins/sdk/orders.ts";
import { BACK, DOORBELL_BACK, DOORBELL_TO_ISOLATE, FRAME_HEADER, HEAP_KIB, Kind, MIRROR_AT, TO_ISOLATE, type IsolateBoot } from "./protocol.ts";
import { makeContext, type ContextLink } from "./worker-context.ts";
import { copyBytes, FramePort, PEEK_EMPTY } from "./frames.ts";
import { intentBytes, readUnits, TagIds, writeIntent } from "./submit-frame.ts";
import { WriteQueue } from "./write-queue.ts";
import { serveSdkToModule } from "../sdk-resolver.ts";
import { lockDown } from "./lock-down.ts";

declare const self: Worker;

/** Bytes of queued context writes past which they are sent at once (a round trip) instead of with the hook's answer (a frame's room is 16 KiB). */
const QUEUE_FLUSH_BYTES = 8192;

self.onmessage = (ev: MessageEvent<IsolateBoot>) => {
  void run(ev.data);
};

async function run(boot: IsolateBoot): Promise<void> {
  const port = new FramePort(boot.buffer, BACK, TO_ISOLATE, DOORBELL_BACK, DOORBELL_TO_ISOLATE);
  let plugin: { create(ctx: unknown): Record<string, ((...a: unknown[]) => void) | undefined> };
  try {
    // Loader plugins are per thread: the isolate serves `kestrel/sdk` to the plugin's package itself.
    serveSdkToModule(boot.module);
    // Walls first: the module's own top-level code and its imports of node:* bind the denials.
    lockDown(boot.grants);
    plugin = (await import(boot.module)).default;
  } catch (err) {
    port.sendPacked(Kind.LOAD_FAILED, { message: (err as Error).message });
    return;
  }
  // This worker's own heap (JavaScriptCore's figure as of its last collection), published at most
  // every 10 ms after a hook has answered, for the runtime's memory limit.
  const heapWord = HEAP_KIB >> 2;
  let heapAt = 0;
  const publishHeap = (): void => {
    const t = Bun.nanoseconds();
    if (t - heapAt < 10_000_000) return;
    heapAt = t;
    Atomics.store(port.words, heapWord, Math.min(0x7fffffff, Math.round(heapSize() / 1024)));
  };
  publishHeap();
  port.sendPacked(Kind.READY, {});

  /** Waits for the next frame from the runtime; returns its length. */
  const wait = (): number => {
    for (;;) {
      const len = port.next();
      if (len !== PEEK_EMPTY) return len;
      if (!boot.spin) port.sleep(50);
    }
  };

  /**
   * Between events, a plugin with grants lets the worker's event loop run while it waits (its
   * sockets, fetches and timers progress); one without any blocks on the doorbell instead.
   */
  const yielding = boot.grants.length > 0;
  const waitYielding = async (): Promise<number> => {
    for (;;) {
      const len = port.next();
      if (len !== PEEK_EMPTY) return len;
      await port.sleepAsync(50);
    }
  };

  let now = 0;
  // Context writes that return nothing, encoded when made, sent with the next frame back.
  const queue = new WriteQueue();
  let dirty = false;
  /** Sends `kind` with `body` and the queued writes. */
  const send = (kind: number, body?: unknown): void => {
    port.sendWithTail(kind, body, queue.bytes, queue.length);
    queue.clear();
    // The runtime applies them before anything else reads its state.
    dirty = false;
  };
  /** Waits for the answer to a round trip; returns its length, the frame checked (a frame this side refuses throws). */
  const answer = (): number => {
    const len = wait();
    const bad = port.problem("to-isolate", len);
    if (bad !== null) {
      port.release();
      throw new Error(bad);
    }
    return len;
  };
  /** Reads a msgpack RESULT found by `answer` (the runtime has rewritten the mirror). */
  const result = (): unknown => {
    const kind = port.kind();
    const a = port.unpack() as { v?: unknown; e?: string };
    port.release();
    if (kind !== Kind.RESULT) throw new Error(`ISOLATE_PROTOCOL: expected RESULT, got kind=${kind}`);
    if (a.e !== undefined) throw new Error(a.e);
    return a.v;
  };
  /** A round trip: the queued writes and a context call, then its answer. */
  const call = (m: string, a: unknown[]): unknown => {
    send(Kind.CALL, { m, a });
    answer();
    return result();
  };
  const tags = new TagIds();
  /** The submit as a binary frame (the intent in place, the queued writes after it), its answer binary. */
  const submit = (intent: OrderIntent): unknown => {
    const bytes = boot.binary ? intentBytes(intent, tags) : -1;
    if (bytes < 0) return call("submit", [intent]);
    const n = queue.length;
    const at = port.begin(Kind.SUBMIT, bytes, n);
    writeIntent(port.view, at, intent, tags, bytes);
    copyBytes(port.bytes, at + bytes, queue.bytes, n);
    port.commit(FRAME_HEADER + bytes + n);
    queue.clear();
    dirty = false;
    answer();
    const kind = port.kind();
    if (kind === Kind.ANSWER) {
      const id = port.view.getFloat64(port.body(), true);
      port.release();
      return id;
    }
    if (kind === Kind.FAILED) {
      const message = readUnits(port.view, port.body(), port.bodyBytes() >> 1);
      port.release();
      throw new Error(message);
    }
    return result();
  };
  /** After a write: a long queue goes now rather than outgrow a frame. */
  const queued = (dirties: boolean): void => {
    if (dirties) dirty = true;
    if (queue.length > QUEUE_FLUSH_BYTES) call("sync", []);
  };
  // Without binary frames the writes queue as msgpack records (the protocol before them).
  const binary = boot.binary;
  const link: ContextLink = !boot.mirror
    ? {
        call,
        submit,
        cancel: (id) => void call("cancel", [id]),
        cancelAll: (i) => void call("cancelAll", i === undefined ? [] : [i]),
        cancelAlgo: (id) => void call("cancelAlgo", [id]),
        setTimer: (after, token) => void call("setTimer", [after, token]),
        log: (message, fields) => void call("log", fields === undefined ? [message] : [message, fields]),
        dirty: () => false,
      }
    : {
        call,
        submit,
        cancel: (id) => {
          if (binary) queue.cancel(id);
          else queue.pack("cancel", [id]);
          queued(true);
        },
        cancelAll: (i) => {
          if (binary) queue.cancelAll(i);
          else queue.pack("cancelAll", i === undefined ? [] : [i]);
          queued(true);
        },
        cancelAlgo: (id) => {
          if (binary) queue.cancelAlgo(id);
          else queue.pack("cancelAlgo", [id]);
          queued(true);
        },
        setTimer: (after, token) => {
          if (binary) queue.setTimer(after, token);
          else queue.pack("setTimer", [after, token]);
          queued(false);
        },
        log: (message, fields) => {
          queue.pack("log", fields === undefined ? [message] : [message, fields]);
          queued(false);
        },
        dirty: () => dirty,
      };

  let ctx: Record<string, unknown> = {};
  let hooks: Record<string, ((...a: unknown[]) => void) | undefined> = {};
  const quote = { ts: 0, instrument: 0, bid: 0, ask: 0, bidSize: 0, askSize: 0 };
  const trade = { ts: 0, instrument: 0, price: 0, size: 0, side: 0 };
  for (;;) {
    const len = yielding ? await waitYielding() : wait();
    const kind = port.kind();
    const at = port.body();
    const v = port.view;
    try {
      const bad = port.problem("to-isolate", len);
      if (bad !== null) {
        port.release();
        throw new Error(bad);
      }
      if (kind === Kind.QUOTE) {
        quote.instrument = v.getInt32(at, true);
        now = v.getFloat64(at + 4, true);
        quote.ts = v.getFloat64(at + 12, true);
        quote.bid = v.getFloat64(at + 20, true);
        quote.ask = v.getFloat64(at + 28, true);
        quote.bidSize = v.getFloat64(at + 36, true);
        quote.askSize = v.getFloat64(at + 44, true);
        port.release();
        hooks.onQuote?.(ctx, quote);
      } else if (kind === Kind.TRADE) {
        trade.instrument = v.getInt32(at, true);
        now = v.getFloat64(at + 4, true);
        trade.ts = v.getFloat64(at + 12, true);
        trade.price = v.getFloat64(at + 20, true);
        trade.size = v.getFloat64(at + 28, true);
        trade.side = v.getFloat64(at + 36, true);
        port.release();
        hooks.onTrade?.(ctx, trade);
      } else if (kind === Kind.CREATE) {
        const c = port.unpack() as { name: string; params: unknown; instruments: { id: number }[]; now: number; algos?: boolean };
        port.release();
        now = c.now;
        ctx = makeContext({ name: c.name, params: c.params, instruments: c.instruments, algos: c.algos === true, buffer: boot.buffer, mirrorOffset: MIRROR_AT }, () => now, link);
        hooks = plugin.create(ctx) ?? {};
        send(Kind.DONE, { hooks: Object.keys(hooks).filter((k) => typeof hooks[k] === "function") });
        continue;
      } else if (kind === Kind.HOOK) {
        const h = port.unpack() as { hook: string; arg?: unknown; now: number };
        port.release();
        now = h.now;
        if (h.hook === "snapshot") {
          // Hot swap or a move into isolation: the state goes back as data.
          send(Kind.DONE, { v: hooks.snapshot?.(ctx) ?? null });
          continue;
        }
        if (h.hook === "restore") {
          const a = h.arg as { state: unknown; from: { version: string } };
          hooks.restore?.(ctx, a.state, a.from);
        } else if (h.hook === "onStart" || h.hook === "onStop") hooks[h.hook]?.(ctx);
        else hooks[h.hook]?.(ctx, h.arg);
      } else {
        port.release();
        throw new Error(`ISOLATE_PROTOCOL: unexpected kind=${kind}`);
      }
      send(Kind.DONE);
    } catch (err) {
      send(Kind.THREW, { message: err instanceof Error ? err.message : String(err) });
    }
    publishHeap();
  }
}
