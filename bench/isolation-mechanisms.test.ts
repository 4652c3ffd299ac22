/**
 * The isolation-mechanisms bench's frames really round-trip: every answer is bid + ask + ts of the
 * quote it answers, over a Bun Worker (spinning and asleep) and a Bun child process. Behaviour
 * only, no timing. The Deno rows need a Deno binary the project does not install (it is not a
 * dependency); the bench checks their every answer and the no-permission Worker's probe itself
 * when run with KESTREL_DENO.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { availableParallelism } from "node:os";
import { LatencyHistogram } from "../runtime/kernel/latency-histogram.ts";
import { Kind } from "../runtime/plugins/isolate/protocol.ts";
import { bunChildArgv, bunWorker, childProcess, type Mechanism } from "./isolation-mechanisms/mechanisms.ts";
import { answerQuote, expectedAnswer, link, SAB_BACK, SAB_BYTES, SAB_OUT, SAB_PHASE, sendQuote, takeAnswer } from "./isolation-mechanisms/wire.ts";

const cpu = Math.min(1, availableParallelism() - 1);
const started: Mechanism[] = [];
afterAll(async () => {
  for (const m of started) await m.stop();
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
});
