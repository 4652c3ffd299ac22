/**
 * `TickRecorder`: what the kernel calls on the hot path to keep every quote, trade, book level,
 * order, order state, fill and mark. Each `record*` call stores integers into a preallocated
 * column batch and returns; a full batch is handed to a writer worker that appends it to DuckDB
 * through the Appender, so the event loop never waits on DuckDB. When the writer falls behind
 * the ring of batches is bounded and the policy is explicit: `block` the loop, `spill` batches
 * to a file the writer catches up from, or `drop` them and count the loss. `stats()` reports
 * the lag; a lag alert fires once each time the queue passes three quarters full.
 *
 * @example
 * const rec = await TickRecorder.open({ db: "session.duckdb", instruments, policy: "spill" });
 * rec.recordQuote(ts, eurusd.id, 114543, 114545, 2_060_000, 1_000_000);
 * await rec.close();
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import { RecorderChannel, type BackpressurePolicy, type LagAlert } from "./recorder-channel.ts";
import { CHANNEL_BASE, CLOSING, DOORBELL, FAILED, FLUSH_REQ, batchLayout, channelWords, type ChannelShare } from "./ring.ts";
import { StoreDb } from "./database.ts";
import { RECORDED_TABLES } from "./schema.ts";
import { StoreError, storeOpenError } from "./store-error.ts";
import { LabelTable } from "./labels.ts";

export type { BackpressurePolicy, LagAlert } from "./recorder-channel.ts";

/** How to open a recorder. */
export interface RecorderOptions {
  /** DuckDB file to write (created with the schema if missing). */
  db: string;
  /** Instruments to register; ids are the dense ids the record calls use. */
  instruments: readonly Instrument[];
  /** Strategy names by dense id, registered in `strategies`. */
  strategies?: readonly string[];
  /** Full-queue policy; "block" by default. */
  policy?: BackpressurePolicy;
  /** Rows per batch; 2048 (one DuckDB vector) by default. */
  batchRows?: number;
  /** Batches per table queue, a power of two; 64 by default. */
  queueBatches?: number;
  /** Folder for spill files; the OS temp folder by default. */
  spillDir?: string;
  /** Called (off the per-tick path, once per crossing) when a queue passes three quarters full. */
  onLagAlert?: (alert: LagAlert) => void;
  /**
   * Longest time, in wall-clock milliseconds, a recorded row waits in a partial batch before it is
   * handed to the writer (a quiet market still reaches the file); 1000 by default, 0 hands off only full batches.
   */
  flushIntervalMs?: number;
}

/** Counters of one recorded table. */
export interface TableStats {
  recorded: number;
  appended: number;
  dropped: number;
  spilled: number;
  queuedBatches: number;
  /** Rows recorded but not yet appended (dropped rows excluded). */
  lagRows: number;
  /** Event-time lag while rows wait: ts of the last row recorded minus ts of the last row appended (of the first row recorded, before any append), µs; 0 when none wait. */
  lagUs: number;
  blockedNs: number;
  alerts: number;
}

interface WorkerMessage {
  type: "ready" | "flushed" | "closed" | "error";
  req?: number;
  message?: string;
}

const TWO32 = 4294967296;

/** Records the session's market data and trading activity into a DuckDB file, off the hot path. */
export class TickRecorder {
  private readonly quotes: RecorderChannel;
  private readonly trades: RecorderChannel;
  private readonly book: RecorderChannel;
  private readonly orders: RecorderChannel;
  private readonly orderStates: RecorderChannel;
  private readonly fills: RecorderChannel;
  private readonly marks: RecorderChannel;
  private readonly channels: RecorderChannel[];
  private readonly lastTs: Float64Array;
  private readonly firstTs: Float64Array;
  private flushTimer: ReturnType<typeof setInterval> | null = null;
  private flushReq = 0;
  private readonly waiting = new Map<number, () => void>();
  private writerError: string | null = null;
  private closed = false;
  private closedPromise: Promise<void> | null = null;
  private onClosed: (() => void) | null = null;
  /** Reason labels (bounded: see labels.ts); `labels.folded` counts reasons stored by their code only. */
  readonly labels = new LabelTable();

  private constructor(
    readonly db: string,
    private readonly worker: Worker,
    private readonly control: Int32Array,
    private readonly metrics: Float64Array,
    channels: RecorderChannel[],
  ) {
    this.channels = channels;
    [this.quotes, this.trades, this.book, this.orders, this.orderStates, this.fills, this.marks] = channels;
    this.lastTs = new Float64Array(channels.length);
    this.firstTs = new Float64Array(channels.length).fill(-1);
  }

  /** Opens the file, ensures the schema, registers instruments and starts the writer. Throws `StoreError`. */
  static async open(options: RecorderOptions): Promise<TickRecorder> {
    const rows = options.batchRows ?? 2048;
    const slots = options.queueBatches ?? 64;
    const policy = options.policy ?? "block";
    const flushIntervalMs = options.flushIntervalMs ?? 1000;
    if (!Number.isFinite(flushIntervalMs) || flushIntervalMs < 0) throw new StoreError("STORE_CONFIG_INVALID", { flushIntervalMs, expected: "milliseconds >= 0" });
    if (!Number.isInteger(rows) || rows < 8 || rows > 2048 || rows % 8 !== 0) throw new StoreError("STORE_CONFIG_INVALID", { batchRows: rows, expected: "a multiple of 8 from 8 to 2048" });
    if (!Number.isInteger(slots) || slots < 2 || (slots & (slots - 1)) !== 0) throw new StoreError("STORE_CONFIG_INVALID", { queueBatches: slots, expected: "a power of two >= 2" });
    if (policy !== "block" && policy !== "spill" && policy !== "drop") throw new StoreError("STORE_CONFIG_INVALID", { policy, expected: "block|spill|drop" });
    const spillDir = options.spillDir ?? tmpdir();
    const stamp = `${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e9)}`;
    const control = new Int32Array(new SharedArrayBuffer(4 * (CHANNEL_BASE + RECORDED_TABLES.length * channelWords(slots))));
    const metrics = new Float64Array(new SharedArrayBuffer(8 * 2 * RECORDED_TABLES.length));
    const shares: ChannelShare[] = RECORDED_TABLES.map((table) => {
      const layout = batchLayout(table, rows, slots);
      return { table, layout, data: new SharedArrayBuffer(layout.slotBytes * slots), spillPath: join(spillDir, `kestrel-spill-${stamp}-${table.name}.bin`) };
    });
    const worker = new Worker(new URL("./recorder-worker.ts", import.meta.url).href);
    const channels = shares.map((s, i) => new RecorderChannel(s, i, control, policy, options.onLagAlert));
    const rec = new TickRecorder(options.db, worker, control, metrics, channels);
    await new Promise<void>((resolve, reject) => {
      worker.onmessage = (ev: MessageEvent<WorkerMessage>) => {
        if (ev.data.type === "ready") resolve();
        else if (ev.data.type === "error") reject(storeOpenError(options.db, ev.data.message ?? ""));
      };
      worker.onerror = (ev) => reject(new StoreError("STORE_OPEN_FAILED", { db: options.db, cause: ev.message }));
      worker.postMessage({ db: options.db, control: control.buffer, metrics: metrics.buffer, shares, instruments: options.instruments, strategies: options.strategies ?? [] });
    }).catch((e) => {
      worker.terminate();
      throw e;
    });
    worker.onmessage = (ev: MessageEvent<WorkerMessage>) => rec.onMessage(ev.data);
    worker.onerror = (ev) => rec.onMessage({ type: "error", message: ev.message });
    if (flushIntervalMs > 0) {
      rec.flushTimer = setInterval(() => rec.handOffPartial(), flushIntervalMs);
      // The timer never keeps a finished process alive.
      rec.flushTimer.unref();
    }
    return rec;
  }

  /** Records a top-of-book quote: prices in ticks, sizes in units. */
  recordQuote(ts: number, instrumentId: number, bid: number, ask: number, bidSize: number, askSize: number): void {
    const ch = this.quotes;
    const r = ch.row;
    const c = ch.cur;
    const w = r << 1;
    let a = c[0];
    a[w] = ts >>> 0;
    a[w + 1] = Math.floor(ts / TWO32);
    c[1][r] = instrumentId;
    a = c[2];
    a[w] = bid >>> 0;
    a[w + 1] = Math.floor(bid / TWO32);
    a = c[3];
    a[w] = ask >>> 0;
    a[w + 1] = Math.floor(ask / TWO32);
    a = c[4];
    a[w] = bidSize >>> 0;
    a[w + 1] = Math.floor(bidSize / TWO32);
    a = c[5];
    a[w] = askSize >>> 0;
    a[w + 1] = Math.floor(askSize / TWO32);
    this.lastTs[0] = ts;
    if (this.firstTs[0] < 0) this.firstTs[0] = ts;
    if ((ch.row = r + 1) === ch.rows) ch.handOff();
  }

  /** Records a market trade; `aggressor` 1 buyer, -1 seller, 0 unknown. */
  recordTrade(ts: number, instrumentId: number, price: number, size: number, aggressor: number, tradeId: number): void {
    const ch = this.trades;
    const r = ch.row;
    const c = ch.cur;
    put64(c[0], r, ts);
    c[1][r] = instrumentId;
    put64(c[2], r, price);
    put64(c[3], r, size);
    c[4][r] = aggressor;
    put64(c[5], r, tradeId);
    this.lastTs[1] = ts;
    if (this.firstTs[1] < 0) this.firstTs[1] = ts;
    if ((ch.row = r + 1) === ch.rows) ch.handOff();
  }

  /** Records one book level: a diff (`snapshot` false, `level` -1, size 0 removes) or a snapshot level (0 = best); `side` 1 bid, -1 ask. */
  recordBookLevel(ts: number, instrumentId: number, updateId: number, snapshot: boolean, side: number, level: number, price: number, size: number): void {
    const ch = this.book;
    const r = ch.row;
    const c = ch.cur;
    put64(c[0], r, ts);
    c[1][r] = instrumentId;
    put64(c[2], r, updateId);
    c[3][r] = snapshot ? 1 : 0;
    c[4][r] = side;
    c[5][r] = level;
    put64(c[6], r, price);
    put64(c[7], r, size);
    this.lastTs[2] = ts;
    if (this.firstTs[2] < 0) this.firstTs[2] = ts;
    if ((ch.row = r + 1) === ch.rows) ch.handOff();
  }

  /** Records a snapshot of the top `depth` levels of a book from price/size arrays (best first; a 0 size ends a side). */
  recordBookSnapshot(ts: number, instrumentId: number, updateId: number, depth: number, bidPrices: ArrayLike<number>, bidSizes: ArrayLike<number>, askPrices: ArrayLike<number>, askSizes: ArrayLike<number>): void {
    for (let i = 0; i < depth && i < bidPrices.length && bidSizes[i] !== 0; i++) this.recordBookLevel(ts, instrumentId, updateId, true, 1, i, bidPrices[i], bidSizes[i]);
    for (let i = 0; i < depth && i < askPrices.length && askSizes[i] !== 0; i++) this.recordBookLevel(ts, instrumentId, updateId, true, -1, i, askPrices[i], askSizes[i]);
  }

  /** Records a new order with the ids of its strategy and of the event that caused it; `side` 1 buy, -1 sell. */
  recordOrder(ts: number, orderId: number, instrumentId: number, strategyId: number, side: number, orderType: number, price: number, size: number, causeEventId: number): void {
    const ch = this.orders;
    const r = ch.row;
    const c = ch.cur;
    put64(c[0], r, ts);
    put64(c[1], r, orderId);
    c[2][r] = instrumentId;
    c[3][r] = strategyId;
    c[4][r] = side;
    c[5][r] = orderType;
    put64(c[6], r, price);
    put64(c[7], r, size);
    put64(c[8], r, causeEventId);
    this.lastTs[3] = ts;
    if (this.firstTs[3] < 0) this.firstTs[3] = ts;
    if ((ch.row = r + 1) === ch.rows) ch.handOff();
  }

  /** Records an order state change (`OrderStateCode`), the size filled so far and a reason code (0 if none). */
  recordOrderState(ts: number, orderId: number, state: number, filledSize: number, reason: number): void {
    const ch = this.orderStates;
    const r = ch.row;
    const c = ch.cur;
    put64(c[0], r, ts);
    put64(c[1], r, orderId);
    c[2][r] = state;
    put64(c[3], r, filledSize);
    c[4][r] = reason;
    this.lastTs[4] = ts;
    if (this.firstTs[4] < 0) this.firstTs[4] = ts;
    if ((ch.row = r + 1) === ch.rows) ch.handOff();
  }

  /** Records a fill; `fee` in money units; `liquidity` 1 maker, -1 taker, 0 unknown. */
  recordFill(ts: number, orderId: number, fillId: number, instrumentId: number, strategyId: number, side: number, price: number, size: number, fee: number, liquidity: number): void {
    const ch = this.fills;
    const r = ch.row;
    const c = ch.cur;
    put64(c[0], r, ts);
    put64(c[1], r, orderId);
    put64(c[2], r, fillId);
    c[3][r] = instrumentId;
    c[4][r] = strategyId;
    c[5][r] = side;
    put64(c[6], r, price);
    put64(c[7], r, size);
    put64(c[8], r, fee);
    c[9][r] = liquidity;
    this.lastTs[5] = ts;
    if (this.firstTs[5] < 0) this.firstTs[5] = ts;
    if ((ch.row = r + 1) === ch.rows) ch.handOff();
  }

  /** Records a position and P&L mark of a strategy on an instrument; P&L in money units. */
  recordMark(ts: number, instrumentId: number, strategyId: number, position: number, markPrice: number, realizedPnl: number, unrealizedPnl: number): void {
    const ch = this.marks;
    const r = ch.row;
    const c = ch.cur;
    put64(c[0], r, ts);
    c[1][r] = instrumentId;
    c[2][r] = strategyId;
    put64(c[3], r, position);
    put64(c[4], r, markPrice);
    put64(c[5], r, realizedPnl);
    put64(c[6], r, unrealizedPnl);
    this.lastTs[6] = ts;
    if (this.firstTs[6] < 0) this.firstTs[6] = ts;
    if ((ch.row = r + 1) === ch.rows) ch.handOff();
  }

  /** Returns the id of a text label (e.g. a reject reason) for integer columns; written to `labels` at close. Allocates only for a new text; bounded (see labels.ts). */
  label(text: string): number {
    return this.labels.id(text);
  }

  /** Counters per table name. */
  stats(): Record<string, TableStats> {
    const out: Record<string, TableStats> = {};
    for (const ch of this.channels) {
      const appended = this.metrics[2 * ch.index];
      const recorded = ch.handedOff + ch.row;
      out[ch.table.name] = {
        recorded,
        appended,
        dropped: ch.dropped,
        spilled: ch.spilled,
        queuedBatches: ch.queued(),
        lagRows: recorded - ch.dropped - appended,
        lagUs: recorded - ch.dropped - appended > 0 ? this.lastTs[ch.index] - (appended > 0 ? this.metrics[2 * ch.index + 1] : this.firstTs[ch.index]) : 0,
        blockedNs: ch.blockedNs,
        alerts: ch.alerts,
      };
    }
    return out;
  }

  /** Hands every partial batch to the writer without waiting for it (the periodic flush by time). */
  handOffPartial(): void {
    if (this.closed) return;
    for (const ch of this.channels) ch.handOff();
  }

  /** Hands off partial batches and resolves once everything recorded so far is appended and visible in the file. */
  async flush(): Promise<void> {
    if (this.closed) throw new StoreError("STORE_CLOSED", { db: this.db });
    for (const ch of this.channels) ch.handOff();
    const req = ++this.flushReq;
    const done = new Promise<void>((resolve) => this.waiting.set(req, resolve));
    Atomics.store(this.control, FLUSH_REQ, req);
    Atomics.add(this.control, DOORBELL, 1);
    Atomics.notify(this.control, DOORBELL);
    await done;
    if (this.writerError !== null) throw new StoreError("STORE_WRITER_FAILED", { db: this.db, cause: this.writerError });
  }

  /** Flushes, stops the writer and closes the file; spill files are removed. */
  async close(): Promise<void> {
    if (this.closed) return this.closedPromise ?? undefined;
    if (this.flushTimer !== null) clearInterval(this.flushTimer);
    this.flushTimer = null;
    let failure: unknown = null;
    try {
      await this.flush();
    } catch (e) {
      failure = e;
    }
    this.closed = true;
    this.closedPromise = new Promise<void>((resolve) => (this.onClosed = resolve));
    Atomics.store(this.control, CLOSING, 1);
    Atomics.add(this.control, DOORBELL, 1);
    Atomics.notify(this.control, DOORBELL);
    await this.closedPromise;
    this.worker.terminate();
    for (const ch of this.channels) ch.close();
    if (failure !== null) throw failure;
    if (this.labels.size > 1) {
      const db = await StoreDb.open(this.db);
      try {
        // A few statements of up to 256 labels each (the table holds at most a few thousand).
        const all = [...this.labels.entries()];
        for (let i = 0; i < all.length; i += 256) {
          const part = all.slice(i, i + 256);
          await db.connection.run(`INSERT OR REPLACE INTO labels VALUES ${part.map(() => "(?, ?)").join(", ")}`, part.flatMap(([text, id]) => [id, text]) as never);
        }
      } finally {
        db.close();
      }
    }
  }

  private onMessage(msg: WorkerMessage): void {
    if (msg.type === "flushed" && msg.req !== undefined) {
      for (const [req, resolve] of this.waiting) {
        if (req <= msg.req) {
          this.waiting.delete(req);
          resolve();
        }
      }
    } else if (msg.type === "closed") {
      this.onClosed?.();
    } else if (msg.type === "error") {
      this.writerError ??= msg.message ?? "writer failed";
      Atomics.store(this.control, FAILED, 1);
      for (const [req, resolve] of this.waiting) {
        this.waiting.delete(req);
        resolve();
      }
      this.onClosed?.();
    }
  }
}

/** Stores an integer as two little-endian 32-bit words at row `r`. */
function put64(a: Int32Array, r: number, v: number): void {
  a[r << 1] = v >>> 0;
  a[(r << 1) + 1] = Math.floor(v / TWO32);
}

