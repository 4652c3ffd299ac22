/**
 * The smart order router's decisions on hand-made candidates: price, fees, latency and fill probability
 * as costs in ticks; sweeps past the best venue's displayed size within the limit; passive
 * children go to the cheapest venue to rest at; every slice carries its reason.
 */
import { describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import type { RouteCandidate, RouteRequest } from "../../sdk/algo.ts";
import sor from "./index.ts";

const params = Value.Default(sor.manifest.params, {}) as never;
const router = sor.create({ params, log() {} });
const route = (req: Partial<RouteRequest>, cands: RouteCandidate[]) => router.route({ params, log() {} }, { side: 1, size: 100_000, type: "limit", price: 0, postOnly: false, now: 0, ...req }, cands);
const venue = (instrument: number, name: string, over: Partial<RouteCandidate> = {}): RouteCandidate => ({
  instrument, venue: name, bid: 110000, ask: 110002, bidSize: 0, askSize: 0, ts: 0, takerFeePpm: 20, makerFeePpm: 0, latencyUs: 150, fillProbability: 0.9, capacity: Number.POSITIVE_INFINITY, ...over,
});

describe("sor", () => {
  test("a taking child goes to the better price; equal prices: lower fee, then latency, then fill probability", () => {
    const better = route({ price: 110010 }, [venue(0, "oanda", { ask: 110003 }), venue(1, "fxcm")]);
    expect(better).toHaveLength(1);
    expect(better[0]).toMatchObject({ instrument: 1, size: 100_000, price: 110002 });
    expect(better[0]!.reason).toStartWith("best ask=110002 feePpm=20 latUs=150 p=0.90");
    expect(better[0]!.reason).toContain("vs oanda:");
    expect(route({ price: 110010 }, [venue(0, "a", { takerFeePpm: 30 }), venue(1, "b", { takerFeePpm: 10 })])[0]!.instrument).toBe(1);
    expect(route({ price: 110010 }, [venue(0, "a", { latencyUs: 5000 }), venue(1, "b")])[0]!.instrument).toBe(1);
    expect(route({ price: 110010 }, [venue(0, "a", { fillProbability: 0.2 }), venue(1, "b", { fillProbability: 0.95 })])[0]!.instrument).toBe(1);
    // Fees count in ticks: 25 ppm of 1.10001 is 2.75 ticks, more than a one-tick better price, less than five.
    expect(route({ price: 110010 }, [venue(0, "a", { ask: 110001, takerFeePpm: 25 }), venue(1, "b", { takerFeePpm: 0 })])[0]!.instrument).toBe(1);
    expect(route({ price: 110010 }, [venue(0, "a", { ask: 109997, takerFeePpm: 25 }), venue(1, "b", { takerFeePpm: 0 })])[0]!.instrument).toBe(0);
  });

  test("sweeps past the best venue's displayed size, within the limit, and sells to the best bid", () => {
    const s = route({ size: 250_000, price: 110003 }, [venue(0, "a", { ask: 110001, askSize: 100_000 }), venue(1, "b", { ask: 110003, askSize: 100_000 }), venue(2, "c", { ask: 110005, askSize: 500_000 })]);
    expect(s.map((x) => [x.instrument, x.size, x.price])).toEqual([[0, 150_000, 110001], [1, 100_000, 110003]]);
    expect(s[0]!.reason).toContain("+rest=50000");
    expect(s[1]!.reason).toStartWith("sweep ");
    const sell = route({ side: -1, price: 109990 }, [venue(0, "a", { bid: 109999 }), venue(1, "b", { bid: 110001 })]);
    expect(sell[0]).toMatchObject({ instrument: 1, price: 110001 });
  });

  test("a passive child rests whole at the cheapest venue to rest at", () => {
    const s = route({ price: 109995 }, [venue(0, "a", { makerFeePpm: 5 }), venue(1, "b", { makerFeePpm: -2 })]);
    expect(s).toEqual([{ instrument: 1, size: 100_000, price: 109995, reason: "passive makerFeePpm=-2 p=0.90" }]);
    expect(route({ price: 110010, postOnly: true }, [venue(0, "a"), venue(1, "b", { fillProbability: 0.95 })])[0]!.instrument).toBe(1);
  });
});

describe("sor capacity", () => {
  test("no slice exceeds a venue's remaining position room; the rest goes where there is room", () => {
    const s = route({ size: 300_000, price: 110010 }, [venue(0, "a", { ask: 110001, capacity: 100_000 }), venue(1, "b", { ask: 110002 })]);
    expect(s.map((x) => [x.instrument, x.size])).toEqual([[0, 100_000], [1, 200_000]]);
    const passive = route({ size: 300_000, price: 109990 }, [venue(0, "a", { makerFeePpm: -1, capacity: 50_000 }), venue(1, "b")]);
    expect(passive.map((x) => [x.instrument, x.size])).toEqual([[0, 50_000], [1, 250_000]]);
    expect(passive[0]!.reason).toContain("capacity=50000");
  });
});
