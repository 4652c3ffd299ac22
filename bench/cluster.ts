/**
 * Benchmark of the NATS JetStream scale-out (runtime/cluster), each figure beside a baseline from
 * the same run:
 *  1. broker throughput: market-data frames (88 bytes) published (pipelined, acknowledged) and
 *     consumed (durable pull consumer, explicit acks) through a 3-node cluster with R3 streams and
 *     a single node with R1, against core NATS publish/subscribe without JetStream;
 *  2. tick-to-order: the shard-a deployment as one process on its own synthetic market (kernel
 *     event → venue) against the same shard behind JetStream on the 3-node cluster (feed publish
 *     → shard → journal batch acknowledged by R3 → venue), both at market speed 1;
 *  3. 1 vs 2 shards: a fixed backlog of the 28-pair market consumed by one shard process owning
 *     every pair, then by two shard processes owning 14 each (events/s from each process's first
 *     to last event);
 *  4. kill switch: the risk service's firm-wide kill (and release) repeated, time from publication
 *     to the command being applied in each of the two shard processes.
 * Usage: `bun bench/cluster.ts [--quick]`. Needs nats-server (.ci/setup.d/85-nats.sh).
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { AckPolicy, jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream";
import { loadConfig } from "../runtime/config/load.ts";
import type { DeploymentConfig } from "../runtime/config/schema.ts";
import { buildSession, deploymentInstruments } from "../runtime/session/build.ts";
import { startRealtime } from "../runtime/session/realtime.ts";
import { newMarketEvent } from "../runtime/data/sources/market-source.ts";
import { startNats, type NatsCluster } from "../runtime/cluster/nats-server.ts";
import { encodeMd } from "../runtime/cluster/md-frame.ts";
import { ensureStreams, Topology } from "../runtime/cluster/topology.ts";
import { runFeed } from "../runtime/cluster/feed.ts";
import { openFeedSource } from "../runtime/cluster/feed-source.ts";
import { runShard } from "../runtime/cluster/shard.ts";
import { shardDeployment } from "../runtime/cluster/shard-config.ts";
import { startRiskService } from "../runtime/cluster/risk/service.ts";

const quick = process.argv.includes("--quick");
const N = quick ? 10_000 : 40_000;
const LAT_SECONDS = quick ? 6 : 12;
const BACKLOG = quick ? 8_000 : 20_000;
const KILLS = quick ? 10 : 20;
const configFile = resolve("configs/cluster-paper.yaml");
const loaded = loadConfig(configFile);
if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
const base = loaded.config;
const dir = mkdtempSync(join(tmpdir(), "kestrel-bench-cluster-"));
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

/** Resolves with `p`, or fails naming what did not finish in time (a benchmark never hangs). */
async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done in ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

function frames(n: number): Uint8Array[] {
  const ev = newMarketEvent();
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    ev.instrument = i % 28;
    ev.ts = 1_700_000_000_000_000 + i;
    ev.bid = 100_000 + (i % 50);
    ev.ask = ev.bid + 2;
    out.push(encodeMd(ev, 0));
  }
  return out;
}

async function throughput(nats: NatsCluster, replicas: number, label: string): Promise<{ label: string; pub: number; con: number; core: number }> {
  const nc = await connect({ servers: nats.servers });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const name = `TP${replicas}`;
  await jsm.streams.add({ name, subjects: [`tp${replicas}.>`], num_replicas: replicas, storage: StorageType.File });
  const data = frames(N);
  let t0 = performance.now();
  const window: Promise<unknown>[] = [];
  for (let i = 0; i < N; i++) {
    window.push(js.publish(`tp${replicas}.md.${i % 28}`, data[i]!, { msgID: `m${i}` }));
    if (window.length >= 256) {
      await Promise.all(window);
      window.length = 0;
    }
  }
  await Promise.all(window);
  const pub = N / ((performance.now() - t0) / 1000);
  await jsm.consumers.add(name, { durable_name: "c", ack_policy: AckPolicy.Explicit, max_ack_pending: 20_000 });
  const consumer = await js.consumers.get(name, "c");
  let got = 0;
  t0 = performance.now();
  await within(60_000, `${label} consume (got ${got})`, new Promise<void>((done) => {
    void consumer.consume({
      max_messages: 2000,
      callback: (m) => {
        m.ack();
        if (++got === N) done();
      },
    });
  }));
  const con = N / ((performance.now() - t0) / 1000);
  // Baseline: core NATS publish/subscribe of the same frames, no persistence, no acks.
  const sub = await connect({ servers: nats.servers[0]! });
  let seen = 0;
  const allSeen = new Promise<void>((done) => sub.subscribe("core.md.>", {
      callback: () => {
        if (++seen === N) done();
      },
    }));
  await sub.flush();
  t0 = performance.now();
  // Same server, flushed every 256 frames (the JetStream window): core NATS drops for slow consumers.
  const pubConn = await connect({ servers: nats.servers[0]! });
  for (let i = 0; i < N; i++) {
    pubConn.publish(`core.md.${i % 28}`, data[i]!);
    if (i % 256 === 255) await pubConn.flush();
  }
  await pubConn.flush();
  await within(60_000, `${label} core pub/sub (seen ${seen})`, allSeen);
  const core = N / ((performance.now() - t0) / 1000);
  await sub.close();
  await pubConn.close();
  await nc.close();
  return { label, pub, con, core };
}

async function tickToOrder(nats: NatsCluster): Promise<{ single: { p50: number; p99: number; n: number }; cluster: { p50: number; p99: number; n: number } }> {
  // Single process: shard-a's deployment on its own synthetic market.
  const shardCfg = shardDeployment(base, "shard-a", dir);
  const single = await buildSession({ ...shardCfg, journal: undefined, cluster: undefined }, configFile, { store: false, journalPath: "", log: () => {} });
  const s = await startRealtime(single, { forUs: LAT_SECONDS * 1e6 }).done;
  await single.close();
  const t = s.tickToOrderNs;
  // The same shard behind JetStream (3 nodes, R3): feed → shard → journal ack → venue.
  const config: DeploymentConfig = { ...base, cluster: { ...base.cluster!, prefix: "blat", replicas: 3 } };
  const nc = await connect({ servers: nats.servers });
  const topo = new Topology("blat");
  await ensureStreams(await jetstreamManager(nc), config.cluster!);
  const risk = await startRiskService(nc, topo, config.cluster!.risk);
  let stop!: () => void;
  const stopSignal = new Promise<void>((r) => (stop = r));
  let started!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  const shard = runShard({ config, configFile, shard: "shard-a", servers: nats.servers, dir, stopSignal, log: () => {}, onStarted: () => started() });
  await startedP;
  await runFeed({ js: jetstream(nc), topology: topo, source: openFeedSource(config), instruments: deploymentInstruments(config), speed: 1, forUs: LAT_SECONDS * 1e6 });
  stop();
  const r = await shard;
  await risk.stop();
  await nc.close();
  return {
    single: { p50: t.p50 / 1000, p99: t.p99 / 1000, n: t.count },
    cluster: { p50: r.tickToVenueUs.p50, p99: r.tickToVenueUs.p99, n: r.tickToVenueUs.count },
  };
}

/** Shard map of the scaling runs: one shard with all 28 pairs, or two with 14 (strategies kept whole). */
function scalingConfig(shards: 1 | 2, prefix: string): DeploymentConfig {
  const all = deploymentInstruments(base).map((i) => i.symbol);
  const a = base.cluster!.shards[0]!.instruments;
  const rest = all.filter((x) => !a.includes(x));
  const firstHalf = [...a, ...rest.slice(0, 14 - a.length)];
  const map = shards === 1 ? [{ name: "one", instruments: all }] : [{ name: "left", instruments: firstHalf }, { name: "right", instruments: all.filter((x) => !firstHalf.includes(x)) }];
  const owner = (sym: string) => map.find((m) => m.instruments.includes(sym))!.name;
  const strategies = base.strategies.filter((st) => new Set(st.instruments.map(owner)).size === 1);
  return { ...base, strategies, cluster: { ...base.cluster!, prefix, replicas: 3, shards: map, risk: { maxGrossNotional: 1e9, maxDailyLoss: 1e9, maxOrdersPerSecond: 10_000 } } };
}

async function scaling(nats: NatsCluster, shards: 1 | 2, withKills: boolean): Promise<{ eventsPerSecond: number; events: number; kill?: { p50: number; max: number; n: number } }> {
  const prefix = shards === 1 ? "bone" : "btwo";
  const config = scalingConfig(shards, prefix);
  const file = join(dir, `${prefix}.yaml`);
  writeFileSync(file, stringify(config));
  const nc = await connect({ servers: nats.servers });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const topo = new Topology(prefix);
  await ensureStreams(jsm, config.cluster!);
  const risk = await startRiskService(nc, topo, config.cluster!.risk);
  // The backlog: the 28-pair market published ahead, as fast as the cluster takes it.
  await runFeed({ js, topology: topo, source: openFeedSource(config), instruments: deploymentInstruments(config), speed: 0, maxEvents: BACKLOG });
  const procs = config.cluster!.shards.map((s) => {
    const out = join(dir, `${prefix}-${s.name}.json`);
    const cmds = join(dir, `${prefix}-${s.name}.cmd.jsonl`);
    const proc = Bun.spawn([process.execPath, resolve("runtime/cluster/instance-main.ts"), "--config", file, "--shard", s.name, "--servers", nats.servers.join(","), "--dir", dir, "--holder", s.name, "--out", out, "--commands-log", cmds], { stdout: "ignore", stderr: "ignore" });
    return { s, proc, out, cmds };
  });
  // Drained: every durable consumer of every shard has nothing pending (bounded wait).
  const deadline = performance.now() + 90_000;
  for (;;) {
    let pending = 0;
    let present = 0;
    const list = await jsm.consumers.list(topo.mdStream).next();
    for (const c of list) {
      present++;
      pending += c.num_pending + c.num_ack_pending;
    }
    if (present > 0 && pending === 0 && list.length >= config.cluster!.shards.reduce((n, s) => n + s.instruments.length, 0)) break;
    if (performance.now() > deadline) throw new Error(`scaling ${shards}: not drained in 90 s (pending ${pending})`);
    await Bun.sleep(200);
  }
  let kill: { p50: number; max: number; n: number } | undefined;
  if (withKills) {
    for (let k = 0; k < KILLS; k++) {
      await risk.kill(`bench ${k}`);
      await Bun.sleep(60);
      await risk.releaseKill();
      await Bun.sleep(60);
    }
    await Bun.sleep(300);
  }
  for (const p of procs) p.proc.kill("SIGTERM");
  for (const p of procs) await p.proc.exited;
  const results = procs.map((p) => JSON.parse(readFileSync(p.out, "utf8")) as { events: number; firstEventUs: number; lastEventUs: number });
  const events = results.reduce((n, r) => n + r.events, 0);
  const span = (Math.max(...results.map((r) => r.lastEventUs)) - Math.min(...results.map((r) => r.firstEventUs))) / 1e6;
  if (withKills) {
    // Per kill: the time until the last shard applied it; over all: each arrival.
    const bySent = new Map<number, number[]>();
    for (const p of procs) {
      if (!existsSync(p.cmds)) continue;
      for (const line of readFileSync(p.cmds, "utf8").split("\n")) {
        if (line === "") continue;
        const c = JSON.parse(line) as { kind: string; sentUs: number; arrivedUs: number };
        if (c.kind !== "kill") continue;
        bySent.set(c.sentUs, [...(bySent.get(c.sentUs) ?? []), c.arrivedUs - c.sentUs]);
      }
    }
    const reachAll = [...bySent.values()].filter((v) => v.length === procs.length).map((v) => Math.max(...v));
    kill = { p50: pct(reachAll, 0.5), max: Math.max(...reachAll), n: reachAll.length };
  }
  await risk.stop();
  await nc.close();
  return { eventsPerSecond: events / span, events, kill };
}

const lines: string[] = [];
const log = (l: string) => {
  console.log(l);
  lines.push(l);
};
let three: NatsCluster | null = null;
let one: NatsCluster | null = null;
try {
  three = await startNats({ nodes: 3 });
  one = await startNats({ nodes: 1 });
  log(`## broker throughput (${fmt(N)} frames of 88 bytes, window 256)`);
  log("| setup | JetStream publish msgs/s | JetStream consume msgs/s | core NATS pub/sub msgs/s | publish/core |");
  log("| --- | ---: | ---: | ---: | ---: |");
  for (const r of [await throughput(three, 3, "3 nodes, R3"), await throughput(one, 1, "1 node, R1")]) {
    log(`| ${r.label} | ${fmt(r.pub)} | ${fmt(r.con)} | ${fmt(r.core)} | ${(r.pub / r.core).toFixed(3)} |`);
  }
  const lat = await tickToOrder(three);
  log(`## tick-to-order, shard-a at market speed 1 for ${LAT_SECONDS} s`);
  log("| path | orders | p50 µs | p99 µs |");
  log("| --- | ---: | ---: | ---: |");
  log(`| one process (event → venue) | ${lat.single.n} | ${lat.single.p50.toFixed(1)} | ${lat.single.p99.toFixed(1)} |`);
  log(`| JetStream R3 (feed publish → venue, journal acked first) | ${lat.cluster.n} | ${lat.cluster.p50.toFixed(1)} | ${lat.cluster.p99.toFixed(1)} |`);
  log(`added by the broker at p50: ${(lat.cluster.p50 - lat.single.p50).toFixed(1)} µs (${(lat.cluster.p50 / Math.max(lat.single.p50, 1e-9)).toFixed(1)}x)`);
  const s1 = await scaling(three, 1, false);
  const s2 = await scaling(three, 2, true);
  log(`## scaling, ${fmt(BACKLOG)}-event backlog of the 28-pair market, 3 nodes R3`);
  log("| shards | events processed | events/s | vs 1 shard |");
  log("| --- | ---: | ---: | ---: |");
  log(`| 1 (28 pairs) | ${fmt(s1.events)} | ${fmt(s1.eventsPerSecond)} | 1.00 |`);
  log(`| 2 (14 + 14) | ${fmt(s2.events)} | ${fmt(s2.eventsPerSecond)} | ${(s2.eventsPerSecond / s1.eventsPerSecond).toFixed(2)} |`);
  log(`## kill switch: reaches both shard processes (applied) in p50 ${(s2.kill!.p50 / 1000).toFixed(2)} ms, max ${(s2.kill!.max / 1000).toFixed(2)} ms over ${s2.kill!.n} kills`);
  appendFileSync(join(dir, "out.md"), lines.join("\n"));
} finally {
  await three?.stop();
  await one?.stop();
  rmSync(dir, { recursive: true, force: true });
}
