import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { loadConfig } from "../../config/load.ts";
import type { DeploymentConfig } from "../../config/schema.ts";
import { deploymentInstruments } from "../../session/build.ts";
import { issueToken } from "../../admin/auth/jwt.ts";
import { startNats, type NatsCluster } from "../nats-server.ts";
import { ensureStreams, Topology } from "../topology.ts";
import { runFeed } from "../feed.ts";
import { openFeedSource } from "../feed-source.ts";
import { startRiskService } from "../risk/service.ts";
import { openStateBucket } from "./shard-state.ts";
import { exportShardParquet, queryShardParquet } from "../analytics.ts";
import { readMirror } from "../journal-mirror.ts";
import { ClusterView, type ShardHealth } from "./plane.ts";
import { startClusterAdmin, type ClusterAdmin } from "./server.ts";

const KEY = "k".repeat(40);
let nats: NatsCluster;
let nc: NatsConnection;
let dir: string;
const procs: ReturnType<typeof Bun.spawn>[] = [];

beforeAll(async () => {
  nats = await startNats({ nodes: 1 });
  nc = await connect({ servers: nats.servers, maxReconnectAttempts: -1 });
  dir = mkdtempSync(join(tmpdir(), "kestrel-cluster-admin-"));
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

async function until<T>(get: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 40_000): Promise<T> {
  const deadline = performance.now() + ms;
  let last: T | undefined;
  while (performance.now() < deadline) {
    last = await get();
    if (ok(last)) return last;
    await Bun.sleep(150);
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 600)}`);
}

function spawnShard(configFile: string, shard: string) {
  const out = join(dir, `${shard}.json`);
  let stderr = "";
  const proc = Bun.spawn(
    [process.execPath, resolve("runtime/cluster/instance-main.ts"), "--config", configFile, "--shard", shard, "--servers", nats.servers.join(","), "--dir", join(dir, shard), "--holder", `${shard}-1`, "--wait-ms", "20000", "--out", out, "--admin-port", "0"],
    { stdout: "ignore", stderr: "pipe", env: { ...process.env, KESTREL_ADMIN_KEY: KEY } },
  );
  procs.push(proc);
  void (async () => {
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) stderr += new TextDecoder().decode(chunk);
  })();
  return { proc, out, started: () => stderr.includes(`started shard=${shard}`), stderr: () => stderr };
}

describe("one admin plane and analytics over every shard", () => {
  test("serves every shard's live health, orders, positions and P&L from real shard processes, engages the kill switch on all, and sees a dead shard go stale; DuckDB reads every shard's journal as hive-partitioned Parquet", async () => {
    const loaded = loadConfig(resolve("configs/cluster-paper.yaml"));
    if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
    // A market maker on each of two shards (they quote at once); shard-c is configured, never started.
    const config: DeploymentConfig = {
      ...loaded.config,
      strategies: [
        loaded.config.strategies.find((s) => s.name === "mm-eurusd")!,
        { ...loaded.config.strategies.find((s) => s.name === "mm-eurusd")!, name: "mm-eurchf", instruments: ["EURCHF"] },
      ],
      cluster: { ...loaded.config.cluster!, prefix: "ka", replicas: 1 },
    };
    const configFile = join(dir, "cluster.yaml");
    writeFileSync(configFile, stringify(config));
    const topo = new Topology("ka");
    const jsm = await jetstreamManager(nc);
    await ensureStreams(jsm, config.cluster!);
    const risk = await startRiskService(nc, topo, config.cluster!.risk);
    const kv = await openStateBucket(nc, topo.stateBucket, 1);
    const admin: ClusterAdmin = startClusterAdmin({ view: new ClusterView(kv, ["shard-a", "shard-b", "shard-c"], 5000), keys: [KEY], risk, log: () => {} });
    const tokens = { analyst: await issueToken("analyst", 600, KEY), trader: await issueToken("trader", 600, KEY) };
    const get = async (path: string, token: string | null = tokens.analyst) => {
      const r = await fetch(`${admin.url}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    };
    const health = async () => (await get("/api/v1/cluster/health")).json as { status: string; shards: ShardHealth[] };
    const byShard = (h: { shards: ShardHealth[] }, name: string) => h.shards.find((s) => s.shard === name)!;
    let stopFeed!: () => void;
    try {
      const a = spawnShard(configFile, "shard-a");
      const b = spawnShard(configFile, "shard-b");
      await until(async () => a.started() && b.started(), (v) => v, "both shards to start", 45_000).catch((err: Error) => {
        throw new Error(`${err.message}\nshard-a: ${a.stderr()}\nshard-b: ${b.stderr()}`);
      });
      const feed = runFeed({ js: jetstream(nc), topology: topo, source: openFeedSource(config), instruments: deploymentInstruments(config), speed: 4, stopSignal: new Promise<void>((r) => (stopFeed = r)) });

      // Orders of both shard processes, merged, each row naming its shard and one of its instruments.
      const merged = await until(
        async () => (await get("/api/v1/cluster/orders")).json as { total: number; orders: { shard: string; instrument: string; id: number }[] },
        (v) => v.orders.some((o) => o.shard === "shard-a") && v.orders.some((o) => o.shard === "shard-b"),
        "orders from both shards",
      );
      expect(merged.total).toBe(merged.orders.length);
      for (const o of merged.orders) expect(config.cluster!.shards.find((s) => s.name === o.shard)!.instruments).toContain(o.instrument);
      const h = await health();
      expect(h.status).toBe("degraded");
      expect(byShard(h, "shard-a")).toMatchObject({ status: "up", holder: "shard-a-1", killSwitch: false });
      expect(byShard(h, "shard-b")).toMatchObject({ status: "up", holder: "shard-b-1" });
      expect(byShard(h, "shard-c")).toMatchObject({ status: "missing", holder: null });
      expect(byShard(h, "shard-a").events).toBeGreaterThan(0);
      const pnl = (await get("/api/v1/cluster/pnl")).json as { currency: string; shards: { shard: string }[] };
      expect(pnl.currency).toBe("USD");
      expect(pnl.shards.map((s) => s.shard)).toEqual(["shard-a", "shard-b", "shard-c"]);
      expect(((await get("/api/v1/cluster/positions")).json.positions as unknown[]).every((p) => typeof (p as { shard: unknown }).shard === "string")).toBe(true);
      // Reads need a token; the public probe says only who is up; the page is served.
      expect((await get("/api/v1/cluster/health", null)).status).toBe(401);
      expect((await get("/api/v1/health", null)).json).toEqual({ status: "degraded", shards: [{ shard: "shard-a", status: "up" }, { shard: "shard-b", status: "up" }, { shard: "shard-c", status: "missing" }] });
      expect(await (await fetch(`${admin.url}/`)).text()).toContain("Kestrel cluster");

      // Per-shard controls through the one plane, forwarded to the owning shard's own admin API with
      // the caller's token (the shard checks the role): pause a strategy, cancel a working order.
      const send = (method: string, path: string, token: string, body?: unknown) =>
        fetch(`${admin.url}/api/v1/cluster/shards/${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
      expect((await send("POST", "shard-a/api/v1/strategies/mm-eurusd/pause", tokens.analyst)).status).toBe(403);
      const paused = await send("POST", "shard-a/api/v1/strategies/mm-eurusd/pause", tokens.trader);
      expect(paused.status).toBe(200);
      const strategies = (await (await send("GET", "shard-a/api/v1/strategies", tokens.analyst)).json()) as { strategies: { name: string; state: string }[] };
      expect(strategies.strategies.find((s) => s.name === "mm-eurusd")!.state).toBe("paused");
      // shard-b's maker keeps quoting; cancel one of its working orders from the plane.
      const canceled = await until(
        async () => {
          const open = (await (await send("GET", "shard-b/api/v1/orders?status=open", tokens.analyst)).json()) as { orders: { id: number; status: string }[] };
          const working = open.orders.find((o) => o.status === "working");
          if (working === undefined) return null;
          const r = await send("DELETE", `shard-b/api/v1/orders/${working.id}`, tokens.trader);
          return r.status === 202 ? working.id : null;
        },
        (v) => v !== null,
        "a working order on shard-b canceled through the plane",
      );
      const gone = await until(async () => ((await (await send("GET", `shard-b/api/v1/orders/${canceled}`, tokens.analyst)).json()) as { order: { status: string } }).order, (o) => o.status !== "working" && o.status !== "pending-cancel", "the canceled order to leave the book");
      expect(["canceled", "filled"]).toContain(gone.status);
      expect((await send("GET", "shard-z/api/v1/orders", tokens.analyst)).status).toBe(404);
      expect((await send("GET", "shard-c/api/v1/orders", tokens.analyst)).status).toBe(404);

      // The firm-wide kill switch from the one plane reaches both processes (seen in their states).
      const engage = (token: string) => fetch(`${admin.url}/api/v1/cluster/kill-switch/engage`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ reason: "admin-plane test" }) });
      expect((await engage(tokens.analyst)).status).toBe(403);
      expect((await engage(tokens.trader)).status).toBe(200);
      const halted = await until(health, (v) => byShard(v, "shard-a").killSwitch && byShard(v, "shard-b").killSwitch, "the kill switch on both shards");
      expect(byShard(halted, "shard-a").tradingState).toBe("halted");

      // shard-b dies without a word: its state stops changing and the plane calls it stale.
      b.proc.kill("SIGKILL");
      await b.proc.exited;
      await until(health, (v) => byShard(v, "shard-b").status === "stale", "shard-b to go stale", 20_000);
      // A control for the dead shard: one clear answer, not a hang.
      const dead = await send("GET", "shard-b/api/v1/orders", tokens.analyst);
      expect(dead.status).toBe(502);
      expect(((await dead.json()) as { error: { code: string } }).error.code).toBe("ADMIN_SHARD_UNREACHABLE");
      stopFeed();
      await feed;
      // shard-a stops gracefully: its last state says so and carries the counts its own result has.
      a.proc.kill("SIGTERM");
      expect(await a.proc.exited).toBe(0);
      const final = await until(health, (v) => byShard(v, "shard-a").status === "stopped", "shard-a's final state", 10_000);
      expect(existsSync(a.out)).toBe(true);
      const result = JSON.parse(readFileSync(a.out, "utf8")) as { events: number; orders: number; fills: number };
      expect(byShard(final, "shard-a")).toMatchObject({ orders: result.orders, fills: result.fills, events: result.events });
      expect(result.orders).toBeGreaterThan(0);

      // Analytics over every shard: the mirrored journals as hive-partitioned Parquet, read by DuckDB.
      const pq = join(dir, "parquet");
      const written = await exportShardParquet({ js: jetstream(nc), jsm, topology: topo, shards: ["shard-a", "shard-b"], instruments: deploymentInstruments(config), dir: pq });
      const rows = await queryShardParquet(pq, "SELECT shard, count(*)::INTEGER AS orders, count(DISTINCT id)::INTEGER AS ids, min(instrument) AS lo, max(instrument) AS hi FROM orders GROUP BY shard ORDER BY shard");
      const journaled = async (shard: string) => (await readMirror(jetstream(nc), jsm, topo, shard)).records.filter((r) => r.t === "order").length;
      expect(rows).toEqual([
        { shard: "shard-a", orders: await journaled("shard-a"), ids: await journaled("shard-a"), lo: "EURGBP", hi: "EURUSD" },
        { shard: "shard-b", orders: await journaled("shard-b"), ids: await journaled("shard-b"), lo: "EURCHF", hi: "EURCHF" },
      ]);
      expect(written.map((w) => w.orders as unknown)).toEqual([rows[0]!.orders, rows[1]!.orders]);
      const fills = await queryShardParquet(pq, "SELECT count(*)::INTEGER AS n FROM fills WHERE shard = 'shard-a'");
      expect(fills).toEqual([{ n: result.fills }]);
    } finally {
      stopFeed?.();
      await admin.stop();
      await risk.stop();
    }
    // Two shard processes on one NATS node: about 20 s on a quiet 2-core machine.
  }, 120_000);
});
