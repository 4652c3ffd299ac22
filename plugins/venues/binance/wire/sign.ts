/**
 * Request signing for Binance SIGNED endpoints: the signature is HMAC-SHA256 of the exact query
 * string (or body) with the secret key, hex-encoded, appended as `signature=`. Parameters keep the
 * order they are written in; values are percent-encoded before signing, as sent.
 */
import { createHmac } from "node:crypto";

/** Hex HMAC-SHA256 of `payload` keyed by `secret`. */
export function hmacSha256Hex(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload).digest("hex");
}

/** Builds a query string from parameters in the given order, percent-encoding values. */
export function queryString(params: Readonly<Record<string, string | number | boolean>>): string {
  let out = "";
  for (const key of Object.keys(params)) {
    const v = params[key]!;
    out += `${out === "" ? "" : "&"}${key}=${encodeURIComponent(String(v))}`;
  }
  return out;
}

/** Returns `query&signature=<hex>` for a SIGNED request. */
export function signQuery(query: string, secret: string): string {
  return `${query}&signature=${hmacSha256Hex(secret, query)}`;
}
