/**
 * `kestrel model train <config>`: runs the PyTorch trainer (`models/vol_window/train.py`, Debian's
 * /usr/bin/python3) on the config's dataset with its progress bar on stderr, then checks the exported
 * ONNX file in onnxruntime-node against PyTorch's outputs on real validation windows, checks the
 * card's feature layout against the kernels', and seals the card with the files' sha256 so the
 * registry lists it (`var/models/<name>/<version>/`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import { defaultFeatureConfig, featureLayout } from "../../kernels-wasm/index.ts";
import { loadModelConfig } from "./config.ts";
import { readNpy } from "./dataset/npy.ts";

/** The trainer script. */
export const TRAIN_SCRIPT = fileURLToPath(new URL("../../models/vol_window/train.py", import.meta.url));
/** Python with torch, numpy and onnx (Debian's packages). */
export const PYTHON = process.env.KESTREL_PYTHON ?? "/usr/bin/python3";
/** Largest absolute difference allowed between onnxruntime and PyTorch outputs. */
export const ONNX_TOLERANCE = 1e-4;

/** Options of a training run. */
export interface TrainOptions {
  resume?: boolean;
  /** Where the trainer's progress goes (default: inherited stderr). */
  quiet?: boolean;
}

/** Result of the ONNX parity check. */
export interface OnnxParity {
  windows: number;
  maxAbsDiff: Record<string, number>;
  tolerance: number;
}

function sha256(path: string): string {
  const h = new Bun.CryptoHasher("sha256");
  h.update(readFileSync(path));
  return h.digest("hex");
}

/** Runs the card's ONNX file on the saved real windows and compares every output with PyTorch's (and a smaller batch of `small` windows with the full one). */
export async function checkOnnxParity(dir: string, onnxFile: string, small = 28): Promise<OnnxParity> {
  const input = readNpy(join(dir, "parity.context.npy"));
  const session = await ort.InferenceSession.create(join(dir, onnxFile), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const out = await session.run({ context: new ort.Tensor("float32", input.data as Float32Array, input.shape) });
    const maxAbsDiff: Record<string, number> = {};
    for (const name of ["signal", "vol_prob", "log_rv", "direction"]) {
      const want = readNpy(join(dir, `parity.${name}.npy`)).data as Float32Array;
      const got = out[name]!.data as Float32Array;
      if (got.length !== want.length) throw new Error(`MODEL_EXPORT_MISMATCH: output=${name} onnx_length=${got.length} torch_length=${want.length}`);
      let m = 0;
      for (let k = 0; k < got.length; k++) m = Math.max(m, Math.abs(got[k]! - want[k]!));
      maxAbsDiff[name] = m;
    }
    // A smaller batch (28 instruments) gives the same rows: the batch axis is dynamic.
    const rowsPer = input.shape[1]! * input.shape[2]!;
    const k = Math.min(small, input.shape[0]!);
    const part = await session.run({ context: new ort.Tensor("float32", (input.data as Float32Array).subarray(0, k * rowsPer), [k, input.shape[1]!, input.shape[2]!]) });
    const full = (out.signal!.data as Float32Array).subarray(0, k);
    let batchDiff = 0;
    (part.signal!.data as Float32Array).forEach((v, k) => (batchDiff = Math.max(batchDiff, Math.abs(v - full[k]!))));
    maxAbsDiff.batch28 = batchDiff;
    return { windows: input.shape[0]!, maxAbsDiff, tolerance: ONNX_TOLERANCE };
  } finally {
    await session.release();
  }
}

/** Returns the names that differ between a card's feature layout and the kernels' default layout ("" when equal). */
export function layoutMismatch(layout: { width: number; index: Record<string, number> } | Record<string, number>, width: number, extra: readonly string[] = []): string {
  const kernels = featureLayout(defaultFeatureConfig(1));
  const index = "index" in layout && typeof layout.index === "object" ? (layout.index as Record<string, number>) : (layout as Record<string, number>);
  const bad = Object.entries(kernels.index).filter(([n, s]) => index[n] !== s).map(([n]) => n);
  // Extra variates (time of day) follow the kernels' features, in the card's order.
  for (const n of Object.keys(index)) if (!(n in kernels.index) && (!extra.includes(n) || index[n] !== kernels.width + extra.indexOf(n))) bad.push(n);
  if (width !== kernels.width + extra.length) bad.push(`width:${width}!=${kernels.width + extra.length}`);
  return bad.join(",");
}

/** Trains the config's model; returns the exit code. */
export async function trainModel(file: string, opts: TrainOptions = {}): Promise<number> {
  const mc = loadModelConfig(file);
  const { config } = mc;
  const datasetDir = resolve(config.dataset.out);
  if (!existsSync(join(datasetDir, "meta.json"))) {
    console.error(`MODEL_DATASET_MISSING: dataset=${datasetDir} (run: kestrel model dataset ${file})`);
    return 1;
  }
  const base = resolve(config.train.out);
  let version = config.train.version;
  if (version === undefined && opts.resume && existsSync(base)) {
    version = readdirSync(base).filter((v) => existsSync(join(base, v, "checkpoint.pt"))).sort().at(-1);
  }
  version ??= new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const outDir = join(base, version);
  mkdirSync(outDir, { recursive: true });
  const job = join(outDir, "job.json");
  writeFileSync(job, JSON.stringify({ ...config, name: config.name, version, outDir, datasetDir, configFile: mc.file }, null, 2));
  const proc = Bun.spawn([PYTHON, TRAIN_SCRIPT, job, ...(opts.resume ? ["--resume"] : [])], { stdout: "pipe", stderr: opts.quiet ? "pipe" : "inherit" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), opts.quiet ? new Response(proc.stderr as ReadableStream).text() : Promise.resolve(""), proc.exited]);
  if (code !== 0) {
    console.error(`MODEL_TRAIN_FAILED: exit=${code} config=${file}${stderr ? `\n${stderr.trim().split("\n").slice(-5).join("\n")}` : ""}`);
    return 1;
  }
  const cardPath = join(outDir, `${config.name}.json`);
  const card = JSON.parse(readFileSync(cardPath, "utf8"));
  const mismatch = layoutMismatch(card.layout, card.width, card.extraVariates ?? []);
  if (mismatch !== "") {
    console.error(`MODEL_LAYOUT_MISMATCH: card=${cardPath} features=${mismatch}`);
    return 1;
  }
  const parity = await checkOnnxParity(outDir, card.onnx);
  const worst = Math.max(...Object.values(parity.maxAbsDiff));
  if (!(worst <= ONNX_TOLERANCE)) {
    console.error(`MODEL_EXPORT_MISMATCH: card=${cardPath} max_abs_diff=${worst} tolerance=${ONNX_TOLERANCE}`);
    return 1;
  }
  card.onnxParity = parity;
  card.onnxSha256 = sha256(join(outDir, card.onnx));
  card.weightsSha256 = sha256(join(outDir, card.weights));
  writeFileSync(cardPath, `${JSON.stringify(card, null, 2)}\n`);
  const summary = JSON.parse(stdout.trim().split("\n").at(-1)!);
  console.log(`trained ${card.version} in ${summary.seconds} s (${summary.epochs} epochs): validation AUC ${summary.validation.auc.toFixed(3)}, Brier ${summary.validation.brier.toFixed(4)}; ONNX = PyTorch within ${worst.toExponential(1)} on ${parity.windows} real windows; card ${cardPath}`);
  return 0;
}
