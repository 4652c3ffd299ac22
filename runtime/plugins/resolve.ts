/**
 * Finds a plugin module: by name, a built-in (plugins/<kind folder>/<name>/index.ts of this install)
 * or one of the project the command runs in (the same folders under the working directory); or a
 * path relative to the config.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { PluginKind } from "../../plugins/sdk/manifest.ts";

const ROOT = resolve(import.meta.dir, "../..");
const FOLDER: Record<PluginKind, string> = { strategy: "strategies", risk: "risk", venue: "venues" };

/** Absolute path of the plugin module, or null when nothing is there. */
export function resolvePlugin(ref: string, kind: PluginKind, configFile: string): string | null {
  const candidates: string[] = [];
  if (ref.startsWith(".") || ref.includes("/") || isAbsolute(ref)) {
    const p = isAbsolute(ref) ? ref : resolve(dirname(configFile), ref);
    candidates.push(p, `${p}.ts`, resolve(p, "index.ts"));
  } else {
    candidates.push(resolve(ROOT, "plugins", FOLDER[kind], ref, "index.ts"), resolve(process.cwd(), "plugins", FOLDER[kind], ref, "index.ts"));
  }
  for (const c of candidates) if (existsSync(c) && !c.endsWith("/")) return c;
  return null;
}
