/**
 * The user-stream outage scenario both crypto venues pass (plugin level, a recording context):
 * three orders rest at the double; the stream drops and, before it is back, the double fills half
 * of one and all of another; after the reconnect each missed fill is reported exactly once, the
 * untouched order is settled from the open-orders list without a read of its own, and the next
 * fill comes over the stream as usual.
 */
import { expect } from "bun:test";
import type { VenueAdapter, VenueOrder } from "../../../sdk/venue.ts";
import type { DoubleMatching } from "../../binance/testing/matching.ts";
import { until, type Recorded } from "../../binance/testing/venue-context.ts";

/** What the scenario needs of a venue and its double. */
export interface OutageSetup {
  readonly venue: VenueAdapter & { readonly orders: { readonly counters: { userReconnects: number; openListed: number } } | null };
  readonly double: { readonly matching: DoubleMatching; inject(f: { kind: "disconnect"; streams: "user" } | { kind: "fill"; clientOrderId: string; qty?: number }): void };
  readonly rec: Recorded;
  /** The best bid now (ticks). */
  readonly bid: number;
  /** Client order id of an order id. */
  readonly clientId: (id: number) => string;
  /** The venue's reconcile alert code. */
  readonly reconcileCode: string;
}

/** Runs the outage scenario. */
export async function outageFillsOnce(o: OutageSetup): Promise<void> {
  const { venue, double, rec } = o;
  const order = (id: number): VenueOrder => ({ id, instrument: 0, side: 1, type: "limit", tif: "GTC", price: o.bid - 100_000 * id, stopPrice: 0, size: 200_000, expireTs: 0, postOnly: false, ts: 0 });
  const reportsOf = (id: number) => rec.reports.filter((r) => r.orderId === id).map((r) => r.kind);
  const filledOf = (id: number) => rec.reports.reduce((s, r) => s + (r.orderId === id && r.kind === "fill" ? r.size : 0), 0);
  const counters = () => venue.orders!.counters;
  for (const id of [1, 2, 3]) venue.submit(order(id));
  await until(() => [1, 2, 3].every((id) => reportsOf(id).includes("accepted")), "three orders resting");
  const reconnects = counters().userReconnects;
  // The stream drops; before it is back the market fills half of order 2 and all of order 3.
  double.inject({ kind: "disconnect", streams: "user" });
  double.inject({ kind: "fill", clientOrderId: o.clientId(2), qty: 100_000 });
  double.inject({ kind: "fill", clientOrderId: o.clientId(3) });
  await until(() => counters().userReconnects > reconnects && filledOf(2) === 100_000 && filledOf(3) === 200_000, "missed fills applied");
  await until(() => counters().openListed >= 1, "order 1 settled by the open-orders list");
  // Then the stream carries the next fill of order 2 as usual.
  double.inject({ kind: "fill", clientOrderId: o.clientId(2) });
  await until(() => filledOf(2) === 200_000, "live fill after the outage");
  await Bun.sleep(100);
  expect(reportsOf(1)).toEqual(["accepted"]);
  expect(reportsOf(3)).toEqual(["accepted", "fill"]);
  // Each trade at the double is one fill here, whichever path (REST or stream) brought it first.
  expect(rec.reports.filter((r) => r.kind === "fill").length).toBe(double.matching.trades.length);
  expect(rec.alerts.some((a) => a.code === o.reconcileCode)).toBe(true);
}
