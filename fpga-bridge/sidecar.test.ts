import { describe, expect, test } from "bun:test";
import { tempSegmentDir, waitFor } from "../gpu-bridge/shm/test-support.ts";
import { GateVerdict } from "./golden/registers.ts";
import { startFpgaSidecar } from "./sidecar.ts";
import { needsTools } from "../runtime/testing/system-tools.ts";

describe.skipIf(!needsTools("fpga: startFpgaSidecar", "verilator"))("startFpgaSidecar", () => {
  test("starts the simulated gate, serves verdicts from it, and stops without leaving the process", async () => {
    using dir = tempSegmentDir();
    const s = await startFpgaSidecar({ path: dir.path("gate"), timeoutUs: 2_000_000 });
    if ("code" in s) throw new Error(`${s.code} ${s.context}`);
    const pid = s.supervisor.pid();
    try {
      await waitFor(() => s.supervisor.client.health() === null, 10_000, "gate attached");
      s.gate.setLimits(0, { maxPosition: 1_000, maxNotional: 10 ** 9, collarBps: 100 });
      s.gate.setReferencePrice(0, 100_000);
      s.gate.setRate(10, 20);
      expect(s.gate.check({ instrument: 0, side: 1, price: 100_050, qty: 10, ts: 1_700_000_000_000_000 })).toBe(GateVerdict.ACCEPT);
      expect(s.gate.lastSource).toBe("fpga");
      expect(s.gate.check({ instrument: 0, side: 1, price: 100_050, qty: 991, ts: 1_700_000_000_000_001 })).toBe(GateVerdict.POSITION);
      expect(s.gate.lastSource).toBe("fpga");
    } finally {
      await s.stop();
    }
    expect(() => process.kill(pid!, 0)).toThrow();
  }, 60_000);
});
