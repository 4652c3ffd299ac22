/**
 * The Monte Carlo VaR WASM kernel (`kernels-wasm/var-mc/var-mc.ts`): built on first use with the
 * installed AssemblyScript compiler into `kernels-wasm/build/var-mc-<hash>.wasm` (the hash covers
 * the source, the compiler version and the flags, so a stale module is never loaded; the build
 * goes to a temporary file renamed into place) and instantiated synchronously once per process.
 * `prepareVarMc()` builds it ahead without blocking the event loop; the first `engine: "wasm"`
 * request in a process that did not call it blocks for the build (seconds).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FLAGS = ["-O3", "--noAssert", "--runtime", "stub", "--enable", "simd"];
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const source = join(root, "kernels-wasm", "var-mc", "var-mc.ts");
const buildDir = join(root, "kernels-wasm", "build");

/** The kernel's exports. */
export interface VarMcExports {
  readonly memory: WebAssembly.Memory;
  init(): void;
  seed(s: number): void;
  layout(stride: number, paths: number): number;
  bPtr(): number;
  lossPtr(): number;
  simulate(stride: number, paths: number, dof: number): void;
  simulateOne(sigma: number, paths: number, dof: number): void;
  tail(paths: number, k: number): void;
  drawOnly(stride: number, paths: number): number;
  sum(): number;
  sumSq(): number;
  varValue(): number;
  esValue(): number;
}

/** The kernel could not be built: compiler exit status and its first lines of output. */
export class VarMcBuildError extends Error {
  readonly code = "VAR_WASM_BUILD_FAILED";
  constructor(detail: string) {
    super(`VAR_WASM_BUILD_FAILED: source=${source} ${detail}`);
  }
}

function ascDir(): string {
  return dirname(createRequire(import.meta.url).resolve("assemblyscript/package.json"));
}

/** Returns the module file the current source builds to (it may not exist yet). */
export function varMcWasmPath(): string {
  const h = createHash("sha256");
  h.update(JSON.parse(readFileSync(join(ascDir(), "package.json"), "utf8")).version);
  h.update(FLAGS.join(" "));
  h.update(readFileSync(source));
  return join(buildDir, `var-mc-${h.digest("hex").slice(0, 16)}.wasm`);
}

function buildCommand(tmp: string): string[] {
  return [process.execPath, join(ascDir(), "bin", "asc.js"), source, ...FLAGS, "-o", tmp];
}

function tempPath(out: string): string {
  mkdirSync(buildDir, { recursive: true });
  return `${out}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
}

const spawnOptions = { cwd: root, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } } as const;

/** Moves a finished build into place (atomic rename) and drops older builds of the kernel. */
function publish(tmp: string, out: string, exitCode: number | null, stderr: string): string {
  if (exitCode !== 0 || !existsSync(tmp)) {
    rmSync(tmp, { force: true });
    throw new VarMcBuildError(`exit=${exitCode} ${stderr.slice(0, 2000)}`);
  }
  renameSync(tmp, out);
  // Older builds are dead weight now; removing them is best-effort (another process may hold one).
  for (const f of readdirSync(buildDir)) {
    if (f.startsWith("var-mc-") && f.endsWith(".wasm") && join(buildDir, f) !== out) rmSync(join(buildDir, f), { force: true });
  }
  return out;
}

/** Returns the up-to-date module file, building it first (synchronously, a few seconds) when missing. */
export function ensureVarMcWasm(): string {
  const out = varMcWasmPath();
  if (existsSync(out)) return out;
  const tmp = tempPath(out);
  const run = Bun.spawnSync(buildCommand(tmp), spawnOptions);
  return publish(tmp, out, run.exitCode, run.stderr.toString());
}

/** Same as ensureVarMcWasm without blocking the event loop (for start-up and test set-up). */
export async function prepareVarMc(): Promise<void> {
  const out = varMcWasmPath();
  if (existsSync(out)) return;
  const tmp = tempPath(out);
  const proc = Bun.spawn(buildCommand(tmp), spawnOptions);
  const [exitCode, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  publish(tmp, out, exitCode, stderr);
}

let instance: VarMcExports | null = null;

/** Returns the process's instance of the kernel (built and instantiated on first call). */
export function varMc(): VarMcExports {
  if (instance) return instance;
  const module = new WebAssembly.Module(readFileSync(ensureVarMcWasm()));
  const exports = new WebAssembly.Instance(module, {}).exports as unknown as VarMcExports;
  exports.init();
  instance = exports;
  return exports;
}
