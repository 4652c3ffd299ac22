/**
 * Time-of-day variates end to end on a tiny real dataset: the trainer appends sin and cos of each
 * decision's UTC time of day after the kernels' 25 features, the card says so (`extraVariates`,
 * width 27, layout slots 25 and 26), Python and the runtime compute the same float32 bits, the
 * exported ONNX file and the TypeScript forward pass agree with PyTorch on windows that carry them,
 * and a backtest's model engine appends them to every row of the batch it runs.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tinySetup, type TinySetup } from "./test-support.ts";
import { buildDataset } from "./dataset/build.ts";
import { readNpy } from "./dataset/npy.ts";
import { layoutMismatch, trainModel } from "./train.ts";
import { evaluateModel, printable } from "./eval/cli.ts";
import { ITransformerRunner } from "../models/itransformer.ts";
import { timeOfDay } from "../models/time-variates.ts";
import { loadConfig } from "../config/load.ts";
import { buildSession } from "../session/build.ts";
import { runBacktest } from "../session/backtest.ts";
import { needsTools } from "../testing/system-tools.ts";

const USE = needsTools("learning: time-of-day variates", "torch");
let setup: TinySetup;
let card: Record<string, any>;
const modelDir = () => join(setup.dir, "models", "t1");
const cardPath = () => join(modelDir(), "vol-window-tiny.json");

beforeAll(async () => {
  if (!USE) return;
  setup = tinySetup({ epochs: 1, timeOfDay: true });
  await buildDataset(setup.config);
  expect(await trainModel(setup.configFile, { quiet: true })).toBe(0); // includes the ONNX parity check
  card = JSON.parse(readFileSync(cardPath(), "utf8"));
}, 120_000);
afterAll(() => setup?.[Symbol.dispose]());

describe.skipIf(!USE)("time-of-day variates", () => {
  test("the card lists them after the kernels' features, and ONNX agrees with PyTorch on windows that carry them", () => {
    expect(card.extraVariates).toEqual(["tod_sin", "tod_cos"]);
    expect(card.width).toBe(27);
    expect(card.input.shape).toEqual(["batch", 16, 27]);
    expect(card.layout).toMatchObject({ tod_sin: 25, tod_cos: 26 });
    expect(layoutMismatch(card.layout, card.width, card.extraVariates)).toBe("");
    expect(layoutMismatch(card.layout, card.width)).not.toBe(""); // not a kernels-only model
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
    const want = new Float32Array(2);
    let changes = 0;
    for (let j = 0; j < 64; j++) {
      const sample = val[j === 63 ? val.length - 1 : Math.trunc(j * step)]!;
      timeOfDay(t[sample]!, want);
      for (let r = 0; r < 16; r++) {
        const at = (j * 16 + r) * 27;
        expect([x[at + 25], x[at + 26]]).toEqual([want[0], want[1]]);
      }
      if (j > 0 && x[(j - 1) * 16 * 27 + 25] !== x[j * 16 * 27 + 25]) changes++;
    }
    expect(changes).toBeGreaterThan(50); // decision times differ: the columns are not constant
  });

  test("eval runs the model and its baselines on windows that carry them", async () => {
    const { result } = await evaluateModel(cardPath(), { split: "validation", reps: 20 });
    const r = printable(result);
    expect(r.model).toBe("vol-window-tiny/t1");
    expect(r.volWindow.auc).toBeGreaterThan(0.5);
    expect(Object.keys(r.volWindow.baselines).sort()).toEqual(["ewma", "har", "logistic", "noSkill"]);
  }, 60_000);

  test("the TypeScript forward pass agrees with PyTorch on them", () => {
    const r = ITransformerRunner.load(cardPath());
    if ("code" in r) throw new Error(r.context);
    expect(r.width).toBe(27);
    r.run(readNpy(join(modelDir(), "parity.context.npy")).data as Float32Array, 64);
    const want = readNpy(join(modelDir(), "parity.signal.npy")).data as Float32Array;
    let worst = 0;
    for (let k = 0; k < 64; k++) worst = Math.max(worst, Math.abs(r.signal[k]! - want[k]!));
    expect(worst).toBeLessThan(1e-4);
  });

  test("a backtest's model engine appends the decision's time of day to every row of its batch", async () => {
    const file = join(setup.dir, "tod-backtest.yaml");
    writeFileSync(file, readFileSync(setup.deployment, "utf8") + `models: { mode: in-process, everyMs: 60000, card: ${cardPath()} }\n`);
    const loaded = loadConfig(file);
    if (!loaded.ok) throw new Error(loaded.problems.join("; "));
    const session = await buildSession(loaded.config, file, { journalPath: "", store: false, log: () => {} });
    // Watch the batches the engine hands the synchronous model.
    const runner = (session.models!.engine as unknown as { opts: { runSync: { run(b: Float32Array, n: number): void } } }).opts.runSync;
    const run = runner.run.bind(runner);
    let checked = 0;
    const tod = new Float32Array(2);
    runner.run = (b, n) => {
      timeOfDay(session.loop.clock.now(), tod);
      for (let i = 0; i < n; i++) for (let r = 0; r < 16; r++) {
        const at = (i * 16 + r) * 27;
        if (b[at + 25] !== tod[0] || b[at + 26] !== tod[1]) throw new Error(`batch ${checked} instrument ${i} row ${r}: ${b[at + 25]},${b[at + 26]} != ${tod[0]},${tod[1]}`);
      }
      checked++;
      run(b, n);
    };
    runBacktest(session);
    const st = session.models!.engine.status();
    await session.close();
    expect(checked).toBeGreaterThan(1000); // two days at one batch a minute
    expect(st.batches).toBe(checked);
    expect(st.version).toBe("vol-window-tiny/t1");
    for (const s of session.models!.engine.signals) expect(Math.abs(s)).toBeLessThanOrEqual(1);
  }, 120_000);
});
