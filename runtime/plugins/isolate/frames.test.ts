/**
 * The isolate's frames in one thread: the header every frame carries (an unknown kind, version or
 * length refused in one line), the SUBMIT body read back bit for bit at the number limits, the tag
 * table, and the queued writes' binary records applied in order on a recording context.
 */
import { describe, expect, test } from "bun:test";
import type { OrderIntent } from "../../../plugins/sdk/orders.ts";
import type { StrategyContext } from "../../../plugins/sdk/strategy.ts";
import { FramePort, PEEK_EMPTY, unpackBytes } from "./frames.ts";
import { BACK, BUFFER_BYTES, DOORBELL_BACK, DOORBELL_TO_ISOLATE, FRAME_HEADER, FRAME_VERSION, frameProblem, Kind, TO_ISOLATE } from "./protocol.ts";
import { intentBytes, MAX_TAGS, readIntent, SUBMIT_BODY, TAG_INLINE, TagIds, TagTable, writeIntent } from "./submit-frame.ts";
import { Op, WriteApplier, WriteQueue } from "./write-queue.ts";

/** The runtime's port and the isolate's, over one buffer. */
function ports() {
  const buffer = new SharedArrayBuffer(BUFFER_BYTES);
  return { runtime: new FramePort(buffer, TO_ISOLATE, BACK, DOORBELL_TO_ISOLATE, DOORBELL_BACK), isolate: new FramePort(buffer, BACK, TO_ISOLATE, DOORBELL_BACK, DOORBELL_TO_ISOLATE) };
}

const MAX = Number.MAX_SAFE_INTEGER;

describe("frame header", () => {
  test("every frame carries its kind, the version and its body's length; msgpack bodies and tails come back", () => {
    const { runtime, isolate } = ports();
    const tail = Uint8Array.from([1, 2, 3, 4, 5]);
    isolate.sendWithTail(Kind.CALL, { m: "order", a: [7] }, tail, 5);
    const len = runtime.next();
    expect(runtime.problem("back", len)).toBeNull();
    expect(runtime.kind()).toBe(Kind.CALL);
    expect(runtime.bytes[runtime.body() - FRAME_HEADER + 1]).toBe(FRAME_VERSION);
    expect(runtime.unpack()).toEqual({ m: "order", a: [7] });
    expect(Array.from(runtime.bytes.subarray(runtime.tailAt(), runtime.end(len)))).toEqual([1, 2, 3, 4, 5]);
    runtime.release();
    isolate.sendWithTail(Kind.DONE, undefined, tail, 0);
    expect(runtime.next()).toBe(FRAME_HEADER);
    expect(runtime.unpack()).toBeNull();
    runtime.release();
    expect(runtime.next()).toBe(PEEK_EMPTY);
  });

  test("an unknown kind, an unknown version and a body longer than its frame are each refused in one line", () => {
    const { runtime, isolate } = ports();
    const send = (kind: number, version: number, body: number) => {
      const at = isolate.begin(kind, 0, 8);
      isolate.view.setUint8(at - FRAME_HEADER + 1, version);
      isolate.view.setUint32(at - FRAME_HEADER + 4, body, true);
      isolate.commit(FRAME_HEADER + 8);
    };
    send(99, FRAME_VERSION, 0);
    send(Kind.SUBMIT, FRAME_VERSION + 1, 0);
    send(Kind.SUBMIT, FRAME_VERSION, 9);
    const seen: (string | null)[] = [];
    for (let len = runtime.next(); len !== PEEK_EMPTY; len = runtime.next()) {
      seen.push(runtime.problem("back", len));
      runtime.release();
    }
    expect(seen).toEqual([
      `ISOLATE_FRAME_UNKNOWN: ring=back unknown=kind frame_version=${FRAME_VERSION} speaks=${FRAME_VERSION} kind=99 bytes=16`,
      `ISOLATE_FRAME_UNKNOWN: ring=back unknown=version frame_version=${FRAME_VERSION + 1} speaks=${FRAME_VERSION} kind=${Kind.SUBMIT} bytes=16`,
      `ISOLATE_FRAME_UNKNOWN: ring=back unknown=length kind=${Kind.SUBMIT} body=9 bytes=16`,
    ]);
    for (const s of seen) expect(s).not.toContain("\n");
    expect(frameProblem("to-isolate", Kind.QUOTE, FRAME_VERSION, 60)).toBeNull();
  });
});

describe("SUBMIT body", () => {
  const v = new DataView(new ArrayBuffer(1024));
  /** Writes `intent` at an odd offset and reads it back with `table`. */
  const roundTrip = (intent: OrderIntent, ids: TagIds, table: TagTable) => {
    const bytes = intentBytes(intent, ids);
    expect(bytes).toBeGreaterThanOrEqual(SUBMIT_BODY);
    writeIntent(v, 3, intent, ids, bytes);
    return { bytes, back: readIntent(v, 3, bytes, table) };
  };

  test("prices, sizes and times at ±2^53-1, fractions and -0 come back bit for bit, with exactly the fields set", () => {
    const ids = new TagIds();
    const table = new TagTable();
    const intents: OrderIntent[] = [
      { instrument: 0, side: 1, type: "limit", tif: "GTC", price: MAX, size: MAX, tag: "edge" },
      { instrument: MAX, side: -1, type: "stop-limit", tif: "GTD", price: -MAX, stopPrice: Number.MIN_SAFE_INTEGER, expireTs: MAX, size: 1, postOnly: false, reduceOnly: true, tag: "é€😀" },
      { instrument: 3, side: 1, type: "market", size: 0.5 },
      { instrument: 3, side: -1, type: "stop", tif: "DAY", stopPrice: -0, size: 2 ** 31, postOnly: true, reduceOnly: false, tag: "" },
    ];
    for (const intent of intents) expect(roundTrip(intent, ids, table).back).toStrictEqual(intent);
    expect(Object.is((roundTrip(intents[3]!, ids, table).back as OrderIntent).stopPrice, -0)).toBe(true);
  });

  test("a tag crosses once, then by id; past the table it crosses inline every time; an id never named is refused", () => {
    const ids = new TagIds();
    const table = new TagTable();
    const first = roundTrip({ instrument: 0, side: 1, type: "market", size: 1, tag: "obi:join" }, ids, table);
    expect(first.bytes).toBe(SUBMIT_BODY + 2 * "obi:join".length);
    const again = roundTrip({ instrument: 0, side: 1, type: "market", size: 1, tag: "obi:join" }, ids, table);
    expect(again.bytes).toBe(SUBMIT_BODY);
    expect((again.back as OrderIntent).tag).toBe("obi:join");
    for (let k = 1; k < MAX_TAGS; k++) ids.idOf(`x${k}`);
    expect(ids.idOf("one too many")).toBe(TAG_INLINE);
    const inline = roundTrip({ instrument: 0, side: 1, type: "market", size: 1, tag: "one too many" }, ids, table);
    expect(inline.bytes).toBe(SUBMIT_BODY + 2 * "one too many".length);
    expect((inline.back as OrderIntent).tag).toBe("one too many");
    // A table that never saw id 1's units: refused, not guessed.
    writeIntent(v, 3, { instrument: 0, side: 1, type: "market", size: 1, tag: "obi:join" }, ids, SUBMIT_BODY);
    expect(readIntent(v, 3, SUBMIT_BODY, new TagTable())).toBe(`ISOLATE_FRAME_UNKNOWN: ring=back unknown=tag id=1 body=${SUBMIT_BODY}`);
  });

  test("intents not of their SDK types are not written (msgpack carries them); unknown codes are refused in one line", () => {
    const ids = new TagIds();
    for (const bad of [
      { instrument: 0, side: 1, type: "limit", size: "1000" },
      { instrument: 0, side: 1, type: "iceberg", size: 1 },
      { instrument: 0, side: 1, type: "limit", price: null, size: 1 },
      { instrument: 0, side: 1, type: "limit", size: 1, tif: "GTX" },
      { instrument: 0, side: 1, type: "limit", size: 1, tag: 42 },
      { instrument: 0, side: 1, type: "limit", size: 1, postOnly: 1 },
      { instrument: "0", side: 1, type: "limit", size: 1 },
      null,
    ]) expect(intentBytes(bad as unknown as OrderIntent, ids)).toBe(-1);
    writeIntent(v, 0, { instrument: 0, side: 1, type: "market", size: 1 }, ids, SUBMIT_BODY);
    v.setUint8(48, 9);
    expect(readIntent(v, 0, SUBMIT_BODY, new TagTable())).toBe(`ISOLATE_FRAME_UNKNOWN: ring=back unknown=submit type=9 tif=0 tagFollows=0 body=${SUBMIT_BODY}`);
    v.setUint8(48, 0);
    v.setUint8(49, 6);
    expect(readIntent(v, 0, SUBMIT_BODY, new TagTable())).toMatch(/^ISOLATE_FRAME_UNKNOWN: ring=back unknown=submit type=0 tif=6 /);
  });
});

describe("queued writes", () => {
  /** A context recording the writes it is asked for; `cancel` of id 13 throws as a real one can. */
  const recording = () => {
    const calls: unknown[][] = [];
    const ctx = {
      name: "rec",
      cancel: (id: number) => {
        if (id === 13) throw new Error("PLUGIN_CAPABILITY: strategy=rec call=cancel needs capability=orders");
        calls.push(["cancel", id]);
      },
      cancelAll: (...a: unknown[]) => void calls.push(["cancelAll", ...a]),
      setTimer: (after: number, token: number) => void calls.push(["setTimer", after, token]),
      cancelAlgo: (id: number) => void calls.push(["cancelAlgo", id]),
      log: (m: string, f?: unknown) => void calls.push(f === undefined ? ["log", m] : ["log", m, f]),
    } as unknown as StrategyContext;
    const applier = new WriteApplier(unpackBytes, (m, a) => {
      (ctx as unknown as Record<string, (...x: unknown[]) => void>)[m]!(...a);
      return null;
    });
    return { calls, ctx, applier };
  };

  test("cancels, cancelAll with and without an instrument, timers at 2^53-1, parents and logs apply in the order queued", () => {
    const q = new WriteQueue(16);
    const fields = { n: 1 };
    q.cancel(MAX);
    q.cancelAll();
    q.cancelAll(0);
    q.setTimer(250_000, MAX);
    q.pack("log", ["hello", fields]);
    fields.n = 2;
    q.cancelAlgo(9);
    q.cancel("5" as unknown as number);
    q.setTimer(1.5, -0);
    const { calls, ctx, applier } = recording();
    const v = new DataView(q.bytes.buffer);
    expect(applier.apply(ctx, v, q.bytes, 0, q.length)).toBeNull();
    expect(calls).toEqual([["cancel", MAX], ["cancelAll"], ["cancelAll", 0], ["setTimer", 250_000, MAX], ["log", "hello", { n: 1 }], ["cancelAlgo", 9], ["cancel", "5"], ["setTimer", 1.5, -0]]);
    expect(Object.is(calls[7]![2], -0)).toBe(true);
    expect(applier.applied).toBe(8);
  });

  test("the first write that throws stops the rest and gives its message; an unknown op or a ragged record is refused", () => {
    const q = new WriteQueue();
    q.cancel(1);
    q.cancel(13);
    q.cancel(2);
    const { calls, ctx, applier } = recording();
    const v = new DataView(q.bytes.buffer);
    expect(applier.apply(ctx, v, q.bytes, 0, q.length)).toBe("PLUGIN_CAPABILITY: strategy=rec call=cancel needs capability=orders");
    expect(calls).toEqual([["cancel", 1]]);
    q.bytes[32] = 77;
    expect(applier.apply(ctx, v, q.bytes, 32, q.length)).toBe("ISOLATE_FRAME_UNKNOWN: ring=back unknown=write op=77 at=32");
    q.bytes[32] = Op.SET_TIMER;
    expect(applier.apply(ctx, v, q.bytes, 32, q.length)).toBe(`ISOLATE_FRAME_UNKNOWN: ring=back unknown=write ragged op=${Op.SET_TIMER} at=32 end=48`);
  });
});
