/**
 * Reads a deployment file: YAML with line numbers, `${env:NAME}` references resolved from the
 * environment, literal secrets refused, then the schema. Every problem is collected before failing,
 * each naming the YAML path (and line) of the bad value.
 */
import { existsSync, readFileSync } from "node:fs";
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node } from "yaml";
import { DeploymentConfig } from "./schema.ts";
import { checkAgainstSchema, formatPath, type ConfigProblem } from "./schema-errors.ts";

/** A loaded deployment, or every problem that stops it loading. */
export type LoadedConfig =
  | { ok: true; config: DeploymentConfig; file: string; lineOf(path: readonly (string | number)[]): number | undefined }
  | { ok: false; file: string; problems: string[] };

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
const SECRET_KEY = /(password|passwd|secret|token|api[-_]?key|credential|private[-_]?key)/i;

/** Loads and validates a deployment file (schema only; plugins are checked by the loader). */
export function loadConfig(file: string, env: Record<string, string | undefined> = process.env): LoadedConfig {
  if (!existsSync(file)) return { ok: false, file, problems: [`${file}: file not found`] };
  const text = readFileSync(file, "utf8");
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    return { ok: false, file, problems: doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? "?"}: YAML syntax: ${e.message.split("\n")[0]}`) };
  }
  const lineOf = (path: readonly (string | number)[]): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as Node | undefined;
      if (node && typeof node === "object" && "range" in node && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const where = (path: readonly (string | number)[]) => {
    const line = lineOf(path);
    return line === undefined ? file : `${file}:${line}`;
  };
  const problems: string[] = [];
  // Secrets and environment references, on the node tree so paths are exact.
  visitScalars(doc.contents as Node | null, [], (path, value, setValue) => {
    const key = path[path.length - 1];
    const hasRef = typeof value === "string" && ENV_REF.test(value);
    ENV_REF.lastIndex = 0;
    // A key ending in "Env" names the environment variable that holds the secret: that is allowed.
    if (typeof key === "string" && SECRET_KEY.test(key) && !key.endsWith("Env") && typeof value === "string" && value !== "" && !hasRef) {
      problems.push(`${where(path)}: ${formatPath(path)}: a secret must come from the environment, write \${env:NAME} instead of the value`);
      return;
    }
    if (hasRef) {
      const replaced = (value as string).replace(ENV_REF, (_m, name: string) => {
        const v = env[name];
        if (v === undefined) problems.push(`${where(path)}: ${formatPath(path)}: environment variable ${name} is not set`);
        return v ?? "";
      });
      // A scalar that is exactly one reference to a number (a port, say) becomes that number.
      const whole = /^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/.test(value as string);
      setValue(whole && replaced.trim() !== "" && Number.isFinite(Number(replaced)) ? Number(replaced) : replaced);
    }
  });
  const value = doc.toJS() as unknown;
  problems.push(...renamedKeys(value).map((p) => `${where(p.path)}: ${p.message}`));
  const schemaProblems: ConfigProblem[] = checkAgainstSchema(DeploymentConfig, value);
  for (const p of schemaProblems) problems.push(`${where(p.path)}: ${p.message}`);
  if (problems.length > 0) return { ok: false, file, problems };
  const config = value as DeploymentConfig;
  for (const p of crossChecks(config)) problems.push(`${where(p.path)}: ${p.message}`);
  if (problems.length > 0) return { ok: false, file, problems };
  return { ok: true, config, file, lineOf };
}

/**
 * Keys that were renamed, with the new name (a strategy's `grants:` is `capabilities:`, the key the
 * plugin docs name); each is removed so the schema does not report it a second time.
 */
function renamedKeys(value: unknown): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const strategies = (value as { strategies?: unknown } | null)?.strategies;
  if (!Array.isArray(strategies)) return out;
  strategies.forEach((s: unknown, i) => {
    if (s === null || typeof s !== "object" || !("grants" in s)) return;
    const old = (s as Record<string, unknown>).grants;
    out.push({ path: ["strategies", i, "grants"], message: `strategies[${i}].grants: renamed to capabilities (write capabilities: ${Array.isArray(old) ? `[${old.join(", ")}]` : "[network, ...]"})` });
    delete (s as Record<string, unknown>).grants;
  });
  return out;
}

/** Checks that span several fields (the schema cannot say them). */
function crossChecks(c: DeploymentConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  if (c.market.source === "replay" && c.market.replay === undefined) {
    out.push({ path: ["market"], message: "market.replay: required when market.source is \"replay\", got nothing" });
  }
  if (c.market.source !== "synthetic" && (c.instruments === undefined || c.instruments.length === 0)) {
    out.push({ path: ["instruments"], message: `instruments: required for a ${c.market.source} market (declare each instrument's decimals), got nothing` });
  }
  const names = new Set<string>();
  c.strategies.forEach((s, i) => {
    if (names.has(s.name)) out.push({ path: ["strategies", i, "name"], message: `strategies[${i}].name: expected a unique name, got duplicate "${s.name}"` });
    names.add(s.name);
  });
  const symbols = new Set<string>();
  c.instruments?.forEach((inst, i) => {
    if (symbols.has(inst.symbol)) out.push({ path: ["instruments", i, "symbol"], message: `instruments[${i}].symbol: expected a unique symbol, got duplicate "${inst.symbol}"` });
    symbols.add(inst.symbol);
    if (inst.lotSize > 0 && inst.minSize % inst.lotSize !== 0) {
      out.push({ path: ["instruments", i, "minSize"], message: `instruments[${i}].minSize: expected a multiple of lotSize ${inst.lotSize}, got ${inst.minSize}` });
    }
  });
  return out;
}

type Setter = (v: unknown) => void;

function visitScalars(node: Node | null, path: (string | number)[], fn: (path: (string | number)[], value: unknown, set: Setter) => void): void {
  if (node === null || node === undefined) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const v = pair.value as Node | null;
      if (isScalar(v)) fn([...path, key], v.value, (nv) => (v.value = nv));
      else visitScalars(v, [...path, key], fn);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const v = item as Node | null;
      if (isScalar(v)) fn([...path, i], v.value, (nv) => (v.value = nv));
      else visitScalars(v, [...path, i], fn);
    });
  }
}
