import { describe, expect, test } from "bun:test";
import { BUY, SELL } from "../../plugins/sdk/orders.ts";
import { PortfolioError } from "./errors.ts";
import { Portfolio } from "./portfolio.ts";
import { restorePortfolio } from "./restore.ts";
import type { PortfolioSnapshot } from "./snapshot.ts";
import { fill, INSTRUMENTS } from "./test-fixtures.ts";

function sample(): PortfolioSnapshot {
  const p = new Portfolio(INSTRUMENTS, ["mm"]);
  p.applyFill(fill(0, BUY, 110000, 10, 3, "mm", 5));
  p.applyFill(fill(0, SELL, 110020, 4, 1, "mm", 6));
  p.applyFill(fill(1, SELL, 150000, 2, 0, "obi", 7));
  p.mark(0, 110010, 110012);
  return JSON.parse(JSON.stringify(p.snapshot()));
}

function refusal(snapshot: PortfolioSnapshot): PortfolioError {
  try {
    restorePortfolio(INSTRUMENTS, snapshot);
  } catch (e) {
    if (e instanceof PortfolioError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("restore", () => {
  test("a restored portfolio has the same lots, totals, marks and fill count", () => {
    const snap = sample();
    const p = restorePortfolio(INSTRUMENTS, snap);
    expect(p.lots(0).map((l) => [l.strategy, l.side, l.price, l.size, l.ts])).toEqual([["mm", 1, 110000, 6, 5]]);
    expect([p.realised(0), p.fees(0), p.unrealised(0), p.position(1)]).toEqual([80, 4, 60, -2]);
    expect(p.fillCount).toBe(3);
    expect(p.strategies).toEqual(["mm", "obi"]);
    expect(p.snapshot()).toEqual(snap);
  });

  test("a snapshot from other instruments, another version or with a bad lot is refused with context", () => {
    const otherSymbol = sample();
    otherSymbol.books[0].symbol = "GBPUSD";
    expect(refusal(otherSymbol).message).toContain("symbol=GBPUSD");
    const otherVersion = { ...sample(), version: 2 } as unknown as PortfolioSnapshot;
    expect(refusal(otherVersion).code).toBe("PORTFOLIO_SNAPSHOT_INVALID");
    const badLot = sample();
    badLot.books[0].lots[0][1] = -6;
    expect(refusal(badLot).message).toContain("lot=");
    const sideless = sample();
    sideless.books[0].side = 0;
    expect(refusal(sideless).code).toBe("PORTFOLIO_SNAPSHOT_INVALID");
  });
});
