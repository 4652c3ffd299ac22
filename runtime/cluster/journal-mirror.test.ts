import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { JournalRecord } from "../journal/records.ts";
import { startNats, type NatsCluster } from "./nats-server.ts";
import { ensureStreams, Topology } from "./topology.ts";
import { JournalMirror, readMirror } from "./journal-mirror.ts";

let nats: NatsCluster;
let nc: NatsConnection;
beforeAll(async () => {
  nats = await startNats({ nodes: 1 });
  nc = await connect({ servers: nats.servers });
});
afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

const cancel = (orderId: number): JournalRecord => ({ t: "cancel", orderId, ts: 1_700_000_000_000_000 + orderId });

describe("journal mirror", () => {
  test("a stale writer is fenced once a successor has written, and the stream keeps only the successor's batches", async () => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const topo = new Topology("jm");
    await ensureStreams(jsm, { prefix: "jm", replicas: 1, shards: [{ name: "a", instruments: ["EURUSD"] }] });
    const old = new JournalMirror(js, topo, "a", 0, null);
    let fenced = "";
    old.onFenced = (why) => (fenced = why);
    old.add(cancel(1));
    old.flush();
    await old.drain();
    expect(old.acked).toBe(1);
    // A successor restores (one batch) and writes batch 2.
    const restored = await readMirror(js, jsm, topo, "a");
    expect(restored.lastSeq).toBe(1);
    const successor = new JournalMirror(js, topo, "a", restored.lastSeq, null);
    successor.add(cancel(2));
    successor.flush();
    await successor.drain();
    // The old writer, still alive (partitioned), writes its own batch 2: refused.
    old.add(cancel(99));
    old.flush();
    await old.drain();
    expect(fenced).toContain("shard=a batch=2 reason=");
    expect(fenced).toMatch(/wrong last sequence/i);
    const after = await readMirror(js, jsm, topo, "a");
    expect(after.records).toEqual([cancel(1), cancel(2)]);
    // The successor goes on writing.
    successor.add(cancel(3));
    successor.flush();
    await successor.drain();
    expect(successor.fenced).toBeNull();
    expect((await readMirror(js, jsm, topo, "a")).records).toEqual([cancel(1), cancel(2), cancel(3)]);
  });
});
