/**
 * What must not outlive this process: segment files it created and sidecar processes it spawned.
 * Each is registered while it exists and released synchronously on the process's `exit` event,
 * which every exit path reaches (a normal end, `process.exit`, an uncaught error, and the CLI's
 * signal handlers). A `SIGKILL` cannot be caught: the next start removes what it left (stale.ts).
 */
import { unlinkSync } from "node:fs";

const actions = new Set<() => void>();
let hooked = false;

/** Registers a synchronous release to run at process exit; returns the function that unregisters it. */
export function atProcessExit(release: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.on("exit", releaseAll);
  }
  actions.add(release);
  return () => void actions.delete(release);
}

/** Runs every registered release now (each at most once). */
export function releaseAll(): void {
  for (const release of [...actions]) {
    actions.delete(release);
    try {
      release();
    } catch {
      // Best effort: the process is ending.
    }
  }
}

/** Registers a file to remove at exit (a segment); returns the function that unregisters it. */
export function removeAtExit(path: string): () => void {
  return atProcessExit(() => {
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  });
}
