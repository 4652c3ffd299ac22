/**
 * The order churn path alone: the OMS and the sim venue of a source tree (imported from its path)
 * driven through the real day's pattern — a quote, an order created in the OMS and submitted to
 * the venue, the accepted report applied, a cancel of the order `live` back requested and its
 * report applied — by a minimal FIFO timer list. Prints the median ns per order of `rounds` runs
 * after one warm-up, and the records the venue's pool made (when it has one). For an A/B, run it
 * for each tree in alternating processes: two trees in one process were biased (an A/A gave 1.14).
 *
 *   bun bench/order-churn.ts <tree> [orders] [rounds] [live]   (default 200000 orders, 8 rounds, 3 live)
 */
import { resolve } from "node:path";
import { loadavg } from "node:os";
import { median } from "./backtest-ab.ts";

interface Churn {
  run(orders: number): number;
  made(): number | null;
}

async function churn(root: string, live: number): Promise<Churn> {
  const { Oms } = await import(resolve(root, "runtime/execution/oms.ts"));
  const { SimVenue } = await import(resolve(root, "plugins/venues/sim/sim-venue.ts"));
  const inst = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
  let made: number | null = null;
  return {
    made: () => made,
    run(orders: number): number {
      const oms = new Oms();
      let now = 1_000_000;
      const due: number[] = [];
      const fns: (() => void)[] = [];
      let head = 0;
      const ctx = {
        name: "sim", params: {}, instruments: [inst], seed: 7, now: () => now,
        schedule: (ts: number, fn: () => void) => { due.push(ts); fns.push(fn); },
        report: (r: { kind: string }) => { if (!oms.apply(r).ok) throw new Error(`order-churn: OMS refused ${r.kind}`); },
        quote: () => true, trade: () => true, alert: () => {},
      };
      const venue = new SimVenue(ctx, { orderLatencyUs: 150, reportLatencyUs: 150, feedDelayUs: 0, jitterUs: 0, makerFeePpm: 0, takerFeePpm: 20, dayEndHourUtc: 21 });
      const runTo = (ts: number) => {
        while (head < due.length && due[head]! <= ts) {
          now = Math.max(now, due[head]!);
          fns[head++]!();
        }
        if (head > 4096) { due.splice(0, head); fns.splice(0, head); head = 0; }
        now = Math.max(now, ts);
      };
      const cause = { event: 0, version: "1", features: 0, model: "" };
      const ids: number[] = [];
      const quote = { ts: 0, instrument: 0, bid: 110_000, ask: 110_002, bidSize: 1_000_000, askSize: 1_000_000 };
      const t0 = Bun.nanoseconds();
      for (let i = 0; i < orders; i++) {
        quote.ts = now;
        quote.bid = 110_000 + (i % 3);
        quote.ask = quote.bid + 2;
        venue.onQuote(quote);
        const side = i % 2 === 0 ? 1 : -1;
        const price = side === 1 ? quote.bid - 5 : quote.ask + 5;
        const o = oms.create("mm", { instrument: 0, side, type: "limit", tif: "GTC", price, size: 100_000, postOnly: true }, now, cause);
        venue.submit({ id: o.id, instrument: 0, side, type: "limit", tif: "GTC", price, stopPrice: 0, size: 100_000, expireTs: 0, postOnly: true, ts: now });
        ids.push(o.id);
        if (ids.length > live) {
          const id = ids.shift()!;
          if (oms.requestCancel(id, now)) venue.cancel(id);
        }
        runTo(now + 400);
      }
      const ns = (Bun.nanoseconds() - t0) / orders;
      made = venue.pool === undefined ? null : venue.pool.made;
      for (const id of ids) if (oms.requestCancel(id, now)) venue.cancel(id);
      runTo(now + 10_000);
      if (oms.openCount !== 0) throw new Error(`order-churn: ${oms.openCount} orders still open`);
      return ns;
    },
  };
}

if (import.meta.main) {
  const orders = Number(process.argv[3] ?? 200_000);
  const rounds = Number(process.argv[4] ?? 8);
  const t = await churn(resolve(process.argv[2]!), Number(process.argv[5] ?? 3));
  t.run(orders);
  const ns: number[] = [];
  for (let i = 0; i < rounds; i++) {
    Bun.gc(true);
    ns.push(t.run(orders));
  }
  console.log(`${median(ns).toFixed(0)} ns/order median of ${rounds} (${ns.map((x) => x.toFixed(0)).join(" ")}); pool records: ${t.made() ?? "no pool"}; load ${loadavg()[0]!.toFixed(2)}`);
}
