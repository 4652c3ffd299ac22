/**
 * Mirrors a shard's journal to its JetStream stream: the records appended during one loop flush
 * travel as one msgpack batch `{ n, records, md }` (n = the batch's number = its stream sequence,
 * md = the market-data watermarks at that moment). Each publish expects the stream's last sequence
 * to be n-1, so a stale writer (a shard that lost its lease while a standby took over) is fenced
 * out instead of interleaving, and carries the id `<shard>:<n>` so a retry is de-duplicated. Once
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
  /** Highest batch acknowledged by JetStream. */
  acked: number;
  /** Batches published, records mirrored, publish failures. */
  batches = 0;
  records = 0;
  failures = 0;
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

  /** Publishes the queued records as one batch (nothing when none are queued). */
  flush(): void {
    if (this.queued.length === 0 || this.fenced !== null) return;
    const records = this.queued;
    this.queued = [];
    const n = this.next++;
    const batch: MirrorBatch = { n, records, md: this.gate?.snapshot() ?? {} };
    this.batches++;
    this.records += records.length;
    const p = this.js
      .publish(this.topology.journal(this.shard), encode(batch), { msgID: `${this.shard}:${n}`, expect: { lastSequence: n - 1 }, timeout: 10_000 })
      .then(() => {
        // Acks of pipelined publishes on one connection arrive in order.
        if (n > this.acked) this.acked = n;
        this.project(batch);
        this.onAcked?.(n);
      })
      .catch((err: Error) => {
        this.failures++;
        if (this.fenced === null && /wrong last sequence/i.test(err.message)) {
          this.fenced = `shard=${this.shard} batch=${n} reason=${err.message}`;
          this.onFenced?.(this.fenced);
        } else if (this.fenced === null) {
          this.fenced = `shard=${this.shard} batch=${n} reason=publish failed: ${err.message}`;
          this.onFenced?.(this.fenced);
        }
      })
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  /** Waits until every published batch is acknowledged or failed. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  private project(batch: MirrorBatch): void {
    batch.records.forEach((r, i) => {
      if (r.t === "order") {
        void this.js.publish(this.topology.orders(this.shard), encode(r), { msgID: `${this.shard}:o:${r.id}` }).catch(() => this.failures++);
      } else if (r.t === "report") {
        void this.js.publish(this.topology.reports(this.shard), encode(r), { msgID: `${this.shard}:r:${batch.n}:${i}` }).catch(() => this.failures++);
      }
    });
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
}

/** Reads every batch of a shard's journal stream, in order (bounded by the stream's size). */
export async function readMirror(js: JetStreamClient, jsm: JetStreamManager, topology: Topology, shard: string): Promise<MirrorContents> {
  const stream = topology.journalStream(shard);
  const info = await jsm.streams.info(stream);
  const lastSeq = info.state.last_seq;
  const records: JournalRecord[] = [];
  let md: Record<number, number> = {};
  let batches = 0;
  if (info.state.messages === 0) return { records, md, lastSeq, batches };
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
    if (m.seq >= lastSeq) break;
  }
  await iter.close();
  return { records, md, lastSeq, batches };
}
