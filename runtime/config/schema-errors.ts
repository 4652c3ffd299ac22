/**
 * Turns TypeBox validation errors into messages a deployer can act on: the YAML path of the bad
 * value, what was expected and what was there, e.g.
 * `strategies[1].params.maxPosition: expected integer >= 0, got "ten"`.
 */
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { ValueErrorType } from "@sinclair/typebox/errors";

/** One problem with a value, located by its path in the document. */
export interface ConfigProblem {
  /** Path as keys and indices from the document root. */
  readonly path: readonly (string | number)[];
  /** `a.b[1].c: expected ..., got ...` */
  readonly message: string;
}

/** Formats a path as YAML-ish dotted text: `strategies[1].params.maxPosition`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? p : `.${p}`;
  }
  return out === "" ? "(root)" : out;
}

/** Describes what a schema accepts, in words. */
export function describeSchema(schema: TSchema): string {
  const s = schema as Record<string, unknown> & TSchema;
  if (Array.isArray(s.anyOf)) {
    const lits = (s.anyOf as TSchema[]).map((x) => (x as { const?: unknown }).const);
    if (lits.every((l) => l !== undefined)) return `one of ${lits.map((l) => JSON.stringify(l)).join(", ")}`;
    return (s.anyOf as TSchema[]).map(describeSchema).join(" or ");
  }
  if (s.const !== undefined) return JSON.stringify(s.const);
  const bounds: string[] = [];
  if (typeof s.minimum === "number") bounds.push(`>= ${s.minimum}`);
  if (typeof s.exclusiveMinimum === "number") bounds.push(`> ${s.exclusiveMinimum}`);
  if (typeof s.maximum === "number") bounds.push(`<= ${s.maximum}`);
  if (typeof s.exclusiveMaximum === "number") bounds.push(`< ${s.exclusiveMaximum}`);
  if (typeof s.minLength === "number" && s.minLength > 0) bounds.push(`of at least ${s.minLength} characters`);
  if (typeof s.maxLength === "number") bounds.push(`of at most ${s.maxLength} characters`);
  if (typeof s.pattern === "string") bounds.push(`matching /${s.pattern}/`);
  if (typeof s.minItems === "number" && s.minItems > 0) bounds.push(`with at least ${s.minItems} item(s)`);
  const type = typeof s.type === "string" ? s.type : "value";
  const noun = type === "object" ? "mapping" : type === "array" ? "list" : type;
  return bounds.length === 0 ? noun : `${noun} ${bounds.join(" and ")}`;
}

function got(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function splitPointer(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/**
 * Applies schema defaults to `value` (in place) and returns every problem found, one per path,
 * prefixed with `basePath`.
 */
export function checkAgainstSchema(schema: TSchema, value: unknown, basePath: readonly (string | number)[] = []): ConfigProblem[] {
  Value.Default(schema, value);
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    const rel = splitPointer(e.path);
    const path = [...basePath, ...rel];
    const key = formatPath(path);
    // A union reports one error per branch and a parent reports its child again: keep the first.
    if ([...seen].some((s) => key === s || key.startsWith(`${s}.`) || key.startsWith(`${s}[`))) continue;
    seen.add(key);
    let message: string;
    switch (e.type) {
      case ValueErrorType.ObjectAdditionalProperties:
        message = `${key}: unknown key (not allowed here)`;
        break;
      case ValueErrorType.ObjectRequiredProperty:
        message = `${key}: required, expected ${describeSchema(e.schema)}, got nothing`;
        break;
      default:
        message = `${key}: expected ${describeSchema(e.schema)}, got ${got(e.value)}`;
    }
    problems.push({ path, message });
  }
  return problems;
}
