/**
 * `kestrel bench` through the real CLI process: the tiny size runs every row of the suite (the
 * benchmarks of bench/ as modules) and prints one JSON object with exactly the keys, each
 * with positive figures and a same-run baseline. No timing is asserted: only that every row ran,
 * measured something, and that the real day's fills are the known ones.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { BENCH_KEYS } from "../../bench/suite/types.ts";
import { REPO_ROOT } from "../session/test-session.ts";

const CLI = join(REPO_ROOT, "runtime/cli.ts");

async function kestrel(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, CLI, ...args], { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** Every number inside `v`, with its path. */
function numbers(v: unknown, path: string, out: [string, number][] = []): [string, number][] {
  if (typeof v === "number") out.push([path, v]);
  else if (Array.isArray(v)) v.forEach((x, i) => numbers(x, `${path}[${i}]`, out));
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) numbers(x, `${path}.${k}`, out);
  return out;
}

describe("kestrel bench", () => {
  test("--size tiny --json: one object, a key per row, each with positive figures and its baseline", async () => {
    const r = await kestrel(["bench", "--size", "tiny", "--json"]);
    const obj = JSON.parse(r.stdout) as Record<string, Record<string, unknown> | null>;
    expect(Object.keys(obj).sort()).toEqual([...BENCH_KEYS, "meta"].sort());
    for (const key of BENCH_KEYS) {
      const row = obj[key];
      expect(row, key).not.toBeNull();
      expect(row!.error, `${key}: ${row!.error}`).toBeUndefined();
      const baseline = row!.baseline as Record<string, unknown>;
      expect(typeof baseline.what).toBe("string");
      const nums = numbers(row, key);
      expect(numbers(baseline, "baseline").length, `${key} baseline has numbers`).toBeGreaterThan(0);
      // Every figure is a finite number >= 0 (a quote lag may be 0 µs); rates and costs are > 0.
      for (const [path, n] of nums) {
        expect(Number.isFinite(n) && n >= 0, `${path} = ${n}`).toBe(true);
        if (/(PerSecond|PerQuote|PerValue|Ns)$/.test(path)) expect(n, path).toBeGreaterThan(0);
      }
      expect(typeof row!.ratio).toBe("number");
    }
    // The suite runs the shipped real-day backtest: its fills must be the known ones.
    expect(obj.backtestReal!.fillsHash).toBe("a21a62cfae475948d72d31aeaddef4a598c20ddd14b97273083d0a891ed0cc58");
    expect(obj.matching!.equalDepth).toBe(true);
    // Exit 1 exactly when a row failed its own check (a WASM kernel slower than its twin).
    const failed = BENCH_KEYS.some((k) => obj[k]!.failed !== undefined);
    expect(r.code).toBe(failed ? 1 : 0);
  }, 600_000);

  test("--quick --only: the table names each row, runs only those asked, and refuses an unknown row", async () => {
    const r = await kestrel(["bench", "--quick", "--only", "varInProcess"]);
    expect(r.code).toBe(0);
    for (const key of BENCH_KEYS) expect(r.stdout).toContain(key);
    expect(r.stdout).toMatch(/varInProcess\s+\d+\.\d+ M paths\/s/);
    expect(r.stdout).toContain("(not in --only)");
    const bad = await kestrel(["bench", "--only", "warp"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown row warp");
  }, 60_000);
});
