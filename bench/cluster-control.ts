/**
 * Benchmark of the cluster's control parts, each beside a baseline from the same run:
 *  1. the global risk service: reservation requests answered per second by one instance, without
 *     persistence and leased (the ledger persisted by compare-and-set in an R1 KV bucket before each
 *     answer, as a failover-ready instance runs), against a bare NATS request/reply echo;
 *  2. the admin plane: merged reads (`GET /api/v1/cluster/orders`, `/health`) over N shards' states
 *     in the state bucket (each state as large as the plane keeps: open orders + 50 finished), against
 *     a bare Bun.serve answer of the same size.
 * Requests run from C concurrent callers for a fixed count; p50/p99 per request.
 * Usage: `bun bench/cluster-control.ts [--quick]`. Needs nats-server (.ci/setup.d/85-nats.sh).
 */
import { encode } from "@msgpack/msgpack";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { issueToken } from "../runtime/admin/auth/jwt.ts";
import { startNats } from "../runtime/cluster/nats-server.ts";
import { Topology } from "../runtime/cluster/topology.ts";
import { startRiskService } from "../runtime/cluster/risk/service.ts";
import { startLeasedRiskService } from "../runtime/cluster/risk/leased.ts";
import type { RiskRequest } from "../runtime/cluster/risk/protocol.ts";
import { ClusterView } from "../runtime/cluster/admin/plane.ts";
import { openStateBucket, type ShardState } from "../runtime/cluster/admin/shard-state.ts";
import { startClusterAdmin } from "../runtime/cluster/admin/server.ts";
import type { GlobalRiskConfig } from "../runtime/cluster/schema.ts";

const quick = process.argv.includes("--quick");
const REQUESTS = quick ? 4_000 : 20_000;
const CONCURRENCY = 16;
const KEY = "bench-cluster-control-key-0123456789abcdef";
const LIMITS: GlobalRiskConfig = { maxGrossNotional: 1e15, maxDailyLoss: 1e12, maxOrdersPerSecond: 1e9 } as GlobalRiskConfig;

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

/** Runs `n` calls of `call` from `c` concurrent callers; requests/s and per-call µs. */
async function drive(n: number, c: number, call: (i: number) => Promise<unknown>): Promise<{ rps: number; p50: number; p99: number }> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: c }, async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        const s = performance.now();
        await call(i);
        lat.push((performance.now() - s) * 1000);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  return { rps: n / secs, p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
}

function reserve(i: number): Uint8Array {
  const req: RiskRequest = { op: "reserve", shard: `shard-${i % 8}`, kind: i % 2 === 0 ? "notional" : "orders", amount: 1000 };
  return encode(req);
}

async function riskRows(nc: NatsConnection): Promise<string[]> {
  const rows: string[] = [];
  const echoSubject = "bench.echo";
  const sub = nc.subscribe(echoSubject, {
    callback: (_e, m) => {
      m.respond(m.data);
    },
  });
  await nc.flush();
  const echo = await drive(REQUESTS, CONCURRENCY, (i) => nc.request(echoSubject, reserve(i), { timeout: 10_000 }));
  sub.unsubscribe();
  rows.push(`| NATS request/reply echo (baseline) | ${fmt(echo.rps)} | ${echo.p50.toFixed(0)} | ${echo.p99.toFixed(0)} | 1.00 |`);

  const plain = new Topology("kbp");
  const svc = await startRiskService(nc, plain, LIMITS);
  const r1 = await drive(REQUESTS, CONCURRENCY, (i) => nc.request(plain.risk(), reserve(i), { timeout: 10_000 }));
  await svc.stop();
  rows.push(`| risk service, no persistence | ${fmt(r1.rps)} | ${r1.p50.toFixed(0)} | ${r1.p99.toFixed(0)} | ${(r1.rps / echo.rps).toFixed(2)} |`);

  const leasedTopo = new Topology("kbl");
  const leased = await startLeasedRiskService({ nc, topology: leasedTopo, limits: LIMITS, holder: "bench", waitMs: 10_000, ttlMs: 3000, replicas: 1 });
  if (leased === null) throw new Error("the bench risk service did not get its lease");
  const r2 = await drive(REQUESTS, CONCURRENCY, (i) => nc.request(leasedTopo.risk(), reserve(i), { timeout: 10_000 }));
  await leased.stop();
  rows.push(`| risk service, leased (ledger CAS-persisted before each answer) | ${fmt(r2.rps)} | ${r2.p50.toFixed(0)} | ${r2.p99.toFixed(0)} | ${(r2.rps / echo.rps).toFixed(2)} |`);
  return rows;
}

function fakeState(shard: string, orders: number): ShardState {
  const orderList = Array.from({ length: orders }, (_, i) => ({
    id: i + 1, strategy: "mm", instrument: "EURUSD", side: i % 2 === 0 ? "buy" : "sell", type: "limit", tif: "GTC", price: "1.08000", size: 100000, filled: 0,
    status: i < orders - 50 ? "working" : "filled", createdUs: 1, updatedUs: 2,
  }));
  return {
    shard, holder: `${shard}-1`, pid: 1, status: "running", startedUs: 0, updatedUs: Date.now() * 1000, instruments: ["EURUSD"], events: 1, orders, openOrders: orders - 50, fills: 50,
    pnl: 0, currency: "USD", tradingState: "active", killSwitch: false, orderList: orderList as unknown as ShardState["orderList"], positions: [], alerts: [], adminUrl: null,
  };
}

async function adminRows(nc: NatsConnection, shards: number, ordersPerShard: number): Promise<string[]> {
  const topo = new Topology(`kba${shards}`);
  const kv = await openStateBucket(nc, topo.stateBucket, 1);
  const names = Array.from({ length: shards }, (_, i) => `shard-${i}`);
  for (const n of names) await kv.put(n, JSON.stringify(fakeState(n, ordersPerShard)));
  const admin = startClusterAdmin({ view: new ClusterView(kv, names, 60_000), keys: [KEY], log: () => {} });
  const token = await issueToken("analyst", 600, KEY);
  const headers = { authorization: `Bearer ${token}` };
  const body = await (await fetch(`${admin.url}/api/v1/cluster/orders`, { headers })).text();
  const bare = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(body, { headers: { "content-type": "application/json" } }) });
  const n = Math.floor(REQUESTS / 4);
  const base = await drive(n, CONCURRENCY, async () => await (await fetch(`http://127.0.0.1:${bare.port}/`)).text());
  const orders = await drive(n, CONCURRENCY, async () => await (await fetch(`${admin.url}/api/v1/cluster/orders`, { headers })).text());
  const health = await drive(n, CONCURRENCY, async () => await (await fetch(`${admin.url}/api/v1/cluster/health`, { headers })).text());
  bare.stop(true);
  await admin.stop();
  const kb = (body.length / 1024).toFixed(0);
  return [
    `| ${shards} shards × ${ordersPerShard} orders: bare Bun.serve, same ${kb} KiB body (baseline) | ${fmt(base.rps)} | ${base.p50.toFixed(0)} | ${base.p99.toFixed(0)} | 1.00 |`,
    `| ${shards} shards × ${ordersPerShard} orders: GET /api/v1/cluster/orders (${kb} KiB) | ${fmt(orders.rps)} | ${orders.p50.toFixed(0)} | ${orders.p99.toFixed(0)} | ${(orders.rps / base.rps).toFixed(2)} |`,
    `| ${shards} shards: GET /api/v1/cluster/health | ${fmt(health.rps)} | ${health.p50.toFixed(0)} | ${health.p99.toFixed(0)} | ${(health.rps / base.rps).toFixed(2)} |`,
  ];
}

const nats = await startNats({ nodes: 1 });
try {
  const nc = await connect({ servers: nats.servers });
  console.log(`## global risk service, ${fmt(REQUESTS)} reservation requests from ${CONCURRENCY} concurrent callers, 1 NATS node`);
  console.log("| path | requests/s | p50 µs | p99 µs | vs echo |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const r of await riskRows(nc)) console.log(r);
  console.log(`## cluster admin plane, ${fmt(Math.floor(REQUESTS / 4))} reads from ${CONCURRENCY} concurrent callers`);
  console.log("| read | requests/s | p50 µs | p99 µs | vs bare |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const [s, o] of [[3, 100], [30, 100]] as const) for (const r of await adminRows(nc, s, o)) console.log(r);
  await nc.close();
} finally {
  await nats.stop();
}
