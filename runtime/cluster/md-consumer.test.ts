import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { AckPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { syntheticInstruments } from "../data/sources/synthetic/fx-universe.ts";
import { MarketEventKind, newMarketEvent } from "../data/sources/market-source.ts";
import { startNats, type NatsCluster } from "./nats-server.ts";
import { ensureStreams, Topology } from "./topology.ts";
import { decodeMd, encodeMd } from "./md-frame.ts";
import { SequenceGate } from "./exactly-once.ts";
import { mdDurable, startMdIntake } from "./md-consumer.ts";

const instruments = syntheticInstruments("sim").map((i, id) => ({ ...i, id }));
const eur = instruments.find((i) => i.symbol === "EURUSD")!;
const topo = new Topology("kt");
let nats: NatsCluster;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;

beforeAll(async () => {
  nats = await startNats({ nodes: 1 });
  nc = await connect({ servers: nats.servers });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, { prefix: "kt", replicas: 1, shards: [{ name: "a", instruments: ["EURUSD"] }] });
});
afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

async function publishQuotes(from: number, count: number): Promise<void> {
  const ev = newMarketEvent();
  for (let k = from; k < from + count; k++) {
    ev.kind = MarketEventKind.Quote;
    ev.instrument = eur.id;
    ev.ts = 1_700_000_000_000_000 + k;
    ev.bid = 100_000 + k;
    ev.ask = 100_002 + k;
    ev.bidSize = 10;
    ev.askSize = 11;
    await js.publish(topo.md("EURUSD"), encodeMd(ev, 1), { msgID: `q${k}` });
  }
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await Bun.sleep(25);
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

describe("market data through JetStream, exactly once by sequence", () => {
  test("a frame round-trips every field", () => {
    const ev = newMarketEvent();
    Object.assign(ev, { kind: 2, instrument: 7, ts: 1_700_000_000_123_456, price: 123_456, size: 5, side: -1 });
    const out = newMarketEvent();
    expect(decodeMd(encodeMd(ev, 42), out, "x")).toBe(42);
    expect(out).toEqual(ev);
    expect(() => decodeMd(new Uint8Array(3), out, "kt.md.EURUSD")).toThrow(/CLUSTER_MESSAGE: subject=kt.md.EURUSD bytes=3/);
  });

  test("events processed but never acknowledged by a dead shard are redelivered to its standby and skipped", async () => {
    await publishQuotes(0, 20);
    // The primary: creates the durable consumer, processes all 20, acknowledges only 10, then dies.
    const durable = mdDurable("a", "EURUSD");
    await jsm.consumers.add(topo.mdStream, { durable_name: durable, filter_subject: topo.md("EURUSD"), ack_policy: AckPolicy.Explicit, ack_wait: 60_000_000_000 });
    const primaryGate = new SequenceGate(instruments.length);
    const consumer = await js.consumers.get(topo.mdStream, durable);
    const batch = await consumer.fetch({ max_messages: 20, expires: 2000 });
    let n = 0;
    for await (const m of batch) {
      expect(primaryGate.accept(eur.id, m.seq)).toBe(true);
      // Processed; the ack of the second half is lost with the process (nak = redeliver now).
      if (n++ < 10) m.ack();
      else m.nak();
    }
    expect(primaryGate.lastOf(eur.id)).toBe(20);

    // The standby restores the watermarks from the mirrored journal and consumes the same durable consumer.
    const gate = new SequenceGate(instruments.length);
    gate.restore(primaryGate.snapshot());
    const seen: number[] = [];
    const bids: number[] = [];
    const intake = await startMdIntake({ js, jsm, topology: topo, shard: "a", instruments: [eur], gate, onEvent: (ev, seq) => (seen.push(seq), bids.push(ev.bid)) });
    try {
      await until(() => gate.duplicates === 10, "the 10 redeliveries");
      expect(seen).toEqual([]);
      await publishQuotes(20, 5);
      await until(() => seen.length === 5, "5 new events");
      expect(seen).toEqual([21, 22, 23, 24, 25]);
      expect(bids).toEqual([100_020, 100_021, 100_022, 100_023, 100_024]);
      expect(gate.duplicates).toBe(10);
      // A bad frame is acknowledged, counted and never processed; the next good one still is.
      await js.publish(topo.md("EURUSD"), new Uint8Array([1, 2, 3]), { msgID: "bad" });
      await publishQuotes(25, 1);
      await until(() => seen.length === 6, "the event after the bad frame");
      expect(intake.bad()).toBe(1);
      expect(seen.at(-1)).toBe(27);
    } finally {
      await intake.stop();
    }
    // Nothing is left unacknowledged on the server (acks travel asynchronously: give the last one a moment).
    let info = await jsm.consumers.info(topo.mdStream, durable);
    for (let i = 0; i < 50 && (info.num_ack_pending !== 0 || info.num_pending !== 0); i++) {
      await Bun.sleep(20);
      info = await jsm.consumers.info(topo.mdStream, durable);
    }
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  });
});
