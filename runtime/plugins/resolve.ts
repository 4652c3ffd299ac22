/**
 * Finds a plugin module for a deployment's `plugin:` reference, in this order: a path (relative to
 * the config; a folder with a plugin package.json is a package); a built-in by name
 * (plugins/<kind folder>/<name>/index.ts of this install) or one of the project the command runs
 * in (the same folders under the working directory); an npm package (`name@range`) installed in a
 * node_modules folder above the config or the working directory.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { PluginKind } from "../../plugins/sdk/manifest.ts";
import { findPackageDir, parsePackageRef, readPluginPackage, type PluginPackage } from "./package.ts";
import { satisfies } from "../../plugins/sdk/semver.ts";

const ROOT = resolve(import.meta.dir, "../..");
const FOLDER: Record<PluginKind, string> = { strategy: "strategies", risk: "risk", venue: "venues", algo: "algos", router: "algos" };

/** Where a plugin reference led: a module (and its package, when it is one) or why nothing was found. */
export type Resolved = { readonly module: string; readonly pkg: PluginPackage | null } | { readonly problem: string };

const isFile = (p: string): boolean => existsSync(p) && statSync(p).isFile();

/** Resolves a `plugin:` reference of a plugin of `kind` in the deployment file `configFile`. */
export function resolvePluginRef(ref: string, kind: PluginKind, configFile: string): Resolved {
  if (ref.startsWith(".") || isAbsolute(ref) || (ref.includes("/") && !ref.startsWith("@"))) {
    const p = isAbsolute(ref) ? ref : resolve(dirname(configFile), ref);
    if (existsSync(join(p, "package.json"))) return fromPackage(p, ref);
    for (const c of [p, `${p}.ts`, resolve(p, "index.ts")]) if (isFile(c)) return { module: c, pkg: null };
    return { problem: `no ${kind} plugin at ${p} (a path is relative to the deployment file)` };
  }
  const parsed = parsePackageRef(ref);
  if (parsed !== null && parsed.range === null) {
    for (const base of [ROOT, process.cwd()]) {
      const c = resolve(base, "plugins", FOLDER[kind], ref, "index.ts");
      if (isFile(c)) return { module: c, pkg: null };
    }
  }
  if (parsed === null) return { problem: `"${ref}" is neither a path, a built-in name nor a package name (name@range)` };
  const dir = findPackageDir(parsed.name, [dirname(configFile), process.cwd()]);
  if (dir === null) {
    return { problem: `no ${kind} plugin named "${parsed.name}": not a built-in, not in plugins/${FOLDER[kind]}/, and no package installed (npm install ${parsed.name})` };
  }
  const found = fromPackage(dir, ref);
  if ("problem" in found || parsed.range === null) return found;
  const ok = satisfies(found.pkg!.version, parsed.range);
  if (ok === null) return { problem: `"${ref}": ${parsed.range} is not a version range` };
  if (!ok) return { problem: `package ${parsed.name} is at version ${found.pkg!.version}, which does not satisfy ${parsed.range} (installed in ${dir})` };
  return found;
}

function fromPackage(dir: string, ref: string): Resolved {
  const pkg = readPluginPackage(dir);
  if (Array.isArray(pkg)) return { problem: `"${ref}" is not a plugin package: ${pkg.join("; ")}` };
  return { module: pkg.entry, pkg };
}

/** Absolute path of the plugin module, or null when nothing is there. */
export function resolvePlugin(ref: string, kind: PluginKind, configFile: string): string | null {
  const r = resolvePluginRef(ref, kind, configFile);
  return "module" in r ? r.module : null;
}
