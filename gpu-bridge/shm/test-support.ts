/**
 * Test support for the bridges: temporary segment paths, spawning sidecar processes and waiting
 * for a condition without sleeping for a fixed time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

/** A temporary directory that removes itself, for segment files. */
export function tempSegmentDir(): { path(name: string): string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), "kestrel-shm-"));
  return {
    path: (name: string) => join(dir, name),
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Spawns a Bun sidecar script with arguments; its output goes to the test's stderr. */
export function spawnBunSidecar(script: string, args: string[]): Subprocess {
  return Bun.spawn([process.execPath, script, ...args], { stdout: "inherit", stderr: "inherit" });
}

/** Polls `cond` on the event loop until it holds; throws after `timeoutMs` so a test fails instead of hanging. */
export async function waitFor(cond: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(1);
  }
}
