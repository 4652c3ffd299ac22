/**
 * The global risk service of `kestrel cluster up` as two processes: the first takes the risk lease
 * and answers, the second waits as its standby and takes over when the first dies. Each writes its
 * stderr to `<dir>/<holder>.log`; their pids go to `<dir>/risk.json` once both run.
 */
import { createWriteStream, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ClusterError } from "../errors.ts";

/** One risk service process. */
export interface RiskProcess {
  readonly holder: string;
  readonly proc: ReturnType<typeof Bun.spawn>;
  /** What it printed on stderr so far. */
  stderr(): string;
}

function spawnRisk(configFile: string, servers: string[], dir: string, holder: string): RiskProcess {
  let text = "";
  const log = createWriteStream(join(dir, `${holder}.log`));
  const proc = Bun.spawn([process.execPath, resolve(import.meta.dir, "risk-main.ts"), "--config", configFile, "--servers", servers.join(","), "--holder", holder, "--wait-ms", String(24 * 3600 * 1000)], { stdout: "ignore", stderr: "pipe" });
  void (async () => {
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) {
      const s = new TextDecoder().decode(chunk);
      text += s;
      log.write(s);
    }
    log.end();
  })();
  return { holder, proc, stderr: () => text };
}

/** Starts the active instance, waits until it answers, then starts its standby. */
export async function startRiskPair(configFile: string, servers: string[], dir: string, timeoutMs = 60_000): Promise<RiskProcess[]> {
  const active = spawnRisk(configFile, servers, dir, "risk-1");
  const deadline = performance.now() + timeoutMs;
  while (!active.stderr().includes("risk active holder=risk-1")) {
    if (active.proc.exitCode !== null) {
      await Bun.sleep(100);
      throw new ClusterError("CLUSTER_NOT_READY", `risk service risk-1 exited (code ${active.proc.exitCode}) at start: ${active.stderr().trim().replace(/\n/g, " | ")}`);
    }
    if (performance.now() > deadline) {
      active.proc.kill("SIGKILL");
      throw new ClusterError("CLUSTER_NOT_READY", `risk service risk-1 did not take the risk lease within ${timeoutMs} ms`);
    }
    await Bun.sleep(50);
  }
  const standby = spawnRisk(configFile, servers, dir, "risk-2");
  const pair = [active, standby];
  writeFileSync(join(dir, "risk.json"), `${JSON.stringify(Object.fromEntries(pair.map((r) => [r.holder, r.proc.pid])))}\n`);
  return pair;
}

/** Stops both instances gracefully (SIGTERM; SIGKILL after 10 s). */
export async function stopRiskPair(pair: RiskProcess[]): Promise<void> {
  for (const r of pair) if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill("SIGTERM");
  for (const r of pair) {
    const exited = await Promise.race([r.proc.exited, Bun.sleep(10_000).then(() => null)]);
    if (exited === null) {
      r.proc.kill("SIGKILL");
      await r.proc.exited;
    }
  }
}
