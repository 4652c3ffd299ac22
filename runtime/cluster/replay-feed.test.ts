import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { loadConfig } from "../config/load.ts";
import type { DeploymentConfig } from "../config/schema.ts";
import { newMarketEvent } from "../data/sources/market-source.ts";
import { deploymentInstruments } from "../session/build.ts";
import { startNats, type NatsCluster } from "./nats-server.ts";
import { ensureStreams, Topology } from "./topology.ts";
import { runFeed } from "./feed.ts";
import { openFeed } from "./feed-source.ts";
import { decodeMd } from "./md-frame.ts";
import { runShard } from "./shard.ts";
import { startRiskService } from "./risk/service.ts";

const configFile = resolve("configs/cluster-replay.yaml");
const EVENTS = 3000;
let nats: NatsCluster;
let nc: NatsConnection;
let dir: string;
let config: DeploymentConfig;

beforeAll(async () => {
  const loaded = loadConfig(configFile);
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  config = { ...loaded.config, cluster: { ...loaded.config.cluster!, replicas: 1, prefix: "kr" } };
  nats = await startNats({ nodes: 1 });
  nc = await connect({ servers: nats.servers });
  dir = mkdtempSync(join(tmpdir(), "kestrel-replay-feed-"));
});
afterAll(async () => {
  await nc?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The first `n` events of the deployment's replay, read straight from its files: "SYMBOL ts bid ask" per instrument. */
async function recorded(n: number): Promise<Map<string, string[]>> {
  const source = await openFeed(config, configFile);
  const symbols = deploymentInstruments(config).map((i) => i.symbol);
  const out = new Map(symbols.map((s) => [s, [] as string[]]));
  const ev = newMarketEvent();
  for (let i = 0; i < n && source.next(ev); i++) out.get(symbols[ev.instrument]!)!.push(`${ev.ts} ${ev.bid} ${ev.ask}`);
  source.close();
  return out;
}

describe("a replay feed", () => {
  test("publishes a recorded day's ticks in order to their instruments' subjects, and a shard processes each of its own once", async () => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const topo = new Topology("kr");
    await ensureStreams(jsm, config.cluster!);
    const risk = await startRiskService(nc, topo, config.cluster!.risk);
    let stopShard!: () => void;
    let started!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    const shardRun = runShard({ config, configFile, shard: "shard-eur", servers: nats.servers, dir, stopSignal: new Promise<void>((r) => (stopShard = r)), log: () => {}, onStarted: () => started(), stateEveryMs: 0 });
    await startedP;
    // As fast as JetStream acknowledges (speed 0): the recorded day's first EVENTS ticks.
    const feed = await runFeed({ js, topology: topo, source: await openFeed(config, configFile), instruments: deploymentInstruments(config), speed: 0, maxEvents: EVENTS });
    expect({ published: feed.published, errors: feed.errors }).toEqual({ published: EVENTS, errors: 0 });

    // The stream holds exactly the files' ticks, per instrument in file order.
    const want = await recorded(EVENTS);
    const got = new Map<string, string[]>([...want.keys()].map((s) => [s, []]));
    const ev = newMarketEvent();
    const consumer = await js.consumers.get(topo.mdStream);
    const iter = await consumer.consume({ max_messages: 512 });
    for await (const m of iter) {
      decodeMd(m.data, ev, m.subject);
      got.get(m.subject.split(".").at(-1)!)!.push(`${ev.ts} ${ev.bid} ${ev.ask}`);
      if (m.seq >= EVENTS) break;
    }
    await iter.close();
    expect(want.get("EURUSD")!.length).toBeGreaterThan(100);
    expect(want.get("NZDUSD")!.length).toBeGreaterThan(100);
    expect(got).toEqual(want);

    // shard-eur consumes its instrument's ticks, each once (bounded wait for its consumer to drain).
    for (let i = 0; i < 200; i++) {
      const info = await jsm.consumers.info(topo.mdStream, "shard-eur-EURUSD");
      if (info.num_pending + info.num_ack_pending === 0) break;
      await Bun.sleep(50);
    }
    stopShard();
    const result = await shardRun;
    expect(result.events).toBe(want.get("EURUSD")!.length);
    expect(result.duplicatesSkipped).toBe(0);
    expect(result.orders).toBeGreaterThan(0);
    await risk.stop();
  }, 60_000);
});
