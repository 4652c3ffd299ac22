/**
 * Structural checks of a plugin module's default export: a manifest and a factory, with every
 * problem returned at once (the way a deployer fixes a config in one pass).
 */
import { Kind, type TSchema } from "@sinclair/typebox";
import { GRANTS, SDK_VERSION, type Grant, type Manifest, type PluginKind } from "../../plugins/sdk/manifest.ts";
import { satisfies, parseVersion } from "../../plugins/sdk/semver.ts";

const CAPABILITIES = new Set(["orders", "timers", "features", "market-data", "execution"]);

/** A plugin module's export as the loader sees it before it trusts it. */
export interface PluginExport {
  manifest: Manifest;
  create: (ctx: never) => unknown;
}

/** Returns every structural problem of a plugin export expected to be of `kind`. */
export function checkPluginExport(value: unknown, kind: PluginKind): string[] {
  if (value === null || typeof value !== "object") return ["default export: expected an object made by define*(), got " + typeof value];
  const v = value as Partial<PluginExport>;
  const problems: string[] = [];
  if (typeof v.create !== "function") problems.push("create: expected a factory function");
  const m = v.manifest as Partial<Manifest> | undefined;
  if (m === undefined || typeof m !== "object") return [...problems, "manifest: expected an object"];
  if (typeof m.name !== "string" || !/^[a-z0-9][a-z0-9-]*$/.test(m.name)) problems.push(`manifest.name: expected lower-case-with-dashes, got ${JSON.stringify(m.name)}`);
  if (typeof m.version !== "string" || parseVersion(m.version) === null) problems.push(`manifest.version: expected x.y.z, got ${JSON.stringify(m.version)}`);
  if (m.kind !== kind) problems.push(`manifest.kind: expected "${kind}", got ${JSON.stringify(m.kind)}`);
  if (typeof m.sdk !== "string") problems.push(`manifest.sdk: expected a version range such as "^0.1.0", got ${JSON.stringify(m.sdk)}`);
  else {
    const ok = satisfies(SDK_VERSION, m.sdk);
    if (ok === null) problems.push(`manifest.sdk: expected a version range such as "^0.1.0", got ${JSON.stringify(m.sdk)}`);
    else if (!ok) problems.push(`manifest.sdk: range ${m.sdk} does not accept this runtime's SDK ${SDK_VERSION}`);
  }
  if (m.params === undefined || typeof m.params !== "object" || !(Kind in (m.params as object))) {
    problems.push("manifest.params: expected a TypeBox schema (Type.Object(...))");
  }
  for (const c of m.capabilities ?? []) if (!CAPABILITIES.has(c)) problems.push(`manifest.capabilities: unknown capability ${JSON.stringify(c)}`);
  if (m.grants !== undefined && !Array.isArray(m.grants)) problems.push(`manifest.grants: expected a list of ${GRANTS.join(", ")}`);
  else for (const g of m.grants ?? []) if (!GRANTS.includes(g as Grant)) problems.push(`manifest.grants: unknown grant ${JSON.stringify(g)} (expected one of ${GRANTS.join(", ")})`);
  if (m.onQuarantine !== undefined && m.onQuarantine !== "cancel-all" && m.onQuarantine !== "leave") {
    problems.push(`manifest.onQuarantine: expected "cancel-all" or "leave", got ${JSON.stringify(m.onQuarantine)}`);
  }
  return problems;
}

/** The params schema of a checked manifest. */
export function paramsSchema(m: Manifest): TSchema {
  return m.params;
}
