/**
 * The deployment schema as a JSON Schema file for editors (`configs/kestrel.schema.json`, written
 * by `kestrel schema`): the TypeBox schema the loader validates with, plus the params schema of
 * every built-in plugin (`plugins/<kind>/<name>/index.ts`), attached with `if plugin is <name>
 * then params is <schema>`. A number field also accepts a whole `${env:NAME}` reference, and a
 * patterned string (a URL) text containing references, as the loader resolves them; a field with a
 * default may be left out, as the loader fills it in. What a schema cannot say (unique names, known
 * instruments, files that exist, synthetic market params, plugins given by path) is left to
 * `kestrel check`.
 */
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { DeploymentConfig } from "./schema.ts";

/** Where the generated file is committed. */
export const SCHEMA_FILE = resolve(import.meta.dir, "../../configs/kestrel.schema.json");

const ROOT = resolve(import.meta.dir, "../..");
const ENV_REF = "^\\$\\{env:[A-Za-z_][A-Za-z0-9_]*\\}$";
const ENV_IN = "\\$\\{env:[A-Za-z_][A-Za-z0-9_]*\\}";
type Json = Record<string, unknown>;

/** Params schema of each built-in plugin of a kind folder, by plugin name, in name order. */
async function builtinParams(folder: string): Promise<[string, Json][]> {
  const dir = join(ROOT, "plugins", folder);
  if (!existsSync(dir)) return [];
  const out: [string, Json][] = [];
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, "index.ts");
    if (!existsSync(file)) continue;
    const mod = (await import(file)) as { default?: { manifest?: { name?: string; params?: unknown } } };
    const manifest = mod.default?.manifest;
    if (manifest?.params === undefined) continue;
    out.push([manifest.name ?? name, defaultsOptional(plain(manifest.params)) as Json]);
  }
  return out;
}

/** A JSON copy of a TypeBox schema (its symbol keys dropped). */
function plain(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema));
}

/** Drops from `required` every property that has a default (the loader fills it in before checking). */
function defaultsOptional(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(defaultsOptional);
  if (node === null || typeof node !== "object") return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) out[k] = k === "default" || k === "const" || k === "enum" ? v : defaultsOptional(v);
  const props = out.properties as Record<string, Json> | undefined;
  if (Array.isArray(out.required) && props !== undefined) {
    const required = (out.required as string[]).filter((k) => props[k]?.default === undefined);
    if (required.length > 0) out.required = required;
    else delete out.required;
  }
  return out;
}

/** Lets every number and integer field take a whole `${env:NAME}` reference instead (the loader resolves it). */
function allowEnvNumbers(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowEnvNumbers);
  if (node === null || typeof node !== "object") return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) out[k] = k === "default" || k === "const" || k === "enum" ? v : allowEnvNumbers(v);
  if (out.type === "number" || out.type === "integer") {
    const { description, ...rest } = out;
    return { ...(description === undefined ? {} : { description }), anyOf: [rest, { type: "string", pattern: ENV_REF, description: "${env:NAME}: a number from the environment" }] };
  }
  if (out.type === "string" && (out.pattern !== undefined || out.format !== undefined)) {
    // The loader substitutes references inside any string, so a patterned one (a URL) may hold one.
    const { description, ...rest } = out;
    return { ...(description === undefined ? {} : { description }), anyOf: [rest, { type: "string", pattern: ENV_IN, description: "text with ${env:NAME} references, filled from the environment" }] };
  }
  return out;
}

/** `if plugin is <name> then params is <schema>`, for each built-in. */
function paramsByPlugin(entries: [string, Json][]): Json[] {
  return entries.map(([name, params]) => ({
    if: { properties: { plugin: { const: name } }, required: ["plugin"] },
    then: { properties: { params } },
  }));
}

/** Builds the JSON Schema document. */
export async function deploymentJsonSchema(): Promise<Json> {
  const root = defaultsOptional(plain(DeploymentConfig)) as Json & { properties: Json };
  const props = root.properties as Record<string, Json & { properties?: Json; items?: Json }>;
  const strategies = await builtinParams("strategies");
  const venues = await builtinParams("venues");
  const risks = await builtinParams("risk");
  if (strategies.length > 0) props.strategies!.items!.allOf = paramsByPlugin(strategies);
  if (venues.length > 0) props.venue!.allOf = paramsByPlugin(venues);
  const riskPlugins = (props.risk!.properties!.plugins as Json | undefined)?.items as Json | undefined;
  if (riskPlugins !== undefined && risks.length > 0) riskPlugins.allOf = paramsByPlugin(risks);
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: "https://kestrel.invalid/kestrel.schema.json",
    title: "Kestrel deployment",
    description: "A Kestrel deployment (configs/*.yaml). Generated by `kestrel schema` from runtime/config/schema.ts and the built-in plugins' params; do not edit by hand.",
    ...(allowEnvNumbers(root) as Json),
  };
}

/** The file's text: the schema as indented JSON with a final newline. */
export async function deploymentJsonSchemaText(): Promise<string> {
  return `${JSON.stringify(await deploymentJsonSchema(), null, 2)}\n`;
}
