/**
 * What every admin WebSocket server shares, in the loop's thread or in the front: the socket
 * limits, the slow-client check before a send, and the one line for a port that cannot be bound.
 */
import type { ClientSocket } from "./client.ts";

/** `Bun.serve` websocket limits: clients only listen, and a hard ceiling sits behind the hubs' own (smaller) slow-client limit. */
export const SOCKET_LIMITS = {
  // Clients only listen; anything they send is small or a mistake.
  maxPayloadLength: 4096,
  backpressureLimit: 16 << 20,
  closeOnBackpressureLimit: true,
  idleTimeout: 120,
  sendPings: true,
} as const;

/** Sends `payload` unless the client is `maxBuffered` bytes behind; returns why it was not sent (the caller drops the client), or null. */
export function sendOrRefuse(ws: ClientSocket, payload: string | Uint8Array, maxBuffered: number): string | null {
  const buffered = ws.getBufferedAmount();
  if (buffered > maxBuffered) return `slow client: buffered=${buffered} limit=${maxBuffered}`;
  return ws.send(payload) === 0 ? `slow client: send dropped buffered=${buffered} limit=${maxBuffered}` : null;
}

/** The reason a server could not listen, for ADMIN_LISTEN_FAILED. */
export function listenFailure(err: unknown): string {
  return (err as Error & { code?: string }).code === "EADDRINUSE" ? "port in use" : (err as Error).message;
}
