/**
 * `kestrel rl train <config>`: records the config's market tape, starts the PPO learner
 * (`models/executor/learn.py`, Debian's python3 with torch) and drives it: each iteration the
 * vectorised environment plays the learner's current policy (seeded by config seed and iteration,
 * so a resumed run plays what an uninterrupted one would), the rollout goes to the learner as .npy
 * files (kept under `<out>/<version>/rollouts/` for offline learning), and a progress line with
 * episode reward, entropy, KL and value loss goes to stderr. At the end the policy is exported to
 * ONNX; the ONNX file, the TypeScript forward pass and PyTorch must agree before the card is sealed
 * and registered (`<name>@<version>` in `kestrel model list`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import { MlpPolicy } from "../../../plugins/sdk/mlp-policy.ts";
import { ACTION_DIM, observationLayout } from "../../../plugins/sdk/execution-spaces.ts";
import { PYTHON } from "../train.ts";
import { loadRlConfig, type LoadedRlConfig } from "./config.ts";
import { mixSeed } from "./env.ts";
import { collectRollout, episodeStats, writeRollout, type PolicyFile } from "./rollout.ts";
import { recordTape, type MarketTape } from "./tape.ts";
import { VecEnv } from "./vec-env.ts";

/** The learner script. */
const REPO_ROOT = resolve(import.meta.dir, "../../..");

/** A path as a policy card records it: relative to the repository when inside it, else absolute (cards are read from any working directory). */
export function cardPath(path: string): string {
  const abs = resolve(path);
  const rel = relative(REPO_ROOT, abs);
  return rel.startsWith("..") || isAbsolute(rel) ? abs : rel;
}

/** Resolves a path a policy card recorded: absolute as is, else against the working directory when it exists there, else against the repository. */
export function resolveCardPath(path: string): string {
  if (isAbsolute(path)) return path;
  return existsSync(resolve(path)) ? resolve(path) : resolve(REPO_ROOT, path);
}

export const LEARNER_SCRIPT = fileURLToPath(new URL("../../../models/executor/learn.py", import.meta.url));
/** Largest difference allowed between ONNX, PyTorch and the TypeScript forward pass. */
export const POLICY_TOLERANCE = 1e-4;

/** Options of a training run. */
export interface RlTrainOptions {
  resume?: boolean;
  /** Progress lines (default: stderr). */
  progress?: (line: string) => void;
  /** A tape already recorded for this config (tests). */
  tape?: MarketTape;
}

/** What a training run produced. */
export interface RlTrainResult {
  card: string;
  version: string;
  iterations: number;
  history: Record<string, unknown>[];
  parity: { onnxVsTorch: number; tsVsTorch: number };
  seconds: number;
}

/** Reads JSON lines from a stream. */
async function* jsonLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<Record<string, any>> {
  const dec = new TextDecoder();
  let buf = "";
  for await (const chunk of stream) {
    buf += dec.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line !== "") yield JSON.parse(line);
    }
  }
}

/** Checks the tape has every configured day. */
export function checkDays(tape: MarketTape, lc: LoadedRlConfig): void {
  const missing = [...lc.config.env.trainDays, ...lc.config.env.evalDays].filter((d) => !tape.days.has(d));
  if (missing.length > 0) throw new Error(`RL_UNKNOWN_DAY: days=${missing.join(",")} not in deployment=${lc.deployment} (has ${[...tape.days.keys()].join(",")})`);
}

const bar = (k: number, n: number, w = 20) => `[${"#".repeat(Math.round((k / n) * w)).padEnd(w, ".")}]`;
const f = (v: unknown, d = 3) => (typeof v === "number" ? v.toFixed(d) : "n/a");

/** Trains the config's policy; returns where its card is. */
export async function trainPolicy(file: string, opts: RlTrainOptions = {}): Promise<RlTrainResult> {
  const t0 = performance.now();
  const progress = opts.progress ?? ((l: string) => console.error(l));
  const lc = loadRlConfig(file);
  const { config } = lc;
  const L = config.learner;
  const tape = opts.tape ?? (await recordTape(lc.deployment, config.env.instrument));
  checkDays(tape, lc);
  const base = resolve(L.out);
  let version = L.version;
  if (version === undefined && opts.resume && existsSync(base)) version = readdirSync(base).filter((v) => existsSync(join(base, v, "checkpoint.pt"))).sort().at(-1);
  version ??= new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const outDir = join(base, version);
  mkdirSync(outDir, { recursive: true });
  const layout = observationLayout(tape.featureNames);
  const job = {
    name: config.name, version, outDir, learner: L, obsDim: layout.width, actionDim: ACTION_DIM, featureNames: tape.featureNames, obsNames: layout.names,
    envSpec: lc.spec, trainDays: config.env.trainDays, evalDays: config.env.evalDays, deployment: cardPath(lc.deployment), configFile: cardPath(lc.file),
  };
  const jobFile = join(outDir, "job.json");
  writeFileSync(jobFile, JSON.stringify(job, null, 2));
  const proc = Bun.spawn([PYTHON, LEARNER_SCRIPT, jobFile, ...(opts.resume ? ["--resume"] : [])], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  const stderr = new Response(proc.stderr).text();
  const lines = jsonLines(proc.stdout);
  const next = async (): Promise<Record<string, any>> => {
    const r = await lines.next();
    if (r.done) {
      const code = await proc.exited;
      throw new Error(`RL_TRAIN_FAILED: learner exited code=${code} config=${file}\n${(await stderr).trim().split("\n").slice(-6).join("\n")}`);
    }
    return r.value;
  };
  const say = (m: unknown) => {
    proc.stdin.write(`${JSON.stringify(m)}\n`);
    proc.stdin.flush();
  };
  try {
    let msg = await next();
    let iteration: number = msg.iteration;
    if (iteration > 0) progress(`rl train: resumed ${config.name}@${version} at iteration ${iteration}`);
    const history: Record<string, unknown>[] = [];
    while (iteration < L.iterations) {
      const it0 = performance.now();
      const policy = JSON.parse(readFileSync(msg.policy, "utf8")) as PolicyFile;
      const vec = new VecEnv(tape, lc.spec, lc.venue, L.envs, mixSeed(L.seed, iteration), config.env.trainDays);
      const r = collectRollout(vec, policy, L.rolloutSteps, mixSeed(L.seed, iteration, 0x4015e));
      const dir = join(outDir, "rollouts", `rollout-${String(iteration).padStart(5, "0")}`);
      writeRollout(dir, r);
      say({ rollout: dir, iteration, episodes: episodeStats(r) });
      msg = await next();
      iteration = msg.iteration;
      const m = msg.metrics;
      history.push({ iteration, ...m });
      progress(`rl train ${bar(iteration, L.iterations)} ${iteration}/${L.iterations} | episode reward ${f(m.episodeReward)} bps (${m.episodes} episodes) | entropy ${f(m.entropy)} | KL ${f(m.kl, 4)} | value loss ${f(m.valueLoss)} | ${((performance.now() - it0) / 1000).toFixed(1)} s`);
    }
    say({ export: true });
    const out = await next();
    say({ stop: true });
    await proc.exited;
    const cardPath: string = out.card;
    const parity = await checkPolicyParity(cardPath, outDir);
    const worst = Math.max(parity.onnxVsTorch, parity.tsVsTorch);
    if (!(worst <= POLICY_TOLERANCE)) throw new Error(`RL_EXPORT_MISMATCH: card=${cardPath} onnx=${parity.onnxVsTorch} ts=${parity.tsVsTorch} tolerance=${POLICY_TOLERANCE}`);
    const card = JSON.parse(readFileSync(cardPath, "utf8"));
    card.onnxParity = { ...parity, tolerance: POLICY_TOLERANCE, probes: card.parity.obs.length };
    card.onnxSha256 = new Bun.CryptoHasher("sha256").update(readFileSync(join(outDir, card.onnx))).digest("hex");
    delete card.parity;
    writeFileSync(cardPath, `${JSON.stringify(card)}\n`);
    return { card: cardPath, version, iterations: iteration, history: card.history, parity, seconds: (performance.now() - t0) / 1000 };
  } finally {
    proc.kill();
  }
}

/** Compares the ONNX file and the TypeScript forward pass with PyTorch's outputs saved in the card. */
export async function checkPolicyParity(cardPath: string, dir: string): Promise<{ onnxVsTorch: number; tsVsTorch: number }> {
  const card = JSON.parse(readFileSync(cardPath, "utf8"));
  const probes: number[][] = card.parity.obs;
  const want: number[][] = card.parity.action;
  const D = card.obsDim;
  const flat = new Float32Array(probes.length * D);
  probes.forEach((p, k) => flat.set(p, k * D));
  const session = await ort.InferenceSession.create(join(dir, card.onnx), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  let onnx = 0, ts = 0;
  try {
    const out = await session.run({ obs: new ort.Tensor("float32", flat, [probes.length, D]) });
    const got = out.action!.data as Float32Array;
    const net = new MlpPolicy(card);
    const a = new Float64Array(ACTION_DIM);
    for (let k = 0; k < probes.length; k++) {
      net.act(flat, k * D, a);
      for (let j = 0; j < ACTION_DIM; j++) {
        onnx = Math.max(onnx, Math.abs(got[k * ACTION_DIM + j]! - want[k]![j]!));
        ts = Math.max(ts, Math.abs(a[j]! - want[k]![j]!));
      }
    }
  } finally {
    await session.release();
  }
  return { onnxVsTorch: onnx, tsVsTorch: ts };
}
