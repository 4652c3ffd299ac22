/**
 * Lazy, offline build of the AssemblyScript kernels. The output is named after a hash of the
 * sources, the compiler version and the flags (build/kernels-<variant>-<hash>.wasm), so a
 * stale module can never be loaded: a changed source simply names a file that does not exist
 * yet, which is built synchronously with the installed `asc` into a temporary file and renamed
 * into place (atomic, so test files loading the module at once never see a partial file).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Release is what the runtime uses; debug keeps bounds assertions and no optimisation, for tests. */
export type WasmVariant = "release" | "debug";

const FLAGS: Record<WasmVariant, string[]> = {
  release: ["-O3", "--noAssert", "--runtime", "stub", "--enable", "simd"],
  debug: ["-O0", "--debug", "--runtime", "stub", "--enable", "simd"],
};

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const sources = join(root, "assembly");
const buildDir = join(root, "build");

/** A build failure: code plus key=value context. */
export class KernelsBuildError extends Error {
  readonly code = "KERNELS_WASM_BUILD_FAILED";
  constructor(variant: WasmVariant, detail: string) {
    super(`KERNELS_WASM_BUILD_FAILED: variant=${variant}, detail=${detail}`);
  }
}

function ascPackageDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve("assemblyscript/package.json"));
}

/** Returns the path the current sources build to for `variant` (it may not exist yet). */
export function wasmPath(variant: WasmVariant): string {
  const h = createHash("sha256");
  const asc = ascPackageDir();
  h.update(JSON.parse(readFileSync(join(asc, "package.json"), "utf8")).version);
  h.update(FLAGS[variant].join(" "));
  for (const f of readdirSync(sources).filter((f) => f.endsWith(".ts") || f.endsWith(".json")).sort()) {
    h.update(f);
    h.update(readFileSync(join(sources, f)));
  }
  return join(buildDir, `kernels-${variant}-${h.digest("hex").slice(0, 16)}.wasm`);
}

function buildCommand(variant: WasmVariant, tmp: string): string[] {
  return [process.execPath, join(ascPackageDir(), "bin", "asc.js"), join(sources, "index.ts"), ...FLAGS[variant], "-o", tmp];
}

function tempPath(out: string): string {
  mkdirSync(buildDir, { recursive: true });
  return `${out}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
}

/** Moves a finished build into place (atomic rename) and drops older builds of the variant. */
function publish(variant: WasmVariant, tmp: string, out: string, exitCode: number | null, stderr: string): string {
  if (exitCode !== 0 || !existsSync(tmp)) {
    rmSync(tmp, { force: true });
    throw new KernelsBuildError(variant, `exit=${exitCode} ${stderr.slice(0, 2000)}`);
  }
  renameSync(tmp, out);
  // Older builds of this variant are dead weight now; removing them is best-effort.
  for (const f of readdirSync(buildDir)) {
    if (f.startsWith(`kernels-${variant}-`) && f.endsWith(".wasm") && join(buildDir, f) !== out) {
      rmSync(join(buildDir, f), { force: true });
    }
  }
  return out;
}

const spawnOptions = { cwd: root, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } } as const;

/** Returns the up-to-date module file for `variant`, building it first (synchronously, about 3 s) when missing. */
export function ensureWasm(variant: WasmVariant): string {
  const out = wasmPath(variant);
  if (existsSync(out)) return out;
  const tmp = tempPath(out);
  const run = Bun.spawnSync(buildCommand(variant, tmp), spawnOptions);
  return publish(variant, tmp, out, run.exitCode, run.stderr.toString());
}

/** Same as ensureWasm without blocking the event loop (for test set-up and start-up). */
export async function ensureWasmAsync(variant: WasmVariant): Promise<string> {
  const out = wasmPath(variant);
  if (existsSync(out)) return out;
  const tmp = tempPath(out);
  const proc = Bun.spawn(buildCommand(variant, tmp), spawnOptions);
  const [exitCode, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  return publish(variant, tmp, out, exitCode, stderr);
}
