import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ModelEngine } from "../../models/model-engine.ts";
import type { MarketEvent, MarketSource } from "../../data/sources/market-source.ts";
import { buildSession } from "../../session/build.ts";
import { loadConfig } from "../../config/load.ts";
import { tinySetup, type TinySetup } from "../test-support.ts";
import { buildDataset, datasetSession, recordDecisions, runToEnd, type DatasetSummary } from "./build.ts";
import { readNpy } from "./npy.ts";
import { SPLIT, utcDay } from "./labels.ts";

let setup: TinySetup;
let summary: DatasetSummary;
const col = (name: string) => readNpy(join(summary.out, `samples.${name}.npy`)).data;

beforeAll(async () => {
  setup = tinySetup();
  summary = await buildDataset(setup.config);
}, 60_000);
afterAll(() => setup?.[Symbol.dispose]());

describe("model dataset on two real OANDA days", () => {
  test("the live model engine's batch at a decision time equals the dataset's window for it, bit for bit", async () => {
    const session = await datasetSession(setup.deployment);
    const { loop, core } = session;
    const kernels = core.features.kernels;
    const rows = setup.config.config.dataset.rows, width = kernels.layout.width, every = setup.config.config.dataset.sampleEveryMs * 1000;
    const batches: { t: number; batch: Float32Array }[] = [];
    const engine = ModelEngine.create({
      service: { infer: async (batch) => (batches.push({ t: loop.clock.now(), batch: batch.slice() }), { code: "INFER_FAILED", context: "capture" }) },
      instruments: 2, rows, width, context: (i) => kernels.context(i), now: () => loop.clock.now(),
      schedule: (at, fn) => loop.schedule(at, fn), everyMs: every / 1000,
    }) as ModelEngine;
    // The engine starts on the dataset's grid (its ticks fall on multiples of the period).
    let started = false;
    core.listeners.quote = (ev) => {
      if (started) return;
      started = true;
      loop.schedule(Math.floor(ev.ts / every) * every + every, () => engine.start());
    };
    const first = Number(col("t")[0]);
    for (let k = 0; k < 40; k++) {
      loop.runUntil(first + k * 7 * every);
      await Bun.sleep(0); // lets the captured (refused) batch settle so the next tick gathers
    }
    engine.stop();
    const t = col("t") as Float64Array, inst = col("instrument") as Int32Array, row = col("row") as BigInt64Array;
    const files = [0, 1].map((i) => readNpy(join(summary.out, `rows-${i}.npy`)).data as Float32Array);
    let compared = 0;
    for (const b of batches) {
      for (let s = 0; s < t.length; s++) {
        if (t[s] !== b.t) continue;
        const i = inst[s]!, r = Number(row[s]!);
        const want = files[i]!.subarray((r - rows + 1) * width, (r + 1) * width);
        const got = b.batch.subarray(i * rows * width, (i + 1) * rows * width);
        expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(want.buffer, want.byteOffset, want.byteLength))).toBe(true);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
    loop.close();
  }, 60_000);

  test("no feature reads data at or after its decision time: a market cut at T gives the same rows before T", async () => {
    const full = [0, 1].map((i) => ({ rows: readNpy(join(summary.out, `rows-${i}.npy`)).data as Float32Array, ts: readNpy(join(summary.out, `ts-${i}.npy`)).data as Float64Array }));
    // Every sample's window ends with the newest event strictly before t.
    const t = col("t") as Float64Array, inst = col("instrument") as Int32Array, row = col("row") as BigInt64Array;
    for (let s = 0; s < t.length; s++) {
      const ts = full[inst[s]!]!.ts, r = Number(row[s]!);
      expect(ts[r]!).toBeLessThan(t[s]!);
      if (r + 1 < ts.length) expect(ts[r + 1]!).toBeGreaterThanOrEqual(t[s]!);
    }
    // A session whose market stops at T (mid-day, day 1) computes exactly the same rows up to T.
    const cut = t[Math.floor(t.length / 4)]!;
    const base = await datasetSession(setup.deployment);
    const inner = base.sources[0]!;
    const truncated: MarketSource = {
      name: "cut", get errorCount() { return inner.errorCount; }, close: () => inner.close(),
      peekTs: () => (inner.peekTs() < cut ? inner.peekTs() : Infinity),
      next: (out: MarketEvent) => inner.peekTs() < cut && inner.next(out),
    };
    const loaded = loadConfig(setup.deployment);
    if (!loaded.ok) throw new Error(loaded.problems.join());
    const session = await buildSession({ ...loaded.config, features: { instruments: "all", backend: "wasm" } }, setup.deployment, { mode: "backtest", journalPath: "", store: false, features: "wasm", sources: [truncated], log: () => {} });
    const width = session.core.features.kernels.layout.width;
    const got: number[][] = [[], []];
    recordDecisions(session, 30_000_000, 16, 60e6, (i, c, at) => got[i]!.push(...c.subarray(at, at + width)));
    runToEnd(session);
    for (const i of [0, 1]) {
      const n = got[i]!.length / width;
      expect(n).toBeGreaterThan(1000);
      expect(full[i]!.ts[n - 1]!).toBeLessThan(cut);
      expect(full[i]!.ts[n]!).toBeGreaterThanOrEqual(cut);
      expect(Float32Array.from(got[i]!)).toEqual(Float32Array.from(full[i]!.rows.subarray(0, n * width)));
    }
  }, 60_000);

  test("labels come from the mids from t to t + H only, and match an independent computation", () => {
    const meta = JSON.parse(readFileSync(join(summary.out, "meta.json"), "utf8"));
    const t = col("t") as Float64Array, inst = col("instrument") as Int32Array, rv = col("rv") as Float64Array;
    const dir = col("direction") as Int8Array, high = col("high") as Uint8Array, split = col("split") as Int8Array;
    const ts = [0, 1].map((i) => readNpy(join(summary.out, `ts-${i}.npy`)).data as Float64Array);
    const mid = [0, 1].map((i) => readNpy(join(summary.out, `mid-${i}.npy`)).data as Float64Array);
    const H = 30e6;
    for (let s = 0; s < t.length; s += 17) {
      const T = ts[inst[s]!]!, M = mid[inst[s]!]!;
      const before = T.findLastIndex((x) => x < t[s]!);
      const path = [M[before]!];
      for (let k = before + 1; k < T.length && T[k]! <= t[s]! + H; k++) path.push(M[k]!);
      let sum = 0;
      for (let k = 1; k < path.length; k++) sum += Math.log(path[k]! / path[k - 1]!) ** 2;
      expect(rv[s]).toBeCloseTo(Math.max(Math.sqrt(sum), 1e-6), 15);
      const ret = Math.log(path.at(-1)! / path[0]!) * 1e4;
      expect(dir[s]).toBe(ret > 0.5 ? 2 : ret < -0.5 ? 0 : 1);
      expect(high[s]).toBe(rv[s]! > meta.instruments[inst[s]!].highVolThreshold ? 1 : 0);
    }
    // The high-volatility threshold is the 0.8 quantile of the training split only: ~20% there.
    for (const i of [0, 1]) {
      let n = 0, h = 0;
      for (let s = 0; s < t.length; s++) if (inst[s] === i && split[s] === SPLIT.train) (n++, (h += high[s]!));
      expect(h / n).toBeGreaterThan(0.18);
      expect(h / n).toBeLessThanOrEqual(0.2 + 1 / n);
    }
    expect(new Set(dir)).toEqual(new Set([0, 1, 2]));
  });

  test("splits follow the UTC day, with the embargo after a change and no label window crossing one", () => {
    const t = col("t") as Float64Array, split = col("split") as Int8Array;
    const boundary = Date.UTC(2014, 4, 2) * 1000;
    for (let s = 0; s < t.length; s++) {
      expect(split[s]).toBe(utcDay(t[s]!) === "2014-05-01" ? SPLIT.train : SPLIT.validation);
      if (split[s] === SPLIT.train) expect(t[s]! + 30e6).toBeLessThan(boundary);
      if (split[s] === SPLIT.validation) expect(t[s]! - 600e6).toBeGreaterThanOrEqual(boundary);
    }
    expect(summary.samples.train).toBeGreaterThan(4000);
    expect(summary.samples.validation).toBeGreaterThan(4000);
    expect(summary.samples.leftOut).toBeGreaterThan(0);
  });

  test("the samples are also written as Parquet, one row per sample", async () => {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const con = await (await DuckDBInstance.create(":memory:")).connect();
    const r = await con.runAndReadAll(`SELECT count(*)::INTEGER AS n, count(DISTINCT instrument)::INTEGER AS k, sum(high)::INTEGER AS h FROM '${join(summary.out, "samples.parquet")}'`);
    const [row] = r.getRowObjects();
    expect(row).toEqual({ n: summary.samples.train + summary.samples.validation, k: 2, h: Array.from(col("high") as Uint8Array).reduce((a, b) => a + b, 0) });
    con.closeSync();
  });
});
