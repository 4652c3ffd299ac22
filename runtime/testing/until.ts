/** Polling wait for tests and chaos runs: conditions with a deadline, never fixed sleeps. */

/** Resolves when `cond` holds; throws naming `what` after `ms` milliseconds. */
export async function until(what: string, cond: () => boolean, ms = 60_000, pollMs = 20): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(pollMs);
  }
}
