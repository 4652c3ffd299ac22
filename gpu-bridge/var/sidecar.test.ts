import { afterEach, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { startGpuSidecar } from "../sidecar.ts";
import { BinaryKind, frameText, isFrameReply } from "../shm/binary-frame.ts";
import { ShmClient } from "../shm/client.ts";
import { Status } from "../shm/codec.ts";
import { tempSegmentDir, waitFor } from "../shm/test-support.ts";
import { monteCarloVar, type VarRequest, type VarResult } from "./monte-carlo.ts";
import { type VarAnswer, VarService } from "./service.ts";
import { bootstrapVar } from "./bootstrap.ts";
import { book, normalHistory } from "./test-book.ts";
import { needsTools } from "../../runtime/testing/system-tools.ts";

const PYTHON = "/usr/bin/python3";
const SIDECAR = new URL("../sidecar/var_sidecar.py", import.meta.url).pathname;
const procs: Subprocess[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) {
    p.kill(9);
    await p.exited;
  }
});

function request(dist: "normal" | "student-t", seed: number): VarRequest {
  const { exposures, cov } = book();
  return { exposures, cov, covHorizonSeconds: 86_400, horizonSeconds: 3_600, confidence: 0.99, paths: 200_000, dist, dof: 5, seed };
}

describe.skipIf(!needsTools("var: GPU sidecar against the in-process reference", "torch"))("GPU sidecar (PyTorch) against the in-process reference", () => {
  test("normal and Student-t VaR/ES from the sidecar agree with the in-process engine within sampling error; a killed sidecar falls back", async () => {
    using dir = tempSegmentDir();
    const client = ShmClient.create({ path: dir.path("gpu"), capacity: 1 << 23, heartbeatMs: 5, deadAfterMs: 1000 });
    if ("code" in client) throw new Error(client.code);
    try {
      const alerts: string[] = [];
      const svc = new VarService({ client, timeoutUs: 20_000_000, onAlert: (e) => { alerts.push(e.code); if (process.env.DEBUG_VAR) console.log(e); } });
      const p = Bun.spawn([PYTHON, SIDECAR, dir.path("gpu"), "--device", "cpu"], { stdout: "inherit", stderr: "inherit" });
      procs.push(p);
      await waitFor(() => client.health() === null, 30_000, "python sidecar attached");

      for (const dist of ["normal", "student-t"] as const) {
        const remote = (await svc.compute(request(dist, 7))) as VarAnswer;
        expect(remote.source).toBe("sidecar");
        expect(remote.device).toBe("cpu");
        const local = monteCarloVar(request(dist, 8)) as VarResult;
        // Independent estimates: relative sampling error of a 99% quantile over 200k paths is
        // about 0.4% (normal) and 0.6% (t5); allow five standard errors of the difference.
        const tol = dist === "normal" ? 0.03 : 0.045;
        expect(Math.abs(remote.result.var / local.var - 1)).toBeLessThan(tol);
        expect(Math.abs(remote.result.es / local.es - 1)).toBeLessThan(tol * 1.5);
        expect(Math.abs(remote.result.std / local.std - 1)).toBeLessThan(0.02);
        expect(remote.result.paths).toBe(200_000);
      }
      const { exposures, history } = normalHistory(8, 20_000, 4);
      const boot = { exposures, history, stepSeconds: 1, horizonSeconds: 30, confidence: 0.99, paths: 100_000 };
      const remoteBoot = (await svc.computeBootstrap({ ...boot, seed: 1 })) as VarAnswer;
      expect(remoteBoot.source).toBe("sidecar");
      const localBoot = bootstrapVar({ ...boot, seed: 2 }) as VarResult;
      expect(Math.abs(remoteBoot.result.var / localBoot.var - 1)).toBeLessThan(0.04);
      expect(Math.abs(remoteBoot.result.es / localBoot.es - 1)).toBeLessThan(0.05);

      const notPd = { ...request("normal", 1), exposures: Float64Array.from([1, 1]), cov: Float64Array.from([1, 2, 2, 1]) };
      expect(await svc.compute(notPd)).toMatchObject({ code: "VAR_COVARIANCE_INVALID" });
      expect(alerts).toEqual(["VAR_FALLBACK"]); // the sidecar refused it too, then the fallback did

      p.kill(9);
      await p.exited;
      await waitFor(() => client.health()?.code === "SHM_PEER_DEAD", 10_000, "death noticed");
      const fallback = (await svc.compute({ ...request("normal", 9), paths: 20_000 })) as VarAnswer;
      expect(fallback.source).toBe("in-process");
      expect(alerts.at(-1)).toBe("VAR_FALLBACK");
    } finally {
      client.close();
    }
  }, 60_000);
});

describe.skipIf(!needsTools("var: binary frames against msgpack", "torch"))("VaR as binary frames", () => {
  test("the sidecar gives bit-equal VaR/ES/mean/std for the same request as a binary frame and as msgpack; an unknown frame kind or version is refused in one line", async () => {
    using dir = tempSegmentDir();
    const client = ShmClient.create({ path: dir.path("gpu"), capacity: 1 << 22, heartbeatMs: 5, deadAfterMs: 5000 });
    if ("code" in client) throw new Error(client.code);
    const p = Bun.spawn([PYTHON, SIDECAR, dir.path("gpu"), "--device", "cpu"], { stdout: "inherit", stderr: "pipe" });
    procs.push(p);
    try {
      await waitFor(() => client.health() === null, 30_000, "python sidecar attached");
      const framed = new VarService({ client, timeoutUs: 30_000_000 });
      const packed = new VarService({ client, timeoutUs: 30_000_000, wire: "msgpack" });
      for (const dist of ["normal", "student-t"] as const) {
        const req = { ...request(dist, 11), paths: 50_000 };
        const a = (await framed.compute(req)) as VarAnswer;
        const b = (await packed.compute(req)) as VarAnswer;
        expect(a.source).toBe("sidecar");
        expect(b.source).toBe("sidecar");
        expect(a.result).toEqual(b.result); // toEqual compares numbers with Object.is: bit-equal
        expect(a.device).toBe("cpu");
        expect(a.elapsedNs).toBeGreaterThan(0);
      }
      const { exposures, history } = normalHistory(6, 5_000, 3);
      const boot = { exposures, history, stepSeconds: 1, horizonSeconds: 30, confidence: 0.975, paths: 20_000, seed: 5 };
      const a = (await framed.computeBootstrap(boot)) as VarAnswer;
      const b = (await packed.computeBootstrap(boot)) as VarAnswer;
      expect(a.source).toBe("sidecar");
      expect(a.result).toEqual(b.result);

      // A kind the GPU sidecar does not serve (a gate check), and a frame of a later version.
      const check = client.callFrameSync(BinaryKind.CHECK, new Uint8Array(40), 10_000_000);
      if ("code" in check || !isFrameReply(check.body)) throw new Error(JSON.stringify(check));
      expect(check.status).toBe(Status.UNKNOWN_METHOD);
      expect(frameText(check.body.body)).toStartWith("SHM_FRAME_UNKNOWN: ring=requests unknown=kind frame_version=1 speaks=1 kind=1");
      // Kind 200: the sidecar refuses it (stderr line below) and answers with kind 200, which the client refuses in turn.
      const later = client.callFrameSync(200, new Uint8Array(8), 10_000_000);
      expect(later).toMatchObject({ status: Status.ERROR });
      expect(String((later as { body: unknown }).body)).toStartWith("SHM_FRAME_UNKNOWN: ring=responses unknown=kind frame_version=1 speaks=1 kind=200");
      // The msgpack control path is untouched by all this.
      const info = client.callSync("info", null, 10_000_000);
      expect(info).toMatchObject({ status: Status.OK, body: { device: "cpu" } });
    } finally {
      client.close();
    }
    p.kill(9);
    const err = await new Response(p.stderr).text();
    const lines = err.split("\n").filter((l) => l.startsWith("SHM_FRAME_UNKNOWN"));
    expect(lines).toHaveLength(2); // one line per unknown version/kind, none for the known ones
  }, 120_000);
});

describe.skipIf(!needsTools("var: startGpuSidecar", "torch"))("startGpuSidecar", () => {
  test("starts the supervised sidecar, answers a VaR from it, and stops without leaving the process", async () => {
    using dir = tempSegmentDir();
    const s = startGpuSidecar({ path: dir.path("gpu"), capacity: 1 << 20, timeoutUs: 20_000_000, device: "cpu" });
    if ("code" in s) throw new Error(s.code);
    const pid = s.supervisor.pid();
    try {
      await waitFor(() => s.supervisor.client.health() === null, 30_000, "python sidecar attached");
      const r = (await s.service.compute({ ...request("normal", 3), paths: 20_000 })) as VarAnswer;
      expect(r.source).toBe("sidecar");
      expect(r.result.var).toBeGreaterThan(0);
    } finally {
      await s.stop();
    }
    expect(() => process.kill(pid!, 0)).toThrow();
  }, 60_000);
});
