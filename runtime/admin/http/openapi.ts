/**
 * The OpenAPI 3.1 document of the admin API, generated from the route table: TypeBox schemas are
 * JSON Schema already, so path params, query params and bodies are the very schemas the
 * validators run; each route's role is its security requirement's scope and `x-role`.
 */
import type { TSchema } from "@sinclair/typebox";
import { ADMIN_CODES } from "./codes.ts";
import type { AdminRoute } from "./route.ts";

/** A WebSocket stream, documented beside the routes. */
export interface StreamDoc {
  readonly path: string;
  readonly role: string;
  readonly summary: string;
  readonly query: TSchema;
}

const ERROR = {
  type: "object",
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: `ADMIN_*/AUTH_* codes (see x-codes), or a risk code with 422` },
        message: { type: "string" },
        problems: { type: "array", items: { type: "object", properties: { in: { type: "string" }, path: { type: "string" }, reason: { type: "string" } } } },
      },
    },
  },
};

function plain(schema: TSchema): Record<string, unknown> {
  // Drops TypeBox's symbol keys (JSON.stringify ignores them) so the document is plain JSON.
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

function parameters(schema: TSchema | undefined, where: "path" | "query"): unknown[] {
  if (schema === undefined) return [];
  const s = plain(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({ name, in: where, required: where === "path" || (s.required ?? []).includes(name), schema: prop }));
}

/** Builds the document. */
export function openApiDocument(routes: readonly AdminRoute[], streams: readonly StreamDoc[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const op: Record<string, unknown> = {
      operationId: `${r.method.toLowerCase()}${r.path.replace(/[{}]/g, "").replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`,
      summary: r.summary,
      tags: [r.tag],
      "x-role": r.role,
      parameters: [...parameters(r.params, "path"), ...parameters(r.query, "query")],
      responses: Object.fromEntries([
        ...Object.entries(r.responses).map(([code, description]) => [code, { description }]),
        ["400", { description: "bad input: field paths and reasons", content: { "application/json": { schema: ERROR } } }],
        ...(r.role === "public" ? [] : [["401", { description: "missing, malformed, badly signed or expired token" }], ["403", { description: `role below ${r.role}` }]]),
      ]),
    };
    if (r.role !== "public") op.security = [{ bearer: [r.role] }];
    if (r.body !== undefined) op.requestBody = { required: true, content: { "application/json": { schema: plain(r.body) } } };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  for (const s of streams) {
    paths[s.path] = {
      get: {
        operationId: `stream${s.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`,
        summary: `${s.summary} (WebSocket upgrade; the token goes in ?token=)`,
        tags: ["streams"],
        "x-role": s.role,
        parameters: parameters(s.query, "query"),
        responses: { "101": { description: "switching to WebSocket" }, "401": { description: "bad token" }, "403": { description: `role below ${s.role}` } },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Kestrel admin API", version, description: "Reads state and sends commands to a running Kestrel session. Prices and sizes are decimal text at each instrument's scale; ts are microseconds since the Unix epoch." },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } }, schemas: { Error: ERROR } },
    "x-codes": ADMIN_CODES,
    paths,
  };
}
