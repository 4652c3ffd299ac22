/**
 * Plugins as npm packages: a reference such as `kestrel-strategy-foo@^1.2` (or `@scope/name`) names
 * a package installed in a node_modules folder above the deployment or the working directory; its
 * package.json carries the plugin's kind, SDK range and capabilities in a `kestrel` field, and its
 * version must satisfy the range. A folder with such a package.json is a plugin package too.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Capability, PluginKind } from "../../plugins/sdk/manifest.ts";
import { satisfies } from "../../plugins/sdk/semver.ts";

/** A package reference from a deployment: its name and the version range, if any. */
export interface PackageRef {
  readonly name: string;
  readonly range: string | null;
}

/** The `kestrel` field of a plugin package's package.json. */
export interface PackageManifest {
  readonly kind: PluginKind;
  readonly sdk: string;
  readonly capabilities?: readonly Capability[];
}

/** A plugin package found on disk. */
export interface PluginPackage {
  readonly dir: string;
  readonly name: string;
  readonly version: string;
  /** Absolute path of the module the package's `main` (or index.ts) names. */
  readonly entry: string;
  readonly kestrel: PackageManifest;
}

const NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;
const KINDS = new Set<string>(["strategy", "risk", "venue", "algo"]);

/** Parses `name`, `name@range`, `@scope/name` or `@scope/name@range`; null when it is not a package name. */
export function parsePackageRef(ref: string): PackageRef | null {
  const at = ref.indexOf("@", ref.startsWith("@") ? 1 : 0);
  const name = at < 0 ? ref : ref.slice(0, at);
  const range = at < 0 ? null : ref.slice(at + 1).trim();
  if (!NAME.test(name) || range === "") return null;
  return { name, range };
}

/** Finds `node_modules/<name>` in `from` or a folder above it, for each start folder in turn. */
export function findPackageDir(name: string, from: readonly string[]): string | null {
  for (const start of from) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const candidate = join(dir, "node_modules", name);
      if (existsSync(join(candidate, "package.json"))) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  return null;
}

/** Reads a plugin package from its folder; returns every problem when it is not one. */
export function readPluginPackage(dir: string): PluginPackage | string[] {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
  } catch (err) {
    return [`${join(dir, "package.json")}: ${(err as Error).message}`];
  }
  const problems: string[] = [];
  const name = typeof pkg.name === "string" ? pkg.name : "";
  const version = typeof pkg.version === "string" ? pkg.version : "";
  if (name === "") problems.push("package.json name: missing");
  if (satisfies(version, "*") === null) problems.push(`package.json version: expected x.y.z, got ${JSON.stringify(pkg.version)}`);
  const k = pkg.kestrel as Partial<PackageManifest> | undefined;
  if (k === undefined || typeof k !== "object" || k === null) {
    problems.push(`package.json kestrel: missing (a plugin package declares { "kind", "sdk" } there)`);
  } else {
    if (typeof k.kind !== "string" || !KINDS.has(k.kind)) problems.push(`package.json kestrel.kind: expected strategy|risk|venue|algo, got ${JSON.stringify(k.kind)}`);
    if (typeof k.sdk !== "string") problems.push(`package.json kestrel.sdk: expected a range such as "^0.1.0", got ${JSON.stringify(k.sdk)}`);
  }
  const deps = { ...(pkg.dependencies as object | undefined), ...(pkg.peerDependencies as object | undefined) };
  if ("kestrel" in deps) problems.push(`package.json dependencies: "kestrel" on npm is not this project; import "kestrel/sdk" without depending on it`);
  const main = typeof pkg.main === "string" ? pkg.main : "index.ts";
  const entry = resolve(dir, main);
  if (!existsSync(entry) || !statSync(entry).isFile()) problems.push(`package.json main: ${main} does not exist in ${dir}`);
  if (problems.length > 0) return problems;
  return { dir: resolve(dir), name, version, entry, kestrel: k as PackageManifest };
}

/** Problems between a package's package.json and the manifest its module exports (they must agree). */
export function comparePackageManifest(pkg: PluginPackage, manifest: { version: string; kind: string; sdk: string; capabilities?: readonly string[] }): string[] {
  const problems: string[] = [];
  if (manifest.version !== pkg.version) problems.push(`manifest.version ${manifest.version} differs from package.json version ${pkg.version}`);
  if (manifest.kind !== pkg.kestrel.kind) problems.push(`manifest.kind ${manifest.kind} differs from package.json kestrel.kind ${pkg.kestrel.kind}`);
  if (manifest.sdk !== pkg.kestrel.sdk) problems.push(`manifest.sdk ${manifest.sdk} differs from package.json kestrel.sdk ${pkg.kestrel.sdk}`);
  if (pkg.kestrel.capabilities !== undefined) {
    const a = [...(manifest.capabilities ?? [])].sort().join(",");
    const b = [...pkg.kestrel.capabilities].sort().join(",");
    if (a !== b) problems.push(`manifest.capabilities [${a}] differ from package.json kestrel.capabilities [${b}]`);
  }
  return problems;
}
