/**
 * The plugin load pipeline, one named step at a time: resolve the module, import it, check the
 * manifest's shape and SDK range, validate the YAML params against the manifest's schema, check
 * instruments and features. Problems are collected over all plugins and reported together, each
 * naming the plugin and the YAML path of the bad value.
 */
import { dirname } from "node:path";
import type { Manifest, PluginKind } from "../../plugins/sdk/manifest.ts";
import { checkAgainstSchema } from "../config/schema-errors.ts";
import { checkPluginExport, type PluginExport } from "./manifest-check.ts";
import { comparePackageManifest } from "./package.ts";
import { resolvePluginRef } from "./resolve.ts";
import { serveSdkTo } from "./sdk-resolver.ts";

/** One plugin reference from the deployment. */
export interface PluginRequest {
  /** Instance name from the YAML. */
  readonly name: string;
  /** Module reference from the YAML. */
  readonly plugin: string;
  readonly kind: PluginKind;
  readonly params: unknown;
  /** YAML path of this entry, e.g. ["strategies", 1]. */
  readonly path: readonly (string | number)[];
  /** Number of instruments the deployment gives it (strategies). */
  readonly instrumentCount?: number;
  /** What the deployment grants it beyond its context (strategies); a manifest asking for more is refused. */
  readonly grants?: readonly string[];
}

/** A plugin that passed every check, with its validated params (defaults applied). */
export interface LoadedPlugin<E extends PluginExport = PluginExport> {
  readonly request: PluginRequest;
  readonly module: string;
  readonly plugin: E;
  readonly manifest: Manifest;
  readonly params: unknown;
}

/** A problem of one plugin, already formatted as `path: message`. */
export interface PluginProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

function yamlPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** Loads every requested plugin; returns the loaded ones and every problem found. */
export async function loadPlugins(
  requests: readonly PluginRequest[],
  configFile: string,
  availableFeatures: ReadonlySet<string> | null,
): Promise<{ loaded: LoadedPlugin[]; problems: PluginProblem[] }> {
  const loaded: LoadedPlugin[] = [];
  const problems: PluginProblem[] = [];
  for (const req of requests) {
    const at = yamlPath(req.path);
    const label = `${at} (${req.kind} "${req.name}", plugin ${req.plugin})`;
    const found = resolvePluginRef(req.plugin, req.kind, configFile);
    if ("problem" in found) {
      problems.push({ path: [...req.path, "plugin"], message: `${at}.plugin: ${found.problem}` });
      continue;
    }
    const module = found.module;
    serveSdkTo(found.pkg?.dir ?? dirname(module));
    let exported: unknown;
    try {
      exported = (await import(module)).default;
    } catch (err) {
      problems.push({ path: [...req.path, "plugin"], message: `${label}: module failed to load: ${(err as Error).message}` });
      continue;
    }
    const shape = checkPluginExport(exported, req.kind);
    if (shape.length > 0) {
      for (const s of shape) problems.push({ path: [...req.path, "plugin"], message: `${label}: ${s}` });
      continue;
    }
    const plugin = exported as PluginExport;
    if (found.pkg !== null) {
      const mismatch = comparePackageManifest(found.pkg, plugin.manifest);
      if (mismatch.length > 0) {
        for (const m of mismatch) problems.push({ path: [...req.path, "plugin"], message: `${label}: ${m}` });
        continue;
      }
    }
    const params = structuredClone(req.params ?? {});
    const paramProblems = checkAgainstSchema(plugin.manifest.params, params, [...req.path, "params"]);
    for (const p of paramProblems) problems.push({ path: p.path, message: p.message });
    const range = plugin.manifest.instruments;
    if (req.instrumentCount !== undefined && range !== undefined) {
      if ((range.min !== undefined && req.instrumentCount < range.min) || (range.max !== undefined && req.instrumentCount > range.max)) {
        problems.push({
          path: [...req.path, "instruments"],
          message: `${at}.instruments: expected between ${range.min ?? 0} and ${range.max ?? "any number of"} instruments, got ${req.instrumentCount}`,
        });
      }
    }
    if (req.grants !== undefined) {
      for (const g of plugin.manifest.grants ?? []) {
        if (!req.grants.includes(g)) problems.push({ path: [...req.path, "capabilities"], message: `${at}.capabilities: ${req.kind} "${req.name}" (plugin ${plugin.manifest.name}) requests capability "${g}", which the deployment does not grant (add it to this strategy's capabilities:)` });
      }
    }
    if (availableFeatures !== null) {
      for (const f of plugin.manifest.features ?? []) {
        if (!availableFeatures.has(f)) problems.push({ path: [...req.path, "plugin"], message: `${label}: needs feature "${f}", which the feature engine does not compute` });
      }
    }
    if (paramProblems.length === 0) loaded.push({ request: req, module, plugin, manifest: plugin.manifest, params });
  }
  return { loaded, problems };
}
