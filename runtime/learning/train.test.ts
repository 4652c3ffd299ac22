import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onnxExportForm, tinySetup, type TinySetup } from "./test-support.ts";
import { buildDataset } from "./dataset/build.ts";
import { readNpy } from "./dataset/npy.ts";
import { layoutMismatch, trainModel } from "./train.ts";
import { listModels, resolveModel } from "./registry.ts";
import { evaluateModel, printable } from "./eval/cli.ts";
import { ITransformerRunner } from "../models/itransformer.ts";
import { loadConfig } from "../config/load.ts";
import { buildSession, DeploymentError } from "../session/build.ts";
import { runBacktest } from "../session/backtest.ts";

let setup: TinySetup;
let card: Record<string, any>;
const cardPath = () => join(setup.dir, "models", "t1", "vol-window-tiny.json");

beforeAll(async () => {
  setup = tinySetup({ epochs: 2 });
  await buildDataset(setup.config);
  expect(await trainModel(setup.configFile, { quiet: true })).toBe(0);
  card = JSON.parse(readFileSync(cardPath(), "utf8"));
}, 120_000);
afterAll(() => setup?.[Symbol.dispose]());

describe("training the vol-window iTransformer on a tiny real dataset", () => {
  test("the card names the data, splits, layout, hyper-parameters, calibration, threshold and an ONNX file equal to PyTorch", () => {
    expect(card.version).toBe("vol-window-tiny/t1");
    expect(card.architecture).toMatchObject({ kind: "iTransformer", rows: 16, dModel: 8, layers: 1 });
    expect(layoutMismatch(card.layout, card.width)).toBe("");
    expect(card.data.sources).toHaveLength(4);
    for (const s of card.data.sources) expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(card.data.splits).toEqual({ train: ["2014-05-01"], validation: ["2014-05-02"], test: [] });
    expect(card.calibration).toMatchObject({ method: "platt", fittedOn: "validation" });
    expect(card.threshold.chosenOn).toBe("validation");
    expect(card.threshold.bounds[0]).toBeLessThanOrEqual(card.threshold.threshold);
    expect(card.threshold.bounds[1]).toBeGreaterThanOrEqual(card.threshold.threshold);
    expect(card.training.history).toHaveLength(2);
    expect(card.metrics.validation.auc).toBeGreaterThan(0.6); // well above chance even for a seconds-long run
    expect(card.onnxParity.windows).toBe(64);
    for (const d of Object.values(card.onnxParity.maxAbsDiff) as number[]) expect(d).toBeLessThan(1e-4);
    expect(card.onnxSha256).toMatch(/^[0-9a-f]{64}$/);
    // The ONNX file is the grouped serving form (models/vol_window/grouped.py), not the training form.
    expect(onnxExportForm(cardPath(), join(setup.dir, "models", "t1", card.onnx)).form).toBe("grouped");
  });

  test("val_predict.py rebuilds the trainer's validation predictions from the card alone, and refuses another dataset", () => {
    const py = (args: string[]) => Bun.spawnSync(["/usr/bin/python3", ...args], { stdout: "pipe", stderr: "pipe" });
    const out = join(setup.dir, "rebuilt");
    const r = py(["models/vol_window/val_predict.py", cardPath(), setup.config.config.dataset.out, out]);
    expect(r.exitCode).toBe(0);
    const rep = JSON.parse(r.stdout.toString().trim().split("\n").at(-1)!);
    expect(rep.checks.maxAbsDiffFromCard).toBe(0);
    expect(rep.trainerForm.auc).toBe(card.metrics.validation.auc);
    expect(rep.maxAbsDiffForms).toBeLessThan(1e-6);
    // Paired with the trainer's own validation.npz: same decisions, labels and ranking, so a zero difference on every resample.
    const iv = py(["models/vol_window/val_intervals.py", "--reps", "50", "--ref", "trained", `trained=${join(setup.dir, "models", "t1")}`, `rebuilt=${out}`]);
    expect(iv.exitCode).toBe(0);
    const rebuilt = iv.stdout.toString().trim().split("\n").map((l) => JSON.parse(l)).find((o) => o.name === "rebuilt");
    expect(rebuilt.auc).toBe(card.metrics.validation.auc);
    expect(rebuilt.diffCi).toEqual([0, 0]);
    // A card whose data hashes or thresholds are not the dataset's is refused (in a folder of its own: the registry scans setup.dir).
    const elsewhere = mkdtempSync(join(tmpdir(), "kestrel-valpredict-"));
    try {
      const changed = JSON.parse(readFileSync(cardPath(), "utf8"));
      changed.data.instruments[0].highVolThreshold *= 1.001;
      writeFileSync(join(elsewhere, "card.json"), JSON.stringify(changed));
      copyFileSync(join(setup.dir, "models", "t1", card.state), join(elsewhere, card.state));
      const bad = py(["models/vol_window/val_predict.py", join(elsewhere, "card.json"), setup.config.config.dataset.out, join(elsewhere, "out")]);
      expect(bad.exitCode).toBe(3);
      expect(bad.stderr.toString()).toContain("VAL_DATASET_MISMATCH");
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  test("normalisation is fitted on the training split only", () => {
    // rsi passes through the transform unchanged: its mean over all training windows' rows is the card's.
    const out = setup.config.config.dataset.out;
    const rsi = card.layout.rsi as number, width = card.width as number, L = card.rows as number;
    const split = readNpy(join(out, "samples.split.npy")).data as Int8Array;
    const inst = readNpy(join(out, "samples.instrument.npy")).data as Int32Array;
    const row = readNpy(join(out, "samples.row.npy")).data as BigInt64Array;
    const files = [0, 1].map((i) => readNpy(join(out, `rows-${i}.npy`)).data as Float32Array);
    const meanOf = (which: number) => {
      let s = 0, n = 0;
      for (let k = 0; k < split.length; k++) {
        if (split[k] !== which) continue;
        for (let r = Number(row[k]!) - L + 1; r <= Number(row[k]!); r++) (s += files[inst[k]!]![r * width + rsi]!, n++);
      }
      return s / n;
    };
    expect(card.normalisation.mean[rsi]).toBeCloseTo(meanOf(0), 3);
    expect(Math.abs(card.normalisation.mean[rsi] - meanOf(1))).toBeGreaterThan(0.01);
  });

  test("training is reproducible with the seed, and --resume continues from the last checkpoint", async () => {
    const again = tinySetup({ epochs: 3 });
    try {
      // The same data and seed, one more epoch allowed, resumed from a copy of the first run's checkpoint.
      await buildDataset(again.config);
      const fs = await import("node:fs");
      fs.mkdirSync(join(again.dir, "models", "t1"), { recursive: true });
      fs.copyFileSync(join(setup.dir, "models", "t1", "checkpoint.pt"), join(again.dir, "models", "t1", "checkpoint.pt"));
      expect(await trainModel(again.configFile, { quiet: true, resume: true })).toBe(0);
      const resumed = JSON.parse(readFileSync(join(again.dir, "models", "t1", "vol-window-tiny.json"), "utf8"));
      expect(resumed.training.history.slice(0, 2)).toEqual(card.training.history.map((h: any) => ({ ...h, seconds: expect.any(Number) })));
      expect(resumed.training.history).toHaveLength(3);
      // A fresh run of the first config gives the same weights, bit for bit.
      fs.rmSync(join(again.dir, "models"), { recursive: true });
      fs.writeFileSync(again.configFile, fs.readFileSync(setup.configFile, "utf8").replaceAll(setup.dir, again.dir));
      expect(await trainModel(again.configFile, { quiet: true })).toBe(0);
      expect(JSON.parse(readFileSync(join(again.dir, "models", "t1", "vol-window-tiny.json"), "utf8")).normalisation).toEqual(card.normalisation);
      expect(readFileSync(join(again.dir, "models", "t1", "vol-window-tiny.state.pt")).length).toBeGreaterThan(1000);
      const a = JSON.parse(readFileSync(join(again.dir, "models", "t1", "vol-window-tiny.json"), "utf8"));
      expect(a.metrics.validation).toEqual(card.metrics.validation);
      expect(a.calibration).toEqual(card.calibration);
    } finally {
      again[Symbol.dispose]();
    }
  }, 180_000);

  test("the registry lists it and resolves name@latest and name@version", () => {
    const local = join(setup.dir, "models", "..");
    const models = listModels(join(setup.dir));
    const tiny = models.find((m) => m.name === "vol-window-tiny");
    expect(tiny).toMatchObject({ name: "vol-window-tiny", version: "t1", path: cardPath() });
    expect(Object.keys(tiny!)).toEqual(["name", "version", "path", "created", "metrics", "stage"]);
    expect(tiny!.stage).toBe("live");
    expect(models.some((m) => m.name === "signal-mlp" && m.version === "1")).toBe(true);
    expect(resolveModel("vol-window-tiny@latest", local).path).toBe(cardPath());
    expect(resolveModel("vol-window-tiny@t1", local).path).toBe(cardPath());
    expect(() => resolveModel("vol-window-tiny@nope", local)).toThrow(/MODEL_NOT_FOUND: model=vol-window-tiny@nope/);
  });

  test("eval gives every metric with a bootstrap interval for the model and the ewma, har, logistic and noSkill baselines", async () => {
    const { result, html } = await evaluateModel(cardPath(), { split: "validation", reps: 30 });
    const r = printable(result);
    expect(r).toMatchObject({ model: "vol-window-tiny/t1", rows: expect.any(Number) });
    const checkCi = (o: Record<string, any>, keys: string[]) => {
      for (const k of keys) {
        expect(typeof o[k]).toBe("number");
        expect(o[`${k}Ci`]).toHaveLength(2);
        expect(o[`${k}Ci`][0]).toBeLessThanOrEqual(o[`${k}Ci`][1]);
      }
    };
    checkCi(r.volWindow, ["auc", "brier", "logLoss", "ece"]);
    checkCi(r.magnitude, ["qlike", "mse"]);
    expect(Object.keys(r.volWindow.baselines).sort()).toEqual(["ewma", "har", "logistic", "noSkill"]);
    expect(Object.keys(r.magnitude.baselines).sort()).toEqual(["ewma", "har", "logistic", "noSkill"]);
    for (const b of Object.values(r.volWindow.baselines) as Record<string, any>[]) checkCi(b, ["auc", "brier", "logLoss", "ece"]);
    expect(r.volWindow.baselines.noSkill.auc).toBe(0.5);
    expect(r.volWindow.auc).toBeGreaterThan(r.volWindow.baselines.noSkill.auc);
    for (const c of ["short", "flat", "long"]) {
      expect(typeof r.direction.precision[c]).toBe("number");
      expect(r.direction.recallCi[c]).toHaveLength(2);
    }
    expect(Object.keys(r.direction.baselines).sort()).toEqual(["logistic", "noSkill"]);
    expect(r.curves).toBeUndefined();
    const page = readFileSync(html, "utf8");
    expect(page).toContain("ROC curves");
    expect((page.match(/<svg/g) ?? []).length).toBe(3);
  }, 120_000);
});

describe("serving the trained model", () => {
  test("the synchronous TypeScript forward pass computes what PyTorch (and so the ONNX file) computes on real windows", () => {
    const dir = join(setup.dir, "models", "t1");
    const r = ITransformerRunner.load(cardPath());
    if ("code" in r) throw new Error(r.context);
    const x = readNpy(join(dir, "parity.context.npy"));
    r.run(x.data as Float32Array, 64);
    for (const [name, got] of [["signal", r.signal], ["vol_prob", r.volProb], ["log_rv", r.logRv], ["direction", r.direction]] as const) {
      const want = readNpy(join(dir, `parity.${name}.npy`)).data as Float32Array;
      let worst = 0;
      for (let k = 0; k < want.length; k++) worst = Math.max(worst, Math.abs(got[k]! - want[k]!));
      expect(worst).toBeLessThan(1e-4);
    }
  });

  /** Writes a backtest of the tiny deployment with the model-scalper on the tiny model. */
  function scalperDeployment(extra: string, card = cardPath()): string {
    const file = join(setup.dir, "scalper.yaml");
    const text = readFileSync(setup.deployment, "utf8").replace("strategies: []", `strategies:
  - name: ms
    plugin: model-scalper
    instruments: [EURUSD, NZDUSD]
    params: { orderSize: 100000, threshold: ${card === cardPath() ? card_threshold() : 0.5}, thresholdBounds: [0.01, 0.99], activeFrom: "2014-05-02T00:00:00Z" }
${extra.replace("CARD", card)}`);
    require("node:fs").writeFileSync(file, text);
    return file;
  }
  const card_threshold = () => Math.max(0.01, Math.min(0.99, card.threshold.threshold));

  test("a backtest runs the model at each period and the model-scalper trades its signal above the threshold", async () => {
    const file = scalperDeployment("models: { mode: in-process, everyMs: 30000, card: CARD }");
    const loaded = loadConfig(file);
    if (!loaded.ok) throw new Error(loaded.problems.join("; "));
    const session = await buildSession(loaded.config, file, { journalPath: "", store: false, log: () => {} });
    const summary = runBacktest(session);
    const st = session.models!.engine.status();
    expect(st.source).toBe("in-process");
    expect(st.version).toBe("vol-window-tiny/t1");
    expect(st.batches).toBeGreaterThan(5000); // two days at one batch per 30 s
    for (const s of session.models!.engine.signals) expect(Math.abs(s)).toBeLessThanOrEqual(1);
    expect(summary.orders).toBeGreaterThan(0);
    expect(summary.fills).toBeGreaterThan(0);
    await session.close();
  }, 120_000);

  test("a model whose feature layout differs from the kernels' is refused before anything runs", async () => {
    const fs = require("node:fs");
    const dir = join(setup.dir, "models", "bad");
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(join(setup.dir, "models", "t1"))) fs.copyFileSync(join(setup.dir, "models", "t1", f), join(dir, f));
    const bad = JSON.parse(readFileSync(cardPath(), "utf8"));
    [bad.layout.rsi, bad.layout.zscore] = [bad.layout.zscore, bad.layout.rsi];
    fs.writeFileSync(join(dir, "vol-window-tiny.json"), JSON.stringify(bad));
    const file = scalperDeployment("models: { mode: in-process, everyMs: 30000, card: CARD }", join(dir, "vol-window-tiny.json"));
    const loaded = loadConfig(file);
    if (!loaded.ok) throw new Error(loaded.problems.join("; "));
    const err = await buildSession(loaded.config, file, { journalPath: "", store: false, log: () => {} }).catch((e) => e);
    expect(err).toBeInstanceOf(DeploymentError);
    expect(String(err.message)).toContain("MODEL_LAYOUT_MISMATCH: model=vol-window-tiny/t1 features=rsi,zscore");
  });
});
