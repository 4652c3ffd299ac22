/**
 * The feed instance: reads a market source (synthetic, replay, a venue's live feed) and publishes
 * each normalised event to its instrument's subject, paced in real time (or as fast as the broker
 * takes them, speed 0). A live source is published as it arrives, and its being empty means
 * "nothing yet", not the end: the run waits for more until its time is up or stop is asked.
 * Publishes are pipelined (a bounded window of unacknowledged ones) and carry a message id; one that
 * fails (a node died, a stream leader moved) is sent again, in order, after its window settles, and
 * JetStream's de-duplication drops it if the first attempt was stored after all. A retried event
 * can land after later events of its instrument (a larger stream sequence): it is still processed
 * once; the shard's book takes it as the latest quote until the next one.
 */
import type { JetStreamClient } from "@nats-io/jetstream";
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import { newMarketEvent, type MarketSource } from "../data/sources/market-source.ts";
import { wallMicros } from "../kernel/clock.ts";
import { encodeMd } from "./md-frame.ts";
import type { Topology } from "./topology.ts";

/** Options of a feed run. */
export interface FeedOptions {
  readonly js: JetStreamClient;
  readonly topology: Topology;
  readonly source: MarketSource;
  readonly instruments: readonly Instrument[];
  /** Kernel microseconds per wall microsecond; 0 publishes as fast as acks come back. */
  readonly speed?: number;
  /** Stop after this many wall microseconds. */
  readonly forUs?: number;
  /** Stop after this many events. */
  readonly maxEvents?: number;
  /** Unacknowledged publishes allowed in flight (default 256). */
  readonly window?: number;
  /** Resolves when the feed should stop. */
  readonly stopSignal?: Promise<unknown>;
  /** The source is live (a venue pushes into it): publish as events arrive and wait when it is empty instead of ending. */
  readonly live?: boolean;
}

/** What a feed run did. */
export interface FeedStats {
  published: number;
  /** Publishes JetStream reported as duplicates (a retried id). */
  duplicates: number;
  /** Publishes that failed and were sent again (same id: stored once). */
  retries: number;
  /** Publishes that still failed after every retry (the event is lost, and counted). */
  errors: number;
  lastError: string;
  wallSeconds: number;
}

const RETRIES = 100;

/** Publishes the source's events until it ends, the time is up or stop is asked. */
export async function runFeed(opts: FeedOptions): Promise<FeedStats> {
  const { js, topology, source } = opts;
  const live = opts.live === true;
  // A live source is already in real time: each event goes out as soon as it is there.
  const speed = live ? 0 : (opts.speed ?? 1);
  const window = opts.window ?? 256;
  const subjects = opts.instruments.map((i) => topology.md(i.symbol));
  const counters = new Float64Array(opts.instruments.length);
  const stats: FeedStats = { published: 0, duplicates: 0, retries: 0, errors: 0, lastError: "", wallSeconds: 0 };
  let stop = false;
  opts.stopSignal?.then(() => (stop = true));
  const ev = newMarketEvent();
  const wallStart = wallMicros();
  const first = source.peekTs();
  const kernelStart = Number.isFinite(first) ? first : wallStart;
  const inflight: Promise<void>[] = [];
  // Publishes that failed (a node died, a leader moved): sent again in order, same id.
  const failed: { subject: string; data: Uint8Array; id: string; order: number }[] = [];
  let sent = 0;
  const settle = async () => {
    await Promise.all(inflight);
    inflight.length = 0;
    failed.sort((a, b) => a.order - b.order);
    for (const f of failed.splice(0)) {
      let done = false;
      for (let attempt = 0; attempt < RETRIES && !done; attempt++) {
        stats.retries++;
        try {
          const ack = await js.publish(f.subject, f.data, { msgID: f.id, timeout: 2000 });
          if (ack.duplicate) stats.duplicates++;
          else stats.published++;
          done = true;
        } catch (err) {
          stats.lastError = (err as Error).message;
          await Bun.sleep(100);
        }
      }
      if (!done) stats.errors++;
    }
  };
  const t0 = performance.now();
  while (!stop) {
    const now = wallMicros();
    if (opts.forUs !== undefined && now - wallStart >= opts.forUs) break;
    const target = speed === 0 ? Infinity : kernelStart + (now - wallStart) * speed;
    let any = false;
    while (source.peekTs() <= target && !stop) {
      if (opts.maxEvents !== undefined && stats.published + inflight.length >= opts.maxEvents) {
        stop = true;
        break;
      }
      if (!source.next(ev)) break;
      any = true;
      const i = ev.instrument;
      const n = ++counters[i]!;
      const subject = subjects[i]!;
      const data = encodeMd(ev, wallMicros());
      const id = `${opts.instruments[i]!.symbol}:${ev.ts}:${n}`;
      const order = ++sent;
      const p = js
        .publish(subject, data, { msgID: id })
        .then((ack) => {
          if (ack.duplicate) stats.duplicates++;
          else stats.published++;
        })
        .catch((err: Error) => {
          stats.lastError = err.message;
          failed.push({ subject, data, id, order });
        });
      inflight.push(p);
      if (inflight.length >= window) await settle();
    }
    await settle();
    if (!live && !Number.isFinite(source.peekTs())) break;
    if (!any) await Bun.sleep(1);
  }
  await settle();
  stats.wallSeconds = (performance.now() - t0) / 1000;
  return stats;
}
