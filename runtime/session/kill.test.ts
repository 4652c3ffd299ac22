/**
 * The kill test: a paper session is killed with SIGKILL at a random point while it trades, then
 * restarted on the same journal. Nothing may be lost or duplicated: the restart restores every
 * record the first process wrote, order and fill ids stay unique, and the whole journal replays
 * through the OMS's checked state machine without a single refusal.
 */
import { afterAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readJournal } from "../journal/journal-file.ts";
import type { JournalRecord, OrderRecord, ReportRecord } from "../journal/records.ts";
import { REPO_ROOT, syntheticYaml, tempDir } from "./test-session.ts";

const tmp = tempDir("kestrel-kill-");
afterAll(() => tmp.dispose());

const BUN = process.execPath;
const CLI = join(REPO_ROOT, "runtime/cli.ts");

function fillReports(records: readonly JournalRecord[]): ReportRecord[] {
  return records.filter((r): r is ReportRecord => r.t === "report" && r.report.kind === "fill");
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await Bun.sleep(20);
  }
  return cond();
}

test("SIGKILL at a random point and a restart lose and duplicate no order or fill", async () => {
  const strategies = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD], params: { entryImbalance: 0.3, maxSpreadTicks: 30, cooldownUs: 100000 } }
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURGBP, EURUSD] }`;
  const yaml = syntheticYaml(strategies, { seconds: 100000 }).replace("mode: backtest", "mode: paper");
  const config = join(tmp.path, "paper.yaml");
  writeFileSync(config, yaml);
  const journal = join(tmp.path, "paper.journal");
  const args = ["run", config, "--quiet", "--no-admin", "--speed", "200", "--journal", journal];

  const first = Bun.spawn([BUN, CLI, ...args, "--for", "60s"], { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" });
  const enough = await waitFor(() => {
    try {
      return fillReports(readJournal(journal).records).length >= 5;
    } catch {
      return false;
    }
  }, 30_000);
  expect(enough).toBe(true);
  await Bun.sleep(50 + Math.floor(Math.random() * 700));
  first.kill("SIGKILL");
  await first.exited;
  expect(first.signalCode).toBe("SIGKILL");

  const before = readJournal(journal);
  const prefix = readFileSync(journal).subarray(0, before.goodLength);

  const second = Bun.spawn([BUN, CLI, ...args, "--for", "1500ms"], { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" });
  const [stderr, code] = await Promise.all([new Response(second.stderr).text(), second.exited]);
  expect(code).toBe(0);
  expect(stderr).toContain(`journal: restored ${before.records.length} records`);

  // What the first process wrote is still there, byte for byte.
  const afterBytes = readFileSync(journal);
  expect(Buffer.compare(afterBytes.subarray(0, before.goodLength), prefix)).toBe(0);
  const after = readJournal(journal);
  expect(after.tornTail).toBeNull();
  expect(after.records.length).toBeGreaterThan(before.records.length);

  // Ids unique across both processes; every report names a known order; no order overfilled.
  const orders = after.records.filter((r): r is OrderRecord => r.t === "order");
  const orderIds = new Set(orders.map((o) => o.id));
  expect(orderIds.size).toBe(orders.length);
  const fills = fillReports(after.records);
  const fillIds = new Set(fills.map((f) => f.fillId));
  expect(fillIds.size).toBe(fills.length);
  const filled = new Map<number, number>();
  for (const r of after.records) {
    if (r.t !== "report") continue;
    expect(orderIds.has(r.report.orderId)).toBe(true);
    if (r.report.kind === "fill") filled.set(r.report.orderId, (filled.get(r.report.orderId) ?? 0) + r.report.size);
  }
  for (const o of orders) expect(filled.get(o.id) ?? 0).toBeLessThanOrEqual(o.size);
  // The second process carried on from the first: its order ids are all new.
  const firstMax = Math.max(0, ...before.records.filter((r): r is OrderRecord => r.t === "order").map((o) => o.id));
  const newOrders = orders.filter((o) => o.id > firstMax);
  // ...and it kept trading after the restore (market time follows the market, not old timers).
  expect(newOrders.length).toBeGreaterThan(0);
  expect(newOrders.length + before.records.filter((r) => r.t === "order").length).toBe(orders.length);
  // Graceful stop: the second process canceled what was working, so nothing is left open.
  const terminal = new Set(["fill", "canceled", "rejected", "expired"]);
  const open = orders.filter((o) => o.rejected === "" && !after.records.some((r) => r.t === "report" && r.report.orderId === o.id && terminal.has(r.report.kind) && (r.report.kind !== "fill" || (filled.get(o.id) ?? 0) === o.size)));
  expect(open.length).toBe(0);
}, 90_000);
