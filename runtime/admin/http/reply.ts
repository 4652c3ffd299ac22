/**
 * What handlers answer: a status and a JSON body. Errors carry a stable `code`, a message with
 * key=value context and, for bad input, the problems with their field paths.
 */
import { ADMIN_CODES, type AdminErrorCode } from "./codes.ts";

/** A handler's answer. */
export interface Reply {
  readonly status: number;
  /** JSON-able value, or the raw text when `contentType` is set. */
  readonly body: unknown;
  readonly contentType?: string;
}

/** One problem with a request field. */
export interface FieldProblem {
  /** Where the field is: "body", "query" or "path". */
  readonly in: "body" | "query" | "path";
  /** JSON pointer of the field inside it, e.g. "/price" ("" for the whole thing). */
  readonly path: string;
  readonly reason: string;
}

/** The body of every error answer. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly problems?: readonly FieldProblem[] };
}

/** A 2xx answer. */
export function ok(body: unknown, status = 200): Reply {
  return { status, body };
}

/** A 2xx answer with raw text (metrics, the dashboard). */
export function text(body: string, contentType: string, status = 200): Reply {
  return { status, body, contentType };
}

/** An error answer with a stable code (the status comes from the catalogue unless given). */
export function fail(status: number, code: AdminErrorCode, message: string, problems?: readonly FieldProblem[]): Reply {
  if (ADMIN_CODES[code].status !== status) throw new Error(`ADMIN_INTERNAL: code=${code} status=${status} catalogue=${ADMIN_CODES[code].status}`);
  const error = problems === undefined ? { code, message } : { code, message, problems };
  return { status, body: { error } satisfies ErrorBody };
}

/** A 400 for one bad field. */
export function badField(where: FieldProblem["in"], path: string, reason: string): Reply {
  return fail(400, "ADMIN_BAD_REQUEST", `${where}${path}: ${reason}`, [{ in: where, path, reason }]);
}
