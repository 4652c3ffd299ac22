/**
 * The model registry: model cards shipped under `models/` (in the repository) and trained here
 * under `var/models/<name>/<version>/`. A deployment names a model `<name>@<version>` or
 * `<name>@latest` (the newest by creation time); `resolveModel` turns that into a card path.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Shipped models. */
export const SHIPPED_DIR = fileURLToPath(new URL("../../models", import.meta.url));

/** One registered model, as `kestrel model list --json` prints it. */
export interface RegisteredModel {
  name: string;
  version: string;
  /** Path of the model card. */
  path: string;
  created: string;
  metrics: Record<string, unknown>;
  /** "shadow" for a candidate not promoted (a fine-tuned version): never what `@latest` resolves to. */
  stage: "live" | "shadow";
}

function entry(path: string): RegisteredModel | null {
  let card: Record<string, any>;
  try {
    card = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
  if (typeof card.version !== "string" || typeof card.onnx !== "string" || !Number.isInteger(card.rows)) return null;
  const [name, version] = card.name !== undefined ? [card.name as string, String(card.registryVersion)] : card.version.split("/");
  if (name === undefined || version === undefined) return null;
  return { name, version, path, created: card.created ?? statSync(path).mtime.toISOString(), metrics: card.metrics ?? {}, stage: card.stage === "shadow" ? "shadow" : "live" };
}

function cardsIn(dir: string, depth: number): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isFile() && e.name.endsWith(".json")) out.push(p);
    else if (e.isDirectory() && depth > 0 && e.name !== "configs" && e.name !== "vol_window") out.push(...cardsIn(p, depth - 1));
  }
  return out;
}

/** Every registered model: shipped ones first, then those trained under `localDir`. */
export function listModels(localDir = resolve("var/models"), shippedDir = SHIPPED_DIR): RegisteredModel[] {
  const all = [...cardsIn(shippedDir, 1), ...cardsIn(localDir, 2)].map(entry).filter((e): e is RegisteredModel => e !== null);
  return all.sort((a, b) => (a.name === b.name ? a.created.localeCompare(b.created) : a.name.localeCompare(b.name)));
}

/** A model reference that names no registered model. */
export class ModelNotFoundError extends Error {
  readonly code = "MODEL_NOT_FOUND";
  constructor(readonly ref: string, known: string[]) {
    super(`MODEL_NOT_FOUND: model=${ref} registered=${known.join(",") || "none"}`);
  }
}

/**
 * Card path of `<name>@<version>` or `<name>@latest` (a path to a card file is returned as it is).
 * `latest` is the newest version not in shadow: a shadow candidate runs only when named exactly.
 */
export function resolveModel(ref: string, localDir?: string, shippedDir?: string): RegisteredModel {
  if (ref.endsWith(".json") && existsSync(ref)) {
    const e = entry(resolve(ref));
    if (e !== null) return e;
  }
  const at = ref.lastIndexOf("@");
  const name = at < 0 ? ref : ref.slice(0, at);
  const version = at < 0 ? "latest" : ref.slice(at + 1);
  const models = listModels(localDir, shippedDir);
  const same = models.filter((m) => m.name === name);
  const found = version === "latest" ? same.filter((m) => m.stage !== "shadow").at(-1) : same.find((m) => m.version === version);
  if (found === undefined) throw new ModelNotFoundError(ref, models.map((m) => `${m.name}@${m.version}`));
  return found;
}
