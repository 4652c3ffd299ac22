/**
 * Lets plugin modules that live outside this project's own sources (an npm package in
 * node_modules, a folder elsewhere) import the SDK as `kestrel/sdk` and `kestrel/sdk/harness`.
 * Inside the project the package's own `exports` resolve those names (a package may import
 * itself by name); outside it, a Bun loader rewrites the two specifiers to this install's SDK
 * for the files of that plugin's folder only. Plugin packages never depend on the npm package
 * named `kestrel`, which is not this project.
 */
import { plugin } from "bun";
import { dirname, join, resolve } from "node:path";

// Through require, not an import: an isolate (whose worker loads this file) replaces node:fs's
// exports before its plugin imports them, and an import here would fix their values for the
// whole thread first; these two names keep the real functions for the loader.
const { existsSync, readFileSync } = require("node:fs") as typeof import("node:fs");

const ROOT = resolve(import.meta.dir, "../..");
const TARGETS: Record<string, string> = {
  "kestrel/sdk": resolve(ROOT, "plugins/sdk/index.ts"),
  "kestrel/sdk/harness": resolve(ROOT, "plugins/sdk/harness.ts"),
  "kestrel/sdk/algo-harness": resolve(ROOT, "plugins/sdk/algo-harness.ts"),
};
const SPECIFIER = /(["'])(kestrel\/sdk(?:\/harness|\/algo-harness)?)\1/g;
const served = new Set<string>();

/** Returns the source with `kestrel/sdk` specifiers pointing at this install's SDK files. */
export function rewriteSdkImports(source: string): string {
  return source.replace(SPECIFIER, (_m, q: string, name: string) => `${q}${TARGETS[name]}${q}`);
}

/** True when a file under `dir` resolves `kestrel/sdk` by itself: the nearest package.json above it is this project's. */
function insideProject(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, "package.json"))) return d === ROOT;
    if (dirname(d) === d) return false;
  }
}

/** Makes `kestrel/sdk` importable from every module under `dir` (once per folder). */
export function serveSdkTo(dir: string): void {
  const d = resolve(dir);
  if (insideProject(d) || served.has(d)) return;
  served.add(d);
  const escaped = d.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  plugin({
    name: `kestrel-sdk:${d}`,
    setup(build) {
      build.onLoad({ filter: new RegExp(`^${escaped}/.*\\.(ts|mts|js|mjs)$`) }, (args) => ({
        contents: rewriteSdkImports(readFileSync(args.path, "utf8")),
        loader: args.path.endsWith("js") ? "js" : "ts",
      }));
    },
  });
}

/** Serves the SDK to the package a module belongs to (the folder of the nearest package.json above it, else its own folder). */
export function serveSdkToModule(module: string): void {
  for (let d = dirname(resolve(module)); ; d = dirname(d)) {
    if (existsSync(join(d, "package.json"))) return serveSdkTo(d);
    if (dirname(d) === d) return serveSdkTo(dirname(resolve(module)));
  }
}
