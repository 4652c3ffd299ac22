import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { ShmClient } from "../../gpu-bridge/shm/client.ts";
import { tempSegmentDir, waitFor } from "../../gpu-bridge/shm/test-support.ts";
import { RiskGateModel } from "../golden/model.ts";
import { applyToModel, GateStream, packRecords } from "../golden/random-stream.ts";
import { GATE_LATENCY_CYCLES, GATE_VERDICT_NAMES } from "../golden/registers.ts";
import { buildRiskGateSim } from "./build.ts";
import { needsTools } from "../../runtime/testing/system-tools.ts";


describe.skipIf(!needsTools("fpga: RTL against the golden model", "verilator"))("risk gate RTL (Verilator) against the golden model", () => {
  const dir = tempSegmentDir();
  let sim: Subprocess | null = null;
  let client: ShmClient;

  beforeAll(async () => {
    const bin = await buildRiskGateSim();
    if (typeof bin !== "string") throw new Error(`${bin.code}: ${bin.context}`);
    const c = ShmClient.create({ path: dir.path("gate"), capacity: 1 << 20, heartbeatMs: 5, deadAfterMs: 5000 });
    if ("code" in c) throw new Error(c.code);
    client = c;
    sim = Bun.spawn([bin, dir.path("gate")], { stdout: "inherit", stderr: "inherit" });
    await waitFor(() => client.health() === null, 10_000, "simulation attached");
  }, 120_000);

  afterAll(async () => {
    client?.close();
    sim?.kill(9);
    await sim?.exited;
    dir[Symbol.dispose]();
  });

  test("200k random orders with limit, reference, position, kill and rate changes get identical verdicts", () => {
    const model = new RiskGateModel();
    const stream = new GateStream(7);
    const init = stream.initial();
    const first = client.callSync("batch", packRecords(init), 5_000_000);
    if ("code" in first) throw new Error(first.code);
    applyToModel(model, init, []);
    const seen = new Array(8).fill(0);
    let orders = 0;
    let cyclesMin = Infinity;
    let cyclesMax = 0;
    while (orders < 200_000) {
      const recs: number[] = [];
      const n = stream.next(2000, recs);
      const want: number[] = [];
      applyToModel(model, recs, want);
      const r = client.callSync("batch", packRecords(recs), 5_000_000);
      if ("code" in r) throw new Error(`${r.code} ${r.context}`);
      const [codes, , lo, hi] = r.body as [Uint8Array, number, number, number];
      expect(codes.length).toBe(n);
      for (let i = 0; i < n; i++) {
        if (codes[i] !== want[i]) throw new Error(`verdict ${i + orders}: rtl=${GATE_VERDICT_NAMES[codes[i]!]} model=${GATE_VERDICT_NAMES[want[i]!]}`);
        seen[want[i]!]++;
      }
      cyclesMin = Math.min(cyclesMin, lo);
      cyclesMax = Math.max(cyclesMax, hi);
      orders += n;
    }
    // Every check fires often enough for a wrong implementation of it to show.
    for (let code = 0; code < 8; code++) expect(seen[code]).toBeGreaterThan(500);
    expect(cyclesMin).toBe(GATE_LATENCY_CYCLES);
    expect(cyclesMax).toBe(GATE_LATENCY_CYCLES);
  }, 60_000);

  test("a single check reports its verdict and the fixed cycle count", () => {
    const inst = 3;
    expect(client.callSync("batch", packRecords([1, 0x100, 0, 0, 0, 0, 1, (inst << 3) | 0, 100, 0, 0, 0, 1, (inst << 3) | 1, 100_000_000, 0, 0, 0, 1, (inst << 3) | 2, 50, 0, 0, 0, 1, (inst << 3) | 3, 100_000, 0, 0, 0, 1, (inst << 3) | 4, 0, 0, 0, 0, 1, (inst << 3) | 5, 1, 0, 0, 0, 1, 0x101, 1000, 0, 0, 0]), 1_000_000)).toMatchObject({ status: 0 });
    expect(client.callSync("check", [inst, 1, 100_100, 10, 1_700_000_000_000_000], 1_000_000)).toMatchObject({ status: 0, body: [0, GATE_LATENCY_CYCLES] });
    expect(client.callSync("check", [inst, 1, 101_000, 10, 1_700_000_000_000_001], 1_000_000)).toMatchObject({ body: [4, GATE_LATENCY_CYCLES] });
    expect(client.callSync("check", [inst, -1, 100_000, 200, 1_700_000_000_000_002], 1_000_000)).toMatchObject({ body: [6, GATE_LATENCY_CYCLES] });
  });
});
