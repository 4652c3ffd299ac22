/**
 * The chaos run: a real paper session (`kestrel run`, synthetic market at speed, sim venue with its
 * own state file, journal with fsync batch) killed with SIGKILL at random moments and restarted on
 * the same journal, again and again; then checked. After every kill the journal must still start
 * with every record it held before (nothing lost: a torn last frame is the only thing a restart may
 * cut), order and fill ids must stay unique, and at the end a restart from the journal must agree
 * with the venue's own memory: the same open orders and the same position in every instrument
 * (start-up reconciliation brings back what the journal missed at each kill, and counts it).
 * Used by chaos.test.ts (a few kills) and bench/chaos.ts (a hundred).
 */
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readJournal } from "../../journal/journal-file.ts";
import type { JournalRecord, ReconcileRecord } from "../../journal/records.ts";
import { loadConfig } from "../../config/load.ts";
import { buildSession } from "../build.ts";
import { SimStateFile } from "../../../plugins/venues/sim/state-file.ts";

const REPO = resolve(import.meta.dir, "../../..");

/** Options of a chaos run. */
export interface ChaosOptions {
  readonly dir: string;
  readonly kills: number;
  /** Random extra life after the session first journals, ms (uniform in [minMs, maxMs]). */
  readonly minMs: number;
  readonly maxMs: number;
  /** Market speed of the paper session. */
  readonly speed: number;
  readonly seed: number;
  readonly log?: (line: string) => void;
}

/** What one kill left. */
export interface ChaosKill {
  readonly kill: number;
  readonly aliveMs: number;
  readonly records: number;
  readonly tornTail: boolean;
}

/** The outcome of a chaos run. */
export interface ChaosResult {
  readonly kills: ChaosKill[];
  readonly records: number;
  readonly orders: number;
  readonly fills: number;
  /** Records present before a kill and missing or changed after it. */
  readonly lostRecords: number;
  readonly duplicateOrderIds: number;
  readonly duplicateFillIds: number;
  /** Differences start-up reconciliation found and repaired (journal behind the venue at a kill). */
  readonly reconciled: number;
  /** After the final restart: open orders and positions that differ from the venue's memory. */
  readonly openOrderMismatches: number;
  readonly positionMismatches: number;
}

/** The deployment the chaos run drives (four pairs, a market maker and a scalper). */
export function chaosYaml(dir: string, seed: number): string {
  return `name: chaos
mode: paper
seed: ${seed}
account: { currency: USD, capital: 1000000 }
market:
  source: synthetic
  synthetic:
    pairs: [EURUSD, GBPUSD, USDJPY, EURGBP]
    start: "2024-01-08T07:00:00Z"
    params: { quotesPerSecond: 200, tradeProbability: 0.1 }
venue: { name: sim, plugin: sim, params: { orderLatencyUs: 150, reportLatencyUs: 150, jitterUs: 50, takerFeePpm: 20, stateFile: ${join(dir, "venue.jsonl")} } }
strategies:
  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD, USDJPY], params: { orderSize: 100000, maxPosition: 200000, entryImbalance: 0.5, maxSpreadTicks: 10 } }
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURUSD, EURGBP], params: { orderSize: 100000, maxInventory: 300000, requoteTicks: 3, minQuoteLifeUs: 200000 } }
risk:
  limits: { maxPosition: 1000000, maxOrderNotional: 5000000, maxOrdersPerSecond: 200, priceCollarBps: 100, maxDailyLoss: 1000000, maxDrawdown: 1000000 }
journal: { path: ${join(dir, "chaos.journal")}, fsync: batch, snapshotEvery: 5000 }
reconcile: { missing: resubmit, unknown: adopt }
`;
}

/** Deterministic uniform [0, 1) from a seed (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const size = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/** Runs the kills and the checks. */
export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  mkdirSync(o.dir, { recursive: true });
  const config = join(o.dir, "chaos.yaml");
  writeFileSync(config, chaosYaml(o.dir, o.seed));
  const journal = join(o.dir, "chaos.journal");
  const random = rng(o.seed);
  const kills: ChaosKill[] = [];
  let before: string[] = [];
  let lost = 0;
  for (let k = 1; k <= o.kills; k++) {
    const start = size(journal);
    const proc = Bun.spawn([join(REPO, "bin/kestrel"), "run", config, "--for", "600s", "--speed", String(o.speed), "--no-admin", "--quiet"], { cwd: o.dir, stdout: "ignore", stderr: "pipe" });
    // Alive until the session journals something new (or 60 s), then a random while longer.
    const t0 = performance.now();
    while (size(journal) <= start && performance.now() - t0 < 60_000 && proc.exitCode === null) await Bun.sleep(20);
    if (proc.exitCode !== null) throw new Error(`CHAOS_SESSION_EXITED: kill=${k} code=${proc.exitCode} ${await new Response(proc.stderr).text()}`);
    await Bun.sleep(o.minMs + random() * (o.maxMs - o.minMs));
    proc.kill(9);
    await proc.exited;
    const aliveMs = Math.round(performance.now() - t0);
    const read = readJournal(journal);
    const now = read.records.map((r) => JSON.stringify(r));
    for (let i = 0; i < before.length; i++) if (now[i] !== before[i]) lost++;
    before = now;
    kills.push({ kill: k, aliveMs, records: now.length, tornTail: read.tornTail !== null });
    o.log?.(`kill ${k}: alive ${aliveMs} ms, ${now.length} records${read.tornTail !== null ? " (torn tail)" : ""}`);
  }
  // The final restart, in process: reconciled against the venue's memory, then compared with it.
  const loaded = loadConfig(config);
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const s = await buildSession(loaded.config, config, { log: () => {} });
  const venue = new SimStateFile(join(o.dir, "venue.jsonl"));
  const working = new Map(venue.working().map((w) => [w.id, SimStateFile.filled(w)]));
  let openOrderMismatches = 0;
  for (const ord of s.core.oms.openOrders()) if (working.get(ord.id) !== ord.filled) openOrderMismatches++;
  for (const id of working.keys()) if (s.core.oms.get(id) === undefined) openOrderMismatches++;
  let positionMismatches = 0;
  for (const inst of s.instruments) {
    const ours = s.core.portfolio.position(inst.id);
    const theirs = venue.positions.get(inst.symbol) ?? 0;
    if (ours === theirs) continue;
    positionMismatches++;
    o.log?.(`position mismatch ${inst.symbol}: journal=${ours} venue=${theirs}`);
  }
  s.loop.close();
  await s.close();
  const records: JournalRecord[] = readJournal(journal).records;
  const orderIds = records.flatMap((r) => (r.t === "order" ? [r.id] : []));
  const fillIds = records.flatMap((r) => (r.t === "report" && r.report.kind === "fill" ? [r.fillId] : []));
  const reconciled = records
    .filter((r): r is ReconcileRecord => r.t === "reconcile" && r.kind === "summary")
    .reduce((n, r) => n + Number(/differences=(\d+)/.exec(r.detail)?.[1] ?? 0), 0);
  return {
    kills,
    records: records.length,
    orders: orderIds.length,
    fills: fillIds.length,
    lostRecords: lost,
    duplicateOrderIds: orderIds.length - new Set(orderIds).size,
    duplicateFillIds: fillIds.length - new Set(fillIds).size,
    reconciled,
    openOrderMismatches,
    positionMismatches,
  };
}
