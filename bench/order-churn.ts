/**
 * The order churn path alone, in two source trees in one process: the OMS and the sim venue of
 * each tree (imported from its own path) driven through the real day's pattern of about one
 * order per few quotes — a quote, an order created in the OMS and submitted to the venue, the
 * accepted report applied, a cancel requested and its report applied, with up to `live` orders
 * resting — by a minimal FIFO timer list. Prints ns per order of each tree, alternating, and the
 * median ratio B/A, beside the records the venue's pool made (B only, when it has one).
 *
 *   bun bench/order-churn.ts <treeA> <treeB> [orders] [rounds] [live]   (default 200000 orders, 12 rounds, 3 live)
 *   bun bench/order-churn.ts --one <tree> [orders] [rounds] [live]     (one tree in this process; alternate processes for an A/B)
 */
import { resolve } from "node:path";
import { loadavg } from "node:os";

interface Churn {
  run(orders: number): number;
  made(): number | null;
}

async function churn(root: string, live: number): Promise<Churn> {
  const { Oms } = await import(resolve(root, "runtime/execution/oms.ts"));
  const { SimVenue } = await import(resolve(root, "plugins/venues/sim/sim-venue.ts"));
  const inst = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
  return {
    made: () => null,
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
      this.made = () => (venue.pool === undefined ? null : venue.pool.made);
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
      for (const id of ids) if (oms.requestCancel(id, now)) venue.cancel(id);
      runTo(now + 10_000);
      if (oms.openCount !== 0) throw new Error(`order-churn: ${oms.openCount} orders still open`);
      return ns;
    },
  };
}

/** Median of a non-empty list. */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

if (import.meta.main && process.argv[2] === "--one") {
  // One tree per process (the caller alternates processes): median ns/order of `rounds` runs after one warm-up.
  const orders = Number(process.argv[4] ?? 200_000);
  const rounds = Number(process.argv[5] ?? 8);
  const t = await churn(resolve(process.argv[3]!), Number(process.argv[6] ?? 3));
  t.run(orders);
  const ns: number[] = [];
  for (let i = 0; i < rounds; i++) {
    Bun.gc(true);
    ns.push(t.run(orders));
  }
  console.log(`${median(ns).toFixed(0)} ns/order median of ${rounds} (${ns.map((x) => x.toFixed(0)).join(" ")}); pool records: ${t.made() ?? "no pool"}; load ${loadavg()[0]!.toFixed(2)}`);
} else if (import.meta.main) {
  const orders = Number(process.argv[4] ?? 200_000);
  const rounds = Number(process.argv[5] ?? 12);
  const live = Number(process.argv[6] ?? 3);
  const a = await churn(resolve(process.argv[2]!), live);
  const b = await churn(resolve(process.argv[3]!), live);
  console.log(`A=${resolve(process.argv[2]!)}\nB=${resolve(process.argv[3]!)}\n${rounds} rounds of ${orders} orders (${live} resting); load ${loadavg()[0]!.toFixed(2)}`);
  a.run(orders);
  b.run(orders);
  const na: number[] = [];
  const nb: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    Bun.gc(true);
    const x = i % 2 === 0 ? a.run(orders) : 0;
    Bun.gc(true);
    const y = b.run(orders);
    Bun.gc(true);
    const x2 = i % 2 === 0 ? x : a.run(orders);
    na.push(x2);
    nb.push(y);
    ratios.push(x2 / y);
  }
  console.log(`A median ${median(na).toFixed(0)} ns/order, B median ${median(nb).toFixed(0)} ns/order; speed B/A median ${median(ratios).toFixed(3)} (${rounds} pairs); records made by B's pool: ${b.made() ?? "no pool"}; load ${loadavg()[0]!.toFixed(2)}`);
}
