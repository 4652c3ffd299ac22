/**
 * A bridge call for a client this service owns alone: the response is polled with setImmediate
 * for the first `spinUs` microseconds (a 28-instrument batch comes back in about 0.25 ms, while
 * `ShmClient.call` polls on setTimeout(0), which Bun rounds up to about 1 ms), then on timers,
 * checking the sidecar's health on each timer so that a death noticed mid-wait ends the wait.
 * It reads every response on the client, so it must not share the client with other callers.
 */
import { BINARY_KIND_NAMES } from "../shm/binary-frame.ts";
import type { ShmClient } from "../shm/client.ts";
import type { ShmResponse } from "../shm/codec.ts";
import { bridgeError, type BridgeError } from "../shm/errors.ts";

/** Sends `method` and resolves with its response or an error value by `timeoutUs`; never rejects. */
export function fastCall(client: ShmClient, method: string, body: unknown, timeoutUs: number, spinUs: number): Promise<ShmResponse | BridgeError> {
  return fastWait(client, client.send(method, body, timeoutUs), method, timeoutUs, spinUs);
}

/** Sends a binary frame of `kind` (ShmClient.sendFrame: `body`, then `tail` when given) and waits for it as `fastCall` does. */
export function fastCallFrame(client: ShmClient, kind: number, body: Uint8Array, timeoutUs: number, spinUs: number, tail?: Uint8Array): Promise<ShmResponse | BridgeError> {
  return fastWait(client, client.sendFrame(kind, body, timeoutUs, tail), BINARY_KIND_NAMES[kind] ?? String(kind), timeoutUs, spinUs);
}

function fastWait(client: ShmClient, id: number | BridgeError, method: string, timeoutUs: number, spinUs: number): Promise<ShmResponse | BridgeError> {
  if (typeof id !== "number") return Promise.resolve(id);
  const start = performance.now() * 1000;
  return new Promise((resolve) => {
    const tick = (): void => {
      for (let r = client.poll(); r; r = client.poll()) {
        if (r.id === id) return resolve(r);
      }
      const waited = performance.now() * 1000 - start;
      if (waited >= timeoutUs) {
        client.expire();
        return resolve(client.health() ?? bridgeError("SHM_DEADLINE", `id=${id} method=${method} timeout_us=${timeoutUs}`));
      }
      if (waited < spinUs) {
        setImmediate(tick);
        return;
      }
      const h = client.health();
      if (h) {
        client.expire();
        return resolve(h);
      }
      setTimeout(tick, 0);
    };
    setImmediate(tick);
  });
}
