import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig } from "../config/load.ts";

describe("kestrel cluster up", () => {
  test("runs the 28-pair paper deployment as three shard processes over a 3-node JetStream cluster and prints the summary", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kestrel-cluster-up-"));
    try {
      const proc = Bun.spawn([process.execPath, resolve("runtime/cli.ts"), "cluster", "up", "configs/cluster-paper.yaml", "--for", "4s", "--json", "--dir", dir], { stdout: "pipe", stderr: "pipe" });
      const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      // A failed run shows everything it printed (stdout and stderr) in the test's output.
      if (code !== 0 || err !== "") throw new Error(`kestrel cluster up exited ${code}\n--- stderr ---\n${err}\n--- stdout ---\n${out}`);
      const summary = JSON.parse(out.trim()) as Record<string, unknown>;
      expect(Object.keys(summary)).toEqual(["shards", "duplicates", "lost"]);
      expect(summary.duplicates).toBe(0);
      expect(summary.lost).toBe(0);
      const loaded = loadConfig(resolve("configs/cluster-paper.yaml"));
      if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
      const shards = summary.shards as { name: string; instruments: string[]; events: number; orders: number; fills: number }[];
      expect(shards.map((s) => s.name)).toEqual(["shard-a", "shard-b", "shard-c"]);
      expect(shards.flatMap((s) => s.instruments).sort()).toHaveLength(28);
      expect(new Set(shards.flatMap((s) => s.instruments)).size).toBe(28);
      for (const s of shards) {
        expect(Object.keys(s)).toEqual(["name", "instruments", "events", "orders", "fills"]);
        expect(s.instruments).toEqual(loaded.config.cluster!.shards.find((x) => x.name === s.name)!.instruments);
        expect(s.events).toBeGreaterThan(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  test("the global risk service runs as an active process and a standby: SIGKILL the active one mid-run and the standby takes over, nothing lost or duplicated", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kestrel-cluster-risk-"));
    try {
      const proc = Bun.spawn([process.execPath, resolve("runtime/cli.ts"), "cluster", "up", "configs/cluster-paper.yaml", "--for", "10s", "--json", "--dir", dir], { stdout: "pipe", stderr: "pipe" });
      const outP = new Response(proc.stdout).text();
      const errP = new Response(proc.stderr).text();
      const deadline = performance.now() + 150_000;
      while (!(existsSync(join(dir, "phase")) && existsSync(join(dir, "risk.json"))) && proc.exitCode === null && performance.now() < deadline) await Bun.sleep(100);
      if (!existsSync(join(dir, "phase"))) throw new Error(`cluster up did not reach the feeding phase\n${await errP}\n${await outP}`);
      const pids = JSON.parse(readFileSync(join(dir, "risk.json"), "utf8")) as Record<string, number>;
      expect(Object.keys(pids)).toEqual(["risk-1", "risk-2"]);
      process.kill(pids["risk-1"]!, "SIGKILL");
      const [out, err, code] = await Promise.all([outP, errP, proc.exited]);
      if (code !== 0 || err !== "") throw new Error(`kestrel cluster up exited ${code}\n--- stderr ---\n${err}\n--- stdout ---\n${out}`);
      const summary = JSON.parse(out.trim()) as { duplicates: number; lost: number; shards: { orders: number }[] };
      expect(summary.duplicates).toBe(0);
      expect(summary.lost).toBe(0);
      // The standby took the lease and answered (it restores the dead one's grants from the ledger).
      expect(readFileSync(join(dir, "risk-2.log"), "utf8")).toContain("risk active holder=risk-2");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 200_000);

  test("refuses a deployment without a cluster section with one clear line", async () => {
    const proc = Bun.spawn([process.execPath, resolve("runtime/cli.ts"), "cluster", "up", "configs/paper.yaml", "--json"], { stdout: "pipe", stderr: "pipe" });
    const [err, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    expect(code).toBe(2);
    expect(err).toContain("cluster: the deployment has no cluster section");
  });
});
