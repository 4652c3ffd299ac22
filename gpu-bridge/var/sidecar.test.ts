import { afterEach, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { startGpuSidecar } from "../sidecar.ts";
import { ShmClient } from "../shm/client.ts";
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
