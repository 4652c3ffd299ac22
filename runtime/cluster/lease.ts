/**
 * The failover lease of a shard: a key in a JetStream KV bucket whose entries expire after the
 * lease time (the bucket's TTL, which a 2.9 server supports; per-key TTLs need 2.11). The holder
 * creates the key (only possible when it is absent or deleted), renews it by compare-and-set on
 * its revision every third of the TTL, and deletes it on a graceful stop. A holder that stops
 * renewing (killed, partitioned) loses the key when it expires; a standby polling `create` then
 * takes it. A failed renewal means the lease is gone: the holder must stop (its journal mirror is
 * also fenced by sequence, so a late write cannot interleave with the new holder's).
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { Kvm, type KV } from "@nats-io/kv";
import { ClusterError } from "./errors.ts";

/** Opens (creating if needed) the lease bucket with the given TTL and replicas. */
export async function openLeaseBucket(nc: NatsConnection, bucket: string, ttlMs: number, replicas: number): Promise<KV> {
  return await new Kvm(nc).create(bucket, { ttl: ttlMs, replicas, history: 1 });
}

/** A held lease. */
export class Lease {
  private timer: ReturnType<typeof setInterval> | null = null;
  private renewing = false;
  private renewedAt = performance.now();
  /** Set when a renewal failed (the lease is lost). */
  lost: string | null = null;
  /** Called once when the lease is lost. */
  onLost: ((why: string) => void) | null = null;

  private constructor(
    private readonly kv: KV,
    readonly key: string,
    readonly holder: string,
    private revision: number,
    private readonly ttlMs: number,
  ) {}

  /**
   * Waits (bounded by `waitMs`, or until `stopped()` is true) for the key to be free, takes it and
   * starts renewing; null when it could not be taken in time.
   */
  static async acquire(kv: KV, key: string, holder: string, ttlMs: number, waitMs: number, stopped: () => boolean = () => false): Promise<Lease | null> {
    const deadline = performance.now() + waitMs;
    const poll = Math.max(50, Math.floor(ttlMs / 5));
    do {
      try {
        const rev = await kv.create(key, holder);
        const lease = new Lease(kv, key, holder, rev, ttlMs);
        lease.start();
        return lease;
      } catch {
        // Held by someone else (or the server is electing a leader): try again shortly.
      }
      await Bun.sleep(poll);
    } while (performance.now() < deadline && !stopped());
    return null;
  }

  /** Who holds a lease now ("" when nobody). */
  static async holder(kv: KV, key: string): Promise<string> {
    const e = await kv.get(key);
    return e === null || e.operation !== "PUT" ? "" : e.string();
  }

  private start(): void {
    this.timer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.ttlMs / 3)));
  }

  /** Stops renewing without releasing (what a partitioned holder looks like to the others). */
  stopRenewing(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }

  /**
   * Renews once now (normally on the timer). A refused compare-and-set (someone else's revision)
   * loses the lease at once; a timeout or lost connection loses it only once the TTL has passed
   * since the last good renewal (the key has expired on the server by then).
   */
  async renew(): Promise<void> {
    if (this.renewing || this.lost !== null) return;
    this.renewing = true;
    try {
      this.revision = await this.kv.update(this.key, this.holder, this.revision, Math.max(200, Math.floor(this.ttlMs / 3)));
      this.renewedAt = performance.now();
    } catch (err) {
      const message = (err as Error).message;
      if (/wrong last sequence/i.test(message) || performance.now() - this.renewedAt >= this.ttlMs) {
        this.lost = new ClusterError("CLUSTER_LEASE_LOST", `key=${this.key} holder=${this.holder} reason=${message}`).message;
        if (this.timer !== null) clearInterval(this.timer);
        this.onLost?.(this.lost);
      }
    } finally {
      this.renewing = false;
    }
  }

  /** Stops renewing and deletes the key (if still ours) so a standby can take over at once. */
  async release(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    if (this.lost !== null) return;
    try {
      await this.kv.delete(this.key, { previousSeq: this.revision });
    } catch {
      // Already expired or taken: nothing of ours to delete.
    }
  }
}
