/**
 * Trading-session variates end to end on a tiny real dataset (with the time of day, to check the
 * order): the trainer appends tod_sin, tod_cos, then the Asia / London / New York session flags and
 * sin, cos of the UTC day of week after the kernels' 25 features; the card says so (width 32), the
 * trainer's and the runtime's float32 values are the same bits, the exported ONNX file and the
 * TypeScript forward pass agree with PyTorch on windows that carry them, and a backtest's model
 * engine appends them to every row of the batch it runs. The shipped models take none of them.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tinySetup, type TinySetup } from "./test-support.ts";
import { buildDataset } from "./dataset/build.ts";
import { readNpy } from "./dataset/npy.ts";
import { layoutMismatch, trainModel } from "./train.ts";
import { ITransformerRunner } from "../models/itransformer.ts";
import { extraVariates, extraVariatesOf, SESSION_VARIATES, sessionVariates, TIME_VARIATES } from "../models/time-variates.ts";
import { ModelEngine } from "../models/model-engine.ts";
import { loadConfig } from "../config/load.ts";
import { buildSession } from "../session/build.ts";
import { runBacktest } from "../session/backtest.ts";
import { needsTools } from "../testing/system-tools.ts";

const USE = needsTools("learning: session variates", "torch");
const ALL = [...TIME_VARIATES, ...SESSION_VARIATES];
let setup: TinySetup;
let card: Record<string, any>;
const modelDir = () => join(setup.dir, "models", "t1");
const cardPath = () => join(modelDir(), "vol-window-tiny.json");

describe("session variates: values", () => {
  test("session flags at fixed UTC hours and the day of week, Monday 0", () => {
    const at = (iso: string) => Array.from(sessionVariates(Date.parse(iso) * 1000, new Float32Array(5)));
    const mon = [0, 1].map((x) => Math.fround(x));
    // Monday 2014-05-05: 13:00 is the London / New York overlap.
    expect(at("2014-05-05T13:00:00Z")).toEqual([0, 1, 1, Math.fround(Math.sin(0)), mon[1]!]);
    expect(at("2014-05-05T07:30:00Z").slice(0, 3)).toEqual([1, 1, 0]); // Asia / London overlap
    expect(at("2014-05-05T03:00:00Z").slice(0, 3)).toEqual([1, 0, 0]);
    expect(at("2014-05-05T20:59:59Z").slice(0, 3)).toEqual([0, 0, 1]);
    expect(at("2014-05-05T21:00:00Z").slice(0, 3)).toEqual([0, 0, 0]);
    expect(at("2014-05-05T23:00:00Z").slice(0, 3)).toEqual([1, 0, 0]);
    // Thursday 2014-05-01 is day 3; Sunday 2014-05-04 day 6.
    expect(at("2014-05-01T10:00:00Z").slice(3)).toEqual([Math.fround(Math.sin((2 * Math.PI * 3) / 7)), Math.fround(Math.cos((2 * Math.PI * 3) / 7))]);
    expect(at("2014-05-04T23:59:59Z").slice(3)).toEqual([Math.fround(Math.sin((2 * Math.PI * 6) / 7)), Math.fround(Math.cos((2 * Math.PI * 6) / 7))]);
    expect(at("1969-12-29T12:00:00Z")[3]).toBe(0); // a Monday before the epoch
  });

  test("only the supported lists are accepted, by cards and by the engine", () => {
    for (const ok of [[], TIME_VARIATES, SESSION_VARIATES, ALL]) expect(extraVariatesOf({ extraVariates: [...ok] })).toEqual([...ok]);
    for (const bad of [[...SESSION_VARIATES, ...TIME_VARIATES], ["sess_asia"], ["tod_sin", "sess_asia"]]) {
      const r = extraVariatesOf({ extraVariates: bad });
      expect("code" in r && r.code).toBe("MODEL_CONFIG_INVALID");
    }
    const ctx = new Float32Array(16 * 25);
    const make = (extra: string[]) => ModelEngine.create({ service: { infer: async () => ({ code: "INFER_FAILED", context: "" }) }, instruments: 1, rows: 16, width: 25, extraVariates: extra, context: () => ctx, now: () => 0, schedule: () => {}, everyMs: 100 });
    expect("code" in make(["dow_sin"])).toBe(true);
    expect("code" in make([...ALL])).toBe(false);
  });
});

beforeAll(async () => {
  if (!USE) return;
  setup = tinySetup({ epochs: 1, timeOfDay: true, session: true, days: ["20140502", "20140505"], splits: { train: ["2014-05-02"], validation: ["2014-05-05"], test: [] } });
  await buildDataset(setup.config);
  expect(await trainModel(setup.configFile, { quiet: true })).toBe(0); // includes the ONNX parity check
  card = JSON.parse(readFileSync(cardPath(), "utf8"));
}, 180_000);
afterAll(() => setup?.[Symbol.dispose]());

describe.skipIf(!USE)("session variates: trained", () => {
  test("the card lists them after the kernels' features and the time of day, and ONNX agrees with PyTorch", () => {
    expect(card.extraVariates).toEqual(ALL);
    expect(card.width).toBe(32);
    expect(card.input.shape).toEqual(["batch", 16, 32]);
    expect(card.layout).toMatchObject({ tod_sin: 25, tod_cos: 26, sess_asia: 27, sess_london: 28, sess_newyork: 29, dow_sin: 30, dow_cos: 31 });
    expect(layoutMismatch(card.layout, card.width, card.extraVariates)).toBe("");
    expect(layoutMismatch(card.layout, card.width, [...TIME_VARIATES])).not.toBe("");
    for (const d of Object.values(card.onnxParity.maxAbsDiff) as number[]) expect(d).toBeLessThan(1e-4);
  });

  test("the trainer's values are the runtime's, bit for bit, at each parity window's decision time", () => {
    // train.py exports the validation samples at np.linspace(0, n - 1, 64).astype(int) as parity windows.
    const out = setup.config.config.dataset.out;
    const split = readNpy(join(out, "samples.split.npy")).data as Int8Array;
    const t = readNpy(join(out, "samples.t.npy")).data as Float64Array;
    const val: number[] = [];
    for (let k = 0; k < split.length; k++) if (split[k] === 1) val.push(k);
    const x = readNpy(join(modelDir(), "parity.context.npy")).data as Float32Array;
    const step = (val.length - 1) / 63;
    const want = new Float32Array(7);
    const seen = new Set<string>();
    for (let j = 0; j < 64; j++) {
      const sample = val[j === 63 ? val.length - 1 : Math.trunc(j * step)]!;
      extraVariates(ALL, t[sample]!, want);
      for (let r = 0; r < 16; r++) {
        const at = (j * 16 + r) * 32;
        expect(Array.from(x.subarray(at + 25, at + 32))).toEqual(Array.from(want));
      }
      seen.add(Array.from(want.subarray(2, 5)).join(""));
    }
    // A validation day (Monday 2014-05-05) spans several sessions: the flags are not constant.
    expect(seen.size).toBeGreaterThanOrEqual(3);
  });

  test("the TypeScript forward pass agrees with PyTorch on them", () => {
    const r = ITransformerRunner.load(cardPath());
    if ("code" in r) throw new Error(r.context);
    expect(r.width).toBe(32);
    r.run(readNpy(join(modelDir(), "parity.context.npy")).data as Float32Array, 64);
    const want = readNpy(join(modelDir(), "parity.signal.npy")).data as Float32Array;
    let worst = 0;
    for (let k = 0; k < 64; k++) worst = Math.max(worst, Math.abs(r.signal[k]! - want[k]!));
    expect(worst).toBeLessThan(1e-4);
  });

  test("a backtest's model engine appends the decision's calendar variates to every row of its batch", async () => {
    const file = join(setup.dir, "session-backtest.yaml");
    writeFileSync(file, readFileSync(setup.deployment, "utf8") + `models: { mode: in-process, everyMs: 60000, card: ${cardPath()} }\n`);
    const loaded = loadConfig(file);
    if (!loaded.ok) throw new Error(loaded.problems.join("; "));
    const session = await buildSession(loaded.config, file, { journalPath: "", store: false, log: () => {} });
    const runner = (session.models!.engine as unknown as { opts: { runSync: { run(b: Float32Array, n: number): void } } }).opts.runSync;
    const run = runner.run.bind(runner);
    let checked = 0;
    const want = new Float32Array(7);
    const flags = new Set<string>();
    runner.run = (b, n) => {
      extraVariates(ALL, session.loop.clock.now(), want);
      for (let i = 0; i < n; i++) for (let r = 0; r < 16; r++) {
        const at = (i * 16 + r) * 32;
        for (let k = 0; k < 7; k++) if (b[at + 25 + k] !== want[k]) throw new Error(`batch ${checked} instrument ${i} row ${r} column ${25 + k}: ${b[at + 25 + k]} != ${want[k]}`);
      }
      flags.add(`${want[2]}${want[3]}${want[4]}`);
      checked++;
      run(b, n);
    };
    runBacktest(session);
    const st = session.models!.engine.status();
    await session.close();
    expect(checked).toBeGreaterThan(1000);
    expect(st.batches).toBe(checked);
    expect(flags.size).toBeGreaterThanOrEqual(4);
  }, 120_000);

  test("the shipped models take no calendar variates beyond the time of day (their layout is unchanged)", () => {
    const v1 = JSON.parse(readFileSync(new URL("../../models/vol-window.json", import.meta.url), "utf8"));
    const v2 = JSON.parse(readFileSync(new URL("../../models/vol-window-2/vol-window.json", import.meta.url), "utf8"));
    expect([v1.width, v1.extraVariates ?? []]).toEqual([25, []]);
    expect([v2.width, v2.extraVariates]).toEqual([27, [...TIME_VARIATES]]);
  });
});
