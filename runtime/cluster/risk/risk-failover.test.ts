import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { decode, encode } from "@msgpack/msgpack";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { loadConfig } from "../../config/load.ts";
import type { DeploymentConfig } from "../../config/schema.ts";
import { startNats, type NatsCluster } from "../nats-server.ts";
import { Topology } from "../topology.ts";
import type { RiskReply, RiskRequest } from "./protocol.ts";
import { RemoteRisk } from "./remote.ts";

let nats: NatsCluster;
let nc: NatsConnection;
let dir: string;
const procs: ReturnType<typeof Bun.spawn>[] = [];

beforeAll(async () => {
  nats = await startNats({ nodes: 1 });
  nc = await connect({ servers: nats.servers, maxReconnectAttempts: -1 });
  dir = mkdtempSync(join(tmpdir(), "kestrel-risk-failover-"));
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

function spawnRisk(configFile: string, holder: string) {
  let stderr = "";
  const proc = Bun.spawn([process.execPath, resolve("runtime/cluster/risk/risk-main.ts"), "--config", configFile, "--servers", nats.servers.join(","), "--holder", holder, "--wait-ms", "60000"], { stdout: "ignore", stderr: "pipe" });
  procs.push(proc);
  void (async () => {
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) stderr += new TextDecoder().decode(chunk);
  })();
  return { proc, stderr: () => stderr, active: () => stderr.includes(`risk active holder=${holder}`) };
}

async function until(cond: () => boolean, what: string, ms = 30_000, why = () => ""): Promise<void> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (cond()) return;
    await Bun.sleep(50);
  }
  throw new Error(`timed out waiting for ${what} ${why()}`);
}

describe("global risk service failover", () => {
  test("a standby takes over when the active risk service dies, with every grant the dead one gave, so the firm-wide limit still holds; a kill switch survives a handover", async () => {
    const loaded = loadConfig(resolve("configs/cluster-paper.yaml"));
    if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
    const config: DeploymentConfig = { ...loaded.config, cluster: { ...loaded.config.cluster!, prefix: "krf", replicas: 1, lease: { ttlMs: 1000 }, risk: { maxGrossNotional: 5_000_000, maxDailyLoss: 40_000, maxOrdersPerSecond: 100 } } };
    const configFile = join(dir, "cluster.yaml");
    writeFileSync(configFile, stringify(config));
    const topo = new Topology("krf");
    const ask = async (req: RiskRequest, timeout = 500): Promise<RiskReply> => decode((await nc.request(topo.risk(), encode(req), { timeout })).data) as RiskReply;
    /** Asks until an instance answers (none does between a death and the takeover); returns the answer and the wait. */
    const askUntilAnswered = async (req: RiskRequest) => {
      const t0 = performance.now();
      for (;;) {
        try {
          return { reply: await ask(req), waitedMs: performance.now() - t0 };
        } catch {
          if (performance.now() - t0 > 30_000) throw new Error(`no risk service answered ${JSON.stringify(req)} within 30 s`);
        }
      }
    };

    const a = spawnRisk(configFile, "risk-a");
    await until(a.active, "risk-a to become active", 30_000, a.stderr);
    const b = spawnRisk(configFile, "risk-b");
    // shard-a reserves 3 M of the 5 M firm-wide gross notional from risk-a.
    expect((await askUntilAnswered({ op: "reserve", shard: "shard-a", kind: "notional", amount: 3_000_000 })).reply).toMatchObject({ ok: true, granted: 3_000_000, total: 3_000_000 });
    await Bun.sleep(1500);
    expect(b.active()).toBe(false); // a standby while risk-a renews its lease

    // risk-a dies without a word; risk-b takes the lease when it expires and restores the ledger.
    a.proc.kill("SIGKILL");
    await a.proc.exited;
    const after = await askUntilAnswered({ op: "reserve", shard: "shard-b", kind: "notional", amount: 4_000_000 });
    expect(b.active()).toBe(true);
    expect(b.stderr()).toContain("restored=shard-a");
    // Only what risk-a left: 5 M - 3 M. A fresh ledger would have granted all 4 M (7 M firm-wide).
    // (A request whose answer timed out during the takeover may have been granted already: the
    // shard's whole grant, `total`, is what counts; a lost answer only makes the shard spend less.)
    expect(after.reply).toMatchObject({ ok: true, total: 2_000_000 });
    expect((await ask({ op: "reserve", shard: "shard-a", kind: "notional", amount: 1 })).granted).toBe(0);
    console.log(`risk service takeover: first answer ${Math.round(after.waitedMs)} ms after the active one was killed (lease ttl 1000 ms)`);

    // The operator's handle (the admin plane's) reaches whichever instance holds the lease.
    const remote = new RemoteRisk(nc, topo);
    expect(await remote.status()).toMatchObject({ killed: false, holder: "risk-b" });
    // The kill switch engaged on risk-b survives a graceful handover to a third instance.
    await remote.kill("test");
    expect(await remote.status()).toMatchObject({ killed: true, killReason: "test", holder: "risk-b" });
    const c = spawnRisk(configFile, "risk-c");
    await Bun.sleep(500);
    b.proc.kill("SIGTERM");
    expect(await b.proc.exited).toBe(0);
    const killed = await askUntilAnswered({ op: "reserve", shard: "shard-c", kind: "notional", amount: 1000 });
    await until(c.active, "risk-c to become active", 10_000, c.stderr);
    expect(killed.reply).toMatchObject({ ok: true, granted: 0, killed: true });
    expect(await remote.status()).toMatchObject({ killed: true, holder: "risk-c" });
    // An unknown op is a bad request: an error reply and a count, never a crash.
    expect(await ask({ op: "nope" } as unknown as RiskRequest)).toMatchObject({ ok: false });
    expect((await remote.status()).stats.bad).toBeGreaterThanOrEqual(1);
    // Three risk processes on one NATS node: about 15 s on a quiet 2-core machine.
  }, 90_000);
});
