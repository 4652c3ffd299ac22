/** Token buckets: a burst, then the refill rate; tokens are independent; 0 disables. */
import { describe, expect, test } from "bun:test";
import { TokenBuckets } from "./rate-limit.ts";

describe("rate limit", () => {
  test("a token gets its burst at once, then one request per 1/rate seconds", () => {
    let now = 0;
    const b = new TokenBuckets(10, 20, 100, () => now);
    let passed = 0;
    for (let i = 0; i < 50; i++) if (b.take("t")) passed++;
    expect(passed).toBe(20);
    now += 100; // 0.1 s at 10/s refills one
    expect(b.take("t")).toBe(true);
    expect(b.take("t")).toBe(false);
    expect(b.take("other")).toBe(true);
  });

  test("a rate of 0 never limits", () => {
    const b = new TokenBuckets(0, 0);
    for (let i = 0; i < 1000; i++) expect(b.take("t")).toBe(true);
  });
});
