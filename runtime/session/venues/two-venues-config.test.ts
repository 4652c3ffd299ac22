/**
 * The shipped two-venue deployment (configs/backtest-two-venues.yaml: OANDA and FXCM EURUSD on the
 * same eight days, a strategy using TWAP, iceberg and the smart router) run by the real CLI with
 * --json: fills by venue add up, every parent has its TCA fields, both algorithms ran, and two
 * runs give the same fills hash.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { REPO_ROOT } from "../test-session.ts";

const run = async () => {
  const p = Bun.spawn([process.execPath, join(REPO_ROOT, "runtime/cli.ts"), "backtest", "configs/backtest-two-venues.yaml", "--json", "--no-save", "--no-store"], { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" });
  const [out, code] = await Promise.all([new Response(p.stdout).text(), p.exited]);
  expect(code).toBe(0);
  return JSON.parse(out);
};

test("two-venue backtest: per-venue fills and parent TCA in --json, deterministic", async () => {
  const a = await run();
  expect(Object.keys(a.fillsByVenue).sort()).toEqual(["fxcm", "oanda"]);
  expect(a.fillsByVenue.oanda + a.fillsByVenue.fxcm).toBe(a.fills);
  expect(a.fillsByVenue.oanda).toBeGreaterThan(50);
  expect(a.fillsByVenue.fxcm).toBeGreaterThan(50);
  expect(a.parents.length).toBeGreaterThan(40);
  for (const p of a.parents) {
    for (const k of ["id", "algo", "side", "quantity", "filled", "arrivalPrice", "avgPrice", "shortfallBps", "fees", "children"]) expect(p).toHaveProperty(k);
    expect(p.filled).toBeLessThanOrEqual(p.quantity);
  }
  expect(new Set(a.parents.map((p: { algo: string }) => p.algo))).toEqual(new Set(["twap", "iceberg"]));
  expect(a.parents.filter((p: { status: string }) => p.status === "filled").length).toBeGreaterThan(30);
  expect(a.routingDecisions).toBeGreaterThan(100);
  expect(a.positionsTotal).toBeDefined();
  const b = await run();
  expect(b.fillsHash).toBe(a.fillsHash);
}, 120_000);
