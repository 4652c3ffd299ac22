/**
 * The ES256 tokens checked by an independent verifier, the `openssl` command line: a key made by
 * openssl signs a token with our code and openssl verifies it with the public key alone; a token
 * with one changed claim does not verify. The claims are those Coinbase documents.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { needsTools } from "../../../../runtime/testing/system-tools.ts";
import { buildJwt, jwtUri, loadKey } from "./jwt.ts";

/** DER encoding of a JOSE (r || s) ECDSA signature, as openssl reads it. */
function joseToDer(sig: Buffer): Buffer {
  const int = (b: Buffer) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    let v = b.subarray(i);
    if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([int(sig.subarray(0, 32)), int(sig.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

function openssl(args: string[], cwd: string): { code: number; out: string } {
  const r = Bun.spawnSync(["openssl", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, out: `${r.stdout.toString()}${r.stderr.toString()}` };
}

describe("ES256 JWT", () => {
  test.skipIf(!needsTools("coinbase: ES256 JWT verified by openssl", "openssl"))("a token signed with an openssl-made key verifies with openssl and the public key; a changed claim does not", () => {
    const dir = mkdtempSync(join(tmpdir(), "kestrel-jwt-"));
    try {
      expect(openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "key.pem"], dir).code).toBe(0);
      expect(openssl(["ec", "-in", "key.pem", "-pubout", "-out", "pub.pem"], dir).code).toBe(0);
      const pem = readFileSync(join(dir, "key.pem"), "utf8");
      expect(pem).toContain("BEGIN EC PRIVATE KEY");
      // As an env file holds it: one line with literal \n.
      const key = loadKey("organizations/o1/apiKeys/k1", pem.replace(/\n/g, "\\n"));
      const uri = jwtUri("POST", new URL("https://api.coinbase.com/api/v3/brokerage/orders?x=1"));
      expect(uri).toBe("POST api.coinbase.com/api/v3/brokerage/orders");
      const token = buildJwt(key, 1_700_000_000, uri, "00112233445566778899aabbccddeeff");
      const [h, c, s] = token.split(".") as [string, string, string];
      expect(JSON.parse(Buffer.from(h, "base64url").toString())).toEqual({ alg: "ES256", kid: "organizations/o1/apiKeys/k1", nonce: "00112233445566778899aabbccddeeff", typ: "JWT" });
      expect(JSON.parse(Buffer.from(c, "base64url").toString())).toEqual({ sub: "organizations/o1/apiKeys/k1", iss: "cdp", nbf: 1_700_000_000, exp: 1_700_000_120, uri });
      const sig = Buffer.from(s, "base64url");
      expect(sig.length).toBe(64);
      writeFileSync(join(dir, "input.txt"), `${h}.${c}`);
      writeFileSync(join(dir, "sig.der"), joseToDer(sig));
      const ok = openssl(["dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig.der", "input.txt"], dir);
      expect(ok.out.trim()).toBe("Verified OK");
      expect(ok.code).toBe(0);
      // Same signature over claims with another uri: refused.
      const other = Buffer.from(JSON.stringify({ sub: "organizations/o1/apiKeys/k1", iss: "cdp", nbf: 1_700_000_000, exp: 1_700_000_120, uri: "GET api.coinbase.com/api/v3/brokerage/orders" })).toString("base64url");
      writeFileSync(join(dir, "input.txt"), `${h}.${other}`);
      const bad = openssl(["dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig.der", "input.txt"], dir);
      expect(bad.code).not.toBe(0);
      expect(bad.out).toContain("Verification failure");
      // A WebSocket token carries no uri; two tokens differ (random nonce and ECDSA nonce).
      const ws = buildJwt(key, 1_700_000_000);
      expect(JSON.parse(Buffer.from(ws.split(".")[1]!, "base64url").toString()).uri).toBeUndefined();
      expect(buildJwt(key, 1_700_000_000)).not.toBe(ws);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a key that is not a P-256 EC key is refused with one line saying why", () => {
    expect(() => loadKey("k", "not a key")).toThrow(/^COINBASE_BAD_KEY: the private key is not PEM EC key text/);
    const { generateKeyPairSync } = require("node:crypto");
    const ed = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(() => loadKey("k", ed)).toThrow("COINBASE_BAD_KEY: ES256 needs a P-256 EC key, got ed25519");
    const p384 = generateKeyPairSync("ec", { namedCurve: "secp384r1" }).privateKey.export({ type: "sec1", format: "pem" }).toString();
    expect(() => loadKey("k", p384)).toThrow("COINBASE_BAD_KEY: ES256 needs a P-256 EC key, got ec secp384r1");
  });
});
