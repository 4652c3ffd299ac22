import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { decode } from "@msgpack/msgpack";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { loadConfig } from "../config/load.ts";
import type { DeploymentConfig } from "../config/schema.ts";
import { readJournal } from "../journal/journal-file.ts";
import type { OrderRecord } from "../journal/records.ts";
import { startNats, type NatsCluster } from "./nats-server.ts";
import { ensureStreams, Topology } from "./topology.ts";
import { runFeed } from "./feed.ts";
import { openFeedSource } from "./feed-source.ts";
import { readMirror, readSubject } from "./journal-mirror.ts";
import type { Session } from "../session/build.ts";
import { runShard } from "./shard.ts";
import { startRiskService } from "./risk/service.ts";
import { checkCluster, intakeSymbols } from "./shard-config.ts";

const configFile = resolve("configs/cluster-paper.yaml");
let nats: NatsCluster;
let nc: NatsConnection;
let dir: string;
let config: DeploymentConfig;

beforeAll(async () => {
  const loaded = loadConfig(configFile);
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  // One node here (R1); the 3-node cluster runs in the failover test and `cluster up`.
  // Generous global limits here: the risk tests prove the limits; this one needs orders to flow.
  const risk = { maxGrossNotional: 1e9, maxDailyLoss: 1e9, maxOrdersPerSecond: 1000, ordersChunk: 100 };
  config = { ...loaded.config, cluster: { ...loaded.config.cluster!, replicas: 1, prefix: "ks", risk } };
  nats = await startNats({ nodes: 1 });
  nc = await connect({ servers: nats.servers });
  dir = mkdtempSync(join(tmpdir(), "kestrel-shard-"));
});
afterAll(async () => {
  await nc?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("a shard instance over JetStream", () => {
  test("the shipped cluster deployment is sound, and a strategy across two shards is refused", () => {
    expect(checkCluster(config)).toEqual([]);
    const bad = { ...config, strategies: [{ ...config.strategies[0]!, instruments: ["EURUSD", "EURCHF"] }] };
    expect(checkCluster(bad)).toEqual([`strategies[0].instruments: a strategy must trade instruments of exactly one shard, "obi-majors" spans shard-a, shard-b`]);
    // shard-c trades yen and franc crosses: it also reads USDJPY and USDCHF to value them in USD.
    expect(intakeSymbols(config, "shard-c")).toEqual(expect.arrayContaining(["CHFJPY", "USDJPY", "USDCHF", "AUDUSD", "NZDUSD", "USDCAD"]));
  });

  test("processes every event of its instruments once, mirrors its journal exactly, projects its orders and alerts, applies the firm-wide kill, and a restart restores from the mirror", async () => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const topo = new Topology("ks");
    await ensureStreams(jsm, config.cluster!);
    const riskConn = await connect({ servers: nats.servers });
    const risk = await startRiskService(riskConn, topo, config.cluster!.risk);
    let stopShard!: () => void;
    const stopSignal = new Promise<void>((r) => (stopShard = r));
    let started!: (s: Session) => void;
    const startedP = new Promise<Session>((r) => (started = r));
    const shardRun = runShard({ config, configFile, shard: "shard-a", servers: nats.servers, dir, stopSignal, log: () => {}, onStarted: (s) => started(s) });
    const session = await startedP;
    const feed = await runFeed({ js, topology: topo, source: openFeedSource(config), instruments: [...(await import("../session/build.ts")).deploymentInstruments(config)], speed: 20, forUs: 2_500_000 });
    expect(feed.errors).toBe(0);
    expect(feed.published).toBeGreaterThan(1000);
    // Wait (bounded) until the shard has drained its consumers, then stop it.
    const durables = intakeSymbols(config, "shard-a");
    for (let i = 0; i < 200; i++) {
      let pending = 0;
      for (const sym of durables) {
        const info = await jsm.consumers.info(topo.mdStream, `shard-a-${sym}`);
        pending += info.num_pending + info.num_ack_pending;
      }
      if (pending === 0) break;
      await Bun.sleep(50);
    }
    // The firm-wide kill switch reaches the shard's own kill switch, and its alert the alerts stream.
    await risk.kill("shard test");
    for (let i = 0; i < 100 && !session.core.risk.killSwitch; i++) await Bun.sleep(20);
    expect(session.core.risk.killSwitch).toBe(true);
    stopShard();
    const result = await shardRun;
    // Every event on the shard's subjects was processed exactly once.
    const state = (await jsm.streams.info(topo.mdStream, { subjects_filter: ">" })).state;
    const onSubjects = durables.reduce((n, sym) => n + (state.subjects?.[topo.md(sym)] ?? 0), 0);
    expect(result.events).toBe(onSubjects);
    expect(result.duplicatesSkipped).toBe(0);
    expect(result.orders).toBeGreaterThan(0);
    expect(result.tickToVenueUs.count).toBeGreaterThan(0);
    expect(result.mirror.fenced).toBeNull();
    // The mirror holds exactly the local journal, record for record.
    const mirrored = await readMirror(js, jsm, topo, "shard-a");
    const local = readJournal(join(dir, "shard-a.journal")).records;
    expect(mirrored.records.length).toBe(local.length);
    expect(mirrored.records).toEqual(local);
    expect(mirrored.records.some((r) => r.t === "control" && r.kind === "kill" && r.subject === "global-risk")).toBe(true);
    const alerts = await readSubject<{ code: string; shard: string }>(js, jsm, topo.alertsStream, topo.alerts("shard-a"));
    expect(alerts.some((a) => a.code === "KILL_SWITCH" && a.shard === "shard-a")).toBe(true);
    const orderIds = mirrored.records.filter((r): r is OrderRecord => r.t === "order").map((r) => r.id);
    expect(orderIds.length).toBe(result.orders);
    // The orders stream carries each order once (projected after the journal batch was acknowledged).
    let projected = 0;
    for (let i = 0; i < 100; i++) {
      projected = (await jsm.streams.info(topo.ordersStream)).state.messages;
      if (projected === orderIds.length) break;
      await Bun.sleep(50);
    }
    expect(projected).toBe(orderIds.length);
    const first = await jsm.streams.getMessage(topo.ordersStream, { seq: 1 });
    expect((decode(first!.data) as OrderRecord).id).toBe(orderIds[0]!);

    // A restart (the standby's path) restores every mirrored record and continues the ids.
    const again = await runShard({ config, configFile, shard: "shard-a", servers: nats.servers, dir, forUs: 300_000, log: () => {} });
    // (A snapshot record is not a trading record: a restart counts the records the snapshot covers plus the tail.)
    expect(again.restoredRecords).toBe(mirrored.records.filter((r) => r.t !== "snapshot").length);
    expect(again.events).toBe(0);
    const after = await readMirror(js, jsm, topo, "shard-a");
    const ids = after.records.filter((r): r is OrderRecord => r.t === "order").map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Every order that passed went through the global service's reservations.
    expect(risk.stats.requests).toBeGreaterThan(0);
    expect(risk.ledger.total("notional")).toBeLessThanOrEqual(config.cluster!.risk.maxGrossNotional);
    await risk.stop();
    await riskConn.close();
  });
});
