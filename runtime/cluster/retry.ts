/**
 * Bounded retries of a cluster request that may fail while the servers recover (a node died, a
 * stream or KV leader is being elected, the client is reconnecting): the last error is rethrown
 * with what was being done once the attempts are spent.
 */
import { ClusterError } from "./errors.ts";

/** Runs `fn` until it succeeds, at most `attempts` times, `pauseMs` apart. */
export async function retrying<T>(what: string, fn: () => Promise<T>, attempts = 40, pauseMs = 250): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await Bun.sleep(pauseMs);
    }
  }
  throw new ClusterError("CLUSTER_NOT_READY", `while=${what} attempts=${attempts} last=${(last as Error)?.message ?? String(last)}`, { cause: last });
}
