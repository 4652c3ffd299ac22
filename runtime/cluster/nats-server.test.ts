import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startNats } from "./nats-server.ts";

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
  });
});
