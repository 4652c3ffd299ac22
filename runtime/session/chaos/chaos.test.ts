/**
 * The chaos suite, reduced for CI: a real paper session killed with SIGKILL three times at random
 * moments and restarted on its journal loses no record, duplicates no order or fill id, and a final
 * restart agrees with the venue's own memory on every open order and position. bench/chaos.ts runs
 * the full count.
 */
import { afterAll, expect, test } from "bun:test";
import { tempDir } from "../test-session.ts";
import { runChaos } from "./chaos.ts";

const tmp = tempDir("kestrel-chaos-");
afterAll(() => tmp.dispose());

test("three SIGKILLs with restarts: nothing lost, nothing duplicated, level with the venue", async () => {
  const r = await runChaos({ dir: tmp.path, kills: 3, minMs: 300, maxMs: 1500, speed: 20, seed: 7 });
  expect(r.kills.length).toBe(3);
  // The session traded across the kills.
  expect(r.orders).toBeGreaterThan(0);
  expect(r.kills.at(-1)!.records).toBeGreaterThan(r.kills[0]!.records);
  expect(r.lostRecords).toBe(0);
  expect(r.duplicateOrderIds).toBe(0);
  expect(r.duplicateFillIds).toBe(0);
  expect(r.openOrderMismatches).toBe(0);
  expect(r.positionMismatches).toBe(0);
}, 180_000);
