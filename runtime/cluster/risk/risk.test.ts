import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { encode, decode } from "@msgpack/msgpack";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNats, type NatsCluster } from "../nats-server.ts";
import { ensureStreams, Topology } from "../topology.ts";
import { jetstreamManager } from "@nats-io/jetstream";
import { RiskLedger } from "./ledger.ts";
import { startRiskService } from "./service.ts";
import { GlobalRiskClient } from "./client.ts";
import type { RiskReply } from "./protocol.ts";

const limits = { maxGrossNotional: 1_000_000, maxDailyLoss: 10_000, maxOrdersPerSecond: 40, notionalChunk: 100_000, ordersChunk: 4 };

describe("global risk ledger", () => {
  test("grants never sum past a limit, whatever the interleaving of shards", () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant("reserve" as const), shard: fc.integer({ min: 0, max: 3 }), kind: fc.constantFrom("notional" as const, "loss" as const, "orders" as const), amount: fc.double({ min: 0, max: 600_000, noNaN: true }) }),
      fc.record({ t: fc.constant("release" as const), shard: fc.integer({ min: 0, max: 3 }), kind: fc.constantFrom("notional" as const, "loss" as const), amount: fc.double({ min: -10, max: 600_000, noNaN: true }) }),
      fc.record({ t: fc.constant("tick" as const), us: fc.integer({ min: 0, max: 700_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const ledger = new RiskLedger(limits);
        let now = 5_000_000;
        for (const o of ops) {
          if (o.t === "tick") now += o.us;
          else if (o.t === "reserve") {
            const g = ledger.reserve(`s${o.shard}`, o.kind, o.amount, now);
            expect(g.granted).toBeGreaterThanOrEqual(0);
            expect(g.granted).toBeLessThanOrEqual(o.amount);
          } else ledger.release(`s${o.shard}`, o.kind, o.amount);
          expect(ledger.total("notional")).toBeLessThanOrEqual(limits.maxGrossNotional + 1e-6);
          expect(ledger.total("loss")).toBeLessThanOrEqual(limits.maxDailyLoss + 1e-6);
          expect(ledger.total("orders", now)).toBeLessThanOrEqual(limits.maxOrdersPerSecond);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("the summed loss engages the kill switch and then nothing is granted", () => {
    const ledger = new RiskLedger(limits);
    expect(ledger.reportLoss("a", 6000)).toBe(false);
    expect(ledger.reportLoss("b", 3999)).toBe(false);
    expect(ledger.reportLoss("b", 4000)).toBe(true);
    expect(ledger.killReason).toContain("maxDailyLoss 10000");
    expect(ledger.reserve("a", "notional", 10, 0)).toMatchObject({ granted: 0, killed: true });
  });
});

let nats: NatsCluster;
let admin: NatsConnection;
beforeAll(async () => {
  nats = await startNats({ nodes: 1 });
  admin = await connect({ servers: nats.servers });
});
afterAll(async () => {
  await admin?.close();
  await nats?.stop();
});

describe("global risk service over NATS with concurrent shards", () => {
  let run = 0;
  test("no interleaving of concurrent shard clients breaches gross notional or the order rate", async () => {
    // Each shard: a list of steps; "order" spends allowances through the synchronous check,
    // "close" lowers its exposure, "pause" yields so refills and releases interleave.
    const step = fc.oneof(
      { weight: 5, arbitrary: fc.record({ t: fc.constant("order" as const), notional: fc.integer({ min: 1_000, max: 250_000 }) }) },
      { weight: 2, arbitrary: fc.record({ t: fc.constant("close" as const), part: fc.double({ min: 0, max: 1, noNaN: true }) }) },
      { weight: 2, arbitrary: fc.record({ t: fc.constant("pause" as const), ms: fc.integer({ min: 0, max: 6 }) }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(step, { minLength: 5, maxLength: 40 }), { minLength: 2, maxLength: 4 }), async (plans) => {
        const topo = new Topology(`r${++run}`);
        const svcConn = await connect({ servers: nats.servers });
        const service = await startRiskService(svcConn, topo, limits);
        const exposures = plans.map(() => 0);
        const conns: NatsConnection[] = [];
        const clients: GlobalRiskClient[] = [];
        let worst = 0;
        let accepted = 0;
        try {
          for (let i = 0; i < plans.length; i++) {
            const nc = await connect({ servers: nats.servers });
            conns.push(nc);
            const c = new GlobalRiskClient(nc, topo, `s${i}`, limits, { exposure: () => exposures[i]!, loss: () => 0 });
            await c.start(15);
            clients.push(c);
          }
          await Promise.all(
            plans.map(async (plan, i) => {
              const c = clients[i]!;
              for (const s of plan) {
                if (s.t === "order") {
                  if (c.check(s.notional) === null) {
                    exposures[i]! += s.notional;
                    accepted++;
                  }
                } else if (s.t === "close") exposures[i] = Math.floor(exposures[i]! * s.part);
                else await Bun.sleep(s.ms);
                // The firm-wide gross notional, observed after every step of every shard.
                worst = Math.max(worst, exposures.reduce((a, b) => a + b, 0));
                expect(service.ledger.total("notional")).toBeLessThanOrEqual(limits.maxGrossNotional + 1e-6);
                await Promise.resolve();
              }
            }),
          );
          expect(worst).toBeLessThanOrEqual(limits.maxGrossNotional);
          // Orders per token window, summed over shards, within the firm-wide rate.
          const perWindow = new Map<number, number>();
          for (const c of clients) for (const [w, n] of c.usedByWindow) perWindow.set(w, (perWindow.get(w) ?? 0) + n);
          for (const n of perWindow.values()) expect(n).toBeLessThanOrEqual(limits.maxOrdersPerSecond);
          expect([...perWindow.values()].reduce((a, b) => a + b, 0)).toBe(accepted);
        } finally {
          for (const c of clients) await c.stop();
          for (const nc of conns) await nc.close();
          await service.stop();
          await svcConn.close();
        }
      }),
      { numRuns: 12 },
    );
  });

  test("an operator kill reaches every shard client and stops their orders; a bad request gets an error reply", async () => {
    const topo = new Topology("rkill");
    await ensureStreams(await jetstreamManager(admin), { prefix: "rkill", replicas: 1, shards: [] });
    const svcConn = await connect({ servers: nats.servers });
    const service = await startRiskService(svcConn, topo, limits);
    const conns = await Promise.all([0, 1, 2].map(() => connect({ servers: nats.servers })));
    const clients = conns.map((nc, i) => new GlobalRiskClient(nc, topo, `s${i}`, limits, { exposure: () => 0, loss: () => 0 }));
    try {
      for (const c of clients) await c.start(1000);
      expect(clients.every((c) => c.check(1000) === null)).toBe(true);
      const reply = decode((await admin.request(topo.risk(), encode({ op: "kill", reason: "operator test" }))).data) as RiskReply;
      expect(reply.killed).toBe(true);
      for (let i = 0; i < 100 && !clients.every((c) => c.killed); i++) await Bun.sleep(10);
      for (const c of clients) expect(c.check(1000)).toMatchObject({ code: "GLOBAL_KILL" });
      const bad = decode((await admin.request(topo.risk(), encode({ op: "reserve", shard: "x", kind: "gold", amount: 1 }))).data) as RiskReply;
      expect(bad.ok).toBe(false);
      expect(bad.error).toContain("CLUSTER_MESSAGE: subject=rkill.risk.req reason=kind=gold");
      expect(service.stats.bad).toBe(1);
    } finally {
      for (const c of clients) await c.stop();
      for (const nc of conns) await nc.close();
      await service.stop();
      await svcConn.close();
    }
  });
});
