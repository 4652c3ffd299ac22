import { describe, expect, test } from "bun:test";
import { BookSnapshotCadence } from "./book-cadence.ts";

describe("BookSnapshotCadence", () => {
  test("a snapshot is due once per interval per instrument, counted from the last one taken", () => {
    const c = new BookSnapshotCadence(1000, 2);
    expect([0, 500, 999, 1000, 1001, 2500].map((ts) => c.due(0, ts))).toEqual([true, false, false, true, false, true]);
    expect(c.due(1, 600)).toBe(true);
    expect(c.due(1, 1500)).toBe(false);
  });

  test("an interval of 0 snapshots every event, and a negative one is refused", () => {
    const c = new BookSnapshotCadence(0, 1);
    expect([5, 5, 6].map((ts) => c.due(0, ts))).toEqual([true, true, true]);
    expect(() => new BookSnapshotCadence(-1, 1)).toThrow("STORE_CONFIG_INVALID");
  });
});
