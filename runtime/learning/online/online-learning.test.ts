/**
 * Online PPO in a paper session (the real Python learner, a synthetic market paced at high speed):
 * the rl-executor explores and hands its rollouts over; every 60 s of market time the learner
 * updates the policy; updates within the trust region go live (children carry the new version);
 * a forced destructive update (the policy stops entering) is rolled back when its live reward
 * falls below the bound; a forced exploding update is rejected by the KL cap; every version is
 * journaled, shown by GET /api/v1/learning (real HTTP), the dashboard (real Chromium) and /metrics;
 * a restart reads them back. Bad `learning:` settings stop the build with one line.
 */
import { afterAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readJournal } from "../../journal/journal-file.ts";
import type { ControlRecord, OrderRecord } from "../../journal/records.ts";
import { startRealtime } from "../../session/realtime.ts";
import { sessionFromYaml, tempDir } from "../../session/test-session.ts";
import { chromium } from "playwright-core";
import { startAdmin } from "../../admin/index.ts";
import { issueToken } from "../../admin/auth/jwt.ts";
import { needsTools } from "../../testing/system-tools.ts";
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
  const key = "test-key-0123456789abcdef0123456789abcdef";
  const admin = await startAdmin(s, run, { port: 0, keys: [key], log: () => {} });
  const token = await issueToken("analyst", 600, key);
  const get = async (path: string) => {
    const r = await fetch(new URL(path, admin.url), { headers: { Authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    return r.text();
  };
  const log = s.core.learningLog;
  const seen = (st: LearningEvent["status"], n: number) => log.some((e) => e.status === st && e.n === n);
  let api: { live: string; versions: LearningEvent[] };
  let metrics: string;
  try {
    await waitFor(() => l.failure !== null || (seen("rolled-back", 3) && seen("rejected", 4) && log.filter((e) => e.status === "accepted").length >= 3), 100_000, `versions (have ${JSON.stringify(log.map((e) => [e.n, e.status]))})`);
    // The API and /metrics over HTTP, as the session stands (further updates may land meanwhile).
    api = JSON.parse(await get("/api/v1/learning"));
    metrics = await get("/metrics");
    // The market stops (the machine's cores go to the browser); the admin server still serves the session.
    run.stop();
    await run.done;
    // The dashboard shows every version with its fate, KL, entropy and reward.
    if (needsTools("learning: dashboard in headless Chromium", "chromium")) {
      const browser = await chromium.launch({ executablePath: Bun.which("chromium") ?? "chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
      try {
        const page = await browser.newPage();
        await page.goto(admin.url);
        await page.getByTestId("token").fill(token);
        await page.getByTestId("login").click();
        const row = page.locator('[data-testid="learning"] tr[data-version="executor@1.o3"]').filter({ hasText: "rolled-back" });
        await row.waitFor({ timeout: 60_000 });
        expect(await row.locator("td").nth(5).textContent()).toBe("-20.00");
        await page.locator('[data-testid="learning"] tr[data-version="executor@1.o2+u4"]').filter({ hasText: "rejected" }).waitFor({ timeout: 60_000 });
        expect(await page.getByTestId("learning-note").textContent()).toMatch(/^live executor@1\.o\d+ \(last good executor@1\.o\d+\).*last update KL \d/);
      } finally {
        await browser.close();
      }
    }
  } finally {
    await admin.stop();
    run.stop();
    await run.done;
  }
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
  expect(api.versions).toEqual(JSON.parse(JSON.stringify(log.slice(0, api.versions.length))));
  expect(api.versions.length).toBeGreaterThanOrEqual(5);
  expect(metrics).toMatch(/kestrel_rl_learning_versions_total\{algo="rl",status="rolled-back"\} [1-9]/);
  expect(metrics).toMatch(/kestrel_rl_learning_versions_total\{algo="rl",status="accepted"\} [3-9]/);
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
}, 300_000);

test("learning: online refuses a backtest, a deployment without an rl-executor, and an unknown algo, each in one line", async () => {
  const card = tinyCard();
  const paper = yaml(card);
  await expect(sessionFromYaml(tmp.path, paper.replace("mode: paper", "mode: backtest"))).rejects.toThrow(/LEARNING_CONFIG_INVALID: learning: online learning runs in paper and live sessions/);
  await expect(sessionFromYaml(tmp.path, paper.replace("  mode: online\n", "  mode: online\n  algo: nope\n"))).rejects.toThrow("LEARNING_CONFIG_INVALID: learning.algo: nope is not an rl-executor in execution.algos (has: rl)");
  const noAlgos = paper.replace(/execution:\n  algos:\n.*\n/, "").replace(/  - \{ name: intents.*\n/, "");
  await expect(sessionFromYaml(tmp.path, noAlgos.replace("strategies:\n", "strategies: []\n"))).rejects.toThrow("learning: online learning needs an rl-executor in execution.algos");
}, 60_000);
