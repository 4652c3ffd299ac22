/**
 * The cluster's view for its one admin plane: every shard's latest state read from the state KV
 * bucket (at most `maxAgeMs` old), each shard's health from it, and the merged lists (orders,
 * positions, alerts, P&L) with each row naming its shard. A shard that has put no state is
 * "missing"; one whose state stopped changing for `staleMs` is "stale" (dead or cut off: its
 * standby takes over and the holder changes); one that stopped gracefully is "stopped".
 */
import type { KV } from "@nats-io/kv";
import { wallMicros } from "../../kernel/clock.ts";
import type { ShardState } from "./shard-state.ts";

/** Health of one shard as the admin plane sees it. */
export interface ShardHealth {
  shard: string;
  status: "up" | "stale" | "stopped" | "missing";
  holder: string | null;
  /** Milliseconds since the shard's last state (null when missing). */
  ageMs: number | null;
  events: number;
  orders: number;
  fills: number;
  pnl: number | null;
  tradingState: string | null;
  killSwitch: boolean;
}

/** Reads and merges the shards' states. */
export class ClusterView {
  private cache: { atMs: number; states: Map<string, ShardState> } | null = null;
  private loading: Promise<Map<string, ShardState>> | null = null;

  constructor(
    private readonly kv: KV,
    /** The configured shard names, in the deployment's order. */
    readonly shards: readonly string[],
    private readonly staleMs = 3000,
    private readonly maxAgeMs = 200,
  ) {}

  /** The latest state of every shard that has put one. */
  async states(): Promise<Map<string, ShardState>> {
    if (this.cache !== null && performance.now() - this.cache.atMs < this.maxAgeMs) return this.cache.states;
    if (this.loading !== null) return await this.loading;
    this.loading = (async () => {
      const states = new Map<string, ShardState>();
      const entries = await Promise.all(this.shards.map((s) => this.kv.get(s)));
      for (const e of entries) {
        if (e === null || e.operation !== "PUT") continue;
        const st = JSON.parse(e.string()) as ShardState;
        states.set(st.shard, st);
      }
      this.cache = { atMs: performance.now(), states };
      return states;
    })();
    try {
      return await this.loading;
    } finally {
      this.loading = null;
    }
  }

  /** Health of every configured shard, in the deployment's order. */
  async health(): Promise<{ status: "ok" | "degraded"; shards: ShardHealth[] }> {
    const states = await this.states();
    const now = wallMicros();
    const shards = this.shards.map((name): ShardHealth => {
      const st = states.get(name);
      if (st === undefined) return { shard: name, status: "missing", holder: null, ageMs: null, events: 0, orders: 0, fills: 0, pnl: null, tradingState: null, killSwitch: false };
      const ageMs = Math.max(0, Math.round((now - st.updatedUs) / 1000));
      const status = st.status === "stopped" ? "stopped" : ageMs > this.staleMs ? "stale" : "up";
      return { shard: name, status, holder: st.holder, ageMs, events: st.events, orders: st.orders, fills: st.fills, pnl: st.pnl, tradingState: st.tradingState, killSwitch: st.killSwitch };
    });
    return { status: shards.every((s) => s.status === "up") ? "ok" : "degraded", shards };
  }

  /** Every shard's orders (open ones, then recent finished ones), each with its shard, newest first per shard. */
  async orders(filter: { status?: string; shard?: string; instrument?: string } = {}) {
    const out = [];
    for (const [shard, st] of await this.states()) {
      if (filter.shard !== undefined && filter.shard !== shard) continue;
      for (const o of st.orderList) {
        if (filter.status === "open" && !OPEN.has(o.status)) continue;
        if (filter.status !== undefined && filter.status !== "open" && o.status !== filter.status) continue;
        if (filter.instrument !== undefined && o.instrument !== filter.instrument) continue;
        out.push({ shard, ...o });
      }
    }
    return out;
  }

  /** Every shard's positions, each with its shard. */
  async positions() {
    const out = [];
    for (const [shard, st] of await this.states()) for (const p of st.positions) out.push({ shard, ...p });
    return out;
  }

  /** Every shard's recent alerts, each with its shard, newest first. */
  async alerts() {
    const out = [];
    for (const [shard, st] of await this.states()) for (const a of st.alerts) out.push({ shard, ...a });
    return out.sort((a, b) => b.ts - a.ts);
  }

  /** P&L per shard and the firm total (null when a shard's is unknown). */
  async pnl(): Promise<{ currency: string | null; total: number | null; shards: { shard: string; pnl: number | null }[] }> {
    const states = await this.states();
    const shards = this.shards.map((shard) => ({ shard, pnl: states.get(shard)?.pnl ?? null }));
    const total = shards.some((s) => s.pnl === null) ? null : Math.round(shards.reduce((sum, s) => sum + s.pnl!, 0) * 100) / 100;
    return { currency: [...states.values()][0]?.currency ?? null, total, shards };
  }
}

const OPEN = new Set(["pending", "working", "partially-filled", "pending-cancel"]);
