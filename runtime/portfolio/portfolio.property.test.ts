import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { Fill, Side } from "../../plugins/sdk/orders.ts";
import { PortfolioError } from "./errors.ts";
import { Portfolio } from "./portfolio.ts";
import { bookKey, recomputeFifo, referencePosition, referenceUnrealised } from "./recompute.ts";
import { restorePortfolio } from "./restore.ts";
import { INSTRUMENTS } from "./test-fixtures.ts";

const STRATEGIES = ["alpha", "beta", "gamma"];

interface Bounds {
  price: number;
  size: number;
  fee: number;
}

function fillsArb(b: Bounds, maxLength: number): fc.Arbitrary<Fill[]> {
  const one = fc.record({
    strategy: fc.constantFrom(...STRATEGIES),
    instrument: fc.integer({ min: 0, max: INSTRUMENTS.length - 1 }),
    side: fc.constantFrom<Side>(1, -1),
    price: fc.integer({ min: -Math.floor(b.price / 100), max: b.price }),
    size: fc.integer({ min: 1, max: b.size }),
    fee: fc.integer({ min: -b.fee, max: b.fee }),
  });
  return fc.array(one, { maxLength, size: "max" }).map((xs) =>
    xs.map((x, k) => ({ ...x, id: k + 1, orderId: k + 1, liquidity: "taker" as const, ts: 1_700_000_000_000_000 + k })),
  );
}

const marksArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 2_000_000 }), fc.integer({ min: 0, max: 50 })), {
  minLength: INSTRUMENTS.length,
  maxLength: INSTRUMENTS.length,
});

/** Asserts that every read-out of `p` equals the reference recomputation over `fills`, to the unit. */
function expectMatchesReference(p: Portfolio, fills: readonly Fill[]): void {
  const ref = recomputeFifo(fills);
  for (const inst of INSTRUMENTS) {
    const i = inst.id;
    let position = 0n;
    let realised = 0n;
    let fees = 0n;
    let unrealised = 0n;
    for (const s of STRATEGIES) {
      const book = ref.get(bookKey(s, i));
      const pos = book === undefined ? 0n : referencePosition(book);
      expect(BigInt(p.positionOf(s, i))).toBe(pos);
      expect(BigInt(p.realisedOf(s, i))).toBe(book?.realised ?? 0n);
      expect(BigInt(p.feesOf(s, i))).toBe(book?.fees ?? 0n);
      const lots = p.lots(i, s).map((l) => [BigInt(l.price), BigInt(l.side * l.size)]);
      expect(lots).toEqual(book?.lots.map((l) => [l.price, l.qty]) ?? []);
      const u = book !== undefined && p.isMarked(i) ? referenceUnrealised(book, BigInt(p.bid(i)), BigInt(p.ask(i))) : 0n;
      expect(BigInt(p.unrealisedOf(s, i))).toBe(u);
      position += pos;
      realised += book?.realised ?? 0n;
      fees += book?.fees ?? 0n;
      unrealised += u;
    }
    expect(BigInt(p.position(i))).toBe(position);
    expect(BigInt(p.realised(i))).toBe(realised);
    expect(BigInt(p.fees(i))).toBe(fees);
    expect(BigInt(p.unrealised(i))).toBe(unrealised);
  }
}

describe("accounting property", () => {
  test("positions, lots, realised and unrealised P&L and fees equal a FIFO recomputation from the fills, to the unit", () => {
    fc.assert(
      fc.property(fillsArb({ price: 2_000_000, size: 50, fee: 300 }, 120), marksArb, (fills, marks) => {
        const p = new Portfolio(INSTRUMENTS, STRATEGIES.slice(0, 1));
        let perFill = 0n;
        for (const f of fills) {
          p.applyFill(f);
          perFill += BigInt(p.lastRealised);
        }
        expect(perFill).toBe(INSTRUMENTS.reduce((sum, i) => sum + BigInt(p.realised(i.id)), 0n));
        marks.forEach(([bid, spread], i) => p.mark(i, bid, bid + spread));
        expectMatchesReference(p, fills);
        expect(p.fillCount).toBe(fills.length);
      }),
      { numRuns: 400 },
    );
  });

  test("a snapshot survives JSON and restores to an equal portfolio", () => {
    fc.assert(
      fc.property(fillsArb({ price: 2_000_000, size: 50, fee: 300 }, 80), marksArb, (fills, marks) => {
        const p = new Portfolio(INSTRUMENTS);
        for (const f of fills) p.applyFill(f);
        marks.forEach(([bid, spread], i) => p.mark(i, bid, bid + spread));
        const restored = restorePortfolio(INSTRUMENTS, JSON.parse(JSON.stringify(p.snapshot())));
        expect(restored.snapshot()).toEqual(p.snapshot());
        expectMatchesReference(restored, fills);
        expect(restored.pnlByCurrency()).toEqual(p.pnlByCurrency());
        expect(restored.exposure()).toEqual(p.exposure());
      }),
      { numRuns: 150 },
    );
  });

  test("near the safe-integer limit a fill is either applied exactly or refused with PORTFOLIO_OVERFLOW and no change", () => {
    let refusals = 0;
    fc.assert(
      fc.property(fillsArb({ price: 2 ** 36, size: 2 ** 18, fee: 2 ** 50 }, 40), (fills) => {
        const p = new Portfolio(INSTRUMENTS);
        const accepted: Fill[] = [];
        for (const f of fills) {
          const before = JSON.stringify(p.snapshot());
          try {
            p.applyFill(f);
            accepted.push(f);
          } catch (e) {
            expect(e instanceof PortfolioError && e.code).toBe("PORTFOLIO_OVERFLOW");
            expect(JSON.stringify(p.snapshot())).toBe(before);
            refusals++;
          }
        }
        expectMatchesReference(p, accepted);
      }),
      { numRuns: 150 },
    );
    expect(refusals).toBeGreaterThan(0);
  });
});
