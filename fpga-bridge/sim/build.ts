/**
 * Builds the Verilator simulation of the risk gate (RTL + C++ harness) into
 * `fpga-bridge/.build/<hash>/risk_gate_sim`, where the hash covers the sources and the Verilator
 * version, so a build happens once per change. Concurrent builders each build in a private
 * directory and rename it into place; the first rename wins.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

/** Why the simulation could not be built. */
export interface SimBuildError {
  readonly code: "FPGA_TOOLCHAIN_ABSENT" | "FPGA_BUILD_FAILED";
  readonly context: string;
}

const ROOT = new URL("..", import.meta.url).pathname;
const SOURCES = ["rtl/risk_gate.v", "harness/main.cpp", "harness/shm.hpp", "harness/msgpack.hpp", "harness/frame.hpp"];

/** Returns the Verilator version line, or null when Verilator is not installed. */
export function verilatorVersion(): string | null {
  if (!Bun.which("verilator") || !Bun.which("g++")) return null;
  const r = Bun.spawnSync(["verilator", "--version"]);
  return r.exitCode === 0 ? r.stdout.toString().trim() : null;
}

/** Returns the path of the built simulation, building it when the sources changed. */
export async function buildRiskGateSim(): Promise<string | SimBuildError> {
  const version = verilatorVersion();
  if (!version) return { code: "FPGA_TOOLCHAIN_ABSENT", context: "tool=verilator,g++ hint=.ci/setup.d/70-sidecars.sh" };
  const h = new Bun.CryptoHasher("sha256");
  h.update(version);
  for (const s of SOURCES) h.update(readFileSync(join(ROOT, s)));
  const hash = h.digest("hex").slice(0, 16);
  const outDir = join(ROOT, ".build", hash);
  const binary = join(outDir, "risk_gate_sim");
  if (existsSync(binary)) return binary;
  mkdirSync(join(ROOT, ".build"), { recursive: true });
  const work = join(ROOT, ".build", `${hash}.tmp-${process.pid}-${Date.now()}`);
  const proc = Bun.spawn(
    [
      "verilator", "--cc", "--exe", "--build", "-j", "2", "-O3", "--Mdir", work,
      "-CFLAGS", `-O2 -I${join(ROOT, "harness")}`, "-MAKEFLAGS", "OPT_FAST=-O2",
      "-o", "risk_gate_sim", join(ROOT, "rtl/risk_gate.v"), join(ROOT, "harness/main.cpp"),
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  if (code !== 0) {
    rmSync(work, { recursive: true, force: true });
    return { code: "FPGA_BUILD_FAILED", context: `exit=${code} stderr=${JSON.stringify(err.slice(-2000))}` };
  }
  try {
    renameSync(work, outDir);
  } catch {
    rmSync(work, { recursive: true, force: true }); // another builder won the race
  }
  return existsSync(binary) ? binary : { code: "FPGA_BUILD_FAILED", context: `missing=${binary}` };
}
