/**
 * Token verification with a cache: a verified token is kept until it expires (HMAC per request is
 * the costliest part of a read), at most 1,000 at a time. Used by the loop-thread server and by
 * the worker front alike.
 */
import { verifyToken, type TokenCheck } from "./jwt.ts";

/** Checks a bearer token; resolves with the principal or the reason it was refused. */
export type Verify = (token: string) => Promise<TokenCheck>;

/** Most tokens kept verified at once (past it the cache starts afresh). */
const MAX_CACHED = 1000;

/** A verifier for `keys` that caches verified tokens until their `exp`. */
export function cachedVerifier(keys: readonly string[]): Verify {
  const cache = new Map<string, TokenCheck & { ok: true }>();
  return async (token: string): Promise<TokenCheck> => {
    const hit = cache.get(token);
    if (hit !== undefined && hit.principal.exp > Date.now() / 1000) return hit;
    const check = await verifyToken(token, keys);
    if (check.ok) {
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(token, check);
    } else cache.delete(token);
    return check;
  };
}
