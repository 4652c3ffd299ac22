/**
 * HS256 JSON Web Tokens for the admin plane (signed and checked with `hono/jwt`, i.e. Web Crypto).
 * A token carries the role, a subject, `iat` and `exp`; verification tries each accepted key, so a
 * key can be rotated without cutting off tokens signed with the previous one.
 */
import { sign, verify } from "hono/jwt";
import { isRole, type Role } from "./roles.ts";

/** Who a verified token speaks for. */
export interface Principal {
  readonly role: Role;
  readonly subject: string;
  /** Expiry, seconds since epoch. */
  readonly exp: number;
}

/** Why a token was refused (all answer 401). */
export type TokenProblem = "AUTH_MISSING" | "AUTH_MALFORMED" | "AUTH_BAD_SIGNATURE" | "AUTH_EXPIRED" | "AUTH_BAD_ROLE";

/** The outcome of checking a token. */
export type TokenCheck = { ok: true; principal: Principal } | { ok: false; code: TokenProblem; reason: string };

/**
 * Signs a token for `role` valid for `ttlSeconds` with the HS256 key `key`.
 * @example const jwt = await issueToken("trader", 8 * 3600, process.env.KESTREL_ADMIN_KEY!);
 */
export async function issueToken(role: Role, ttlSeconds: number, key: string, subject: string = role, nowSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  if (!isRole(role)) throw new Error(`ADMIN_BAD_ROLE: role=${String(role)} expected=analyst|trader|admin`);
  if (!(ttlSeconds > 0)) throw new Error(`ADMIN_BAD_TTL: ttl=${ttlSeconds} expected>0`);
  return sign({ role, sub: subject, iat: nowSeconds, exp: nowSeconds + Math.floor(ttlSeconds) }, key, "HS256");
}

/** Checks a token against each accepted key; never throws. */
export async function verifyToken(token: string, keys: readonly string[]): Promise<TokenCheck> {
  if (token === "") return { ok: false, code: "AUTH_MISSING", reason: "no bearer token" };
  if (token.split(".").length !== 3) return { ok: false, code: "AUTH_MALFORMED", reason: "not a JWT (expected three dot-separated parts)" };
  let last: TokenCheck = { ok: false, code: "AUTH_BAD_SIGNATURE", reason: "no key accepted the signature" };
  for (const key of keys) {
    try {
      const payload = await verify(token, key, "HS256");
      if (!isRole(payload.role)) return { ok: false, code: "AUTH_BAD_ROLE", reason: `role=${String(payload.role)}` };
      if (typeof payload.exp !== "number") return { ok: false, code: "AUTH_MALFORMED", reason: "token has no exp" };
      return { ok: true, principal: { role: payload.role, subject: String(payload.sub ?? payload.role), exp: payload.exp } };
    } catch (err) {
      const name = (err as Error).name;
      if (name === "JwtTokenExpired") return { ok: false, code: "AUTH_EXPIRED", reason: (err as Error).message };
      if (name === "JwtTokenSignatureMismatched") continue;
      last = { ok: false, code: "AUTH_MALFORMED", reason: `${name}: ${(err as Error).message}` };
    }
  }
  return last;
}
