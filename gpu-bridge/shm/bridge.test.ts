import { afterEach, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { writeFileSync } from "node:fs";
import { ShmClient } from "./client.ts";
import { Status } from "./codec.ts";
import type { BridgeError } from "./errors.ts";
import { ShmServer } from "./server.ts";
import { spawnBunSidecar, tempSegmentDir, waitFor } from "./test-support.ts";

const SIDECAR = new URL("./echo-sidecar.ts", import.meta.url).pathname;
const children: Subprocess[] = [];
const clients: ShmClient[] = [];

function start(path: string, ...extra: string[]): Subprocess {
  const p = spawnBunSidecar(SIDECAR, [path, ...extra]);
  children.push(p);
  return p;
}

function client(path: string, alerts: BridgeError[] = [], deadAfterMs = 2000, capacity = 1 << 16): ShmClient {
  const c = ShmClient.create({ path, capacity, heartbeatMs: 2, deadAfterMs, onAlert: (e) => alerts.push(e) });
  if ("code" in c) throw new Error(c.code);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const p of children.splice(0)) {
    p.kill(9);
    await p.exited;
  }
});

describe("shm bridge with a real sidecar process", () => {
  test("frames of every size up to the largest make the round trip intact, across ring wraps", async () => {
    using dir = tempSegmentDir();
    const c = client(dir.path("seg"), [], 2000, 4096);
    start(dir.path("seg"));
    await waitFor(() => c.health() === null, 10_000, "sidecar ready");
    for (let i = 0; i < 600; i++) {
      const n = (i * 13) % 900;
      const body = { seq: i, blob: new Uint8Array(n).fill(i & 0xff), px: [i, -i - 1, 2 ** 40 + i] };
      const r = c.callSync("echo", body, 2_000_000);
      if ("code" in r) throw new Error(`${r.code} ${r.context}`);
      expect(r.status).toBe(Status.OK);
      expect(r.body).toEqual(body);
    }
    expect(c.corruptFrames).toBe(0);
  }, 20_000);

  test("many requests in flight come back by id through the async call", async () => {
    using dir = tempSegmentDir();
    const c = client(dir.path("seg"), [], 2000);
    start(dir.path("seg"));
    await waitFor(() => c.health() === null, 10_000, "sidecar ready");
    const rs = await Promise.all(Array.from({ length: 200 }, (_, i) => c.call("echo", i, 5_000_000)));
    expect(rs.map((r) => ("body" in r ? r.body : r.code))).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(c.inFlight()).toBe(0);
  }, 20_000);

  test("a killed sidecar is detected through its heartbeat, calls fall back within their deadline, and a restart reattaches", async () => {
    using dir = tempSegmentDir();
    const alerts: BridgeError[] = [];
    const c = client(dir.path("seg"), alerts, 300);
    const first = start(dir.path("seg"));
    await waitFor(() => c.health() === null, 10_000, "sidecar ready");
    expect(c.callSync("echo", 1, 1_000_000)).toMatchObject({ status: Status.OK, body: 1 });
    alerts.length = 0;
    const epoch = c.epoch();
    first.kill(9);
    await first.exited;
    await waitFor(() => c.health()?.code === "SHM_PEER_DEAD", 5000, "death noticed");
    const t0 = performance.now();
    const r = c.callSync("echo", 2, 50_000);
    expect(performance.now() - t0).toBeLessThan(1000); // returned at once, not after a hang
    expect("code" in r && r.code).toBe("SHM_PEER_DEAD");
    expect(alerts.filter((a) => a.code === "SHM_PEER_DEAD")).toHaveLength(1);
    expect(alerts[0]!.context).toContain("silent_ms=");

    start(dir.path("seg"));
    await waitFor(() => c.health() === null, 10_000, "sidecar back");
    expect(c.epoch()).toBe(epoch + 1);
    expect(c.callSync("echo", 3, 1_000_000)).toMatchObject({ status: Status.OK, body: 3 });
  }, 20_000);

  test("a full request ring returns SHM_RING_FULL at once and the bridge recovers when the sidecar catches up", async () => {
    using dir = tempSegmentDir();
    const c = client(dir.path("seg"), [], 60_000, 1024);
    start(dir.path("seg"));
    await waitFor(() => c.health() === null, 10_000, "sidecar ready");
    expect(typeof c.send("stall", 300, 10_000_000)).toBe("number");
    let full: BridgeError | null = null;
    let sent = 0;
    for (let i = 0; i < 1000 && !full; i++) {
      const id = c.send("echo", new Uint8Array(100), 10_000_000);
      if (typeof id === "number") sent++;
      else full = id;
    }
    expect(full?.code).toBe("SHM_RING_FULL");
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(10);
    let got = 0;
    await waitFor(() => {
      while (c.poll()) got++;
      return got === sent + 1;
    }, 10_000, "ring drained");
    expect(typeof c.send("echo", 1, 1_000_000)).toBe("number");
  }, 20_000);

  test("a request that misses its deadline returns SHM_DEADLINE and its late answer is discarded", async () => {
    using dir = tempSegmentDir();
    const c = client(dir.path("seg"), [], 60_000);
    start(dir.path("seg"));
    await waitFor(() => c.health() === null, 10_000, "sidecar ready");
    expect(c.callSync("echo", "warm", 2_000_000)).toMatchObject({ body: "warm" });
    const r = c.callSync("stall", 300, 50_000);
    expect("code" in r && r.code).toBe("SHM_DEADLINE");
    expect(c.inFlight()).toBe(0);
    await waitFor(() => (c.poll(), c.lateResponses === 1), 10_000, "late answer");
    expect(c.callSync("echo", "after", 1_000_000)).toMatchObject({ body: "after" });
  }, 20_000);

  test("a corrupt frame is skipped with an alert, and an impossible length word poisons the bridge without throwing", async () => {
    using dir = tempSegmentDir();
    const alerts: BridgeError[] = [];
    const c = client(dir.path("seg"), alerts, 2000);
    start(dir.path("seg"));
    await waitFor(() => c.health() === null, 10_000, "sidecar ready");
    alerts.length = 0;
    expect(c.callSync("garbage", 7, 1_000_000)).toMatchObject({ status: Status.OK, body: 7 });
    expect(c.corruptFrames).toBe(1);
    expect(alerts.map((a) => a.code)).toEqual(["SHM_FRAME_CORRUPT"]);
    const r = c.callSync("poison", null, 1_000_000);
    expect("code" in r && r.code).toBe("SHM_RING_CORRUPT");
    expect(c.health()?.code).toBe("SHM_RING_CORRUPT");
    expect(alerts.map((a) => a.code)).toEqual(["SHM_FRAME_CORRUPT", "SHM_RING_CORRUPT"]);
  }, 20_000);

  test("a sidecar speaking another protocol version is refused and the runtime sees the mismatch", async () => {
    using dir = tempSegmentDir();
    const alerts: BridgeError[] = [];
    const c = client(dir.path("seg"), alerts);
    expect(c.send("echo", 1, 1000)).toMatchObject({ code: "SHM_PEER_ABSENT" });
    const p = start(dir.path("seg"), "--version", "2");
    expect(await p.exited).toBe(3);
    expect(c.health()).toEqual({ code: "SHM_VERSION_MISMATCH", context: "client=1 server=2" });
    expect(c.send("echo", 1, 1000)).toMatchObject({ code: "SHM_VERSION_MISMATCH" });
    expect(alerts.map((a) => a.code)).toEqual(["SHM_PEER_ABSENT", "SHM_VERSION_MISMATCH"]);
  }, 20_000);

  test("a sidecar refuses a file that is not a bridge segment", () => {
    using dir = tempSegmentDir();
    writeFileSync(dir.path("junk"), new Uint8Array(4096).fill(7));
    expect(ShmServer.attach(dir.path("junk"))).toMatchObject({ code: "SHM_BAD_MAGIC" });
    expect(ShmServer.attach(dir.path("missing"))).toMatchObject({ code: "SHM_IO" });
    expect(ShmClient.create({ path: dir.path("x"), capacity: 3000 })).toMatchObject({ code: "SHM_CONFIG_INVALID" });
  });
});
