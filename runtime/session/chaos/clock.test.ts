/**
 * Chaos: the wall clock steps under a paper session (injected through the real-time run's clock
 * source). Each step back or forward is alerted; kernel time neither freezes after a step back nor
 * leaps after a step forward; the journal loses nothing and its times never run backwards.
 */
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { wallMicros } from "../../kernel/clock.ts";
import { readJournal } from "../../journal/journal-file.ts";
import { startRealtime } from "../realtime.ts";
import { sessionFromYaml, tempDir } from "../test-session.ts";
import { chaosYaml } from "./chaos.ts";
import { until } from "../../testing/until.ts";

const tmp = tempDir("kestrel-chaos-clock-");
afterAll(() => tmp.dispose());

const HOUR_US = 3_600_000_000;

test("wall clock steps back and forward in a paper session: each alerted, kernel time carries on, no record lost", async () => {
  const s = await sessionFromYaml(tmp.path, chaosYaml(tmp.path, 9), { store: false });
  let offset = 0;
  const run = startRealtime(s, { speed: 1, wallClock: () => wallMicros() + offset });
  const steps: { back: boolean; kernelBefore: number }[] = [];
  const step = async (by: number) => {
    const records = s.journal!.appended;
    const kernelBefore = s.loop.clock.now();
    const jumps = run.clockJumps();
    offset += by;
    steps.push({ back: by < 0, kernelBefore });
    await until(`the step of ${by} µs noticed`, () => run.clockJumps() > jumps);
    // The session goes on after the step: kernel time moves and records are journaled.
    await until(`kernel time moving after the step of ${by} µs`, () => s.loop.clock.now() > kernelBefore + 200_000 && s.journal!.appended > records);
    // It did not leap by the step (an hour forward would take it an hour ahead).
    expect(s.loop.clock.now() - kernelBefore).toBeLessThan(HOUR_US / 2);
  };
  try {
    await until("the session journaling", () => s.journal!.appended > 50);
    await step(-5_000_000);
    await step(HOUR_US);
    await step(-HOUR_US);
    await step(2_000_000);
  } finally {
    run.stop();
    await run.done;
    s.journal?.close();
    s.loop.close();
  }
  const alerts = s.core.alerts.all().filter((a) => a.code === "CLOCK_STEP_BACK" || a.code === "CLOCK_STEP_FORWARD");
  expect(alerts.map((a) => a.code)).toEqual(steps.map((x) => (x.back ? "CLOCK_STEP_BACK" : "CLOCK_STEP_FORWARD")));
  expect(run.clockJumps()).toBe(4);
  const journal = readJournal(join(tmp.path, "chaos.journal"));
  expect(journal.tornTail).toBeNull();
  expect(journal.records.length).toBe(s.journal!.appended);
  // Record times never run backwards across the steps.
  const ts = journal.records.flatMap((r) => (r.t === "report" ? [r.report.ts] : r.t === "order" || r.t === "control" ? [r.ts] : []));
  for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThanOrEqual(ts[i - 1]!);
  const ids = journal.records.flatMap((r) => (r.t === "order" ? [r.id] : []));
  expect(new Set(ids).size).toBe(ids.length);
}, 120_000);
