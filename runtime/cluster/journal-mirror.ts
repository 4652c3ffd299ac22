/**
 * Mirrors a shard's journal to its JetStream stream: the records appended during one loop flush
 * travel as one msgpack batch `{ n, records, md }` (n = the batch's number = its stream sequence,
 * md = the market-data watermarks at that moment). Each publish expects the stream's last sequence
 * to be n-1, so a stale writer (a shard that lost its lease while a standby took over) is fenced
 * out instead of interleaving, and carries the id `<shard>:<writer>:<n>` so its own retry is
 * de-duplicated (the writer part keeps another writer's batch n from passing for a duplicate). Once
 * a batch is acknowledged its orders and reports are projected onto the orders and reports streams.
 * `readMirror` is the standby's side: every batch in order, as records and watermarks.
 */
import { decode, encode } from "@msgpack/msgpack";
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { JournalRecord } from "../journal/records.ts";
import type { JournalWriter } from "../journal/journal-file.ts";
import { ClusterError } from "./errors.ts";
import type { SequenceGate } from "./exactly-once.ts";
import type { Topology } from "./topology.ts";

const PUBLISH_ATTEMPTS = 60;

/** One mirrored batch as stored. */
export interface MirrorBatch {
  readonly n: number;
  readonly records: JournalRecord[];
  readonly md: Record<number, number>;
}

/** Publishes journal batches of one shard. */
export class JournalMirror {
  private queued: JournalRecord[] = [];
  private next: number;
  private inflight = new Set<Promise<void>>();
  private busy = false;
  /** This writer's id: its retries de-duplicate, while another writer's batch n never passes for ours. */
  private readonly writer = crypto.randomUUID().slice(0, 8);
  /** Highest batch acknowledged by JetStream. */
  acked: number;
  /** Batches published, records mirrored, publish failures. */
  batches = 0;
  records = 0;
  failures = 0;
  /** Orders or reports that could not be put on their streams after every retry. */
  projectionLost = 0;
  /** Set when a publish was refused because another writer moved the stream on. */
  fenced: string | null = null;
  /** Called after each acknowledged batch with its number (in order). */
  onAcked: ((n: number) => void) | null = null;
  /** Called once when the mirror is fenced. */
  onFenced: ((why: string) => void) | null = null;

  constructor(
    private readonly js: JetStreamClient,
    private readonly topology: Topology,
    readonly shard: string,
    /** Last stream sequence of the shard's journal stream (0 when empty). */
    lastSeq: number,
    private readonly gate: SequenceGate | null,
  ) {
    this.next = lastSeq + 1;
    this.acked = lastSeq;
  }

  /** Number the next flush will give its batch (records added now travel in it). */
  get pendingBatch(): number {
    return this.next;
  }

  /** Queues a record for the next batch. */
  add(record: JournalRecord): void {
    this.queued.push(record);
  }

  /**
   * Publishes the queued records as one batch (nothing when none are queued). One batch is in
   * flight at a time; records queued meanwhile travel together in the next one. A failed publish
   * (timeout, leader election) is retried with the same id and expectation, so it is stored once;
   * a refusal for a wrong last sequence means another writer took the stream: fenced.
   */
  flush(): void {
    if (this.queued.length === 0 || this.fenced !== null || this.busy) return;
    const records = this.queued;
    this.queued = [];
    const n = this.next++;
    const batch: MirrorBatch = { n, records, md: this.gate?.snapshot() ?? {} };
    this.batches++;
    this.records += records.length;
    this.busy = true;
    const p = this.publish(batch, encode(batch)).finally(() => {
      this.inflight.delete(p);
      this.busy = false;
      if (this.fenced === null) this.flush();
    });
    this.inflight.add(p);
  }

  private async publish(batch: MirrorBatch, data: Uint8Array): Promise<void> {
    const n = batch.n;
    let last = "";
    for (let attempt = 0; attempt < PUBLISH_ATTEMPTS; attempt++) {
      try {
        await this.js.publish(this.topology.journal(this.shard), data, { msgID: `${this.shard}:${this.writer}:${n}`, expect: { lastSequence: n - 1 }, timeout: 5000 });
        this.acked = n;
        this.onAcked?.(n);
        await this.project(batch);
        return;
      } catch (err) {
        this.failures++;
        last = (err as Error).message;
        if (/wrong last sequence/i.test(last)) break;
        await Bun.sleep(100);
      }
    }
    this.fenced = `shard=${this.shard} batch=${n} reason=${last}`;
    this.onFenced?.(this.fenced);
  }

  /** Waits until every published batch is acknowledged or failed. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  /**
   * Finishes the projection a predecessor may have cut short (it died between a batch's
   * acknowledgement and its projection): batches are projected in order, so every batch before
   * the last one seen on the orders or reports stream is complete; that one and later ones are
   * projected again (their ids make the copies already stored duplicates, dropped).
   */
  async catchUp(jsm: JetStreamManager, batches: readonly MirrorBatch[]): Promise<number> {
    let last = 0;
    for (const [stream, subject] of [
      [this.topology.ordersStream, this.topology.orders(this.shard)],
      [this.topology.reportsStream, this.topology.reports(this.shard)],
    ] as const) {
      try {
        const m = await jsm.streams.getMessage(stream, { last_by_subj: subject });
        if (m !== null) last = Math.max(last, (decode(m.data) as { n?: number }).n ?? 0);
      } catch {
        // Nothing projected on that subject yet.
      }
    }
    let projected = 0;
    for (const b of batches) {
      if (b.n < last) continue;
      await this.project(b);
      projected++;
    }
    return projected;
  }

  /** Puts the batch's orders and reports on their streams (ids make a retry harmless). */
  private async project(batch: MirrorBatch): Promise<void> {
    const sends: Promise<void>[] = [];
    batch.records.forEach((r, i) => {
      // Each projected record carries its batch number `n` (where a successor resumes projecting).
      if (r.t === "order") sends.push(this.publishRetrying(this.topology.orders(this.shard), encode({ ...r, n: batch.n }), `${this.shard}:o:${r.id}`));
      else if (r.t === "report") sends.push(this.publishRetrying(this.topology.reports(this.shard), encode({ ...r, n: batch.n }), `${this.shard}:r:${batch.n}:${i}`));
    });
    await Promise.all(sends);
  }

  private async publishRetrying(subject: string, data: Uint8Array, msgID: string): Promise<void> {
    for (let attempt = 0; attempt < PUBLISH_ATTEMPTS; attempt++) {
      try {
        await this.js.publish(subject, data, { msgID, timeout: 5000 });
        return;
      } catch {
        this.failures++;
        await Bun.sleep(100);
      }
    }
    this.projectionLost++;
  }
}

/** Makes a journal writer also queue every record on the mirror and publish on every flush. */
export function mirrorJournal(writer: JournalWriter, mirror: JournalMirror): void {
  const append = writer.append.bind(writer);
  const flush = writer.flush.bind(writer);
  writer.append = (record: JournalRecord) => {
    append(record);
    mirror.add(record);
  };
  writer.flush = () => {
    flush();
    mirror.flush();
  };
}

/** What a shard's mirrored journal holds. */
export interface MirrorContents {
  readonly records: JournalRecord[];
  /** Market-data watermarks of the last batch. */
  readonly md: Record<number, number>;
  /** Last stream sequence (the next writer's lastSeq). */
  readonly lastSeq: number;
  readonly batches: number;
  /** Every batch, in order. */
  readonly list: MirrorBatch[];
}

/** Reads every batch of a shard's journal stream, in order (bounded by the stream's size). */
export async function readMirror(js: JetStreamClient, jsm: JetStreamManager, topology: Topology, shard: string): Promise<MirrorContents> {
  const stream = topology.journalStream(shard);
  const info = await jsm.streams.info(stream);
  const lastSeq = info.state.last_seq;
  const records: JournalRecord[] = [];
  let md: Record<number, number> = {};
  let batches = 0;
  const list: MirrorBatch[] = [];
  if (info.state.messages === 0) return { records, md, lastSeq, batches, list };
  const consumer = await js.consumers.get(stream);
  const iter = await consumer.consume({ max_messages: 512 });
  let expect = info.state.first_seq;
  for await (const m of iter) {
    const batch = decode(m.data) as MirrorBatch;
    if (batch.n !== m.seq || m.seq !== expect) {
      await iter.close();
      throw new ClusterError("CLUSTER_MESSAGE", `stream=${stream} seq=${m.seq} batch=${batch.n} expected=${expect} reason=gap or foreign batch in the journal stream`);
    }
    expect++;
    for (const r of batch.records) records.push(r);
    md = batch.md;
    batches++;
    list.push(batch);
    if (m.seq >= lastSeq) break;
  }
  await iter.close();
  return { records, md, lastSeq, batches, list };
}

/** Every message of a stream on one subject, decoded (bounded by the stream's size; audits). */
export async function readSubject<T>(js: JetStreamClient, jsm: JetStreamManager, stream: string, subject: string): Promise<T[]> {
  const info = await jsm.streams.info(stream);
  const out: T[] = [];
  if (info.state.messages === 0) return out;
  const consumer = await js.consumers.get(stream);
  const iter = await consumer.consume({ max_messages: 512 });
  for await (const m of iter) {
    if (m.subject === subject) out.push(decode(m.data) as T);
    if (m.seq >= info.state.last_seq) break;
  }
  await iter.close();
  return out;
}
