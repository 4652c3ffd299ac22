/**
 * A shard's market-data intake: one durable pull consumer per owned instrument (JetStream 2.9
 * filters a consumer on one subject), explicit acks, each delivery decoded into a reused event and
 * passed through the sequence gate, so a redelivered event is acknowledged and skipped instead of
 * processed twice. The durable consumers outlive the process: a standby picks up where its
 * predecessor stopped acknowledging.
 */
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import { newMarketEvent, type MarketEvent } from "../data/sources/market-source.ts";
import { decodeMd } from "./md-frame.ts";
import type { SequenceGate } from "./exactly-once.ts";
import type { Topology } from "./topology.ts";

/** Options of a market-data intake. */
export interface MdConsumerOptions {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly topology: Topology;
  /** Shard name (durable consumer names are `<shard>-<SYMBOL>`). */
  readonly shard: string;
  /** The instruments this shard owns. */
  readonly instruments: readonly Instrument[];
  readonly gate: SequenceGate;
  /** Called once per new event, synchronously, before the ack. */
  readonly onEvent: (ev: MarketEvent, seq: number, sentUs: number) => void;
  /** One line per bad message (acknowledged and counted, never processed). */
  readonly onBadMessage?: (line: string) => void;
  /** Redeliver an unacknowledged event after this long, milliseconds (default 5000). */
  readonly ackWaitMs?: number;
}

/** A running intake. */
export interface MdIntake {
  /** Messages that could not be decoded. */
  readonly bad: () => number;
  /** Stops consuming (durable consumers stay on the server). */
  stop(): Promise<void>;
}

/** Durable consumer name of a shard's instrument. */
export function mdDurable(shard: string, symbol: string): string {
  return `${shard}-${symbol.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/** Creates (or reuses) the durable consumers and starts consuming. */
export async function startMdIntake(opts: MdConsumerOptions): Promise<MdIntake> {
  const { js, jsm, topology, gate } = opts;
  const ev = newMarketEvent();
  let bad = 0;
  const running: ConsumerMessages[] = [];
  try {
    await consumeAll();
  } catch (err) {
    // A partial start is undone, so a retry starts clean.
    for (const r of running) await r.close().catch(() => {});
    throw err;
  }
  async function consumeAll(): Promise<void> {
    for (const inst of opts.instruments) {
      const durable = mdDurable(opts.shard, inst.symbol);
      const subject = topology.md(inst.symbol);
      try {
        await jsm.consumers.info(topology.mdStream, durable);
      } catch {
        await jsm.consumers.add(topology.mdStream, {
          durable_name: durable,
          filter_subject: subject,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: (opts.ackWaitMs ?? 5000) * 1_000_000,
          max_ack_pending: 20_000,
        });
      }
      const consumer = await js.consumers.get(topology.mdStream, durable);
      const messages = await consumer.consume({
        max_messages: 2000,
        callback: (m) => {
          let sentUs: number;
          try {
            sentUs = decodeMd(m.data, ev, m.subject);
          } catch (err) {
            bad++;
            opts.onBadMessage?.(`${(err as Error).message} seq=${m.seq}`);
            m.ack();
            return;
          }
          if (ev.instrument !== inst.id) {
            bad++;
            opts.onBadMessage?.(`CLUSTER_MESSAGE: subject=${m.subject} seq=${m.seq} instrument=${ev.instrument} expected=${inst.id}`);
            m.ack();
            return;
          }
          if (gate.accept(inst.id, m.seq)) opts.onEvent(ev, m.seq, sentUs);
          m.ack();
        },
      });
      running.push(messages);
    }
  }
  return {
    bad: () => bad,
    async stop() {
      for (const r of running) await r.close();
    },
  };
}
