import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { listModels, resolveModel } from "../registry.ts";
import { runNightly } from "../nightly.ts";
import { finetuneModel } from "./finetune.ts";
import { onnxExportForm } from "../test-support.ts";

// A real backtest recording a DuckDB store, a store replay through the dataset path and a PyTorch
// fine-tune with ONNX export, on a loaded 2-core machine.
setDefaultTimeout(180_000);

const KESTREL = fileURLToPath(new URL("../../../bin/kestrel", import.meta.url));

/** A synthetic 25-minute session with two strategies, recorded into `session.duckdb` by `kestrel backtest`. */
function recordSession(dir: string): string {
  writeFileSync(join(dir, "session.yaml"), `name: ft-session
mode: backtest
seed: 11
account: { currency: USD, capital: 1000000 }
market:
  source: synthetic
  synthetic:
    pairs: [EURUSD]
    start: "2024-01-08T07:00:00Z"
    durationSeconds: 1500
    params: { quotesPerSecond: 40, tradeProbability: 0.1 }
venue: { name: sim, plugin: sim, params: { orderLatencyUs: 100, reportLatencyUs: 100, takerFeePpm: 20 } }
strategies:
  - { name: obi, plugin: obi-scalper, instruments: [EURUSD] }
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURUSD] }
risk:
  limits: { maxPosition: 1000000, maxOrderNotional: 5000000, maxOrdersPerSecond: 100, priceCollarBps: 100, maxDailyLoss: 100000, maxDrawdown: 100000 }
store: { path: ${join(dir, "session.duckdb")} }
`);
  const r = Bun.spawnSync([KESTREL, "backtest", "session.yaml"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`backtest failed: ${r.stderr.toString()}`);
  const fills = /Fills\s+(\d+)/.exec(r.stdout.toString());
  expect(Number(fills?.[1])).toBeGreaterThan(5);
  return join(dir, "session.duckdb");
}

const sha = (p: string) => new Bun.CryptoHasher("sha256").update(readFileSync(p)).digest("hex");

describe("model finetune and learn nightly", () => {
  const dir = mkdtempSync(join(tmpdir(), "kestrel-finetune-"));
  const registry = join(dir, "var", "models");
  let store = "";

  test("a recorded session's trades fine-tune a shadow version; the live model is untouched", async () => {
    store = recordSession(dir);
    const live = resolveModel("vol-window@latest", registry);
    const liveSha = sha(live.path);
    const r = await finetuneModel({ store, registryDir: registry, epochs: 2, reps: 50, version: "ft-test" });
    expect(r.model).toBe("vol-window@ft-test");
    expect(r.parent).toBe(`vol-window@${live.version}`);
    expect(r.pairs).toBeGreaterThan(0);
    expect(r.set.pairsByCounterfactual.flat + r.set.pairsByCounterfactual.opposite).toBe(r.pairs);
    expect(r.set.validation).toBeGreaterThan(0);
    // Validation decisions all come after every pair's horizon.
    expect(r.set.cutUs).toBeGreaterThan(r.set.spanUs[0]);
    expect(r.onnxMaxAbsDiff).toBeLessThanOrEqual(1e-4);
    // The served file is the grouped form the trainer exports (models/vol_window/grouped.py), not the training form.
    const form = onnxExportForm(r.card, join(registry, "vol-window", "ft-test", "vol-window.onnx"));
    expect(form.form).toBe("grouped");
    expect(form.nodes).toBe(form.groupedNodes);
    // Registered, in shadow, with its lineage and the comparison on the later window.
    const entry = listModels(registry).find((m) => m.name === "vol-window" && m.version === "ft-test");
    expect(entry?.stage).toBe("shadow");
    const card = JSON.parse(readFileSync(r.card, "utf8"));
    expect(card.onnxExport).toBeUndefined(); // the parent's note on its own file is not carried over
    expect(card.finetune.parent).toBe(JSON.parse(readFileSync(live.path, "utf8")).version);
    expect(card.finetune.pairs).toBe(r.pairs);
    expect(card.finetune.beta).toBe(0.1);
    // The counterfactuals were reconstructed through the sim venue (the default), and the card says so.
    expect(r.counterfactual).toBe("sim");
    expect(card.finetune.set.counterfactual).toBe("sim");
    expect(card.finetune.set.simParams.orderLatencyUs).toBe(150);
    expect(card.finetune.otherOutputsMaxDiff).toBeLessThan(1e-5);
    const v = card.metrics.finetuneValidation;
    for (const side of [v.reference, v.candidate]) {
      expect(side.logLossCi[0]).toBeLessThanOrEqual(side.logLoss);
      expect(side.logLossCi[1]).toBeGreaterThanOrEqual(side.logLoss);
    }
    expect(card.promote).toBe(v.gain.logLossCi[0] > 0 && v.gain.accuracy >= 0);
    expect(existsSync(join(registry, "vol-window", "ft-test", "vol-window.weights.msgpack"))).toBe(true);
    expect(existsSync(join(registry, "vol-window", "ft-test", "set", "set.json"))).toBe(true);
    expect(existsSync(join(registry, "vol-window", "ft-test", "set", "rows-0.npy"))).toBe(false);
    // The live model: same card, same bytes, still what @latest resolves to.
    const after = resolveModel("vol-window@latest", registry);
    expect(after.path).toBe(live.path);
    expect(sha(after.path)).toBe(liveSha);
    // The candidate runs only when named exactly.
    expect(resolveModel("vol-window@ft-test", registry).path).toBe(r.card);
    // A store with no trades is one clear error, and nothing is registered.
    await expect(finetuneModel({ store: join(dir, "missing.duckdb"), registryDir: registry })).rejects.toThrow(/FINETUNE_STORE_MISSING/);
  });

  test("learn nightly runs dataset -> finetune -> eval -> shadow once for a deployment", async () => {
    const live = resolveModel("vol-window@latest", registry);
    const lines: string[] = [];
    const report = await runNightly(join(dir, "session.yaml"), { registryDir: registry, epochs: 1, reps: 30, log: (l) => lines.push(l), now: new Date("2024-01-09T02:00:00Z"), reportDir: join(dir, "learn") });
    expect(report.steps.map((s) => s.step)).toEqual(["dataset", "finetune", "eval", "shadow"]);
    expect(report.model).toMatch(/^vol-window@nightly-20240109/);
    expect(listModels(registry).find((m) => `${m.name}@${m.version}` === report.model)?.stage).toBe("shadow");
    expect(resolveModel("vol-window@latest", registry).path).toBe(live.path);
    expect(existsSync(report.reportFile)).toBe(true);
    // The nightly reconstructs through the deployment's own sim venue parameters.
    const card = JSON.parse(readFileSync(resolveModel(report.model, registry).path, "utf8"));
    expect(card.finetune.set.counterfactual).toBe("sim");
    expect(card.finetune.set.simParams).toMatchObject({ orderLatencyUs: 100, reportLatencyUs: 100, takerFeePpm: 20, assumedQuoteSize: 0 });
    expect(lines.some((l) => l.includes("promote"))).toBe(true);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));
});
