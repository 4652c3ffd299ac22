import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNats, type NatsCluster } from "./nats-server.ts";
import { Lease, openLeaseBucket } from "./lease.ts";

let nats: NatsCluster;
let nc: NatsConnection;
beforeAll(async () => {
  nats = await startNats({ nodes: 1 });
  nc = await connect({ servers: nats.servers });
});
afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

describe("failover lease in a KV bucket", () => {
  test("one holder at a time; a released lease passes on; an expired one is taken and the old holder learns it lost it", async () => {
    const kv = await openLeaseBucket(nc, "lt-leases", 600, 1);
    const a = await Lease.acquire(kv, "shard-a", "primary", 600, 1000);
    expect(a).not.toBeNull();
    expect(await Lease.holder(kv, "shard-a")).toBe("primary");
    // A standby cannot take a held (and renewed) lease.
    expect(await Lease.acquire(kv, "shard-a", "standby", 600, 900)).toBeNull();
    await a!.release();
    const b = await Lease.acquire(kv, "shard-a", "standby", 600, 2000);
    expect(b).not.toBeNull();
    expect(await Lease.holder(kv, "shard-a")).toBe("standby");
    // The standby is partitioned (stops renewing): its key expires, a third instance takes it,
    // and the standby's next renewal fails.
    let lost = "";
    b!.onLost = (why) => (lost = why);
    b!.stopRenewing();
    const c = await Lease.acquire(kv, "shard-a", "third", 600, 5000);
    expect(c).not.toBeNull();
    await b!.renew();
    expect(lost).toContain("CLUSTER_LEASE_LOST: key=shard-a holder=standby");
    expect(await Lease.holder(kv, "shard-a")).toBe("third");
    await c!.release();
  });
});
