import { expect, test } from "bun:test";
import type { Instrument } from "../../sdk/instrument.ts";
import type { ExecutionReport, VenueContext, VenueOrder } from "../../sdk/venue.ts";
import { SimVenue, type SimVenueParams } from "./sim-venue.ts";

const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const P: SimVenueParams = { orderLatencyUs: 100, reportLatencyUs: 50, feedDelayUs: 0, jitterUs: 0, makerFeePpm: -10, takerFeePpm: 20, dayEndHourUtc: 21 };

/** A venue driven by a tiny clock and timer list, as the kernel would drive it. */
function harness(params: SimVenueParams = P) {
  let now = 1_000_000;
  const timers: { ts: number; seq: number; fn: () => void }[] = [];
  let seq = 0;
  const reports: ExecutionReport[] = [];
  const ctx: VenueContext = {
    name: "sim",
    params: params as never,
    instruments: [EURUSD],
    seed: 1,
    now: () => now,
    schedule: (ts, fn) => timers.push({ ts, seq: seq++, fn }),
    report: (r) => reports.push(r),
    quote: () => true,
    trade: () => true,
    alert: () => {},
  };
  const venue = new SimVenue(ctx, params);
  const runTo = (ts: number) => {
    for (;;) {
      timers.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
      const t = timers[0];
      if (t === undefined || t.ts > ts) break;
      timers.shift();
      now = Math.max(now, t.ts);
      t.fn();
    }
    now = Math.max(now, ts);
  };
  const quote = (bid: number, ask: number, bidSize = 1_000_000, askSize = 1_000_000) => {
    venue.onQuote({ ts: now, instrument: 0, bid, ask, bidSize, askSize });
  };
  let nextId = 1;
  const order = (o: Partial<VenueOrder>): number => {
    const id = nextId++;
    venue.submit({ id, instrument: 0, side: 1, type: "limit", tif: "GTC", price: 0, stopPrice: 0, size: 100_000, expireTs: 0, postOnly: false, ts: now, ...o });
    return id;
  };
  return { venue, reports, runTo, quote, order, now: () => now };
}

/** Reports of one order as short strings; fees are money units (1e-5 USD on EURUSD: price ticks x size units). */
const kinds = (rs: ExecutionReport[], id: number) => rs.filter((r) => r.orderId === id).map((r) => (r.kind === "fill" ? `fill ${r.size}@${r.price} ${r.liquidity} fee=${r.fee}` : r.kind));

test("reports arrive after the order latency plus the report latency", () => {
  const h = harness();
  h.quote(110_000, 110_002);
  const id = h.order({ price: 109_990 });
  h.runTo(1_000_149);
  expect(h.reports.length).toBe(0);
  h.runTo(1_000_150);
  expect(kinds(h.reports, id)).toEqual(["accepted"]);
  expect(h.reports[0]!.ts).toBe(1_000_150);
});

test("a marketable limit takes the ask as taker, walks one tick per displayed size, and rests the rest (GTC)", () => {
  const h = harness();
  h.quote(110_000, 110_002, 1_000_000, 60_000);
  const id = h.order({ price: 110_003, size: 150_000 });
  h.runTo(2_000_000);
  // 60k at 110002, 60k at 110003, 30k rests at 110003.
  expect(kinds(h.reports, id)).toEqual(["accepted", "fill 60000@110002 taker fee=132002", "fill 60000@110003 taker fee=132004"]);
  expect(h.venue.workingCount).toBe(1);
});

test("IOC cancels its remainder; FOK that cannot fill completely is canceled whole", () => {
  const h = harness();
  h.quote(110_000, 110_002, 1_000_000, 50_000);
  const ioc = h.order({ price: 110_002, tif: "IOC", size: 80_000 });
  const fok = h.order({ price: 110_002, tif: "FOK", size: 80_000 });
  const fokOk = h.order({ price: 110_003, tif: "FOK", size: 80_000 });
  h.runTo(2_000_000);
  expect(kinds(h.reports, ioc)).toEqual(["accepted", "fill 50000@110002 taker fee=110002", "canceled"]);
  expect(kinds(h.reports, fok)).toEqual(["accepted", "canceled"]);
  expect(h.reports.find((r) => r.orderId === fok && r.kind === "canceled")).toMatchObject({ reason: "FOK_NOT_FILLABLE" });
  // The IOC took the 50k displayed at 110002: the FOK finds 50k at 110003 and 30k at 110004 (liquidity is not reused).
  expect(kinds(h.reports, fokOk)).toEqual(["accepted", "canceled"]);
  const fokDeep = h.order({ price: 110_004, tif: "FOK", size: 80_000 });
  h.runTo(3_000_000);
  expect(kinds(h.reports, fokDeep)).toEqual(["accepted", "fill 50000@110003 taker fee=110003", "fill 30000@110004 taker fee=66002"]);
});

test("a post-only order that would take is rejected; one that would rest is accepted", () => {
  const h = harness();
  h.quote(110_000, 110_002);
  const bad = h.order({ price: 110_002, postOnly: true });
  const good = h.order({ price: 110_001, postOnly: true });
  h.runTo(2_000_000);
  expect(kinds(h.reports, bad)).toEqual(["rejected"]);
  expect(kinds(h.reports, good)).toEqual(["accepted"]);
});

test("a resting bid waits behind the displayed size: trades consume the queue ahead before filling us, as maker", () => {
  const h = harness();
  h.quote(110_000, 110_002, 300_000, 1_000_000);
  const id = h.order({ price: 110_000, size: 100_000 });
  h.runTo(1_000_200);
  h.venue.onTrade({ ts: h.now(), instrument: 0, price: 110_000, size: 250_000, side: -1 });
  h.venue.onTrade({ ts: h.now(), instrument: 0, price: 110_000, size: 120_000, side: -1 });
  h.runTo(2_000_000);
  // 300k ahead: the first print leaves 50k ahead, the second fills 70k of ours; rebate is negative fee.
  expect(kinds(h.reports, id)).toEqual(["accepted", "fill 70000@110000 maker fee=-77000"]);
});

test("a resting bid fills as maker at its own price when the ask comes down to it", () => {
  const h = harness();
  h.quote(110_000, 110_002);
  const id = h.order({ price: 109_995 });
  h.runTo(1_000_200);
  h.quote(109_990, 109_995, 1_000_000, 40_000);
  h.quote(109_990, 109_994, 1_000_000, 1_000_000);
  h.runTo(2_000_000);
  expect(kinds(h.reports, id)).toEqual(["accepted", "fill 40000@109995 maker fee=-43998", "fill 60000@109995 maker fee=-65997"]);
});

test("a buy stop waits for the ask to reach its trigger, then executes as a market order", () => {
  const h = harness();
  h.quote(110_000, 110_002);
  const id = h.order({ type: "stop", stopPrice: 110_010, tif: "GTC" });
  h.runTo(1_000_200);
  h.quote(110_005, 110_007);
  expect(kinds(h.reports, id)).toEqual(["accepted"]);
  h.quote(110_009, 110_011);
  h.runTo(2_000_000);
  expect(kinds(h.reports, id)).toEqual(["accepted", "fill 100000@110011 taker fee=220022"]);
});

test("GTD orders expire at their time; cancels of unknown orders are refused", () => {
  const h = harness();
  h.quote(110_000, 110_002);
  const id = h.order({ price: 109_000, tif: "GTD", expireTs: 1_500_000 });
  h.runTo(1_499_999);
  expect(kinds(h.reports, id)).toEqual(["accepted"]);
  h.runTo(1_600_000);
  expect(kinds(h.reports, id)).toEqual(["accepted", "expired"]);
  h.venue.cancel(id);
  h.runTo(2_000_000);
  expect(kinds(h.reports, id)).toEqual(["accepted", "expired", "cancel-rejected"]);
});

test("a market order with no quote at the venue is rejected, not filled at a made-up price", () => {
  const h = harness();
  const id = h.order({ type: "market", tif: "IOC" });
  h.runTo(2_000_000);
  expect(kinds(h.reports, id)).toEqual(["rejected"]);
});

test("feed delay lengthens the order path: an order decided on stale data meets the market that much later", () => {
  const h = harness({ ...P, feedDelayUs: 400 });
  h.quote(110_000, 110_002);
  const id = h.order({ price: 110_002, tif: "IOC" });
  h.runTo(1_000_499);
  h.quote(110_004, 110_006); // the market moved before our order arrived
  h.runTo(2_000_000);
  expect(kinds(h.reports, id)).toEqual(["accepted", "canceled"]);
});

test("a quote without sizes gives takers nothing, unless assumedQuoteSize assumes a size there", () => {
  const bare = harness();
  bare.quote(110_000, 110_002, 0, 0);
  const a = bare.order({ price: 110_002, tif: "IOC" });
  bare.runTo(2_000_000);
  expect(kinds(bare.reports, a)).toEqual(["accepted", "canceled"]);
  const assumed = harness({ ...P, assumedQuoteSize: 1_000_000 });
  assumed.quote(110_000, 110_002, 0, 0);
  const b = assumed.order({ price: 110_002, tif: "IOC" });
  assumed.runTo(2_000_000);
  expect(kinds(assumed.reports, b)[1]).toStartWith("fill 100000@110002 taker");
});

test("with jitter, an IOC's reports still arrive in the order they were sent: accepted, fill, canceled", () => {
  const h = harness({ ...P, jitterUs: 1_000 });
  h.quote(110_000, 110_002, 1_000_000, 40_000);
  const ids: number[] = [];
  for (let i = 0; i < 50; i++) {
    ids.push(h.order({ tif: "IOC", price: 110_002 }));
    h.runTo(h.now() + 600);
    h.quote(110_000, 110_002, 1_000_000, 40_000);
  }
  h.runTo(h.now() + 10_000);
  let filled = 0;
  for (const id of ids) {
    const k = h.reports.filter((r) => r.orderId === id).map((r) => r.kind);
    // Accepted first, canceled (the IOC remainder) last, any fill in between; never a fill after the cancel.
    expect(k[0]).toBe("accepted");
    expect(k.at(-1)).toBe("canceled");
    expect(k.slice(1, -1).every((x) => x === "fill")).toBe(true);
    if (k.includes("fill")) filled++;
  }
  expect(filled).toBeGreaterThan(5);
  // Arrival times never go backwards.
  const ts = h.reports.map((r) => r.ts);
  expect(ts).toEqual([...ts].sort((a, b) => a - b));
});

test("with jitter, requests reach the venue in the order they were sent: a cancel never overtakes its order", () => {
  const h = harness({ ...P, jitterUs: 5_000 });
  h.quote(110_000, 110_002, 1_000_000, 1_000_000);
  const ids: number[] = [];
  for (let i = 0; i < 200; i++) {
    const id = h.order({ price: 109_990 });
    ids.push(id);
    h.venue.cancel(id);
  }
  h.runTo(h.now() + 100_000);
  for (const id of ids) {
    const k = h.reports.filter((r) => r.orderId === id).map((r) => r.kind);
    expect(k).toEqual(["accepted", "canceled"]);
  }
});
