/**
 * `kestrel model dataset`: builds a model dataset by running the config's replay deployment through
 * the session's own data path (readers, merge, L1 books, feature engine over the WASM kernels) as a
 * backtest with no strategy. Every context row the kernels push is streamed to `rows-<i>.npy`
 * (exactly the float32 row the live model engine reads); a kernel timer on the decision grid
 * records, per instrument, the index of the newest row before t (the live engine's gather at a
 * timer at t sees the same window). Labels come from the mids at and after t; splits by UTC day
 * with an embargo. Outputs, under the config's `dataset.out`:
 * `rows-<i>.npy` (events x width, float32), `ts-<i>.npy` / `mid-<i>.npy` (float64), the samples as
 * columns (`samples.*.npy`), `meta.json`, and `samples.parquet` for analysis.
 */
import { mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { loadConfig } from "../../config/load.ts";
import { buildSession, type Session } from "../../session/build.ts";
import { resolveDayFiles } from "../../data/sources/replay/day-files.ts";
import type { LoadedModelConfig } from "../config.ts";
import { NpyRowWriter, writeNpy } from "./npy.ts";
import { DaySplitter, labelDecision, quantile, SPLIT, RV_FLOOR } from "./labels.ts";

/** Past realised-volatility windows (seconds) kept per decision for the HAR baseline. */
export const PAST_RV_SECONDS = [30, 300, 1800] as const;

/** What a dataset build wrote. */
export interface DatasetSummary {
  out: string;
  instruments: string[];
  events: number[];
  samples: { train: number; validation: number; test: number; leftOut: number };
  highVolThreshold: number[];
  wallSeconds: number;
}

/** A growing float64 column. */
class Column {
  data = new Float64Array(1 << 16);
  n = 0;
  push(v: number): void {
    if (this.n === this.data.length) {
      const d = new Float64Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.n++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.n);
  }
}

/** Raw decisions recorded during the run (labels are computed afterwards). */
export interface Decisions {
  inst: Column;
  row: Column;
  t: Column;
}

/** Builds the session of the dataset's deployment: a backtest, no journal, no store, WASM features. */
export async function datasetSession(deploymentFile: string): Promise<Session> {
  const loaded = loadConfig(deploymentFile);
  if (!loaded.ok) throw new Error(`MODEL_CONFIG_INVALID: deployment=${deploymentFile} ${loaded.problems.join("; ")}`);
  if (loaded.config.market.source !== "replay") throw new Error(`MODEL_CONFIG_INVALID: deployment=${deploymentFile} market.source=${loaded.config.market.source} expected=replay`);
  const session = await buildSession({ ...loaded.config, features: { instruments: "all", backend: "wasm" } }, deploymentFile, {
    mode: "backtest", journalPath: "", store: false, features: "wasm", log: () => {},
  });
  session.core.measureLatency = false;
  return session;
}

/**
 * Wires the recording into a built session: each pushed context row goes to `onRow`, and a timer
 * every `everyUs` on the kernel clock records decisions. Returns the decisions and per-instrument
 * event times and mids.
 */
export function recordDecisions(session: Session, everyUs: number, minRows: number, staleUs: number, onRow: (inst: number, row: Float32Array, at: number) => void) {
  const { loop, core } = session;
  const kernels = core.features.kernels;
  const n = session.instruments.length;
  const width = kernels.layout.width;
  const ts = Array.from({ length: n }, () => new Column());
  const mid = Array.from({ length: n }, () => new Column());
  const decisions: Decisions = { inst: new Column(), row: new Column(), t: new Column() };
  let started = false;
  const onEvent = (i: number, t: number, m: number) => {
    const c = kernels.context(i);
    onRow(i, c, c.length - width);
    ts[i]!.push(t);
    mid[i]!.push(m);
    if (!started) {
      started = true;
      loop.schedule(Math.floor(t / everyUs) * everyUs + everyUs, tick);
    }
  };
  const tick = (): void => {
    const t = loop.clock.now();
    for (let i = 0; i < n; i++) {
      const k = ts[i]!.n;
      if (k >= minRows && t - ts[i]!.data[k - 1]! <= staleUs) {
        decisions.inst.push(i);
        decisions.row.push(k - 1);
        decisions.t.push(t);
      }
    }
    if (loop.peekSourceTs() !== Infinity) loop.schedule(t + everyUs, tick);
  };
  core.listeners.quote = (ev) => onEvent(ev.instrument, ev.ts, (ev.bid + ev.ask) / 2);
  core.listeners.trade = (ev) => onEvent(ev.instrument, ev.ts, ts[ev.instrument]!.n > 0 ? mid[ev.instrument]!.data[ts[ev.instrument]!.n - 1]! : ev.price);
  return { ts, mid, decisions, width };
}

/** Runs the loop to the end of the market. */
export function runToEnd(session: Session): void {
  const { loop } = session;
  while (!loop.exhausted) loop.runUntil(Infinity, 1_000_000);
  loop.close();
}

function sha256(path: string): string {
  const h = new Bun.CryptoHasher("sha256");
  h.update(readFileSync(path));
  return h.digest("hex");
}

/** Builds the dataset of a model config; `progress` gets one line now and then. */
export async function buildDataset(mc: LoadedModelConfig, progress: (line: string) => void = () => {}): Promise<DatasetSummary> {
  const t0 = performance.now();
  const d = mc.config.dataset;
  const out = resolve(d.out);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const session = await datasetSession(mc.deployment);
  const n = session.instruments.length;
  const width = session.core.features.kernels.layout.width;
  const writers = Array.from({ length: n }, (_, i) => new NpyRowWriter(join(out, `rows-${i}.npy`), width));
  const rec = recordDecisions(session, d.sampleEveryMs * 1000, d.rows, d.staleSeconds * 1e6, (i, row, at) => writers[i]!.push(row, at));
  let lastReport = performance.now();
  const { loop } = session;
  while (!loop.exhausted) {
    loop.runUntil(Infinity, 500_000);
    if (performance.now() - lastReport > 2000) {
      lastReport = performance.now();
      progress(`dataset: ${loop.marketEvents} events, at ${new Date(loop.clock.now() / 1000).toISOString()}`);
    }
  }
  loop.close();
  for (const w of writers) w.close();
  const events = writers.map((w) => w.rows);
  for (let i = 0; i < n; i++) {
    writeNpy(join(out, `ts-${i}.npy`), "<f8", [events[i]!], rec.ts[i]!.view());
    writeNpy(join(out, `mid-${i}.npy`), "<f8", [events[i]!], rec.mid[i]!.view());
  }

  // Labels and splits.
  const horizonUs = d.horizonSeconds * 1e6;
  const splitter = new DaySplitter(d.splits, horizonUs, d.embargoSeconds * 1e6);
  const dec = rec.decisions;
  const m = dec.t.n;
  const split = new Int8Array(m), direction = new Int8Array(m);
  const rv = new Float64Array(m), ret = new Float64Array(m), pastRv = new Float64Array(m * PAST_RV_SECONDS.length);
  for (let s = 0; s < m; s++) {
    const i = dec.inst.data[s]!, last = dec.row.data[s]!, t = dec.t.data[s]!;
    const tsI = rec.ts[i]!.data, midI = rec.mid[i]!.data, nI = rec.ts[i]!.n;
    // A decision whose horizon runs past the instrument's data is left out.
    split[s] = tsI[nI - 1]! < t + horizonUs ? SPLIT.none : splitter.of(t);
    const l = labelDecision(tsI, midI, nI, last, t, horizonUs, d.deadBandBps);
    rv[s] = l.rv;
    ret[s] = l.retBps;
    direction[s] = l.direction;
    PAST_RV_SECONDS.forEach((w, k) => (pastRv[s * PAST_RV_SECONDS.length + k] = pastRealisedVol(tsI, midI, last, t - w * 1e6)));
  }
  const threshold = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const train: number[] = [];
    for (let s = 0; s < m; s++) if (dec.inst.data[s] === i && split[s] === SPLIT.train) train.push(rv[s]!);
    threshold[i] = train.length > 0 ? quantile(train, d.highVolQuantile) : NaN;
  }
  const high = new Uint8Array(m);
  for (let s = 0; s < m; s++) high[s] = rv[s]! > threshold[dec.inst.data[s]!]! ? 1 : 0;

  // Only decisions in a split are written.
  const keep: number[] = [];
  for (let s = 0; s < m; s++) if (split[s] !== SPLIT.none) keep.push(s);
  const pick = <T extends Float64Array | Int8Array | Uint8Array>(src: T, make: (k: number) => T, per = 1): T => {
    const o = make(keep.length * per);
    keep.forEach((s, j) => { for (let k = 0; k < per; k++) o[j * per + k] = src[s * per + k]!; });
    return o;
  };
  const k = keep.length;
  writeNpy(join(out, "samples.instrument.npy"), "<i4", [k], Int32Array.from(keep, (s) => dec.inst.data[s]!));
  writeNpy(join(out, "samples.row.npy"), "<i8", [k], BigInt64Array.from(keep, (s) => BigInt(dec.row.data[s]!)));
  writeNpy(join(out, "samples.t.npy"), "<f8", [k], pick(dec.t.view(), (x) => new Float64Array(x)));
  writeNpy(join(out, "samples.split.npy"), "|i1", [k], pick(split, (x) => new Int8Array(x)));
  writeNpy(join(out, "samples.rv.npy"), "<f8", [k], pick(rv, (x) => new Float64Array(x)));
  writeNpy(join(out, "samples.high.npy"), "|u1", [k], pick(high, (x) => new Uint8Array(x)));
  writeNpy(join(out, "samples.ret_bps.npy"), "<f8", [k], pick(ret, (x) => new Float64Array(x)));
  writeNpy(join(out, "samples.direction.npy"), "|i1", [k], pick(direction, (x) => new Int8Array(x)));
  writeNpy(join(out, "samples.past_rv.npy"), "<f8", [k, PAST_RV_SECONDS.length], pick(pastRv, (x) => new Float64Array(x), PAST_RV_SECONDS.length));

  const counts = { train: 0, validation: 0, test: 0, leftOut: m - k };
  for (const s of keep) counts[(["train", "validation", "test"] as const)[split[s]!]!]++;
  const dep = loadConfig(mc.deployment);
  const sources = dep.ok ? (dep.config.market.replay?.files ?? []).flatMap((f) => resolveDayFiles(resolve(dirname(mc.deployment), f.path)).map((p) => ({ instrument: f.instrument, file: p }))) : [];
  const meta = {
    name: mc.config.name,
    config: mc.file,
    deployment: mc.deployment,
    kernels: session.core.features.kernels.backend,
    layout: session.core.features.kernels.layout,
    instruments: session.instruments.map((inst, i) => ({ symbol: inst.symbol, events: events[i], highVolThreshold: threshold[i] })),
    dataset: d,
    rvFloor: RV_FLOOR,
    pastRvSeconds: PAST_RV_SECONDS,
    samples: counts,
    sources: sources.map((s) => ({ ...s, sha256: sha256(s.file) })),
  };
  writeFileSync(join(out, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
  if (d.parquet) await writeParquet(out, keep, dec, session.instruments.map((x) => x.symbol), { split, rv, high, ret, direction });
  return {
    out, instruments: meta.instruments.map((x) => x.symbol), events, samples: counts,
    highVolThreshold: Array.from(threshold), wallSeconds: (performance.now() - t0) / 1000,
  };
}

/** Realised volatility of the mid over events in (from, ts[last]] (past data only). */
export function pastRealisedVol(ts: Float64Array, mid: Float64Array, last: number, from: number): number {
  let sum = 0;
  for (let k = last; k > 0 && ts[k]! > from; k--) {
    const r = Math.log(mid[k]! / mid[k - 1]!);
    sum += r * r;
  }
  return Math.max(Math.sqrt(sum), RV_FLOOR);
}

async function writeParquet(out: string, keep: number[], dec: Decisions, symbols: string[], c: { split: Int8Array; rv: Float64Array; high: Uint8Array; ret: Float64Array; direction: Int8Array }): Promise<void> {
  const csv = join(out, "samples.csv");
  const names = ["train", "validation", "test"];
  const lines = ["ts_us,instrument,split,rv,high,ret_bps,direction,row"];
  for (const s of keep) {
    lines.push(`${dec.t.data[s]},${symbols[dec.inst.data[s]!]},${names[c.split[s]!]},${c.rv[s]},${c.high[s]},${c.ret[s]},${c.direction[s]},${dec.row.data[s]}`);
  }
  writeFileSync(csv, `${lines.join("\n")}\n`);
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  const q = (p: string) => `'${p.replace(/'/g, "''")}'`;
  await con.run(`COPY (SELECT * FROM read_csv(${q(csv)}, header=true)) TO ${q(join(out, "samples.parquet"))} (FORMAT parquet)`);
  con.closeSync();
  rmSync(csv);
}
