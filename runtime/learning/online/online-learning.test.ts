/**
 * Online PPO in a paper session (the real Python learner, a synthetic market paced at high speed):
 * the rl-executor explores and hands its rollouts over; every 60 s of market time the learner
 * updates the policy; updates within the trust region go live (children carry the new version);
 * a forced destructive update (the policy stops entering) is rolled back when its live reward
 * falls below the bound; a forced exploding update is rejected by the KL cap; every version is
 * journaled, shown by GET /api/v1/learning and exported to /metrics; a restart reads them back.
 */
import { afterAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readJournal } from "../../journal/journal-file.ts";
import type { ControlRecord, OrderRecord } from "../../journal/records.ts";
import { startRealtime } from "../../session/realtime.ts";
import { sessionFromYaml, tempDir } from "../../session/test-session.ts";
import { renderMetrics } from "../../admin/metrics/session-metrics.ts";
import { learningJson } from "../../admin/routes/learning.ts";
import type { LearningEvent } from "./learning-event.ts";

const tmp = tempDir("kestrel-online-");
afterAll(() => tmp.dispose());

const FIXTURE = resolve(import.meta.dir, "fixtures/intents.ts");

/** The shipped policy with a short episode (6 s, 6 decisions) and a heavy charge for never entering. */
function tinyCard(): string {
  const card = JSON.parse(readFileSync(resolve(import.meta.dir, "../../../models/executor.json"), "utf8"));
  card.env = { ...card.env, windowSeconds: 6, steps: 6, reward: { ...card.env.reward, unfilled: 20 } };
  const path = join(tmp.path, "executor-tiny.json");
  writeFileSync(path, JSON.stringify(card));
  return path;
}

const yaml = (card: string) => `name: online
mode: paper
seed: 5
account: { currency: USD, capital: 1000000 }
market:
  source: synthetic
  synthetic:
    pairs: [EURUSD, GBPUSD, EURGBP]
    start: "2024-01-08T07:00:00Z"
    durationSeconds: 100000
    params: { quotesPerSecond: 20, tradeProbability: 0.1 }
venue: { name: sim, plugin: sim, params: { orderLatencyUs: 100, reportLatencyUs: 100 } }
features: { instruments: all }
execution:
  algos:
    - { name: rl, plugin: rl-executor, params: { policy: ${JSON.stringify(card)} } }
strategies:
  - { name: intents, plugin: ${JSON.stringify(FIXTURE)}, isolate: false, instruments: [EURUSD, GBPUSD, EURGBP], params: { algo: rl, everySeconds: 8 } }
risk:
  limits: { maxPosition: 1000000, maxOrderNotional: 5000000, maxOrdersPerSecond: 100, priceCollarBps: 100, maxDailyLoss: 1000000, maxDrawdown: 1000000 }
learning:
  mode: online
  periodSeconds: 60
  minEpisodes: 6
  klCap: 100
  rollback: { episodes: 4, minReward: -15 }
  ppo: { epochs: 2, minibatch: 64 }
  test: { destructiveAt: [3], explodeAt: [4] }
`;

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

test("a paper session with learning: online updates its policy, rejects an update outside the trust region, rolls back a destructive one, and journals every version", async () => {
  const card = tinyCard();
  const journal = join(tmp.path, "online.journal");
  const s = await sessionFromYaml(tmp.path, yaml(card), { journalPath: journal });
  const l = s.learning!;
  expect(l.live.ref).toBe("executor@1");
  const run = startRealtime(s, { speed: 40 });
  const log = s.core.learningLog;
  const seen = (st: LearningEvent["status"], n: number) => log.some((e) => e.status === st && e.n === n);
  try {
    await waitFor(() => l.failure !== null || (seen("rolled-back", 3) && seen("rejected", 4) && log.filter((e) => e.status === "accepted").length >= 3), 100_000, `versions (have ${JSON.stringify(log.map((e) => [e.n, e.status]))})`);
  } finally {
    run.stop();
    await run.done;
  }
  const api = learningJson(s) as { live: string; versions: LearningEvent[]; counts: { accepted: number } };
  const metrics = renderMetrics(s, { responses: new Map(), wsClients: new Map(), wsDropped: new Map(), deferred: () => 0 });
  await s.close();
  expect(l.failure).toBeNull();
  const byN = new Map(log.map((e) => [`${e.n}:${e.status}`, e]));
  // Two ordinary updates went live, within the KL cap, each from a batch of episodes.
  for (const n of [1, 2]) {
    const e = byN.get(`${n}:accepted`)!;
    expect(e.version).toBe(`executor@1.o${n}`);
    expect(e.kl!).toBeGreaterThanOrEqual(0);
    expect(e.kl!).toBeLessThanOrEqual(100);
    expect(e.episodes!).toBeGreaterThanOrEqual(6);
    expect(Number.isFinite(e.entropy!)).toBe(true);
  }
  // The destructive update went live and was rolled back on its live reward (it never enters: -20 bps an episode).
  const bad = byN.get("3:rolled-back")!;
  expect(byN.get("3:accepted")).toBeDefined();
  expect(bad.reward!).toBeLessThan(-15);
  expect(bad.live).not.toBe("executor@1.o3");
  // The exploding update never went live.
  const boom = byN.get("4:rejected")!;
  expect(boom.kl!).toBeGreaterThan(100);
  expect(boom.reason).toContain("klCap");
  // Children were tagged with the versions that worked them: the learnt ones included.
  const records = readJournal(journal).records;
  const tags = new Set(records.filter((r): r is OrderRecord => r.t === "order").map((o) => /policy=(\S+)/.exec(o.tag)?.[1]));
  expect(tags.has("executor@1")).toBe(true);
  expect(tags.has("executor@1.o1")).toBe(true);
  // Every version event is in the journal, in order, as the API shows it.
  const journaled = records.filter((r): r is ControlRecord => r.t === "control" && r.kind === "learning").map((r) => JSON.parse(r.reason) as LearningEvent);
  expect(journaled).toEqual(log);
  expect(api.versions).toEqual(JSON.parse(JSON.stringify(log)));
  expect(api.live).toBe(l.live.ref);
  expect(metrics).toContain(`kestrel_rl_learning_versions_total{algo="rl",status="rolled-back"} ${l.counts.rolledBack}`);
  expect(metrics).toMatch(/kestrel_rl_learning_kl\{algo="rl",policy="[^"]+"\} \d/);
  expect(metrics).toMatch(/kestrel_rl_learning_version\{algo="rl",policy="[^"]+"\} \d+/);
  // A restart reads the versions back and comes back on the live one.
  const again = await sessionFromYaml(tmp.path, yaml(card), { journalPath: journal });
  try {
    expect(again.core.learningLog).toEqual(log);
    expect(again.learning!.live.ref).toBe(l.live.ref);
  } finally {
    await again.close();
  }
}, 180_000);
