/**
 * Request validation against TypeBox schemas, compiled once per route. Path params and query
 * strings are converted to the schema's types first (so `?limit=5` is the integer 5); bodies are
 * JSON and checked as sent. Every problem is collected with its field path.
 */
import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import type { FieldProblem } from "./reply.ts";

/** A compiled validator for one part of a request. */
export interface Validator {
  /** The value (converted and defaulted) or the problems. */
  check(raw: unknown): { ok: true; value: unknown } | { ok: false; problems: FieldProblem[] };
}

/** Compiles a validator; `convert` turns query/path strings into the schema's types. */
export function compileValidator(schema: TSchema, where: FieldProblem["in"], convert: boolean): Validator {
  const compiled: TypeCheck<TSchema> = TypeCompiler.Compile(schema);
  return {
    check(raw) {
      let value = convert ? Value.Convert(schema, raw) : raw;
      value = Value.Default(schema, value);
      if (compiled.Check(value)) return { ok: true, value };
      const problems: FieldProblem[] = [];
      for (const e of compiled.Errors(value)) {
        problems.push({ in: where, path: e.path, reason: reasonOf(e.schema, e.value, e.message) });
        if (problems.length >= 20) break;
      }
      return { ok: false, problems };
    },
  };
}

/** A reason a person can act on: the allowed values of an enum, the description of a pattern. */
function reasonOf(schema: TSchema, value: unknown, message: string): string {
  const options = (schema as { anyOf?: { const?: unknown }[] }).anyOf;
  if (options !== undefined && options.every((o) => "const" in o)) {
    return `expected one of ${options.map((o) => String(o.const)).join(", ")}, got ${JSON.stringify(value) ?? "nothing"}`;
  }
  const description = (schema as { description?: string }).description;
  return description === undefined || message === "Unexpected property" ? message : `${message} (${description})`;
}
