/**
 * The StrategyContext an isolated plugin sees. Reads (book, position, signal, features, trading
 * state, open orders, an order) are answered from the context mirror the runtime wrote into the
 * shared buffer (`mirror-layout.ts`); what the mirror does not hold is asked for over the ring.
 * Writes that return nothing (cancel, cancelAll, cancelAlgo, setTimer, log) are queued and cross
 * with the next frame back, applied in order; a read after a queued cancel first sends the queue
 * (one round trip) so it sees what it would in process. `submit` and `submitAlgo` are round trips
 * (the submit a fixed-layout binary frame each way, `submit-frame.ts`):
 * their answer (an id, perhaps of an order risk refused) comes from the runtime, and the runtime
 * rewrites the mirror before answering, so reads after a submit are local again.
 */
import type { BookView } from "../../../plugins/sdk/market.ts";
import type { OrderIntent, OrderView, Side } from "../../../plugins/sdk/orders.ts";
import {
  H_FEATURES, H_INSTRUMENTS, H_ON, H_OPEN, H_ORDERS, H_SIGNAL, H_STATE, HEADER_WORDS, I_ASK, I_ASK_SIZE, I_BID, I_BID_SIZE, I_MID2, I_NFEATURES, I_POSITION, I_SIGNAL,
  I_TS, I_VALID, INSTR_FIELDS, MIRROR_BYTES, O_CREATED, O_FILLED, O_ID, O_INSTRUMENT, O_PRICE, O_REASON_AT, O_REASON_LEN, O_SIDE, O_SIZE, O_STATUS, O_STOP, O_TIF,
  O_TYPE, O_UPDATED, ORDER_WORDS, ORDERS_AT, STATES, STATUS_ABSENT, STATUSES, TIFS, TYPES,
} from "./mirror-layout.ts";

/** How the context reaches the runtime. */
export interface ContextLink {
  /** A round trip: sends the queued writes and the call, returns the answer (throws its error). */
  call(method: string, args: unknown[]): unknown;
  /** A submit's round trip (a binary frame when the intent allows), returns the runtime's answer. */
  submit(intent: OrderIntent): unknown;
  /** The writes that return nothing: queued (or round trips without the mirror). */
  cancel(id: number): void;
  cancelAll(instrument?: number): void;
  cancelAlgo(id: number): void;
  setTimer(afterUs: number, token: number): void;
  log(message: string, fields?: Record<string, unknown>): void;
  /** True when a queued write may have changed what the mirror shows. */
  dirty(): boolean;
}

/** What the isolate knows of the strategy instance. */
export interface ContextSetup {
  readonly name: string;
  readonly params: unknown;
  readonly instruments: readonly { readonly id: number }[];
  readonly algos: boolean;
  readonly buffer: SharedArrayBuffer;
  readonly mirrorOffset: number;
}

/** Builds the isolated plugin's context; `now` is the current event's kernel time. */
export function makeContext(setup: ContextSetup, now: () => number, link: ContextLink): Record<string, unknown> {
  const f = new Float64Array(setup.buffer, setup.mirrorOffset, MIRROR_BYTES / 8);
  const units = new Uint16Array(setup.buffer, setup.mirrorOffset, MIRROR_BYTES / 2);
  const { call } = link;
  const slotOf = new Map<number, number>();
  setup.instruments.forEach((inst, k) => {
    if (!slotOf.has(inst.id)) slotOf.set(inst.id, k);
  });
  /** Word where an instrument's record starts, or -1 when it is not mirrored. */
  const recordOf = (instrument: number): number => {
    const k = slotOf.get(instrument);
    if (k === undefined || k >= f[H_INSTRUMENTS]!) return -1;
    return HEADER_WORDS + k * (INSTR_FIELDS + f[H_FEATURES]!);
  };
  /** True when reads may be answered from the mirror (sending queued writes first when they changed it). */
  const usable = (): boolean => {
    if (f[H_ON] !== 1) return false;
    if (link.dirty()) call("sync", []);
    return true;
  };
  const books: { -readonly [K in keyof BookView]: BookView[K] }[] = setup.instruments.map((i) => ({ instrument: i.id, ts: 0, bid: 0, ask: 0, bidSize: 0, askSize: 0, mid2: 0, valid: false }));
  const featureViews: (Float64Array | null)[] = setup.instruments.map(() => null);

  /** The order in slot `s` as a view, undefined when absent, null when the mirror cannot tell. */
  const orderAt = (s: number): OrderView | undefined | null => {
    const at = ORDERS_AT + s * ORDER_WORDS;
    const status = f[at + O_STATUS]!;
    if (status === STATUS_ABSENT) return undefined;
    const len = f[at + O_REASON_LEN]!;
    if (len < 0) return null;
    const u = (at + O_REASON_AT) * 4;
    return {
      id: f[at + O_ID]!,
      strategy: setup.name,
      instrument: f[at + O_INSTRUMENT]!,
      side: f[at + O_SIDE]! as Side,
      type: TYPES[f[at + O_TYPE]!]!,
      tif: TIFS[f[at + O_TIF]!]!,
      price: f[at + O_PRICE]!,
      stopPrice: f[at + O_STOP]!,
      size: f[at + O_SIZE]!,
      filled: f[at + O_FILLED]!,
      status: STATUSES[status]!,
      createdTs: f[at + O_CREATED]!,
      updatedTs: f[at + O_UPDATED]!,
      reason: len === 0 ? "" : String.fromCharCode(...units.subarray(u, u + len)),
    };
  };

  const parents = setup.algos
    ? {
        submitAlgo: (request: unknown) => call("submitAlgo", [request]),
        parent: (id: number) => call("parent", [id]) ?? undefined,
        cancelAlgo: (id: number) => link.cancelAlgo(id),
      }
    : {};
  return {
    ...parents,
    name: setup.name,
    params: setup.params,
    instruments: setup.instruments,
    now,
    book: (i: number) => {
      const r = usable() ? recordOf(i) : -1;
      if (r < 0) return call("book", [i]);
      const b = books[slotOf.get(i)!]!;
      b.ts = f[r + I_TS]!;
      b.bid = f[r + I_BID]!;
      b.ask = f[r + I_ASK]!;
      b.bidSize = f[r + I_BID_SIZE]!;
      b.askSize = f[r + I_ASK_SIZE]!;
      b.mid2 = f[r + I_MID2]!;
      b.valid = f[r + I_VALID] === 1;
      return b;
    },
    featureIndex: (n: string) => call("featureIndex", [n]),
    features: (i: number) => {
      const r = usable() ? recordOf(i) : -1;
      if (r < 0 || f[r + I_NFEATURES]! < 0) return Float64Array.from(call("features", [i]) as number[]);
      const k = slotOf.get(i)!;
      const n = f[r + I_NFEATURES]!;
      let view = featureViews[k]!;
      if (view === null || view.length !== n || view.byteOffset !== setup.mirrorOffset + (r + INSTR_FIELDS) * 8) {
        view = f.subarray(r + INSTR_FIELDS, r + INSTR_FIELDS + n);
        featureViews[k] = view;
      }
      return view;
    },
    signal: (i: number) => {
      const r = usable() ? recordOf(i) : -1;
      if (r < 0 || f[H_SIGNAL] !== 1) return call("signal", [i]);
      return f[r + I_SIGNAL]!;
    },
    position: (i: number) => {
      const r = usable() ? recordOf(i) : -1;
      if (r < 0) return call("position", [i]);
      return f[r + I_POSITION]!;
    },
    openOrders: (i?: number) => {
      if (!usable()) return call("openOrders", i === undefined ? [] : [i]);
      const n = f[H_OPEN]!;
      const out: OrderView[] = [];
      for (let s = 0; s < n; s++) {
        // More open orders than slots, or one the mirror cannot show: the runtime answers.
        if (s >= f[H_ORDERS]!) return call("openOrders", i === undefined ? [] : [i]);
        const o = orderAt(s);
        if (o === null || o === undefined) return call("openOrders", i === undefined ? [] : [i]);
        if (i === undefined || o.instrument === i) out.push(o);
      }
      return out;
    },
    order: (id: number) => {
      if (usable()) {
        const n = f[H_ORDERS]!;
        for (let s = 0; s < n; s++) {
          if (f[ORDERS_AT + s * ORDER_WORDS + O_ID] !== id) continue;
          const o = orderAt(s);
          if (o !== null) return o;
          break;
        }
      }
      return call("order", [id]) ?? undefined;
    },
    submit: (intent: OrderIntent) => link.submit(intent),
    cancel: (id: number) => link.cancel(id),
    cancelAll: (i?: number) => link.cancelAll(i),
    setTimer: (after: number, token: number) => link.setTimer(after, token),
    log: (message: string, fields?: Record<string, unknown>) => link.log(message, fields),
    tradingState: () => {
      const s = usable() ? f[H_STATE]! : -1;
      return s < 0 ? call("tradingState", []) : STATES[s];
    },
  };
}
