/**
 * `kestrel model eval <name@version|card> [--data <config>] [--split test] [--json] [--html <file>]`:
 * evaluates a registered model on a split of a dataset (default: the one it was trained from, test
 * split) against the ewma, har, logistic and noSkill baselines, with bootstrap intervals; prints one
 * JSON object with --json, writes the HTML report and keeps the full result under var/evals/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadModelConfig } from "../config.ts";
import { resolveModel } from "../registry.ts";
import { PYTHON } from "../train.ts";
import { renderReport, type EvalResult } from "./report.ts";

/** The evaluation script. */
export const EVAL_SCRIPT = fileURLToPath(new URL("../../../models/vol_window/evaluate.py", import.meta.url));

/** Options of an evaluation. */
export interface EvalOptions {
  /** Model config whose dataset to use (default: the card's). */
  data?: string;
  split?: "train" | "validation" | "test";
  reps?: number;
  html?: string;
}

/** Evaluates a model; returns the full result (with curves) and where the report went. */
export async function evaluateModel(ref: string, o: EvalOptions = {}): Promise<{ result: EvalResult; html: string; json: string }> {
  const model = resolveModel(ref);
  const card = JSON.parse(readFileSync(model.path, "utf8"));
  const configFile = o.data ?? card.data?.config;
  if (configFile === undefined) throw new Error(`MODEL_CONFIG_INVALID: model=${ref} has no dataset config; pass --data <config>`);
  const mc = loadModelConfig(configFile);
  const datasetDir = resolve(mc.config.dataset.out);
  if (!existsSync(join(datasetDir, "meta.json"))) throw new Error(`MODEL_DATASET_MISSING: dataset=${datasetDir} (run: kestrel model dataset ${configFile})`);
  const meta = JSON.parse(readFileSync(join(datasetDir, "meta.json"), "utf8"));
  // The card's layout is the dataset's (the kernels') plus its extra variates (time of day), which the evaluator computes.
  const extra = new Set<string>(card.extraVariates ?? []);
  const kernelSlots = Object.fromEntries(Object.entries((card.layout.index ?? card.layout) as Record<string, number>).filter(([n]) => !extra.has(n)));
  if (JSON.stringify(meta.layout.index) !== JSON.stringify(kernelSlots)) throw new Error(`MODEL_LAYOUT_MISMATCH: model=${ref} dataset=${datasetDir}`);
  const split = o.split ?? "test";
  const outDir = resolve("var/evals");
  mkdirSync(outDir, { recursive: true });
  const stem = `${model.name}-${model.version}-${split}`;
  const json = join(outDir, `${stem}.json`);
  const proc = Bun.spawn([PYTHON, EVAL_SCRIPT, model.path, datasetDir, split, json, String(o.reps ?? 200)], { stdout: "inherit", stderr: "pipe" });
  const [err, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`MODEL_EVAL_FAILED: exit=${code} model=${ref} ${err.trim().split("\n").slice(-3).join(" | ")}`);
  const result = JSON.parse(readFileSync(json, "utf8")) as EvalResult;
  const html = resolve(o.html ?? join(outDir, `${stem}.html`));
  mkdirSync(dirname(html), { recursive: true });
  writeFileSync(html, renderReport(result));
  return { result, html, json };
}

/** The printed object: the result without curves and the equity series. */
export function printable(r: EvalResult): EvalResult {
  const { curves: _c, ...rest } = r;
  const { equityBps: _e, ...trading } = r.trading;
  return { ...rest, trading };
}

/** `kestrel model eval`; returns the exit code. */
export async function runEval(positionals: string[], flags: Map<string, string | true>): Promise<number> {
  const ref = positionals[0];
  if (ref === undefined) {
    console.error("kestrel model eval: needs a model (name@version, name@latest or a card path)");
    return 2;
  }
  const str = (k: string) => (typeof flags.get(k) === "string" ? (flags.get(k) as string) : undefined);
  const split = str("split") ?? "test";
  if (!["train", "validation", "test"].includes(split)) {
    console.error(`kestrel model eval: --split expected train, validation or test, got "${split}"`);
    return 2;
  }
  const { result, html } = await evaluateModel(ref, { data: str("data"), split: split as "test", reps: str("reps") ? Number(str("reps")) : undefined, html: str("html") });
  if (flags.has("json")) console.log(JSON.stringify(printable(result)));
  else {
    const v = result.volWindow;
    console.log(`${result.model} on ${result.split} (${result.rows} decisions): vol-window AUC ${v.auc.toFixed(3)} [${v.aucCi.map((x: number) => x.toFixed(3)).join(", ")}], Brier ${v.brier.toFixed(4)}`);
    for (const [k, b] of Object.entries(v.baselines as Record<string, any>)) console.log(`  ${k.padEnd(9)} AUC ${b.auc.toFixed(3)} [${b.aucCi.map((x: number) => x.toFixed(3)).join(", ")}], Brier ${b.brier.toFixed(4)}`);
  }
  console.error(`report: ${html}`);
  return 0;
}
