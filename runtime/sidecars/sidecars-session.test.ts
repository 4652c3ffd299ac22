import { afterAll, expect, test } from "bun:test";
import { ShmClient } from "../../gpu-bridge/shm/client.ts";
import { tempSegmentDir, waitFor } from "../../gpu-bridge/shm/test-support.ts";
import { RiskGateModel } from "../../fpga-bridge/golden/model.ts";
import { applyToModel, packRecords } from "../../fpga-bridge/golden/random-stream.ts";
import { buildRiskGateSim } from "../../fpga-bridge/sim/build.ts";
import { startRealtime } from "../session/realtime.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../session/test-session.ts";
import { sidecarParts, type GateDecision } from "./index.ts";
import { needsTools } from "../testing/system-tools.ts";

const tmp = tempDir("kestrel-sidecars-");
afterAll(() => tmp.dispose());


const STRATEGIES = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD], params: { entryImbalance: 0.3, maxSpreadTicks: 30 } }
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURGBP, EURUSD] }`;

/** Replays a session's gate decisions through a fresh simulated gate; returns its verdict codes. */
async function replayThroughRtl(image: Array<[number, number]>, decisions: readonly GateDecision[]): Promise<{ rtl: number[]; model: number[] }> {
  const bin = await buildRiskGateSim();
  if (typeof bin !== "string") throw new Error(`${bin.code}: ${bin.context}`);
  using dir = tempSegmentDir();
  const client = ShmClient.create({ path: dir.path("replay"), capacity: 1 << 20, deadAfterMs: 5000 });
  if ("code" in client) throw new Error(client.code);
  const sim = Bun.spawn([bin, dir.path("replay")], { stdout: "inherit", stderr: "inherit" });
  try {
    await waitFor(() => client.health() === null, 10_000, "replay gate attached");
    const recs: number[] = [];
    for (const [addr, v] of image) recs.push(1, addr, v, 0, 0, 0);
    for (const d of decisions) {
      for (let k = 0; k < d.writes.length; k += 2) recs.push(1, d.writes[k]!, d.writes[k + 1]!, 0, 0, 0);
      recs.push(0, d.order.instrument, d.order.side, d.order.price, d.order.qty, d.order.ts);
    }
    const model: number[] = [];
    applyToModel(new RiskGateModel(), recs, model);
    const rtl: number[] = [];
    const CHUNK = 6 * 4096;
    for (let at = 0; at < recs.length; at += CHUNK) {
      const r = client.callSync("batch", packRecords(recs.slice(at, at + CHUNK)), 5_000_000);
      if ("code" in r) throw new Error(`${r.code} ${r.context}`);
      for (const c of (r.body as [Uint8Array])[0]) rtl.push(c);
    }
    return { rtl, model };
  } finally {
    client.close();
    sim.kill(9);
    await sim.exited;
  }
}

test.skipIf(!needsTools("sidecars: paper session with both sidecars", "verilator", "torch"))(
  "a paper session starts both sidecars, uses them, survives killing each one (fallback, alert, reattach), and the RTL agrees with the software gate on its orders",
  async () => {
    const extra = `sidecars:
  fpga: { mode: sidecar, timeoutUs: 5000 }
  gpu: { mode: sidecar, everySeconds: 5, confidence: 0.99, horizonSeconds: 60, paths: 20000, maxVar: 1000000000 }`;
    const s = await sessionFromYaml(tmp.path, syntheticYaml(STRATEGIES, { seconds: 7200, extra }), { mode: "paper", journalPath: "" });
    const parts = sidecarParts(s.sidecars)!;
    const fpga = parts.fpga!;
    const gpu = parts.gpu!;
    const image = fpga.rule.gate.model.registerImage();
    const decisions: GateDecision[] = [];
    fpga.rule.decisions = decisions;
    const alerts = () => s.core.alerts.all().map((a) => a.code);
    let fpgaPid = 0;
    const run = startRealtime(s, { speed: 100, forUs: 60_000_000 });
    try {
      // Both sidecars serve: verdicts from the RTL, VaR from the PyTorch sidecar.
      await waitFor(() => fpga.rule.verdicts.fpga >= 50 && gpu.monitor.computed.sidecar >= 1, 15_000, "both sidecars used");
      expect(gpu.monitor.lastSource).toBe("sidecar");
      expect(Number.isFinite(gpu.monitor.lastVar)).toBe(true);
      expect(gpu.status()).toMatchObject({ attached: true, source: "sidecar" });

      // Kill the FPGA sidecar: verdicts fall back to the software gate, then return to the RTL.
      const ordersBefore = s.core.oms.created;
      await waitFor(() => fpga.sidecar!.supervisor.pid() !== null, 10_000, "fpga sidecar running");
      fpgaPid = fpga.sidecar!.supervisor.pid()!;
      process.kill(fpgaPid, "SIGKILL");
      const softBefore = fpga.rule.verdicts.software;
      await waitFor(() => fpga.rule.verdicts.software > softBefore, 10_000, "software verdicts after the kill");
      expect(alerts()).toContain("FPGA_FALLBACK");
      await waitFor(() => fpga.sidecar!.supervisor.pid() !== null && fpga.sidecar!.supervisor.pid() !== fpgaPid, 10_000, "fpga sidecar restarted");
      const fpgaAfter = fpga.rule.verdicts.fpga;
      await waitFor(() => fpga.rule.verdicts.fpga > fpgaAfter + 20, 10_000, "verdicts from the restarted gate");
      expect(fpga.rule.gate.lastSource).toBe("fpga");
      expect(fpga.status()).toMatchObject({ attached: true, diverged: 0 });
      expect((fpga.status() as { epoch: number }).epoch).toBeGreaterThanOrEqual(2);
      expect(fpga.rule.verdicts.fpga).toBeGreaterThan(fpgaAfter);
      expect(alerts()).toContain("SIDECAR_RESTARTED");

      // Kill the GPU sidecar: VaR falls back in-process at the deadline, then returns to the sidecar.
      await waitFor(() => gpu.sidecar!.supervisor.pid() !== null && gpu.sidecar!.supervisor.client.health() === null, 20_000, "gpu sidecar attached");
      const gpuEpoch = gpu.sidecar!.supervisor.client.epoch();
      process.kill(gpu.sidecar!.supervisor.pid()!, "SIGKILL");
      await waitFor(() => gpu.monitor.computed["in-process"] >= 1, 15_000, "in-process VaR after the kill");
      expect(alerts()).toContain("VAR_FALLBACK");
      await waitFor(() => gpu.sidecar!.supervisor.client.epoch() > gpuEpoch, 20_000, "gpu sidecar restarted and attached");
      const sidecarAfter = gpu.monitor.computed.sidecar;
      // Under load a request can still miss its deadline and be answered in process, so wait for the
      // newest answer to be the restarted sidecar's rather than reading the source once.
      await waitFor(() => gpu.monitor.computed.sidecar > sidecarAfter && gpu.monitor.lastSource === "sidecar", 15_000, "VaR from the restarted sidecar");

      // Trading went on throughout.
      expect(s.core.oms.created).toBeGreaterThan(ordersBefore);
    } catch (e) {
      console.log(s.core.alerts.all().map((a) => `${a.ts} ${a.code} ${a.subject} ${a.message}`).join("\n"));
      throw e;
    } finally {
      run.stop();
      await run.done;
      await s.close();
    }
    expect(() => process.kill(fpgaPid, 0)).toThrow();
    const status = s.sidecars!.status() as { fpga: { pid: number | null }; gpu: { pid: number | null } };
    expect(status.fpga.pid).toBeNull();
    expect(status.gpu.pid).toBeNull();

    // Every order the session sent through the gate gets the same verdict from a fresh RTL and the golden model.
    expect(decisions.length).toBeGreaterThan(100);
    expect(decisions.some((d) => d.source === "software")).toBe(true);
    const { rtl, model } = await replayThroughRtl(image, decisions);
    const recorded = decisions.map((d) => d.code);
    expect(rtl).toEqual(recorded);
    expect(model).toEqual(recorded);
  },
  90_000,
);
