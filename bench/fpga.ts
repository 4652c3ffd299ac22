/**
 * Benchmark of the simulated-FPGA risk gate (Verilator model of fpga-bridge/rtl/risk_gate.v behind
 * the shm bridge): verdict latency in cycles and in ns at 250 MHz, the runtime's round trip for
 * one order (p50/p99; as a binary CHECK frame and as msgpack `check`, same run), streaming verdicts/s over 1M orders in pre-packed batches (and the harness's
 * own CPU time per verdict), and RTL-vs-golden-model equivalence over N random orders (default
 * 10 million). The baseline, measured in the same run, is the in-process
 * software gate (the golden model). Usage: `bun bench/fpga.ts [--orders N]`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ShmClient } from "../gpu-bridge/shm/client.ts";
import { RiskGateModel } from "../fpga-bridge/golden/model.ts";
import { applyToModel, GateStream, packRecords } from "../fpga-bridge/golden/random-stream.ts";
import { GATE_CLOCK_MHZ, GATE_VERDICT_NAMES } from "../fpga-bridge/golden/registers.ts";
import { buildRiskGateSim } from "../fpga-bridge/sim/build.ts";
import { GateFrameEncoder, gateReplyWord } from "../fpga-bridge/gate-frame.ts";
import { BinaryKind, isFrameReply } from "../gpu-bridge/shm/binary-frame.ts";

const oAt = process.argv.indexOf("--orders");
const ORDERS = oAt >= 0 ? Number(process.argv[oAt + 1]) : 10_000_000;
const RTT_N = 100_000;
/** Deadline of one round-trip call: generous, so a scheduling stall on a loaded machine is measured, not failed. */
const RTT_DEADLINE_US = 10_000_000;
const BATCH = 4000;

const bin = await buildRiskGateSim();
if (typeof bin !== "string") throw new Error(`${bin.code}: ${bin.context}`);
const dir = mkdtempSync(join(tmpdir(), "kestrel-bench-fpga-"));
const path = process.platform === "linux" ? `/dev/shm/kestrel-bench-fpga-${process.pid}` : join(dir, "gate");
const client = ShmClient.create({ path, capacity: 1 << 22, heartbeatMs: 5, deadAfterMs: 5000 });
if ("code" in client) throw new Error(client.code);
const sim = Bun.spawn([bin, path, "--spin"], { stdout: "inherit", stderr: "inherit" });

function pct(a: Float64Array, p: number): number {
  const s = Float64Array.from(a).sort();
  return s[Math.floor(p * (s.length - 1))]! / 1000;
}

try {
  while (client.health() !== null) await Bun.sleep(1);
  const stream = new GateStream(2026);
  const model = new RiskGateModel();
  const init = stream.initial();
  applyToModel(model, init, []);
  const ok = client.callSync("batch", packRecords(init), 10_000_000);
  if ("code" in ok) throw new Error(ok.code);

  // Round trip of one order, runtime -> sidecar -> runtime.
  const orders: number[] = [];
  stream.next(RTT_N + 20_000, orders);
  const singles: number[][] = [];
  for (let i = 0; i < orders.length; i += 6) if (orders[i] === 0) singles.push(orders.slice(i + 1, i + 6));
  // The same orders as msgpack `check` (the former wire) and as binary CHECK frames (the runtime's
  // wire now), alternating in blocks of 1,000 so both see the same machine load.
  const lat = new Float64Array(RTT_N);
  const latMsgpack = new Float64Array(RTT_N);
  const enc = new GateFrameEncoder();
  const order = { instrument: 0, side: 1 as 1 | -1, price: 0, qty: 0, ts: 0 };
  const frameCheck = (o: number[]): number => {
    order.instrument = o[0]!;
    order.side = o[1]! < 0 ? -1 : 1;
    order.price = o[2]!;
    order.qty = o[3]!;
    order.ts = o[4]!;
    const r = client.callFrameSync(BinaryKind.CHECK, enc.order(order), RTT_DEADLINE_US);
    if ("code" in r || !isFrameReply(r.body)) throw new Error(JSON.stringify(r));
    return gateReplyWord(r.body.body, 1);
  };
  let cycles = 0;
  for (let i = 0; i < 20_000; i++) {
    client.callSync("check", singles[i], RTT_DEADLINE_US);
    frameCheck(singles[i]!);
  }
  for (let b = 0; b < RTT_N; b += 1000) {
    for (let i = b; i < b + 1000; i++) {
      const t = Bun.nanoseconds();
      const r = client.callSync("check", singles[(i + 20_000) % singles.length], RTT_DEADLINE_US);
      latMsgpack[i] = Bun.nanoseconds() - t;
      if ("code" in r) throw new Error(r.code);
    }
    for (let i = b; i < b + 1000; i++) {
      const t = Bun.nanoseconds();
      cycles = frameCheck(singles[(i + 20_000) % singles.length]!);
      lat[i] = Bun.nanoseconds() - t;
    }
  }

  console.log(`check round trip, ${RTT_N} calls per wire in alternating blocks of 1,000: binary frame p50 ${pct(lat, 0.5).toFixed(2)} µs p99 ${pct(lat, 0.99).toFixed(2)} µs; msgpack p50 ${pct(latMsgpack, 0.5).toFixed(2)} µs p99 ${pct(latMsgpack, 0.99).toFixed(2)} µs`);

  // Streaming throughput: 1M orders in pre-packed batches, four in flight, verdicts checked after.
  const tModel = new RiskGateModel();
  const tStream0 = new GateStream(31);
  const tInit = tStream0.initial();
  applyToModel(tModel, tInit, []);
  client.callSync("reset", null, 10_000_000);
  client.callSync("batch", packRecords(tInit), 10_000_000);
  const packed: Uint8Array[] = [];
  const expected: number[][] = [];
  let tOrders = 0;
  while (tOrders < 1_000_000) {
    client.health(); // bumps the runtime's heartbeat: packing takes seconds on a loaded machine, and the sidecar leaves after 2 s of silence
    const recs: number[] = [];
    tOrders += tStream0.next(BATCH, recs);
    const want: number[] = [];
    applyToModel(tModel, recs, want);
    packed.push(packRecords(recs));
    expected.push(want);
  }
  let tBad = 0;
  const inflight: number[] = [];
  let nextBatch = 0;
  const tp0 = Bun.nanoseconds();
  for (let i = 0; i < packed.length; i++) {
    const id = client.send("batch", packed[i], 30_000_000);
    if (typeof id !== "number") throw new Error(`${id.code} ${id.context}`);
    inflight.push(id);
    while (inflight.length >= 4 || (i === packed.length - 1 && inflight.length > 0)) {
      const r = client.poll();
      if (!r) continue;
      inflight.shift();
      const codes = (r.body as [Uint8Array])[0];
      const want = expected[nextBatch++]!;
      for (let j = 0; j < codes.length; j++) if (codes[j] !== want[j]) tBad++;
    }
  }
  const prepackedPerSec = tOrders / ((Bun.nanoseconds() - tp0) / 1e9);
  if (tBad) throw new Error(`throughput phase: ${tBad} mismatches`);

  // Equivalence over ORDERS: batches of BATCH records generated on the fly, two in flight.
  const model2 = new RiskGateModel();
  const stream2 = new GateStream(99);
  const init2 = stream2.initial();
  applyToModel(model2, init2, []);
  const reset = client.callSync("reset", null, 10_000_000);
  if ("code" in reset) throw new Error(reset.code);
  client.callSync("batch", packRecords(init2), 10_000_000);
  const seen = new Array(8).fill(0);
  let done = 0;
  let mismatches = 0;
  let simNs = 0;
  let simCpuNs = 0;
  let modelNs = 0;
  const queue: Array<{ id: number; want: number[] }> = [];
  const settle = () => {
    for (;;) {
      const r = client.poll();
      if (r) {
        const q = queue.shift()!;
        if (r.id !== q.id) throw new Error("out of order");
        const [codes, , , , cpuNs] = r.body as [Uint8Array, number, number, number, number];
        simCpuNs += cpuNs;
        for (let i = 0; i < codes.length; i++) {
          if (codes[i] !== q.want[i]) mismatches++;
          seen[q.want[i]!]++;
        }
        done += codes.length;
        return;
      }
      if (client.expire() > 0) throw new Error("batch missed its deadline");
    }
  };
  const tStream = Bun.nanoseconds();
  let sent = 0;
  while (sent < ORDERS) {
    const recs: number[] = [];
    sent += stream2.next(BATCH, recs);
    const want: number[] = [];
    const t0 = Bun.nanoseconds();
    applyToModel(model2, recs, want);
    modelNs += Bun.nanoseconds() - t0;
    const id = client.send("batch", packRecords(recs), 30_000_000);
    if (typeof id !== "number") throw new Error(`${id.code} ${id.context}`);
    queue.push({ id, want });
    if (queue.length >= 2) settle();
  }
  while (queue.length) settle();
  simNs = Bun.nanoseconds() - tStream;
  const simCpu = simCpuNs / 1e9;

  // Baseline: the software gate alone on the same kind of stream, orders pre-generated.
  const model3 = new RiskGateModel();
  const stream3 = new GateStream(5);
  applyToModel(model3, stream3.initial(), []);
  const recs3: number[] = [];
  const n3 = stream3.next(1_000_000, recs3);
  const sink: number[] = [];
  const tb = Bun.nanoseconds();
  applyToModel(model3, recs3, sink);
  const softPerSec = n3 / ((Bun.nanoseconds() - tb) / 1e9);

  const p50 = pct(lat, 0.5);
  const p99 = pct(lat, 0.99);
  const streamPerSec = done / (simNs / 1e9);
  console.log(`orders compared: ${done.toLocaleString("en-US")}, mismatches: ${mismatches}`);
  console.log(`verdict mix: ${GATE_VERDICT_NAMES.map((n, i) => `${n}=${seen[i]}`).join(" ")}`);
  console.log(`${"measure".padEnd(44)} ${"value".padStart(14)}`);
  console.log(`${"verdict latency, cycles (fixed)".padEnd(44)} ${String(cycles).padStart(14)}`);
  console.log(`${`verdict latency at ${GATE_CLOCK_MHZ} MHz, ns`.padEnd(44)} ${((cycles * 1000) / GATE_CLOCK_MHZ).toFixed(1).padStart(14)}`);
  console.log(`${"sim round trip, binary CHECK frame, p50 µs".padEnd(44)} ${p50.toFixed(2).padStart(14)}`);
  console.log(`${"sim round trip, binary CHECK frame, p99 µs".padEnd(44)} ${p99.toFixed(2).padStart(14)}`);
  console.log(`${"sim round trip, msgpack check, p50 µs".padEnd(44)} ${pct(latMsgpack, 0.5).toFixed(2).padStart(14)}`);
  console.log(`${"sim round trip, msgpack check, p99 µs".padEnd(44)} ${pct(latMsgpack, 0.99).toFixed(2).padStart(14)}`);
  console.log(`ratio binary/msgpack round trip: p50 ${(p50 / pct(latMsgpack, 0.5)).toFixed(2)}x, p99 ${(p99 / pct(latMsgpack, 0.99)).toFixed(2)}x`);
  console.log(`${"sim streaming verdicts/s (pre-packed batches)".padEnd(44)} ${Math.round(prepackedPerSec).toLocaleString("en-US").padStart(14)}`);
  console.log(`${"equivalence run verdicts/s (incl. generation)".padEnd(44)} ${Math.round(streamPerSec).toLocaleString("en-US").padStart(14)}`);
  console.log(`${"  of which golden model time, s".padEnd(44)} ${(modelNs / 1e9).toFixed(2).padStart(14)}`);
  console.log(`${"sim CPU per verdict in the harness, ns".padEnd(44)} ${((simCpu * 1e9) / done).toFixed(0).padStart(14)}`);
  console.log(`${"sim verdicts per harness CPU-second".padEnd(44)} ${Math.round(done / simCpu).toLocaleString("en-US").padStart(14)}`);
  console.log(`${"software gate in-process verdicts/s (baseline)".padEnd(44)} ${Math.round(softPerSec).toLocaleString("en-US").padStart(14)}`);
  console.log(`ratio: sim streaming ${(prepackedPerSec / softPerSec).toFixed(2)}x software gate; sim p99 round trip ${(p99 / 1.5).toFixed(2)}x the 1.5 µs target; equivalence ${mismatches === 0 ? "exact" : "BROKEN"} over ${done.toLocaleString("en-US")} orders`);
  if (mismatches) process.exitCode = 1;
} finally {
  client.close();
  sim.kill(9);
  await sim.exited;
  rmSync(dir, { recursive: true, force: true });
}
