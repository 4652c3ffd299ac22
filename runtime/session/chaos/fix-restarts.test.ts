/**
 * The FIX counterparty chaos run, reduced for CI: the QuickFIX acceptor under a running live
 * session is killed with SIGKILL and restarted three times; every drop and every reconnect
 * reconciliation is alerted and journaled, nothing is lost or duplicated. bench/chaos-fix.ts runs 50.
 */
import { afterAll, expect, test } from "bun:test";
import { needsTools } from "../../testing/system-tools.ts";
import { tempDir } from "../test-session.ts";
import { runFixRestarts } from "./fix-restarts.ts";

const tmp = tempDir("kestrel-chaos-fix-");
afterAll(() => tmp.dispose());

test.skipIf(!needsTools("chaos: FIX counterparty restarts", "quickfix"))("a FIX counterparty killed and restarted three times: every drop and reconnect alerted and reconciled, nothing lost", async () => {
  const r = await runFixRestarts({ dir: tmp.path, restarts: 3 });
  expect(r.reconnectMs.length).toBe(3);
  expect(r.downAlerts).toBeGreaterThanOrEqual(3);
  expect(r.reconciledAlerts).toBe(3);
  expect(r.reconnectReconciles).toBe(3);
  // The session traded across the restarts (the run waits for an acknowledged order before each kill).
  expect(r.orders).toBeGreaterThanOrEqual(4);
  expect(r.lostRecords).toBe(0);
  expect(r.tornTail).toBe(false);
  expect(r.duplicateOrderIds).toBe(0);
  expect(r.duplicateFillIds).toBe(0);
  expect(r.omsErrors).toBe(0);
  // The resting order the first provider held was forgotten by its restart: found missing and canceled.
  expect(r.missing).toBeGreaterThanOrEqual(1);
  expect(r.openAfterStop).toBe(0);
}, 180_000);
