/**
 * `kestrel cluster up <deployment> [--for 30s] [--json]`: a local demo of a cluster deployment. It
 * starts a 3-node JetStream cluster on loopback (unless the deployment names its servers), creates
 * the streams (R3), starts the global risk service as two processes (active and standby, lease
 * failover; their pids in `<dir>/risk.json`), runs the feed (`<dir>/phase` says `feeding` once
 * every shard runs) and the admin plane in this process,
 * starts one process per shard, and on exit (time up or Ctrl-C) stops them gracefully and prints
 * each shard's summary, with orders and fills duplicated or lost across the run as checked against
 * the mirrored journals, the orders stream and what each venue received.
 */
import { mkdirSync, readFileSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { VenueOrder } from "../../plugins/sdk/venue.ts";
import { parseArgs, parseDuration } from "../cli/args.ts";
import { loadConfig } from "../config/load.ts";
import type { OrderRecord } from "../journal/records.ts";
import { deploymentInstruments } from "../session/build.ts";
import { auditShard } from "./audit.ts";
import { runFeed } from "./feed.ts";
import { isLiveFeed, openFeed } from "./feed-source.ts";
import { readMirror, readSubject } from "./journal-mirror.ts";
import { startNats, type NatsCluster } from "./nats-server.ts";
import { retrying } from "./retry.ts";
import { RemoteRisk } from "./risk/remote.ts";
import { startRiskPair, stopRiskPair, type RiskProcess } from "./risk/processes.ts";
import { checkCluster } from "./shard-config.ts";
import { ensureStreams, Topology } from "./topology.ts";
import { issueToken } from "../admin/auth/jwt.ts";
import { resolveAdminKey } from "../admin/auth/keys.ts";
import { openStateBucket } from "./admin/shard-state.ts";
import { ClusterView } from "./admin/plane.ts";
import { startClusterAdmin, type ClusterAdmin } from "./admin/server.ts";
import { exportShardParquet, queryShardParquet } from "./analytics.ts";

const HELP = `Usage: kestrel cluster up <deployment> [--for 30s] [--json] [--dir var/cluster-run] [--admin-port 8788]

Runs a deployment's cluster section on this machine: a 3-node NATS JetStream cluster on
127.0.0.1 (R3 streams; or the deployment's cluster.servers), the global risk service and the
market-data feed in this process with the one admin plane over every shard (API and dashboard,
tokens as for kestrel run's admin plane), and one process per shard. On exit (--for, or Ctrl-C) it
prints each shard's events, orders and fills, and the orders and fills duplicated or lost
across the run (checked against the mirrored journals).

  --for <duration>   stop after this long (default 30s)
  --json             print { shards: [{ name, instruments, events, orders, fills }], duplicates, lost }
  --dir <folder>     where shard journals, results, venue logs and the Parquet export go (default var/cluster-run)
  --admin-port <n>   port of the cluster admin plane (default: the deployment's admin.port, else 0 = any free port)`;

/** The JSON summary of a cluster run. */
export interface ClusterUpSummary {
  shards: { name: string; instruments: string[]; events: number; orders: number; fills: number }[];
  duplicates: number;
  lost: number;
}

/** Entry of `kestrel cluster`; returns the exit code. */
export async function runClusterCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    console.log(HELP);
    return sub === undefined ? 1 : 0;
  }
  if (sub !== "up") {
    console.error(`kestrel cluster: unknown subcommand "${sub}"\n\n${HELP}`);
    return 2;
  }
  let args;
  try {
    args = parseArgs(rest, new Set(["for", "dir", "admin-port"]));
  } catch (err) {
    console.error(`kestrel cluster up: ${(err as Error).message}`);
    return 2;
  }
  if (args.flags.has("help")) {
    console.log(HELP);
    return 0;
  }
  const file = args.positionals[0];
  if (file === undefined) {
    console.error(`kestrel cluster up: a deployment file is required\n\n${HELP}`);
    return 2;
  }
  let forUs: number;
  try {
    forUs = parseDuration(typeof args.flags.get("for") === "string" ? (args.flags.get("for") as string) : "30s");
  } catch (err) {
    console.error(`kestrel cluster up: --for: ${(err as Error).message}`);
    return 2;
  }
  const configFile = resolve(file);
  const loaded = loadConfig(configFile);
  if (!loaded.ok) {
    console.error(loaded.problems.join("\n"));
    return 2;
  }
  const config = loaded.config;
  const problems = checkCluster(config);
  if (problems.length > 0) {
    console.error(`${configFile}: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
    return 2;
  }
  const cluster = config.cluster!;
  const json = args.flags.has("json");
  const say = (line: string) => {
    if (!json) console.log(line);
  };
  const dir = resolve(typeof args.flags.get("dir") === "string" ? (args.flags.get("dir") as string) : "var/cluster-run");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  let nats: NatsCluster | null = null;
  let admin: ClusterAdmin | null = null;
  let risks: RiskProcess[] = [];
  const procs: { shard: string; proc: ReturnType<typeof Bun.spawn>; out: string; venueLog: string; stderr: string }[] = [];
  try {
    const servers = cluster.servers ?? (nats = await startNats({ nodes: 3 })).servers;
    say(`nats: ${servers.join(", ")}${nats !== null ? " (3-node JetStream cluster started here)" : ""}`);
    const nc = await connect({ servers, name: "kestrel-admin", maxReconnectAttempts: -1 });
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const topology = new Topology(cluster.prefix);
    // A fresh run: the demo's streams start empty.
    for (const s of [topology.mdStream, topology.ordersStream, topology.reportsStream, topology.alertsStream, topology.commandsStream, ...cluster.shards.map((x) => topology.journalStream(x.name))]) {
      await jsm.streams.delete(s).catch(() => false);
    }
    // Servers named by the deployment may still be electing leaders: creation is retried (bounded).
    await retrying("create streams", () => ensureStreams(jsm, cluster));
    // A fresh run: no lease or risk ledger left from an earlier run on the same servers.
    for (const b of [topology.leaseBucket, topology.riskBucket]) await jsm.streams.delete(`KV_${b}`).catch(() => false);
    // The global risk service: an active instance and a standby, each its own process (lease failover).
    risks = await startRiskPair(configFile, servers, dir);
    say(`risk service: ${risks.map((r) => `${r.holder} (pid ${r.proc.pid}${r === risks[0] ? ", active" : ", standby"})`).join(", ")}`);
    const risk = new RemoteRisk(nc, topology);
    // The one admin plane: every shard's state from the state bucket, the risk service's kill switch.
    await jsm.streams.delete(`KV_${topology.stateBucket}`).catch(() => false);
    const stateKv = await retrying("open state bucket", () => openStateBucket(nc, topology.stateBucket, cluster.replicas));
    const adminKey = resolveAdminKey();
    const adminPortFlag = args.flags.get("admin-port");
    admin = startClusterAdmin({
      view: new ClusterView(stateKv, cluster.shards.map((s) => s.name)),
      keys: [adminKey.key],
      risk,
      host: config.admin?.host,
      port: typeof adminPortFlag === "string" ? Number(adminPortFlag) : (config.admin?.port ?? 0),
      log: (line) => say(line),
    });
    say(`admin plane: ${admin.url}/ (every shard)`);
    if (adminKey.source === "generated") say(`admin token (8 h, key generated for this run): ${await issueToken("admin", 8 * 3600, adminKey.key, "cluster-up")}`);
    for (const s of cluster.shards) {
      const out = join(dir, `${s.name}.json`);
      const venueLog = join(dir, `${s.name}.venue.jsonl`);
      const proc = Bun.spawn(
        [process.execPath, resolve(import.meta.dir, "instance-main.ts"), "--config", configFile, "--shard", s.name, "--servers", servers.join(","), "--dir", dir, "--holder", `${s.name}-1`, "--wait-ms", "30000", "--out", out, "--venue-log", venueLog, "--admin-port", "0"],
        // The shard's own admin API accepts the plane's tokens: it gets the plane's key.
        { stdout: "ignore", stderr: "pipe", env: { ...process.env, KESTREL_ADMIN_KEY: adminKey.key } },
      );
      const entry = { shard: s.name, proc, out, venueLog, stderr: "" };
      void (async () => {
        for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) entry.stderr += new TextDecoder().decode(chunk);
      })();
      procs.push(entry);
    }
    const deadline = performance.now() + 120_000;
    while (performance.now() < deadline && !procs.every((p) => p.stderr.includes("started shard="))) {
      const dead = procs.find((p) => p.proc.exitCode !== null);
      if (dead !== undefined) {
        await Bun.sleep(200);
        throw new Error(`shard ${dead.shard} exited (code ${dead.proc.exitCode}) at start: ${dead.stderr.trim().replace(/\n/g, " | ")}`);
      }
      await Bun.sleep(100);
    }
    if (!procs.every((p) => p.stderr.includes("started shard="))) throw new Error("shards did not start within 120 s");
    writeFileSync(join(dir, "phase"), "feeding\n");
    say(`shards: ${cluster.shards.map((s) => `${s.name} (${s.instruments.length} instruments)`).join(", ")}; feed running for ${forUs / 1e6} s`);

    let stopFeed!: () => void;
    const stopSignal = new Promise<void>((r) => (stopFeed = r));
    const onSignal = () => stopFeed();
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    // A venue feed (market.source: venue) connects now and publishes what its venue hands in as it arrives.
    const source = await openFeed(config, configFile);
    const feed = await runFeed({ js, topology, source, instruments: deploymentInstruments(config), speed: config.market.speed, forUs, stopSignal, live: isLiveFeed(source) }).finally(() => source.close());
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    // Let the shards drain what was published, then stop them gracefully.
    await Bun.sleep(1000);
    for (const p of procs) p.proc.kill("SIGTERM");
    for (const p of procs) {
      const exited = await Promise.race([p.proc.exited, Bun.sleep(30_000).then(() => null)]);
      if (exited === null) p.proc.kill("SIGKILL");
    }
    const riskStatus = await risk.status().catch((err: Error) => ({ killed: false, holder: `none (${err.message})`, stats: { requests: 0 } }));
    await stopRiskPair(risks);

    const summary: ClusterUpSummary = { shards: [], duplicates: 0, lost: 0 };
    for (const s of cluster.shards) {
      const p = procs.find((x) => x.shard === s.name)!;
      const result = existsSync(p.out) ? (JSON.parse(readFileSync(p.out, "utf8")) as { events: number }) : { events: 0 };
      const mirrored = await retrying("read mirror", () => readMirror(js, jsm, topology, s.name));
      const streamIds = (await retrying("read orders", () => readSubject<OrderRecord>(js, jsm, topology.ordersStream, topology.orders(s.name)))).map((o) => o.id);
      const venue = existsSync(p.venueLog) ? readFileSync(p.venueLog, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as VenueOrder) : [];
      const audit = auditShard(mirrored.records, venue, streamIds);
      summary.shards.push({ name: s.name, instruments: s.instruments, events: result.events, orders: audit.orders, fills: audit.fills });
      summary.duplicates += audit.duplicates;
      summary.lost += audit.lost;
      for (const line of audit.problems.slice(0, 5)) say(`  ${s.name}: ${line}`);
      if (p.proc.exitCode !== 0) console.error(`kestrel cluster up: ${s.name} exited with ${p.proc.exitCode}: ${p.stderr.trim().split("\n").at(-1) ?? ""}`);
    }
    // Analytics over every shard: the mirrored journals as Parquet partitions (shard=<name>) for DuckDB.
    const parquetDir = join(dir, "parquet");
    await exportShardParquet({ js, jsm, topology, shards: cluster.shards.map((s) => s.name), instruments: deploymentInstruments(config), dir: parquetDir });
    await nc.close();
    if (!json) {
      const rows = await queryShardParquet(parquetDir, "SELECT shard, count(*) AS fills, sum(size) AS size FROM fills GROUP BY shard ORDER BY shard");
      say(`parquet: ${parquetDir}/{orders,fills}/shard=<name>/ (DuckDB: read_parquet('${parquetDir}/fills/*/*.parquet', hive_partitioning = true))${rows.length === 0 ? "; no fills" : ""}`);
      for (const r of rows) say(`  ${String(r.shard).padEnd(10)} ${String(r.fills).padStart(6)} fills  size ${String(r.size)}`);
    }
    if (json) console.log(JSON.stringify(summary));
    else {
      say(`feed: ${feed.published} events published (${Math.round(feed.published / Math.max(feed.wallSeconds, 1e-9))}/s), ${feed.retries} retried, ${feed.errors} lost${isLiveFeed(source) ? `, ${source.errorCount} dropped at intake (queue full)` : ""}`);
      for (const s of summary.shards) say(`${s.name.padEnd(10)} ${String(s.instruments.length).padStart(2)} instruments  ${String(s.events).padStart(8)} events  ${String(s.orders).padStart(6)} orders  ${String(s.fills).padStart(6)} fills`);
      say(`duplicates: ${summary.duplicates}  lost: ${summary.lost}  (risk service ${riskStatus.holder}: ${riskStatus.stats.requests} requests, kill switch ${riskStatus.killed ? "ENGAGED" : "off"})`);
    }
    return summary.duplicates === 0 && summary.lost === 0 ? 0 : 1;
  } catch (err) {
    console.error(`kestrel cluster up: ${(err as Error).message}`);
    return 1;
  } finally {
    for (const p of procs) {
      if (p.proc.exitCode === null) {
        p.proc.kill("SIGKILL");
        await p.proc.exited;
      }
    }
    await stopRiskPair(risks);
    await admin?.stop();
    await nats?.stop();
  }
}
