/** The fairness gate lets requests through while the loop's clock moves and holds them once it stalls. */
import { describe, expect, test } from "bun:test";
import { LoopFairness } from "./loop-fairness.ts";

describe("loop fairness", () => {
  test("requests pass at once while the clock keeps moving", async () => {
    let clock = 0;
    let now = 0;
    const gate = new LoopFairness(() => clock, 2, 25, () => now);
    for (let i = 0; i < 10; i++) {
      clock++;
      now += 1;
      await gate.turn();
    }
    expect(gate.deferred).toBe(0);
  });

  test("after the budget without a clock move a request waits until the loop has run", async () => {
    let clock = 0;
    let now = 0;
    const gate = new LoopFairness(() => clock, 2, 1_000_000, () => now);
    await gate.turn(); // sees clock 0 at t=0
    now = 3; // 3 ms of admin work, no loop turn
    let passed = false;
    const pending = gate.turn().then(() => (passed = true));
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    expect(passed).toBe(false);
    clock = 1; // the loop ran
    await pending;
    expect(passed).toBe(true);
    expect(gate.deferred).toBe(1);
  });

  test("a stalled clock (stopped session) delays a request by at most maxWaitMs", async () => {
    let now = 0;
    const gate = new LoopFairness(() => 42, 2, 10, () => (now += 1));
    await gate.turn();
    await gate.turn();
    await gate.turn();
    expect(gate.deferred).toBeGreaterThan(0);
  });

  test("a zero budget never waits", async () => {
    const gate = new LoopFairness(() => 0, 0);
    await gate.turn();
    expect(gate.deferred).toBe(0);
  });
});
