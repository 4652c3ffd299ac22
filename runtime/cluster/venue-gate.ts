/**
 * Write-ahead to the cluster: an order (or cancel, or replace) reaches the venue only after the
 * mirrored journal batch holding it is acknowledged by JetStream, so an order can never exist at
 * the venue and be missing from the journal a standby restores. Requests wait in a FIFO tagged
 * with their batch number and are released, in order, as acknowledgements arrive. The wall time
 * from the market event's publication at the feed to the release is the tick-to-order latency
 * across the broker.
 */
import type { VenueAdapter, VenueOrder } from "../../plugins/sdk/venue.ts";
import { wallMicros } from "../kernel/clock.ts";
import type { JournalMirror } from "./journal-mirror.ts";

/** Counters and latency samples of a gate. */
export interface GateStats {
  released: number;
  waiting: number;
  /** Feed publication → venue release of orders, microseconds (bounded sample ring). */
  tickToVenueUs: number[];
}

const SAMPLES = 4096;

/** Wraps a venue so that requests wait for their journal batch's acknowledgement. */
export function gateVenue(
  venue: VenueAdapter,
  mirror: JournalMirror,
  causeSentUs: () => number,
  onRelease?: (order: VenueOrder) => void,
): { adapter: VenueAdapter; stats: GateStats } {
  const queue: { batch: number; sentUs: number; run: () => void }[] = [];
  const stats: GateStats = { released: 0, waiting: 0, tickToVenueUs: [] };
  let stopped = false;
  let sampleAt = 0;
  const release = (acked: number) => {
    while (queue.length > 0 && queue[0]!.batch <= acked && !stopped) {
      const q = queue.shift()!;
      stats.waiting = queue.length;
      stats.released++;
      if (q.sentUs > 0) {
        const lat = wallMicros() - q.sentUs;
        if (stats.tickToVenueUs.length < SAMPLES) stats.tickToVenueUs.push(lat);
        else stats.tickToVenueUs[sampleAt++ % SAMPLES] = lat;
      }
      q.run();
    }
  };
  const previous = mirror.onAcked;
  mirror.onAcked = (n) => {
    previous?.(n);
    release(n);
  };
  const enqueue = (sentUs: number, run: () => void) => {
    queue.push({ batch: mirror.pendingBatch, sentUs, run });
    stats.waiting = queue.length;
  };
  const adapter: VenueAdapter = {
    submit: (order: VenueOrder) =>
      enqueue(causeSentUs(), () => {
        onRelease?.(order);
        venue.submit(order);
      }),
    cancel: (orderId: number) => enqueue(0, () => venue.cancel(orderId)),
    stop: () => {
      stopped = true;
      venue.stop?.();
    },
  };
  if (venue.replace !== undefined) adapter.replace = (id, price, size) => enqueue(0, () => venue.replace!(id, price, size));
  if (venue.onQuote !== undefined) adapter.onQuote = (q) => venue.onQuote!(q);
  if (venue.onTrade !== undefined) adapter.onTrade = (t) => venue.onTrade!(t);
  return { adapter, stats };
}
