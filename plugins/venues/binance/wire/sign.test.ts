import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ed25519Signer, hmacSha256Hex, queryString, signQuery, signQueryWith } from "./sign.ts";
import { wsApiPayload } from "../rest/ws-api.ts";

// The example of Binance's spot API docs ("SIGNED endpoint examples for POST /api/v3/order", HMAC keys).
const SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const QUERY = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";

test("the HMAC-SHA256 signature equals Binance's published example byte for byte", () => {
  expect(hmacSha256Hex(SECRET, QUERY)).toBe("c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
  expect(signQuery(QUERY, SECRET)).toBe(`${QUERY}&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71`);
});

test("non-ASCII parameters are percent-encoded before signing, as in Binance's second example", () => {
  const q = queryString({ symbol: "１２３４５６", side: "BUY", type: "LIMIT", timeInForce: "GTC", quantity: 1, price: "0.1", recvWindow: 5000, timestamp: 1499827319559 });
  expect(q.startsWith("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY")).toBe(true);
  expect(hmacSha256Hex(SECRET, q)).toBe("e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3");
});

test("a WebSocket API request's signature equals Binance's published example (params sorted by name) byte for byte", () => {
  const params = { symbol: "BTCUSDT", side: "SELL", type: "LIMIT", timeInForce: "GTC", quantity: "0.01000000", price: "52000.00", newOrderRespType: "ACK", recvWindow: 100, timestamp: 1645423376532, apiKey: "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A" };
  const payload = wsApiPayload(params);
  expect(payload).toBe("apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&newOrderRespType=ACK&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT");
  expect(hmacSha256Hex(SECRET, payload)).toBe("cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08a");
});

test("the query string keeps the parameters in the order they are written", () => {
  expect(queryString({ symbol: "BTCUSDT", side: "SELL", quantity: "0.001" })).toBe("symbol=BTCUSDT&side=SELL&quantity=0.001");
});

/** PKCS#8 PEM of a raw 32-byte Ed25519 seed (RFC 8410 prefix). */
function ed25519Pem(seedHex: string): string {
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(seedHex, "hex")]);
  return `-----BEGIN PRIVATE KEY-----\n${der.toString("base64")}\n-----END PRIVATE KEY-----\n`;
}

test("Ed25519 signatures equal RFC 8032's test vectors byte for byte (Ed25519 is deterministic)", () => {
  // RFC 8032 section 7.1, TEST 1 (empty message) and TEST 2 (one byte 0x72).
  const one = ed25519Signer(ed25519Pem("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  expect(Buffer.from(one(""), "base64").toString("hex")).toBe(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  );
  const two = ed25519Signer(ed25519Pem("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
  expect(Buffer.from(two("r"), "base64").toString("hex")).toBe(
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  );
});

test("an Ed25519-signed Binance query verifies with the openssl command line, and its signature is percent-encoded base64", () => {
  const dir = mkdtempSync(join(tmpdir(), "kestrel-ed25519-"));
  try {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    writeFileSync(join(dir, "pub.pem"), publicKey.export({ type: "spki", format: "pem" }));
    const sign = ed25519Signer(privateKey.export({ type: "pkcs8", format: "pem" }).toString());
    const signed = signQueryWith(QUERY, sign);
    const sig = decodeURIComponent(signed.slice(signed.indexOf("&signature=") + 11));
    expect(signed.slice(signed.indexOf("&signature=") + 11)).not.toMatch(/[+/=]/);
    writeFileSync(join(dir, "msg"), QUERY);
    writeFileSync(join(dir, "sig"), Buffer.from(sig, "base64"));
    const ok = spawnSync("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", join(dir, "pub.pem"), "-rawin", "-in", join(dir, "msg"), "-sigfile", join(dir, "sig")], { encoding: "utf8" });
    expect(ok.stdout).toContain("Signature Verified Successfully");
    writeFileSync(join(dir, "msg"), `${QUERY}0`);
    const bad = spawnSync("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", join(dir, "pub.pem"), "-rawin", "-in", join(dir, "msg"), "-sigfile", join(dir, "sig")], { encoding: "utf8" });
    expect(bad.status).not.toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a key that is not an Ed25519 private key is refused with BINANCE_BAD_KEY", () => {
  expect(() => ed25519Signer("not a key")).toThrow("BINANCE_BAD_KEY");
  const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  expect(() => ed25519Signer(rsa)).toThrow("BINANCE_BAD_KEY: key type=rsa");
});
