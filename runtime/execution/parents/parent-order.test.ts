/**
 * The parent order's checked state machine: fills, average price, working size and state derive
 * from the children; a cancel waits for its children; terminal states never move; an illegal
 * change is refused with `from -> to` and leaves the state as it was.
 */
import { describe, expect, test } from "bun:test";
import { Order } from "../order.ts";
import { ParentBook } from "./parent-book.ts";
import { canParentTransition } from "./parent-state.ts";

const cause = { event: 0, version: "t", features: 0 };
const child = (id: number, side: 1 | -1, size: number) => new Order(id, "s", { instrument: 0, side, type: "limit", price: 100, size, tag: "parent=1" }, 0, cause);

describe("parent orders", () => {
  test("fills, average price and state derive from the children", () => {
    const book = new ParentBook();
    const p = book.create({ strategy: "s", algo: "twap", instrument: 0, side: 1, quantity: 300, limitPrice: 0, params: {} }, 0);
    const a = child(10, 1, 100);
    const b = child(11, 1, 200);
    const orders = new Map([[10, a], [11, b]]);
    book.link(p, 10);
    book.link(p, 11);
    book.link(p, 10);
    expect(p.children).toEqual([10, 11]);
    expect(book.parentOf(11)).toBe(p);
    expect(book.update(p, (id) => orders.get(id), 1)).toBeNull();
    expect(p.status).toBe("working");
    expect(p.working).toBe(300);
    a.filled = 100;
    a.notionalFilled = 100 * 101;
    a.status = "filled";
    book.update(p, (id) => orders.get(id), 2);
    expect(p.status).toBe("partially-filled");
    expect(p.filled).toBe(100);
    expect(p.working).toBe(200);
    b.filled = 200;
    b.notionalFilled = 200 * 104;
    b.status = "filled";
    book.update(p, (id) => orders.get(id), 3);
    expect(p.status).toBe("filled");
    expect(p.avgPrice).toBe((100 * 101 + 200 * 104) / 300);
    expect(p.remaining).toBe(0);
    // Terminal: nothing moves it any more.
    p.cancelRequested = true;
    expect(book.update(p, (id) => orders.get(id), 4)).toBeNull();
    expect(p.status).toBe("filled");
  });

  test("a cancel waits for open children, then ends canceled; a paused parent with a filled child stays paused", () => {
    const book = new ParentBook();
    const p = book.create({ strategy: "s", algo: "iceberg", instrument: 0, side: -1, quantity: 100, limitPrice: 0, params: {} }, 0);
    const a = child(1, -1, 50);
    book.link(p, 1);
    p.paused = true;
    book.update(p, () => a, 1);
    expect(p.status).toBe("paused");
    p.paused = false;
    p.cancelRequested = true;
    book.update(p, () => a, 2);
    expect(p.status).toBe("pending-cancel");
    a.status = "canceled";
    book.update(p, () => a, 3);
    expect(p.status).toBe("canceled");
    expect(p.updatedTs).toBe(3);
  });

  test("an illegal change is refused and the state kept; the table forbids leaving terminal states", () => {
    expect(canParentTransition("filled", "working")).toBe(false);
    expect(canParentTransition("pending-cancel", "working")).toBe(false);
    expect(canParentTransition("working", "paused")).toBe(true);
    const book = new ParentBook();
    const p = book.create({ strategy: "s", algo: "x", instrument: 0, side: 1, quantity: 100, limitPrice: 0, params: {} }, 0);
    p.status = "pending-cancel";
    p.cancelRequested = false;
    const a = child(1, 1, 100);
    book.link(p, 1);
    expect(book.update(p, () => a, 1)).toBe("pending-cancel -> working");
    expect(p.status).toBe("pending-cancel");
  });

  test("a self-finishing (contingent) parent is not filled by its entry alone; exits count apart", () => {
    const book = new ParentBook();
    const p = book.create({ strategy: "s", algo: "bracket", instrument: 0, side: 1, quantity: 100, limitPrice: 0, params: {} }, 0);
    p.selfFinishing = true;
    const entry = child(1, 1, 100);
    entry.filled = 100;
    entry.notionalFilled = 100 * 100;
    entry.status = "filled";
    const exit = child(2, -1, 100);
    exit.filled = 40;
    exit.status = "partially-filled";
    const m = new Map([[1, entry], [2, exit]]);
    book.link(p, 1);
    book.link(p, 2);
    book.update(p, (id) => m.get(id), 1);
    expect(p.status).toBe("partially-filled");
    expect(p.filled).toBe(100);
    expect(p.exitFilled).toBe(40);
    exit.filled = 100;
    exit.status = "filled";
    p.finished = true;
    book.update(p, (id) => m.get(id), 2);
    expect(p.status).toBe("filled");
  });
});
