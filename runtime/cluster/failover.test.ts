import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { loadConfig } from "../config/load.ts";
import type { DeploymentConfig } from "../config/schema.ts";
import type { OrderRecord } from "../journal/records.ts";
import type { VenueOrder } from "../../plugins/sdk/venue.ts";
import { deploymentInstruments } from "../session/build.ts";
import { startNats, type NatsCluster } from "./nats-server.ts";
import { ensureStreams, Topology } from "./topology.ts";
import { runFeed } from "./feed.ts";
import { openFeedSource } from "./feed-source.ts";
import { readMirror, readSubject } from "./journal-mirror.ts";
import { startRiskService } from "./risk/service.ts";
import { auditShard } from "./audit.ts";
import { retrying } from "./retry.ts";

let nats: NatsCluster;
let nc: NatsConnection;
let dir: string;
const procs: ReturnType<typeof Bun.spawn>[] = [];

beforeAll(async () => {
  nats = await startNats({ nodes: 3 });
  nc = await connect({ servers: nats.servers, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  dir = mkdtempSync(join(tmpdir(), "kestrel-failover-"));
});
afterAll(async () => {
  for (const p of procs) {
    p.kill("SIGKILL");
    await p.exited;
  }
  await nc?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (await cond()) return;
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function spawnInstance(configFile: string, holder: string): { proc: ReturnType<typeof Bun.spawn>; out: string; venueLog: string; started: () => boolean; stderr: () => string } {
  const out = join(dir, `${holder}.json`);
  const venueLog = join(dir, `${holder}.venue.jsonl`);
  let stderr = "";
  const proc = Bun.spawn(
    [process.execPath, resolve("runtime/cluster/instance-main.ts"), "--config", configFile, "--shard", "shard-a", "--servers", nats.servers.join(","), "--dir", join(dir, holder), "--holder", holder, "--wait-ms", "60000", "--out", out, "--venue-log", venueLog],
    { stdout: "ignore", stderr: "pipe" },
  );
  procs.push(proc);
  void (async () => {
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) stderr += new TextDecoder().decode(chunk);
  })();
  return { proc, out, venueLog, started: () => stderr.includes("started shard=shard-a"), stderr: () => stderr };
}

const venueOrders = (file: string): VenueOrder[] => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as VenueOrder) : []);

describe("failover of a shard", () => {
  test("killing the shard process and a NATS node mid-run loses and duplicates no order or fill", async () => {
    const loaded = loadConfig(resolve("configs/cluster-paper.yaml"));
    if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
    const config: DeploymentConfig = {
      ...loaded.config,
      strategies: loaded.config.strategies.filter((s) => s.name === "obi-majors" || s.name === "mm-eurusd"),
      cluster: { ...loaded.config.cluster!, prefix: "kf", replicas: 3, lease: { ttlMs: 1000 } },
    };
    const configFile = join(dir, "cluster.yaml");
    writeFileSync(configFile, stringify(config));
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const topo = new Topology("kf");
    await ensureStreams(jsm, config.cluster!);
    const riskConn = await connect({ servers: nats.servers, maxReconnectAttempts: -1 });
    const risk = await startRiskService(riskConn, topo, config.cluster!.risk);
    // Both instances start at once: the primary takes the lease, the standby waits for it.
    const primary = spawnInstance(configFile, "primary");
    await until(() => primary.started(), "the primary to start", 60_000);
    const standby = spawnInstance(configFile, "standby");
    let stopFeed!: () => void;
    const feedStop = new Promise<void>((r) => (stopFeed = r));
    const feed = runFeed({ js, topology: topo, source: openFeedSource(config), instruments: deploymentInstruments(config), speed: 4, stopSignal: feedStop });
    const ordersOnStream = async () => (await retrying("orders stream info", () => jsm.streams.info(topo.ordersStream))).state.messages;
    await until(async () => (await ordersOnStream()) >= 3, "the primary's first orders");
    // The primary dies without a word; then one of the three NATS nodes dies too.
    primary.proc.kill("SIGKILL");
    await primary.proc.exited;
    const atKill = await ordersOnStream();
    await nats.killNode(2);
    await until(() => standby.started(), "the standby to take the lease and start", 60_000).catch((err: Error) => {
      throw new Error(`${err.message}; standby stderr: ${standby.stderr()}`);
    });
    await until(async () => (await ordersOnStream()) >= atKill + 3, "the standby's own orders");
    stopFeed();
    const fed = await feed;
    standby.proc.kill("SIGTERM");
    expect(await standby.proc.exited).toBe(0);
    const result = JSON.parse(readFileSync(standby.out, "utf8")) as { restoredRecords: number; events: number; duplicatesSkipped: number; mirror: { fenced: string | null } };
    expect(result.restoredRecords).toBeGreaterThan(0);
    expect(result.events).toBeGreaterThan(0);
    expect(result.mirror.fenced).toBeNull();
    expect(fed.errors).toBe(0);

    const mirrored = await retrying("read mirror", () => readMirror(js, jsm, topo, "shard-a"));
    const streamIds = (await retrying("read orders", () => readSubject<OrderRecord>(js, jsm, topo.ordersStream, topo.orders("shard-a")))).map((o) => o.id);
    const sent = [...venueOrders(primary.venueLog), ...venueOrders(standby.venueLog)];
    expect(sent.length).toBeGreaterThan(0);
    const audit = auditShard(mirrored.records, sent, streamIds);
    expect(audit.problems).toEqual([]);
    expect(audit.lost).toBe(0);
    expect(audit.duplicates).toBe(0);
    expect(audit.orders).toBeGreaterThanOrEqual(atKill + 3);
    await risk.stop();
    await riskConn.close();
    // Three NATS nodes, two shard processes and a kill each way: about 30 s on a quiet 2-core machine.
  }, 180_000);
});
