/**
 * Request signing for Binance SIGNED endpoints. With an HMAC key the signature is HMAC-SHA256 of
 * the exact query string with the secret key, hex-encoded; with an Ed25519 key it is the Ed25519
 * signature of the same bytes, base64-encoded (and percent-encoded in the query). It is appended as
 * `signature=`. Parameters keep the order they are written in; values are percent-encoded before
 * signing, as sent.
 */
import { createHmac, createPrivateKey, sign as cryptoSign, type KeyObject } from "node:crypto";

/** Signs a request payload, returning the signature text as Binance expects it (before percent-encoding). */
export type Signer = (payload: string) => string;

/** An HMAC-SHA256 signer (hex). */
export function hmacSigner(secret: string): Signer {
  return (payload) => hmacSha256Hex(secret, payload);
}

/** An Ed25519 signer (base64) from a PKCS#8 PEM private key; throws BINANCE_BAD_KEY if it is not one. */
export function ed25519Signer(privateKeyPem: string): Signer {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (err) {
    throw new Error(`BINANCE_BAD_KEY: not a PEM private key (${(err as Error).message})`);
  }
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`BINANCE_BAD_KEY: key type=${key.asymmetricKeyType}, expected ed25519`);
  return (payload) => cryptoSign(null, Buffer.from(payload), key).toString("base64");
}

/** Returns `query&signature=<signature, percent-encoded>` signed by `sign`. */
export function signQueryWith(query: string, sign: Signer): string {
  return `${query}&signature=${encodeURIComponent(sign(query))}`;
}

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
