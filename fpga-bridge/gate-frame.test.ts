import { afterEach, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { BinaryKind, frameText, isFrameReply } from "../gpu-bridge/shm/binary-frame.ts";
import { ShmClient } from "../gpu-bridge/shm/client.ts";
import { Status } from "../gpu-bridge/shm/codec.ts";
import { tempSegmentDir, waitFor } from "../gpu-bridge/shm/test-support.ts";
import { GateFrameEncoder, gateReplyWord } from "./gate-frame.ts";
import { GateStream } from "./golden/random-stream.ts";
import { buildRiskGateSim } from "./sim/build.ts";
import { needsTools } from "../runtime/testing/system-tools.ts";

const procs: Subprocess[] = [];
const clients: ShmClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const p of procs.splice(0)) {
    p.kill(9);
    await p.exited;
  }
});

const T = 5_000_000;

describe("gate frame bodies", () => {
  test("an order and register writes encode as little-endian f64, and a reply's words decode; a short reply reads -1", () => {
    const enc = new GateFrameEncoder();
    const b = enc.order({ instrument: 3, side: -1, price: 108_501, qty: 10_000, ts: 1_764_000_000_000_001 });
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    expect([0, 8, 16, 24, 32].map((o) => dv.getFloat64(o, true))).toEqual([3, -1, 108_501, 10_000, 1_764_000_000_000_001]);
    const flat = Array.from({ length: 400 }, (_, i) => i * 1_000_003); // grows past the initial 64 pairs
    const r = enc.registers(flat);
    expect(r.length).toBe(200 * 16);
    const rv = new DataView(r.buffer, r.byteOffset, r.byteLength);
    expect(rv.getFloat64(8 * 399, true)).toBe(399 * 1_000_003);
    expect(gateReplyWord(Uint8Array.from([7, 0, 0, 0, 3, 0, 0, 0]), 0)).toBe(7);
    expect(gateReplyWord(Uint8Array.from([7, 0, 0, 0, 3, 0, 0, 0]), 1)).toBe(3);
    expect(gateReplyWord(new Uint8Array(4), 0)).toBe(-1);
  });
});

describe.skipIf(!needsTools("fpga: binary frames against msgpack", "verilator"))("the simulated gate over binary frames", () => {
  test("two gates fed the same random stream, one as msgpack and one as binary frames, give the same verdict and cycles for every order; an unknown kind is refused in one line", async () => {
    const bin = await buildRiskGateSim();
    if (typeof bin !== "string") throw new Error(`${bin.code} ${bin.context}`);
    using dir = tempSegmentDir();
    const open = (name: string, stderr: "inherit" | "pipe") => {
      const c = ShmClient.create({ path: dir.path(name), capacity: 1 << 16, heartbeatMs: 5, deadAfterMs: 10_000 });
      if ("code" in c) throw new Error(c.code);
      clients.push(c);
      const p = Bun.spawn([bin, dir.path(name)], { stdout: "inherit", stderr });
      procs.push(p);
      return { c, p };
    };
    const packed = open("mp", "inherit");
    const framed = open("bin", "pipe");
    await waitFor(() => packed.c.health() === null && framed.c.health() === null, 20_000, "both gates attached");
    const enc = new GateFrameEncoder();
    const stream = new GateStream(4242);
    const recs = stream.initial();
    stream.next(1_500, recs);
    const counts = new Map<number, number>();
    let orders = 0;
    for (let i = 0; i < recs.length; i += 6) {
      if (recs[i] === 1) {
        const pair = [recs[i + 1]!, recs[i + 2]!];
        const a = packed.c.callSync("regs", pair, T);
        const b = framed.c.callFrameSync(BinaryKind.REGS, enc.registers(pair), T);
        if ("code" in a || "code" in b || !isFrameReply(b.body)) throw new Error(`regs: ${JSON.stringify(a)} ${JSON.stringify(b)}`);
        expect(gateReplyWord(b.body.body, 0)).toBe((a.body as number[])[0]!);
        continue;
      }
      const o = { instrument: recs[i + 1]!, side: (recs[i + 2]! < 0 ? -1 : 1) as 1 | -1, price: recs[i + 3]!, qty: recs[i + 4]!, ts: recs[i + 5]! };
      const a = packed.c.callSync("check", [o.instrument, o.side, o.price, o.qty, o.ts], T);
      const b = framed.c.callFrameSync(BinaryKind.CHECK, enc.order(o), T);
      if ("code" in a || "code" in b || !isFrameReply(b.body)) throw new Error(`check: ${JSON.stringify(a)} ${JSON.stringify(b)}`);
      const [code, cycles] = a.body as [number, number];
      if (gateReplyWord(b.body.body, 0) !== code || gateReplyWord(b.body.body, 1) !== cycles) {
        throw new Error(`order ${orders}: msgpack [${code}, ${cycles}] frame [${gateReplyWord(b.body.body, 0)}, ${gateReplyWord(b.body.body, 1)}]`);
      }
      counts.set(code, (counts.get(code) ?? 0) + 1);
      orders++;
    }
    expect(orders).toBeGreaterThan(1_000);
    expect(counts.size).toBeGreaterThanOrEqual(5); // accepts and several refusal kinds, not one verdict throughout

    for (let k = 0; k < 3; k++) {
      const v = framed.c.callFrameSync(BinaryKind.VAR, new Uint8Array(64), T);
      if ("code" in v || !isFrameReply(v.body)) throw new Error(JSON.stringify(v));
      expect(v.status).toBe(Status.UNKNOWN_METHOD);
      expect(frameText(v.body.body)).toStartWith("SHM_FRAME_UNKNOWN: ring=requests unknown=kind frame_version=1 speaks=1 kind=3");
    }
    framed.p.kill(9);
    const err = await new Response(framed.p.stderr as ReadableStream).text();
    expect(err.split("\n").filter((l) => l.startsWith("SHM_FRAME_UNKNOWN"))).toHaveLength(1); // one line, not one per frame
  }, 120_000);
});
