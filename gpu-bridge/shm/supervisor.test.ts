import { describe, expect, test } from "bun:test";
import { SidecarSupervisor } from "./supervisor.ts";
import { tempSegmentDir, waitFor } from "./test-support.ts";

const SIDECAR = new URL("./echo-sidecar.ts", import.meta.url).pathname;

describe("SidecarSupervisor", () => {
  test("a killed sidecar is restarted, the bridge reattaches, and stop leaves no process behind", async () => {
    using dir = tempSegmentDir();
    const alerts: string[] = [];
    const sup = SidecarSupervisor.start({
      name: "echo",
      path: dir.path("seg"),
      heartbeatMs: 2,
      deadAfterMs: 300,
      command: (p) => [process.execPath, SIDECAR, p],
      backoffMs: 10,
      onAlert: (e) => alerts.push(e.code),
    });
    if ("code" in sup) throw new Error(sup.code);
    try {
      await waitFor(() => sup.client.health() === null, 10_000, "first start");
      expect(sup.client.callSync("echo", "a", 2_000_000)).toMatchObject({ body: "a" });
      const pid = sup.pid()!;
      process.kill(pid, "SIGKILL");
      await waitFor(() => sup.starts === 2 && sup.client.epoch() === 2 && sup.client.health() === null, 10_000, "restart");
      expect(sup.pid()).not.toBe(pid);
      expect(sup.client.callSync("echo", "b", 2_000_000)).toMatchObject({ body: "b" });
      expect(alerts).toContain("SIDECAR_EXITED");
      expect(alerts).toContain("SIDECAR_RESTARTED");
    } finally {
      const last = sup.pid();
      await sup.stop();
      if (last) expect(() => process.kill(last, 0)).toThrow();
    }
  }, 30_000);
});
