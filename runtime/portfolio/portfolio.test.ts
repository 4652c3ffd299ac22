import { describe, expect, test } from "bun:test";
import { BUY, SELL } from "../../plugins/sdk/orders.ts";
import { Portfolio } from "./portfolio.ts";
import { PortfolioError } from "./errors.ts";
import { fill, INSTRUMENTS } from "./test-fixtures.ts";

const EURUSD = 0;

function caught(f: () => unknown): PortfolioError {
  try {
    f();
  } catch (e) {
    if (e instanceof PortfolioError) return e;
    throw e;
  }
  throw new Error("expected a PortfolioError");
}

describe("FIFO lots", () => {
  test("a sell closes the oldest long lot first and realises (exit - entry) * size", () => {
    const p = new Portfolio(INSTRUMENTS);
    p.applyFill(fill(EURUSD, BUY, 110000, 10));
    p.applyFill(fill(EURUSD, BUY, 110100, 10));
    p.applyFill(fill(EURUSD, SELL, 110050, 15));
    // 10 @ 110000 closed at 110050 (+500), 5 @ 110100 closed at 110050 (-250).
    expect(p.realised(EURUSD)).toBe(250);
    expect(p.lastRealised).toBe(250);
    expect(p.position(EURUSD)).toBe(5);
    expect(p.lots(EURUSD).map((l) => [l.side, l.price, l.size])).toEqual([[1, 110100, 5]]);
    expect(p.avgEntry(EURUSD)).toBe(110100);
  });

  test("a partial close leaves the rest of the oldest lot in place", () => {
    const p = new Portfolio(INSTRUMENTS);
    p.applyFill(fill(EURUSD, BUY, 100, 10));
    p.applyFill(fill(EURUSD, BUY, 200, 10));
    p.applyFill(fill(EURUSD, SELL, 150, 4));
    expect(p.lots(EURUSD).map((l) => [l.price, l.size])).toEqual([[100, 6], [200, 10]]);
    expect(p.realised(EURUSD)).toBe(200);
    expect(p.avgEntry(EURUSD)).toBe((600 + 2000) / 16);
  });

  test("one fill can flip a long into a short, opening the rest at the fill price", () => {
    const p = new Portfolio(INSTRUMENTS);
    p.applyFill(fill(EURUSD, BUY, 100, 3));
    p.applyFill(fill(EURUSD, BUY, 102, 2));
    p.applyFill(fill(EURUSD, SELL, 105, 8));
    expect(p.realised(EURUSD)).toBe(3 * 5 + 2 * 3);
    expect(p.position(EURUSD)).toBe(-3);
    expect([p.lastRealised, p.lastClosed]).toEqual([21, 5]);
    expect(p.lots(EURUSD).map((l) => [l.side, l.price, l.size])).toEqual([[-1, 105, 3]]);
    // Short lot closed lower is a gain: (exit - entry) * size * side = (101 - 105) * 3 * -1.
    p.applyFill(fill(EURUSD, BUY, 101, 3));
    expect(p.realised(EURUSD)).toBe(21 + 12);
    expect(p.position(EURUSD)).toBe(0);
    expect(p.lots(EURUSD)).toEqual([]);
    expect(p.avgEntry(EURUSD)).toBeNull();
  });

  test("strategies keep separate FIFO books; the instrument sums them", () => {
    const p = new Portfolio(INSTRUMENTS, ["a", "b"]);
    p.applyFill(fill(EURUSD, BUY, 100, 10, 0, "a"));
    p.applyFill(fill(EURUSD, SELL, 110, 4, 0, "b"));
    expect(p.positionOf("a", EURUSD)).toBe(10);
    expect(p.positionOf("b", EURUSD)).toBe(-4);
    expect(p.position(EURUSD)).toBe(6);
    expect(p.realised(EURUSD)).toBe(0);
    // b's buy closes b's short, not a's long.
    p.applyFill(fill(EURUSD, BUY, 108, 4, 0, "b"));
    expect(p.realisedOf("b", EURUSD)).toBe(8);
    expect(p.realisedOf("a", EURUSD)).toBe(0);
    expect(p.positionOf("a", EURUSD)).toBe(10);
    expect(p.avgEntry(EURUSD)).toBe(100);
    expect(p.positionOf("unknown", EURUSD)).toBe(0);
    expect(p.strategies).toEqual(["a", "b"]);
  });

  test("hundreds of open lots survive the lot ring growing", () => {
    const p = new Portfolio(INSTRUMENTS);
    for (let k = 1; k <= 300; k++) p.applyFill(fill(EURUSD, SELL, 1000 + k, 1));
    p.applyFill(fill(EURUSD, BUY, 1000, 299));
    expect(p.lots(EURUSD).map((l) => [l.price, l.size])).toEqual([[1300, 1]]);
    expect(p.realised(EURUSD)).toBe((299 * 300) / 2);
  });
});

describe("fees and marks", () => {
  test("fees accumulate apart from realised P&L and are subtracted in net", () => {
    const p = new Portfolio(INSTRUMENTS);
    p.applyFill(fill(EURUSD, BUY, 100, 10, 7));
    p.applyFill(fill(EURUSD, SELL, 103, 10, -2));
    expect(p.realised(EURUSD)).toBe(30);
    expect(p.fees(EURUSD)).toBe(5);
    expect(p.feesOf("s1", EURUSD)).toBe(5);
    expect(p.net(EURUSD)).toBe(25);
  });

  test("a long is marked at the bid and a short at the ask (liquidation value)", () => {
    const p = new Portfolio(INSTRUMENTS, ["long", "short"]);
    p.applyFill(fill(EURUSD, BUY, 100, 10, 0, "long"));
    p.applyFill(fill(EURUSD, SELL, 100, 4, 0, "short"));
    expect(p.unrealised(EURUSD)).toBe(0); // not marked yet
    p.mark(EURUSD, 98, 103);
    expect(p.unrealisedOf("long", EURUSD)).toBe(-20);
    expect(p.unrealisedOf("short", EURUSD)).toBe(-12);
    expect(p.unrealised(EURUSD)).toBe(-32);
    p.mark(EURUSD, 105, 106);
    expect(p.unrealisedOf("long", EURUSD)).toBe(50);
    expect(p.unrealisedOf("short", EURUSD)).toBe(-24);
    expect(p.net(EURUSD)).toBe(26);
  });
});

describe("refusals", () => {
  test("a fill whose cost would exceed MAX_SAFE_INTEGER is refused with context and changes nothing", () => {
    const p = new Portfolio(INSTRUMENTS);
    p.applyFill(fill(EURUSD, BUY, 100, 10));
    const big = fill(EURUSD, BUY, 2 ** 40, 2 ** 14);
    const e = caught(() => p.applyFill(big));
    expect(e.code).toBe("PORTFOLIO_OVERFLOW");
    expect(e.message).toContain(`fill=${big.id}`);
    expect(e.message).toContain("instrument=EURUSD");
    expect(p.position(EURUSD)).toBe(10);
    expect(p.lots(EURUSD)).toHaveLength(1);
    expect(p.fillCount).toBe(1);
  });

  test("a close whose realised P&L would overflow is refused before any lot is touched", () => {
    const p = new Portfolio(INSTRUMENTS);
    p.applyFill(fill(EURUSD, BUY, 1, 2 ** 30));
    p.applyFill(fill(EURUSD, BUY, 1, 2 ** 30));
    expect(caught(() => p.applyFill(fill(EURUSD, SELL, 2 ** 23, 2 ** 31))).code).toBe("PORTFOLIO_OVERFLOW");
    expect(p.lots(EURUSD)).toHaveLength(2);
    expect(p.realised(EURUSD)).toBe(0);
  });

  test("accumulated realised P&L that would overflow is refused", () => {
    const p = new Portfolio(INSTRUMENTS);
    const half = 2 ** 52;
    p.applyFill(fill(EURUSD, BUY, 0, 1));
    p.applyFill(fill(EURUSD, SELL, half, 1));
    expect(p.realised(EURUSD)).toBe(half);
    p.applyFill(fill(EURUSD, BUY, 0, 1));
    expect(caught(() => p.applyFill(fill(EURUSD, SELL, half, 1))).code).toBe("PORTFOLIO_OVERFLOW");
    expect(p.realised(EURUSD)).toBe(half);
    expect(p.position(EURUSD)).toBe(1);
  });

  test("an unrealised P&L beyond the safe range throws instead of rounding", () => {
    const p = new Portfolio(INSTRUMENTS);
    p.applyFill(fill(EURUSD, BUY, 1, 2 ** 30));
    p.mark(EURUSD, 2 ** 30, 2 ** 30);
    expect(caught(() => p.unrealised(EURUSD)).code).toBe("PORTFOLIO_OVERFLOW");
  });

  test("malformed fills and marks are refused with their values", () => {
    const p = new Portfolio(INSTRUMENTS);
    for (const bad of [fill(9, BUY, 1, 1), fill(EURUSD, BUY, 1, 0), fill(EURUSD, BUY, 1.5, 1), fill(EURUSD, BUY, 1, 1, 0.1)]) {
      expect(caught(() => p.applyFill(bad)).code).toBe("PORTFOLIO_INVALID_FILL");
    }
    expect(caught(() => p.mark(EURUSD, 1.5, 2)).code).toBe("PORTFOLIO_INVALID_MARK");
    expect(caught(() => new Portfolio([INSTRUMENTS[1]])).code).toBe("PORTFOLIO_INVALID_INSTRUMENT");
  });
});
