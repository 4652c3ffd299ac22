/**
 * The bootstrap's return history from a store a real backtest recorded: it matches returns
 * computed independently from the same quotes, and a session with `method: bootstrap` computes
 * its VaR from it (a bad store path falls back to Monte Carlo with an alert).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { bootstrapVar } from "../../gpu-bridge/var/bootstrap.ts";
import { newQuoteRow } from "../data/formats/quote-reader.ts";
import { openStoreQuotes } from "../store/quote-source.ts";
import { importData } from "../store/import.ts";
import { sharedData } from "../data/formats/test-support.ts";
import { runBacktest } from "../session/backtest.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../session/test-session.ts";
import { loadReturnHistory, MIN_HISTORY_STEPS, type ReturnHistory } from "./bootstrap-history.ts";
import { sidecarParts, type SidecarContext } from "./index.ts";
import { waitFor } from "../../gpu-bridge/shm/test-support.ts";
import { startRealtime } from "../session/realtime.ts";
import { accountExposures } from "./var-request.ts";
import { needsTools } from "../testing/system-tools.ts";

const tmp = tempDir("kestrel-bootstrap-history-");
const db = join(tmp.path, "recorded.duckdb");
const STRATEGIES = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD], params: { entryImbalance: 0.3, maxSpreadTicks: 30 } }
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURGBP, EURUSD] }`;

beforeAll(async () => {
  const s = await sessionFromYaml(tmp.path, syntheticYaml(STRATEGIES, { seconds: 150, extra: `store: { path: ${db} }` }), { journalPath: "" });
  runBacktest(s);
  await s.close();
}, 30_000);
afterAll(() => tmp.dispose());

/** Per-step returns computed here from the store's quotes, one instrument at a time, without SQL. */
async function independentReturns(symbols: string[], stepUs: number, store = db): Promise<{ first: number; rows: number[][] }> {
  const lastMid2 = symbols.map(() => new Map<number, number>());
  for (let k = 0; k < symbols.length; k++) {
    const r = await openStoreQuotes(store, symbols[k]!);
    const q = newQuoteRow();
    while (r.next(q)) if (q.bid > 0 && q.ask > 0) lastMid2[k]!.set(Math.floor(q.ts / stepUs), q.bid + q.ask);
  }
  const firstFull = lastMid2.map((m) => [...m.keys()].reduce((a, b) => Math.min(a, b))).reduce((a, b) => Math.max(a, b));
  const last = lastMid2.map((m) => [...m.keys()].reduce((a, b) => Math.max(a, b))).reduce((a, b) => Math.max(a, b));
  const cur = lastMid2.map((m) => m.get(firstFull)!);
  const rows: number[][] = [];
  for (let b = firstFull + 1; b <= last; b++) {
    rows.push(
      symbols.map((_, k) => {
        const next = lastMid2[k]!.get(b) ?? cur[k]!;
        const r = Math.log(next / cur[k]!);
        cur[k] = next;
        return r;
      }),
    );
  }
  return { first: firstFull + 1, rows };
}

function rowsOf(h: ReturnHistory, n: number): number[][] {
  return Array.from({ length: h.steps }, (_, t) => Array.from(h.history.subarray(t * n, (t + 1) * n)));
}

test("the history from a recorded backtest matches returns computed independently from the same quotes", async () => {
  const symbols = ["GBPUSD", "EURGBP", "EURUSD"];
  for (const stepSeconds of [1, 0.25]) {
    const h = await loadReturnHistory(db, symbols, stepSeconds);
    if ("code" in h) throw new Error(`${h.code} ${h.context}`);
    const want = await independentReturns(symbols, stepSeconds * 1_000_000);
    expect(h.steps).toBe(want.rows.length);
    expect(h.steps).toBeGreaterThan(140 / stepSeconds);
    expect(h.fromUs).toBe(want.first * stepSeconds * 1_000_000);
    expect(rowsOf(h, 3)).toEqual(want.rows);
    // Prices moved: the returns are not all zero, and each column is its own instrument.
    expect(h.history.some((x) => x !== 0)).toBe(true);
    expect(rowsOf(h, 3).map((r) => r[0])).not.toEqual(rowsOf(h, 3).map((r) => r[2]));
  }
  // maxSteps keeps the most recent steps; a time range cuts the quotes read.
  const full = (await loadReturnHistory(db, symbols, 1)) as ReturnHistory;
  const tail = (await loadReturnHistory(db, symbols, 1, { maxSteps: 50 })) as ReturnHistory;
  expect(tail.steps).toBe(50);
  expect(Array.from(tail.history)).toEqual(Array.from(full.history.subarray((full.steps - 50) * 3)));
  const ranged = (await loadReturnHistory(db, symbols, 1, { from: full.fromUs, to: full.fromUs + 61_000_000 })) as ReturnHistory;
  expect(ranged.steps).toBe(60);
  expect(Array.from(ranged.history)).toEqual(Array.from(full.history.subarray(3, 61 * 3)));
}, 20_000);

test("histories from real ticks imported by the store's importer (OANDA EURUSD + NZDUSD over a weekend, the Dukascopy day) match, gaps forward-filled", async () => {
  const fx = join(tmp.path, "oanda.duckdb");
  const days = ["20140502", "20140504"];
  const files = ["eurusd", "nzdusd"].flatMap((p) => days.map((d) => sharedData(`oanda/${p}/${d}_${p}_tick_quote.csv.gz`)));
  const imported = await importData(files, { db: fx });
  expect(imported.failedFiles).toBe(0);
  const symbols = ["NZDUSD", "EURUSD"];
  const h = await loadReturnHistory(fx, symbols, 60);
  if ("code" in h) throw new Error(`${h.code} ${h.context}`);
  const want = await independentReturns(symbols, 60_000_000, fx);
  expect(h.steps).toBe(want.rows.length);
  expect(rowsOf(h, 2)).toEqual(want.rows);
  // Friday close to Sunday open: two days of minutes with every mid carried forward.
  const flat = rowsOf(h, 2).filter((r) => r[0] === 0 && r[1] === 0).length;
  expect(flat).toBeGreaterThan(2 * 24 * 60 - 200);
  expect(h.steps - flat).toBeGreaterThan(1000);

  const duka = join(tmp.path, "dukascopy.duckdb");
  expect((await importData([sharedData("dukascopy/EURUSD/2019-02-04.csv")], { db: duka })).failedFiles).toBe(0);
  const d = await loadReturnHistory(duka, ["EURUSD"], 1, { maxSteps: 20_000 });
  if ("code" in d) throw new Error(`${d.code} ${d.context}`);
  const all = (await independentReturns(["EURUSD"], 1_000_000, duka)).rows;
  expect(d.steps).toBe(20_000);
  expect(rowsOf(d, 1)).toEqual(all.slice(all.length - 20_000));
  // Seconds with no tick are zero returns; the rest moved.
  expect(all.some((r) => r[0] === 0)).toBe(true);
  expect(all.filter((r) => r[0] !== 0).length).toBeGreaterThan(10_000);
}, 20_000);

test("a missing store, an unknown symbol and too short a history are error values, and a missing store is not created", async () => {
  const missing = join(tmp.path, "nope.duckdb");
  expect(await loadReturnHistory(missing, ["EURUSD"], 1)).toMatchObject({ code: "VAR_HISTORY_NO_STORE" });
  expect(existsSync(missing)).toBe(false);
  const unknown = await loadReturnHistory(db, ["EURUSD", "USDXYZ"], 1);
  expect(unknown).toMatchObject({ code: "VAR_HISTORY_UNKNOWN_SYMBOL" });
  expect("code" in unknown && unknown.context).toContain("symbols=USDXYZ");
  const full = (await loadReturnHistory(db, ["EURUSD"], 1)) as ReturnHistory;
  expect(await loadReturnHistory(db, ["EURUSD"], 1, { from: full.fromUs, to: full.fromUs + MIN_HISTORY_STEPS * 1_000_000 })).toMatchObject({ code: "VAR_HISTORY_TOO_SHORT" });
  expect(await loadReturnHistory(db, ["EURUSD"], 0)).toMatchObject({ code: "VAR_HISTORY_INVALID" });
}, 20_000);

const varYaml = (store: string, maxVar: number) => `sidecars:
  gpu: { mode: in-process, method: bootstrap, history: { store: ${store}, stepSeconds: 1 }, everySeconds: 5, confidence: 0.99, horizonSeconds: 60, paths: 2000, maxVar: ${maxVar} }`;

test("a session with method: bootstrap computes its VaR from the store's history and reports the method", async () => {
  const s = await sessionFromYaml(tmp.path, syntheticYaml(STRATEGIES, { seconds: 120, seed: 12, extra: varYaml(db, 1) }), { journalPath: "" });
  const gpu = sidecarParts(s.sidecars)!.gpu!;
  // Each scheduled computation, with the exposures it saw, to check against a direct bootstrap.
  const ctx = (gpu.monitor as unknown as { ctx: SidecarContext }).ctx;
  const seen: { exposures: Float64Array; var: number; es: number }[] = [];
  const tick = gpu.monitor.tick.bind(gpu.monitor);
  gpu.monitor.tick = () => {
    tick();
    seen.push({ exposures: accountExposures(ctx), var: gpu.monitor.lastVar, es: gpu.monitor.lastEs });
  };
  const summary = runBacktest(s);
  await s.close();
  const h = (await loadReturnHistory(db, ["EURUSD", "GBPUSD", "EURGBP"], 1)) as ReturnHistory;
  expect(gpu.status()).toMatchObject({ method: "bootstrap", source: "in-process", historySteps: h.steps });
  expect(gpu.monitor.computed["in-process"]).toBe(seen.length);
  const risky = seen.filter((x) => x.exposures.some((e) => e !== 0));
  expect(risky.length).toBeGreaterThan(5);
  for (const x of risky) {
    const direct = bootstrapVar({ exposures: x.exposures, history: h.history, stepSeconds: 1, horizonSeconds: 60, confidence: 0.99, paths: 2000 });
    if ("code" in direct) throw new Error(direct.code);
    expect(x.var).toBe(direct.var);
    expect(x.es).toBe(direct.es);
    expect(x.var).toBeGreaterThan(0);
  }
  expect(s.core.alerts.all().some((a) => a.code === "VAR_HISTORY_UNAVAILABLE")).toBe(false);
  const limit = s.core.alerts.all().find((a) => a.code === "VAR_LIMIT");
  expect(limit?.message).toContain("method=bootstrap");
  expect(summary.riskRejections.VAR_LIMIT).toBeGreaterThan(0);
}, 20_000);

test("a bad store path raises VAR_HISTORY_UNAVAILABLE and the session runs Monte Carlo instead", async () => {
  const bad = join(tmp.path, "missing", "history.duckdb");
  const s = await sessionFromYaml(tmp.path, syntheticYaml(STRATEGIES, { seconds: 60, extra: varYaml(bad, 1e12) }), { journalPath: "" });
  const gpu = sidecarParts(s.sidecars)!.gpu!;
  runBacktest(s);
  await s.close();
  const alert = s.core.alerts.all().find((a) => a.code === "VAR_HISTORY_UNAVAILABLE");
  expect(alert?.subject).toBe("gpu");
  expect(alert?.message).toContain("cause=VAR_HISTORY_NO_STORE");
  expect(alert?.message).toContain("fallback=monte-carlo");
  expect(gpu.status()).toMatchObject({ method: "monte-carlo", source: "in-process", historySteps: 0 });
  expect(gpu.monitor.computed["in-process"]).toBeGreaterThan(3);
  expect(existsSync(bad)).toBe(false);
}, 20_000);


test.skipIf(!needsTools("sidecars: bootstrap VaR on the sidecar", "torch"))("a paper session with method: bootstrap asks the sidecar's var.bootstrap, which agrees with the in-process bootstrap within sampling error", async () => {
  const extra = `sidecars:
  gpu: { mode: sidecar, method: bootstrap, history: { store: ${db}, stepSeconds: 1 }, everySeconds: 5, confidence: 0.99, horizonSeconds: 30, paths: 100000, maxVar: 1000000000 }`;
  const s = await sessionFromYaml(tmp.path, syntheticYaml(STRATEGIES, { seconds: 7200, extra }), { mode: "paper", journalPath: "" });
  const gpu = sidecarParts(s.sidecars)!.gpu!;
  const ctx = (gpu.monitor as unknown as { ctx: SidecarContext }).ctx;
  // The exposures each request went out with; one is in flight at a time, so the last sent is the one answered.
  const sent: Float64Array[] = [];
  const tick = gpu.monitor.tick.bind(gpu.monitor);
  gpu.monitor.tick = () => {
    const was = gpu.monitor.pending();
    tick();
    if (!was && gpu.monitor.pending()) sent.push(accountExposures(ctx));
  };
  const run = startRealtime(s, { speed: 100, forUs: 60_000_000 });
  let answered: { exposures: Float64Array; var: number; es: number } | null = null;
  try {
    await waitFor(() => {
      const last = sent.at(-1);
      if (gpu.monitor.pending() || gpu.monitor.lastSource !== "sidecar" || last === undefined || !last.some((e) => e !== 0)) return false;
      answered = { exposures: last, var: gpu.monitor.lastVar, es: gpu.monitor.lastEs };
      return true;
    }, 30_000, "a sidecar bootstrap VaR over non-zero exposures");
  } finally {
    run.stop();
    await run.done;
    await s.close();
  }
  const a = answered!;
  expect(gpu.status()).toMatchObject({ method: "bootstrap", source: "sidecar" });
  expect(gpu.monitor.computed.sidecar).toBeGreaterThan(0);
  const h = (await loadReturnHistory(db, ["EURUSD", "GBPUSD", "EURGBP"], 1)) as ReturnHistory;
  const local = bootstrapVar({ exposures: a.exposures, history: h.history, stepSeconds: 1, horizonSeconds: 30, confidence: 0.99, paths: 100_000 });
  if ("code" in local) throw new Error(local.code);
  expect(a.var).toBeGreaterThan(0);
  expect(Math.abs(a.var / local.var - 1)).toBeLessThan(0.05);
  expect(Math.abs(a.es / local.es - 1)).toBeLessThan(0.06);
}, 60_000);
