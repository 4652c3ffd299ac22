import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { createServer } from "node:net";
import { freePorts, startNats } from "./nats-server.ts";

describe("nats-server on loopback", () => {
  test("a single JetStream node stores and returns a message, and stop removes everything", async () => {
    const nats = await startNats({ nodes: 1 });
    try {
      expect(nats.servers[0]).toStartWith("nats://127.0.0.1:");
      const nc = await connect({ servers: nats.servers });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "T1", subjects: ["t1.>"] });
      const js = jetstream(nc);
      const ack = await js.publish("t1.a", "hello");
      expect(ack.seq).toBe(1);
      const got = await jsm.streams.getMessage("T1", { seq: 1 });
      expect(got!.string()).toBe("hello");
      await nc.close();
    } finally {
      await nats.stop();
    }
    expect(existsSync(nats.dir)).toBe(false);
    expect(nats.nodes.every((n) => n.proc === null)).toBe(true);
  });

  test("a 3-node cluster keeps an R3 stream writable and readable with one node killed", async () => {
    const nats = await startNats({ nodes: 3 });
    try {
      const nc = await connect({ servers: nats.servers });
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.add({ name: "R3", subjects: ["r3.>"], num_replicas: 3 });
      expect(info.config.num_replicas).toBe(3);
      const js = jetstream(nc);
      for (let i = 0; i < 10; i++) await js.publish("r3.x", String(i), { msgID: `m${i}` });
      // A node other than the one the client is on dies; the stream keeps its quorum (2 of 3).
      const connectedPort = Number(nc.getServer().split(":").at(-1));
      const victim = nats.nodes.findIndex((n) => n.port !== connectedPort);
      await nats.killNode(victim);
      let ok = false;
      for (let attempt = 0; attempt < 50 && !ok; attempt++) {
        try {
          await js.publish("r3.x", "after-kill", { msgID: "m-after", timeout: 2000 });
          ok = true;
        } catch {
          await Bun.sleep(200);
        }
      }
      expect(ok).toBe(true);
      // A republished id is dropped by JetStream's de-duplication.
      const dup = await js.publish("r3.x", "0", { msgID: "m0" });
      expect(dup.duplicate).toBe(true);
      const state = (await jsm.streams.info("R3")).state;
      expect(state.messages).toBe(11);
      await nc.close();
    } finally {
      await nats.stop();
    }
    expect(existsSync(nats.dir)).toBe(false);
  }, 60_000);

  test("ports picked together are distinct", async () => {
    const ports = await freePorts(12);
    expect(new Set(ports).size).toBe(12);
    expect(ports.every((p) => p > 0)).toBe(true);
  });

  test("a cluster whose last node starts late is ready only once an R3 stream can be created", async () => {
    // The first two nodes elect a meta leader without the third: JetStream answers, yet an R3
    // stream has "no suitable peers for placement" until the third joins (the cluster-up flake).
    const nats = await startNats({ nodes: 3, lateNodeMs: 1500 });
    try {
      const nc = await connect({ servers: nats.servers });
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.add({ name: "LATE", subjects: ["late.>"], num_replicas: 3 });
      expect(info.config.num_replicas).toBe(3);
      await nc.close();
    } finally {
      await nats.stop();
    }
  }, 60_000);

  test("a restarted node whose port was taken meanwhile starts once the port is free again, and says why it could not before", async () => {
    const nats = await startNats({ nodes: 1 });
    const squatter = createServer((s) => s.destroy());
    try {
      await nats.killNode(0);
      await new Promise<void>((r) => squatter.listen(nats.nodes[0]!.port, "127.0.0.1", () => r()));
      setTimeout(() => squatter.close(), 700);
      await nats.restartNode(0);
      const nc = await connect({ servers: nats.servers });
      expect((await (await jetstreamManager(nc)).getAccountInfo()).streams).toBe(0);
      await nc.close();
      // Held for good, the port fails the restart with the node's own log line.
      await nats.killNode(0);
      const holder = createServer((s) => s.destroy());
      await new Promise<void>((r) => holder.listen(nats.nodes[0]!.port, "127.0.0.1", () => r()));
      try {
        const err = await nats.restartNode(0).then(() => null, (e: Error) => e);
        expect(err?.message).toMatch(/^CLUSTER_SERVER_START: node=n1 exit=\d+ log=.*address already in use/);
      } finally {
        holder.close();
      }
    } finally {
      squatter.close();
      await nats.stop();
    }
  }, 60_000);
});
