/**
 * Coinbase's JWT authentication (CDP API keys, ES256): a token per REST request, whose `uri` claim
 * is "<METHOD> <host><path>", and a token per WebSocket subscribe message without `uri`. Header
 * `{alg: ES256, kid: <key name>, nonce, typ: JWT}`, claims `{sub: <key name>, iss: "cdp", nbf, exp}`
 * with a two-minute life; the signature is P-256 ECDSA over SHA-256 in the JOSE form (r || s,
 * 64 bytes), base64url. The key is the PEM text Coinbase hands out (SEC1 "EC PRIVATE KEY", or PKCS#8).
 */
import { createPrivateKey, randomBytes, sign, type KeyObject } from "node:crypto";

/** Seconds a token is valid for (Coinbase accepts at most two minutes). */
export const JWT_LIFE_S = 120;

/** A loaded Coinbase API key: its name (the `kid`/`sub`) and its P-256 private key. */
export interface CoinbaseKey {
  readonly name: string;
  readonly privateKey: KeyObject;
}

/** Loads a key from its name and PEM text (literal "\n" sequences, as env files hold them, become newlines); throws COINBASE_BAD_KEY with why. */
export function loadKey(name: string, pem: string): CoinbaseKey {
  const text = pem.includes("\\n") ? pem.replace(/\\n/g, "\n") : pem;
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch (err) {
    throw new Error(`COINBASE_BAD_KEY: the private key is not PEM EC key text (${(err as Error).message})`);
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new Error(`COINBASE_BAD_KEY: ES256 needs a P-256 EC key, got ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ""}`.trim());
  }
  return { name, privateKey: key };
}

/** base64url without padding. */
export function base64url(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString("base64url");
}

/** Builds and signs a token; `uri` is "<METHOD> <host><path>" for REST, absent for WebSocket. */
export function buildJwt(key: CoinbaseKey, nowS: number, uri?: string, nonce: string = randomBytes(16).toString("hex")): string {
  const header = { alg: "ES256", kid: key.name, nonce, typ: "JWT" };
  const claims: Record<string, string | number> = { sub: key.name, iss: "cdp", nbf: nowS, exp: nowS + JWT_LIFE_S };
  if (uri !== undefined) claims.uri = uri;
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign("sha256", Buffer.from(input), { key: key.privateKey, dsaEncoding: "ieee-p1363" });
  return `${input}.${base64url(signature)}`;
}

/** The `uri` claim of a REST request: method, host (with port when not default) and path, without the query. */
export function jwtUri(method: string, url: URL): string {
  return `${method.toUpperCase()} ${url.host}${url.pathname}`;
}
