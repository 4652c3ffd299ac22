/**
 * The producer side of one recorded table: the batch the event loop is writing into, the hand-off
 * of full batches to the shared ring, and the full-ring policy (block, spill to a file, or drop
 * with a counted loss). Only `handOff` does more than store integers, once per batch.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { CHANNEL_BASE, DOORBELL, FAILED, HEAD, ROW_COUNTS, SPILL_READ, SPILL_WRITTEN, TAIL, channelWords, spillRecordBytes, type BatchLayout, type ChannelShare } from "./ring.ts";
import type { RecordedTable } from "./schema.ts";

/** What the recorder does when the writer has fallen `slots` batches behind. */
export type BackpressurePolicy = "block" | "spill" | "drop";

const RING = 0;
const DROP = 1;
const SPILL = 2;

/** A lag alert: the queue passed its high-water mark. */
export interface LagAlert {
  code: "STORE_LAG";
  table: string;
  queuedBatches: number;
  lagRows: number;
}

/** Producer state of one table. */
export class RecorderChannel {
  /** Column views of the batch being written: BIGINT/TIMESTAMP columns hold two words per row. */
  cur: Int32Array[];
  /** Next row to write in `cur`. */
  row = 0;
  readonly rows: number;
  /** Rows handed off (to the ring, the spill file or the floor). */
  handedOff = 0;
  dropped = 0;
  spilled = 0;
  blockedNs = 0;
  alerts = 0;
  private target = RING;
  private head = 0;
  private spillWritten = 0;
  private spillFd = -1;
  private alerting = false;
  private readonly base: number;
  private readonly mask: number;
  private readonly slotViews: Int32Array[][];
  private readonly localViews: Int32Array[];
  private readonly localBytes: Uint8Array;

  constructor(
    readonly share: ChannelShare,
    readonly index: number,
    private readonly control: Int32Array,
    private readonly policy: BackpressurePolicy,
    private readonly onAlert: ((alert: LagAlert) => void) | undefined,
  ) {
    const layout = share.layout;
    this.rows = layout.rows;
    this.base = CHANNEL_BASE + index * channelWords(layout.slots);
    this.mask = layout.slots - 1;
    this.slotViews = [];
    for (let s = 0; s < layout.slots; s++) this.slotViews.push(views(share.data, s * layout.slotBytes, layout));
    // The local batch has a spill header in front so that it can be written to the spill file as one record.
    const local = new ArrayBuffer(spillRecordBytes(layout));
    this.localBytes = new Uint8Array(local);
    this.localViews = views(local, 8, layout);
    this.cur = this.slotViews[0];
  }

  get table(): RecordedTable {
    return this.share.table;
  }

  /** Batches published but not yet appended by the worker. */
  queued(): number {
    return this.head - Atomics.load(this.control, this.base + TAIL);
  }

  /** Hands the batch being written to its target (a partial batch too) and starts a new one. */
  handOff(): void {
    const n = this.row;
    if (n === 0) return;
    if (this.target === RING) {
      const c = this.control;
      c[this.base + ROW_COUNTS + (this.head & this.mask)] = n;
      Atomics.store(c, this.base + HEAD, ++this.head);
      Atomics.add(c, DOORBELL, 1);
      Atomics.notify(c, DOORBELL);
    } else if (this.target === DROP) {
      this.dropped += n;
    } else {
      this.writeSpill(n);
    }
    this.handedOff += n;
    this.row = 0;
    this.checkLag();
    this.acquire();
  }

  /** Closes the spill file if one was opened. */
  close(): void {
    if (this.spillFd >= 0) closeSync(this.spillFd);
    this.spillFd = -1;
  }

  private acquire(): void {
    const c = this.control;
    const slots = this.mask + 1;
    const spillPending = this.spillWritten > Atomics.load(c, this.base + SPILL_READ);
    if (!spillPending && this.head - Atomics.load(c, this.base + TAIL) < slots) {
      this.target = RING;
      this.cur = this.slotViews[this.head & this.mask];
      return;
    }
    if (this.policy === "block" && !spillPending) {
      const t0 = Bun.nanoseconds();
      for (;;) {
        const tail = Atomics.load(c, this.base + TAIL);
        if (this.head - tail < slots) break;
        if (Atomics.load(c, FAILED) !== 0 && this.head - tail >= slots) {
          // A dead writer would block the loop for ever: count the loss instead.
          this.target = DROP;
          this.cur = this.localViews;
          this.blockedNs += Bun.nanoseconds() - t0;
          return;
        }
        Atomics.wait(c, this.base + TAIL, tail, 100);
      }
      this.blockedNs += Bun.nanoseconds() - t0;
      this.target = RING;
      this.cur = this.slotViews[this.head & this.mask];
      return;
    }
    this.target = this.policy === "drop" ? DROP : SPILL;
    this.cur = this.localViews;
  }

  private writeSpill(n: number): void {
    if (this.spillFd < 0) this.spillFd = openSync(this.share.spillPath, "w+");
    new DataView(this.localBytes.buffer).setUint32(0, n, true);
    const bytes = this.localBytes.length;
    writeSync(this.spillFd, this.localBytes, 0, bytes, this.spillWritten * bytes);
    this.spillWritten++;
    this.spilled += n;
    Atomics.store(this.control, this.base + SPILL_WRITTEN, this.spillWritten);
    Atomics.add(this.control, DOORBELL, 1);
    Atomics.notify(this.control, DOORBELL);
  }

  private checkLag(): void {
    const slots = this.mask + 1;
    const q = this.queued() + this.spillWritten - Atomics.load(this.control, this.base + SPILL_READ);
    if (!this.alerting && q >= (slots * 3) >> 2) {
      this.alerting = true;
      this.alerts++;
      this.onAlert?.({ code: "STORE_LAG", table: this.table.name, queuedBatches: q, lagRows: q * this.rows });
    } else if (this.alerting && q <= slots >> 2) this.alerting = false;
  }
}

/** Makes the column views of one batch at a byte offset. */
function views(buffer: ArrayBufferLike, offset: number, layout: BatchLayout): Int32Array[] {
  return layout.columnOffsets.map((o, j) => new Int32Array(buffer, offset + o, (layout.rows * layout.columnWidths[j]) / 4));
}
