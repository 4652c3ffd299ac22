/**
 * The system tools that real-part tests need (QuickFIX, Verilator, PyTorch, ONNX, Chromium,
 * promtool), whether each is on this machine, and a record of every test skipped for a missing one,
 * printed at the end of the run by `preload.ts`. Under CI (`CI=true`) nothing is skipped: a test
 * whose tool is missing runs and fails, so the suite can never pass CI by skipping itself.
 */
import { existsSync } from "node:fs";

/** A system tool a real-part test needs. */
export type SystemTool = "quickfix" | "verilator" | "torch" | "onnx" | "chromium" | "promtool" | "openssl";

/** What installs each tool: the setup script that brings it (all of them: `npm run setup`). */
const INSTALLS: Record<SystemTool, string> = {
  quickfix: ".ci/setup.d/60-fix.sh (libquickfix-dev, g++)",
  verilator: ".ci/setup.d/70-sidecars.sh (verilator, g++)",
  torch: ".ci/setup.d/70-sidecars.sh (python3-torch, python3-msgpack, python3-numpy)",
  onnx: ".ci/setup.d/70-sidecars.sh (python3-onnx)",
  chromium: ".ci/setup.d/80-admin.sh (chromium)",
  promtool: ".ci/setup.d/80-admin.sh (prometheus)",
  openssl: ".ci/setup.d/50-base.sh (openssl)",
};

const python = (modules: string): boolean =>
  Bun.spawnSync(["/usr/bin/python3", "-c", `import ${modules}`], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;

const PROBES: Record<SystemTool, () => boolean> = {
  quickfix: () => existsSync("/usr/include/quickfix/Session.h") && Bun.which("g++") !== null,
  verilator: () => Bun.which("verilator") !== null && Bun.which("g++") !== null,
  torch: () => python("torch, msgpack, numpy"),
  onnx: () => python("onnx, msgpack, numpy"),
  chromium: () => Bun.which("chromium") !== null || Bun.which("chromium-browser") !== null,
  promtool: () => Bun.which("promtool") !== null,
  openssl: () => Bun.which("openssl") !== null,
};

const known = new Map<SystemTool, boolean>();

/** A test skipped because a system tool is missing. */
export interface SkippedRealPart {
  readonly test: string;
  readonly tool: SystemTool;
  readonly install: string;
}

/** Every real-part test skipped so far in this process, in the order they were declared. */
export const skippedRealParts: SkippedRealPart[] = [];

/** Returns whether a system tool is on this machine (probed once per process). */
export function hasTool(tool: SystemTool): boolean {
  let found = known.get(tool);
  if (found === undefined) {
    found = PROBES[tool]();
    known.set(tool, found);
  }
  return found;
}

/**
 * Returns whether the test named `test` may run: true when every tool is here, or under CI (where a
 * missing tool must fail the run, not skip it); otherwise records the skip with its reason.
 * @example test.skipIf(!needsTools("promtool check metrics", "promtool"))("promtool check metrics", ...)
 */
export function needsTools(test: string, ...tools: SystemTool[]): boolean {
  if (process.env.CI === "true") return true;
  let ok = true;
  for (const tool of tools) {
    if (hasTool(tool)) continue;
    skippedRealParts.push({ test, tool, install: INSTALLS[tool] });
    ok = false;
  }
  return ok;
}
