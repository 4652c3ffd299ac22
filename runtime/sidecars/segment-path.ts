/**
 * Names and waits shared by the sidecar starters: a segment file per sidecar that is unique within
 * the process (several sessions may run in one process, e.g. under `bun test`), and a bounded
 * wait for a sidecar to attach that polls on the event loop.
 */
let next = 0;

/** Returns a fresh segment path for a sidecar, under /dev/shm. */
export function segmentPath(name: string): string {
  return `/dev/shm/kestrel-${name}-${process.pid}-${++next}`;
}

/** Polls `cond` every millisecond until it holds or `timeoutMs` passes; resolves with whether it held. */
export async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > until) return false;
    await Bun.sleep(1);
  }
  return true;
}
