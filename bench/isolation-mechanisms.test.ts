/**
 * The isolation-mechanisms bench's frames really round-trip: every answer is bid + ask + ts of the
 * quote it answers, over a Bun Worker, a Bun child process and (when Deno is found) the Deno
 * child, the Deno host relaying to a Worker with no permissions, and that Worker's hop alone.
 * Behaviour only, no timing.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { availableParallelism } from "node:os";
import { rmSync } from "node:fs";
import { LatencyHistogram } from "../runtime/kernel/latency-histogram.ts";
import { Kind } from "../runtime/plugins/isolate/protocol.ts";
import { bunChildArgv, bundleDenoWorker, bunWorker, childProcess, denoChildArgv, denoInnerHop, findDeno, type Mechanism } from "./isolation-mechanisms/mechanisms.ts";
import { answerQuote, expectedAnswer, link, SAB_BACK, SAB_BYTES, SAB_OUT, SAB_PHASE, sendQuote, takeAnswer } from "./isolation-mechanisms/wire.ts";

const cpu = Math.min(1, availableParallelism() - 1);
const deno = findDeno();
const bundle = `/tmp/kestrel-bench-mech-test-${process.pid}.js`;
const started: Mechanism[] = [];
afterAll(async () => {
  for (const m of started) await m.stop();
  rmSync(bundle, { force: true });
});

/** Runs `n` round trips of `m` and checks each was timed and none was answered wrongly. */
async function roundTrips(m: Mechanism, n: number): Promise<void> {
  if (!started.includes(m)) started.push(m);
  const h = new LatencyHistogram();
  expect(await m.trips(n, 50, h)).toBe(0);
  expect(h.count).toBe(n);
}

describe("the frames", () => {
  test("a quote's answer is bid + ask + ts, read back in place; a frame of another kind is refused", () => {
    const buffer = new SharedArrayBuffer(SAB_BYTES);
    const client = link(buffer, 0, SAB_BYTES, SAB_OUT, SAB_BACK, SAB_PHASE);
    const server = link(buffer, 0, SAB_BYTES, SAB_BACK, SAB_OUT, SAB_PHASE);
    expect(Number.isNaN(takeAnswer(client))).toBe(true);
    for (const k of [0, 1, 12_345, 3_000_000]) {
      expect(sendQuote(client, k, 99)).toBe(true);
      const len = server.in.peek();
      expect(len).toBe(60);
      answerQuote(server, len);
      expect(takeAnswer(client)).toBe(114_500 + 7 * k + 114_503 + k);
      expect(expectedAnswer(k)).toBe(114_500 + 7 * k + 114_503 + k);
    }
    sendQuote(client, 7, 0);
    const len = server.in.peek();
    client.view.setUint8(server.in.payloadOffset(), Kind.TRADE);
    expect(() => answerQuote(server, len)).toThrow("BENCH_FRAME");
  });
});

describe("round trips", () => {
  test("Bun Worker over a SharedArrayBuffer, spinning: 300 quotes, every answer right", async () => {
    await roundTrips(await bunWorker(cpu, false), 300);
  });

  test("Bun Worker asleep on its doorbell: 300 quotes, every answer right", async () => {
    await roundTrips(await bunWorker(cpu, true), 300);
  });

  test("Bun child process over /dev/shm: 500 quotes, every answer right", async () => {
    const m = await childProcess("test Bun child", cpu, bunChildArgv);
    expect(m.notes).toContain("ready");
    await roundTrips(m, 500);
  });

  const skip = deno === null ? " (skipped: deno not found, set KESTREL_DENO)" : "";
  test.skipIf(deno === null)(`Deno child process over /dev/shm via FFI: 300 quotes, every answer right${skip}`, async () => {
    await roundTrips(await childProcess("test Deno child", cpu, denoChildArgv(deno!, "direct")), 300);
  }, 30_000);

  test.skipIf(deno === null)(`Deno host relaying to a Deno Worker with no permissions: 300 quotes right; the Worker cannot read a file; its hop alone${skip}`, async () => {
    await bundleDenoWorker(bundle);
    const host = await childProcess("test Deno host", cpu, denoChildArgv(deno!, "handoff", bundle));
    const probe = host.notes.find((n) => n.startsWith("probe "));
    expect(probe).toBeDefined();
    const p = JSON.parse(probe!.slice(6)) as { probe: string; read: string };
    expect(p.probe).toStartWith("NotCapable");
    expect(p.read).toBe("denied");
    await roundTrips(host, 300);
    const hop = denoInnerHop(host);
    expect(await hop.trips(300, 0, null)).toBe(0);
    expect(hop.reported?.count).toBe(300);
    // The relay still answers after the hop was timed alone.
    await roundTrips(host, 100);
  }, 30_000);
});
