/**
 * The overrun policy of an in-process strategy (`onOverrun: isolate`): a real plugin that blocks
 * past its 250 ms budget on its first three quotes is moved into an isolate at its third overrun, its
 * state handed over through snapshot()/restore() (it counts every quote exactly once: the same count
 * as an in-process twin on the same instrument), its working orders kept, the move journaled and
 * alerted (PLUGIN_ISOLATED), and it is not quarantined; a restart from the journal runs it isolated.
 */
import { afterAll, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { runBacktest } from "../../session/backtest.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../../session/test-session.ts";
import { readJournal } from "../../journal/journal-file.ts";

const FIXTURE = resolve(import.meta.dir, "fixtures/overruns.ts");
const dir = tempDir("kestrel-overrun-policy-");
afterAll(() => dir.dispose());

const yaml = syntheticYaml(
  [
    `  - { name: slow, plugin: ${JSON.stringify(FIXTURE)}, isolate: false, budgetUs: 250000, maxOverruns: 3, onOverrun: isolate, instruments: [EURUSD], params: { slowCalls: 3, slowMs: 600 } }`,
    `  - { name: twin, plugin: ${JSON.stringify(FIXTURE)}, isolate: false, instruments: [EURUSD] }`,
  ].join("\n"),
  { pairs: "EURUSD, GBPUSD", seconds: 20 },
);

test("a strategy that overruns its budget maxOverruns times is moved into an isolate with its state, journaled and alerted", async () => {
  const journal = join(dir.path, "journal.bin");
  const counts = new Map<string, Record<string, unknown>>();
  const s = await sessionFromYaml(dir.path, yaml, {
    journalPath: journal,
    log: (line) => {
      const l = JSON.parse(line) as Record<string, unknown>;
      if (l.msg === "count") counts.set(l.who as string, l);
    },
  });
  const slot = s.core.host.get("slow")!;
  expect(slot.budget).not.toBeNull();
  runBacktest(s);
  expect(slot.failure).toBe("");
  expect(slot.state).not.toBe("quarantined");
  // Moved: no longer timed in process (its isolate's watchdog holds it now).
  expect(slot.budget).toBeNull();
  expect(s.core.isolated.has("slow")).toBe(true);
  const alerts = s.core.alerts.all().filter((a) => a.subject === "slow");
  expect(alerts.map((a) => a.code)).toEqual(["PLUGIN_ISOLATED"]);
  expect(alerts[0]!.message).toMatch(/^strategy=slow plugin=.*overruns\.ts moved into an isolate, state and orders handed over: PLUGIN_OVERRUN: strategy=slow overruns=3 budgetUs=250000 worstUs=\d+ worstHook=onQuote/);
  await s.close();

  const slow = counts.get("slow")!;
  const twin = counts.get("twin")!;
  expect(twin.quotes as number).toBeGreaterThan(100);
  // Every quote counted once across the two instances; the count handed over at the third overrun.
  expect(slow.quotes).toBe(twin.quotes);
  expect(slow.restoredFrom).toBe(3);
  expect(slow.mainThread).toBe(false);
  // Its working order (the backtest is deterministic: one) was still its own in the isolate.
  expect(slow.openAtRestore).toBe(1);
  expect(twin.mainThread).toBe(true);

  const deploys = readJournal(journal).records.filter((r) => r.t === "control" && r.kind === "deploy");
  expect(deploys).toHaveLength(1);
  const d = deploys[0] as { subject: string; reason: string };
  expect(d.subject).toBe("slow");
  expect(JSON.parse(d.reason)).toMatchObject({ plugin: FIXTURE, from: "1.0.0", to: "1.0.0", orders: "hand-over", by: "watchdog", isolated: true });
  // Its orders were handed over, not cancelled: the plugin never cancels, and no cancel of its orders is journaled.
  const records = readJournal(journal).records as { t: string; id?: number; orderId?: number; strategy?: string }[];
  const own = new Set(records.filter((r) => r.t === "order" && r.strategy === "slow").map((r) => r.id));
  expect(own.size).toBeGreaterThan(0);
  expect(records.filter((r) => r.t === "cancel" && own.has(r.orderId))).toEqual([]);

  // A restart from the journal runs it isolated again.
  const again = await sessionFromYaml(dir.path, yaml, { journalPath: journal });
  expect(again.core.isolated.has("slow")).toBe(true);
  expect(again.core.host.get("slow")!.budget).toBeNull();
  expect(again.core.host.get("twin")!.budget).not.toBeNull();
  await again.close();
}, 120_000);

test("without onOverrun the same plugin is quarantined with PLUGIN_OVERRUN (the default policy)", async () => {
  const s = await sessionFromYaml(dir.path, yaml.replace(", onOverrun: isolate", ""), { journalPath: "" });
  runBacktest(s);
  const slot = s.core.host.get("slow")!;
  expect(slot.state).toBe("quarantined");
  expect(slot.failure).toContain("PLUGIN_OVERRUN: strategy=slow overruns=3");
  expect(s.core.isolated.size).toBe(0);
  expect(s.core.host.get("twin")!.state).not.toBe("quarantined");
  await s.close();
}, 120_000);
