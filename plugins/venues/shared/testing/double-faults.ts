/**
 * The fault plumbing both crypto exchange doubles share: the faults they inject the same way
 * (frame faults on the book stream, 429s, clock skew, lost user events, fills of resting orders),
 * the state those faults leave, how one book message goes out through the frame-fault queue, and
 * the JSON reply. A double keeps the protocol's own parts: what a sequence gap looks like, which
 * messages are book messages, what a 429 answers.
 */
import type { DoubleMatching } from "../../binance/testing/matching.ts";

/** Faults of the next book message(s) (a gap is the protocol's own and comes with the double's fault type). */
export type FrameFault = { kind: "drop"; count?: number } | { kind: "duplicate" } | { kind: "reorder" } | { kind: "malformed" };

/** Faults every double applies the same way. */
export type CommonFault =
  | FrameFault
  | { kind: "rate-limit"; requests: number; retryAfterSeconds?: number }
  | { kind: "clock-skew"; ms: number }
  | { kind: "lose-user-events"; count: number }
  /** The market trades through a resting order of ours: it fills `qty` (default all that is left) as maker at its price. */
  | { kind: "fill"; clientOrderId: string; qty?: number };

/** Where a reordered message waits (per double or per connection). */
export interface HeldSlot {
  held: string | null;
}

/** The fault state of one double. */
export class DoubleFaults<G extends { kind: "gap" }> {
  /** Frame faults waiting for the next book messages, in order. */
  readonly frames: (FrameFault | G)[] = [];
  /** 429s still to answer. */
  rateLimited = 0;
  retryAfterSeconds = 1;
  /** Exchange clock minus the wall clock, ms. */
  skewMs = 0;
  /** User events still to lose. */
  loseUserEvents = 0;

  constructor(private readonly matching: DoubleMatching) {}

  /** Exchange time: the wall clock plus any injected skew, ms. */
  serverTime(): number {
    return Date.now() + this.skewMs;
  }

  /** Applies a fault every double handles alike; false when the fault is the double's own. */
  apply(f: { kind: string }): boolean {
    const c = f as CommonFault | G;
    switch (c.kind) {
      case "drop":
      case "duplicate":
      case "reorder":
      case "malformed":
      case "gap":
        this.frames.push(c);
        return true;
      case "rate-limit":
        this.rateLimited += c.requests;
        this.retryAfterSeconds = c.retryAfterSeconds ?? 1;
        return true;
      case "clock-skew":
        this.skewMs = c.ms;
        return true;
      case "lose-user-events":
        this.loseUserEvents += c.count;
        return true;
      case "fill": {
        const o = this.matching.byClientId.get(c.clientOrderId);
        if (o === undefined || !this.matching.fillResting(o, c.qty ?? o.qty - o.executed, this.serverTime())) throw new Error(`double: no resting order ${c.clientOrderId} to fill`);
        return true;
      }
      default:
        return false;
    }
  }

  /** Takes one injected 429 if any is due. */
  takeRateLimit(): boolean {
    if (this.rateLimited <= 0) return false;
    this.rateLimited--;
    return true;
  }

  /** Counts off one user event; true when it is to be lost. */
  loseUserEvent(): boolean {
    if (this.loseUserEvents <= 0) return false;
    this.loseUserEvents--;
    return true;
  }

  /**
   * Sends one book message through the frame-fault queue: dropped, sent twice, held back to go
   * after the next one, cut short (not JSON), or (a gap) handed to `gap`, which sends it the
   * protocol's way; otherwise sent as is.
   */
  send(text: string, slot: HeldSlot, out: (text: string) => void, gap: (fault: G) => void): void {
    if (slot.held !== null) {
      const held = slot.held;
      slot.held = null;
      out(text);
      out(held);
      return;
    }
    const f = this.frames[0];
    if (f === undefined) return out(text);
    switch (f.kind) {
      case "drop":
        if ((f.count ?? 1) <= 1) this.frames.shift();
        else f.count = (f.count ?? 1) - 1;
        return;
      case "duplicate":
        this.frames.shift();
        out(text);
        out(text);
        return;
      case "reorder":
        this.frames.shift();
        slot.held = text;
        return;
      case "malformed":
        // The message arrives cut short: not JSON, and its update is lost.
        this.frames.shift();
        out(text.slice(0, Math.floor(text.length / 2)));
        return;
      default:
        this.frames.shift();
        gap(f as G);
    }
  }
}

/** A JSON reply. */
export function json(value: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), { status, headers: { "Content-Type": "application/json", ...headers } });
}
