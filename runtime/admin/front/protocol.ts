/**
 * Messages between the trading loop's thread and the admin front (a Bun Worker running
 * `Bun.serve`), and the shared counters the front keeps. The loop posts snapshot bodies, stream
 * frames and the answers to forwarded requests; the front posts forwarded requests, stream client
 * changes and which snapshot reads it answered. Everything is plain data (structured clone).
 */
import type { Principal } from "../auth/jwt.ts";
import type { RouteRole } from "../auth/roles.ts";
import type { SnapshotEntry } from "../http/snapshots.ts";
import type { HubOptions } from "../streams/hub.ts";
import type { StreamName, WireFormat } from "../streams/client.ts";

/** A route as the front sees it: enough to gate it and to know whether it is a snapshot read. */
export interface FrontRoute {
  readonly method: string;
  readonly path: string;
  readonly role: RouteRole;
  readonly snapshot: boolean;
}

/** Everything the front needs to start. */
export interface FrontInit {
  readonly t: "init";
  readonly port: number;
  readonly hostname: string;
  readonly keys: readonly string[];
  readonly rateLimitPerSecond: number;
  readonly snapshotMs: number;
  readonly streams: HubOptions;
  readonly instruments: readonly { readonly id: number; readonly symbol: string }[];
  readonly routes: readonly FrontRoute[];
  /** Counters the front bumps and the loop reads (see COUNTER_*). */
  readonly counters: SharedArrayBuffer;
  /** Pin the front's thread to this CPU (benchmarks). */
  readonly cpu?: number;
  /** Raise the front thread's niceness by this much (1..19). */
  readonly nice?: number;
}

/** A forwarded request's answer as the loop rendered it. */
export interface FrontAnswer {
  readonly t: "res";
  readonly id: number;
  readonly status: number;
  readonly headers: [string, string][];
  readonly body: string | null;
  /** The snapshot generation after the request (a command bumps it). */
  readonly generation: number;
  /** A snapshot read's entry, for the front to keep until the next publication. */
  readonly snap?: { readonly key: string; readonly entry: SnapshotEntry; readonly generation: number };
}

/** Loop → front. */
export type ToFront =
  | FrontInit
  | FrontAnswer
  | { readonly t: "snapshot"; readonly entries: [string, SnapshotEntry][]; readonly generation: number }
  | { readonly t: "hello"; readonly client: number; readonly message: unknown }
  | { readonly t: "frame"; readonly stream: StreamName; readonly json: string | null; readonly packed: Uint8Array | null }
  | { readonly t: "quotes"; readonly quotes: [number, { readonly ts: number }][] }
  | { readonly t: "stop" };

/** Front → loop. */
export type ToLoop =
  | { readonly t: "listening"; readonly port: number; readonly hostname: string }
  | { readonly t: "listen-failed"; readonly reason: string }
  | { readonly t: "req"; readonly id: number; readonly method: string; readonly path: string; readonly headers: [string, string][]; readonly body: string | null; readonly principal: Principal | null }
  | { readonly t: "asked"; readonly keys: string[] }
  | { readonly t: "ws-open"; readonly client: number; readonly stream: StreamName; readonly format: WireFormat; readonly role: string; readonly instruments: readonly number[] }
  | { readonly t: "ws-close"; readonly client: number; readonly stream: StreamName; readonly slow: boolean }
  | { readonly t: "stopped" };

/** Int32 slot: reads the front answered from its snapshot copy. */
export const COUNTER_HITS = 0;
/** Int32 slot: requests the front forwarded to the loop. */
export const COUNTER_FORWARDED = 1;
/** Int32 slot of HTTP status s (100..599): COUNTER_STATUS + s - 100. */
export const COUNTER_STATUS = 2;
/** Int32 slots in the counters buffer. */
export const COUNTER_SLOTS = COUNTER_STATUS + 500;

/** A fresh counters buffer. */
export function newCounters(): SharedArrayBuffer {
  return new SharedArrayBuffer(COUNTER_SLOTS * 4);
}

/** The answers by status the front counted, for /metrics. */
export function statusCounts(counters: Int32Array, into: Map<number, number>): Map<number, number> {
  into.clear();
  for (let s = 100; s < 600; s++) {
    const n = Atomics.load(counters, COUNTER_STATUS + s - 100);
    if (n > 0) into.set(s, n);
  }
  return into;
}
