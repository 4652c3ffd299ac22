/**
 * `kestrel model finetune --from <store>`: builds the preference set of a recorded session store
 * (build.ts), runs the DPO fine-tune of the parent model's direction head
 * (`models/vol_window/finetune.py`, Debian's python3 with torch), checks the exported ONNX file
 * against PyTorch and the card's layout against the kernels' as `model train` does, seals the card
 * and registers it under `var/models/<name>/<version>/` in stage "shadow": `<name>@latest` keeps
 * resolving to the live model; the result says whether the candidate beat the reference on the
 * held-out later validation window (`promote`).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveModel } from "../registry.ts";
import { checkOnnxParity, layoutMismatch, ONNX_TOLERANCE, PYTHON } from "../train.ts";
import type { SimVenueParams } from "../../../plugins/venues/sim/sim-venue.ts";
import { buildFinetuneSet, type CounterfactualMode, type FinetuneSet } from "./build.ts";

/** The fine-tuning script. */
export const FINETUNE_SCRIPT = fileURLToPath(new URL("../../../models/vol_window/finetune.py", import.meta.url));

/** Options of a fine-tune. */
export interface FinetuneOptions {
  /** The session store (DuckDB file). */
  store: string;
  /** The parent model (default vol-window@latest). */
  model?: string;
  days?: number;
  beta?: number;
  klWeight?: number;
  epochs?: number;
  lr?: number;
  batchSize?: number;
  seed?: number;
  validationFraction?: number;
  /** Bootstrap resamples of the validation intervals. */
  reps?: number;
  /** Version to register (default: ft-<UTC time>). */
  version?: string;
  /** Registry folder trained models go to (default var/models). */
  registryDir?: string;
  /** Counterfactual pricing: through the sim venue (default) or at the recorded touches. */
  counterfactual?: CounterfactualMode;
  /** Sim venue parameters of the reconstruction (the recording deployment's; default DEFAULT_SIM_PARAMS). */
  simParams?: SimVenueParams;
  /** Where the trainer's progress goes. */
  progress?: (line: string) => void;
}

/** What a fine-tune produced. */
export interface FinetuneResult {
  model: string;
  parent: string;
  card: string;
  stage: "shadow";
  promote: boolean;
  pairs: number;
  /** How the counterfactuals were priced. */
  counterfactual: CounterfactualMode;
  set: FinetuneSet;
  beta: number;
  klWeight: number;
  klOnPairs: number;
  validation: Record<string, any>;
  onnxMaxAbsDiff: number;
  seconds: number;
}

function sha256(path: string): string {
  const h = new Bun.CryptoHasher("sha256");
  h.update(readFileSync(path));
  return h.digest("hex");
}

/** Fine-tunes the parent model on a store's trade outcomes; registers the result in shadow. */
export async function finetuneModel(o: FinetuneOptions): Promise<FinetuneResult> {
  const t0 = performance.now();
  const store = resolve(o.store);
  if (!existsSync(store)) throw new Error(`FINETUNE_STORE_MISSING: store=${o.store} not found`);
  const registryDir = resolve(o.registryDir ?? "var/models");
  const parentRef = o.model ?? "vol-window@latest";
  const parent = resolveModel(parentRef, registryDir);
  const parentCard = JSON.parse(readFileSync(parent.path, "utf8"));
  if (parentCard.architecture?.kind !== "iTransformer" || typeof parentCard.state !== "string") {
    throw new Error(`FINETUNE_MODEL_UNSUPPORTED: model=${parentRef} kind=${parentCard.architecture?.kind ?? "none"} (a vol-window iTransformer with a state file is needed)`);
  }
  const version = o.version ?? `ft-${new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;
  const outDir = join(registryDir, parent.name, version);
  if (existsSync(join(outDir, `${parent.name}.json`))) throw new Error(`FINETUNE_VERSION_EXISTS: model=${parent.name}@${version} card=${outDir}`);
  const setDir = join(outDir, "set");
  mkdirSync(setDir, { recursive: true });
  try {
    const set = await buildFinetuneSet(store, setDir, {
      rows: parentCard.rows, horizonSeconds: parentCard.data?.horizonSeconds ?? 30, sampleEveryMs: parentCard.data?.sampleEveryMs ?? 5000,
      deadBandBps: parentCard.data?.deadBandBps ?? 0.5, days: o.days ?? 30, validationFraction: o.validationFraction ?? 0.3,
      counterfactual: o.counterfactual ?? "sim", simParams: o.simParams,
    });
    o.progress?.(`finetune: ${set.pairs} pairs from ${set.decisions} decisions (${set.orders} filled orders; counterfactuals ${set.counterfactual === "sim" ? "through the sim venue" : "at the recorded touches"}), ${set.validation} validation decisions after ${new Date(set.cutUs / 1000).toISOString()}`);
    const beta = o.beta ?? 0.1, klWeight = o.klWeight ?? 0.1;
    const job = {
      parentCard: parent.path, setDir, outDir, version, store, set: { ...set, dir: undefined }, beta, klWeight, epochs: o.epochs ?? 20, lr: o.lr ?? 1e-3,
      batchSize: o.batchSize ?? 64, seed: o.seed ?? 7, reps: o.reps ?? 200, threads: 1,
    };
    writeFileSync(join(outDir, "finetune-job.json"), JSON.stringify(job, null, 2));
    const proc = Bun.spawn([PYTHON, FINETUNE_SCRIPT, join(outDir, "finetune-job.json")], { stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    for (const l of stderr.trim().split("\n")) if (l.startsWith("finetune ")) o.progress?.(l);
    if (code !== 0) throw new Error(`FINETUNE_FAILED: exit=${code} model=${parentRef} ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
    const out = JSON.parse(stdout.trim().split("\n").at(-1)!);
    const cardPath = out.card as string;
    const card = JSON.parse(readFileSync(cardPath, "utf8"));
    const mismatch = layoutMismatch(card.layout, card.width, card.extraVariates ?? []);
    if (mismatch !== "") throw new Error(`MODEL_LAYOUT_MISMATCH: card=${cardPath} features=${mismatch}`);
    const parity = await checkOnnxParity(outDir, card.onnx, 8);
    const worst = Math.max(...Object.values(parity.maxAbsDiff));
    if (!(worst <= ONNX_TOLERANCE)) throw new Error(`MODEL_EXPORT_MISMATCH: card=${cardPath} max_abs_diff=${worst} tolerance=${ONNX_TOLERANCE}`);
    card.onnxParity = parity;
    card.onnxSha256 = sha256(join(outDir, card.onnx));
    card.weightsSha256 = sha256(join(outDir, card.weights));
    card.finetune.parentCard = relativeToRepo(card.finetune.parentCard);
    writeFileSync(cardPath, `${JSON.stringify(card, null, 2)}\n`);
    // The context rows are rebuilt from the store on demand; the pairs, validation decisions and set.json stay.
    for (let i = 0; i < set.instruments.length; i++) rmSync(join(setDir, `rows-${i}.npy`), { force: true });
    return {
      model: `${parent.name}@${version}`, parent: `${parent.name}@${parent.version}`, card: cardPath, stage: "shadow", promote: card.promote === true, counterfactual: set.counterfactual,
      pairs: out.pairs, set, beta, klWeight, klOnPairs: out.klOnPairs, validation: out.validation, onnxMaxAbsDiff: worst, seconds: (performance.now() - t0) / 1000,
    };
  } catch (err) {
    // Nothing half-made stays registered.
    rmSync(outDir, { recursive: true, force: true });
    throw err;
  }
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

function relativeToRepo(p: string): string {
  return p.startsWith(`${REPO}/`) ? p.slice(REPO.length + 1) : p;
}

/** One line per result for people. */
export function describeFinetune(r: FinetuneResult): string[] {
  const v = r.validation;
  const f = (x: number) => x.toFixed(4);
  const ci = (c: number[]) => `[${c.map(f).join(", ")}]`;
  return [
    `fine-tuned ${r.model} from ${r.parent}: ${r.pairs} pairs (flat ${r.set.pairsByCounterfactual.flat}, opposite ${r.set.pairsByCounterfactual.opposite}; counterfactuals ${r.counterfactual === "sim" ? `through the sim venue, ${r.set.oppositeUnfilled ?? 0} opposite entries unfilled` : "at the recorded touches"}), beta ${r.beta}, KL weight ${r.klWeight}, KL on pairs ${r.klOnPairs.toExponential(2)}`,
    `validation (${v.decisions} later decisions): accuracy reference ${f(v.reference.directionAccuracy)} ${ci(v.reference.directionAccuracyCi)}, candidate ${f(v.candidate.directionAccuracy)} ${ci(v.candidate.directionAccuracyCi)}`,
    `  log-loss reference ${f(v.reference.logLoss)} ${ci(v.reference.logLossCi)}, candidate ${f(v.candidate.logLoss)} ${ci(v.candidate.logLossCi)}; gain ${f(v.gain.logLoss)} ${ci(v.gain.logLossCi)}`,
    `stage shadow; promote ${r.promote}; card ${r.card}`,
  ];
}
