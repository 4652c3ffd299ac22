/** Tokens: issue and verify, bad signatures, expiry, key rotation, keys from the environment, the token command. */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sign } from "hono/jwt";
import { issueToken, verifyToken } from "./jwt.ts";
import { resolveAdminKey } from "./keys.ts";
import { allows } from "./roles.ts";
import { parseTtl, runTokenCommand } from "../token-cli.ts";

const KEY = "k".repeat(40);
const OTHER = "o".repeat(40);

describe("tokens", () => {
  test("a token verifies with its key and carries role, subject and expiry", async () => {
    const now = Math.floor(Date.now() / 1000);
    const t = await issueToken("trader", 3600, KEY, "desk-1");
    const r = await verifyToken(t, [KEY]);
    expect(r).toEqual({ ok: true, principal: { role: "trader", subject: "desk-1", exp: expect.any(Number) } });
    if (r.ok) expect(r.principal.exp - now).toBeGreaterThanOrEqual(3599);
  });

  test("a token signed with another key, a tampered payload and an expired token are refused", async () => {
    const foreign = await issueToken("admin", 3600, OTHER);
    expect(await verifyToken(foreign, [KEY])).toMatchObject({ ok: false, code: "AUTH_BAD_SIGNATURE" });
    const [h, , s] = (await issueToken("analyst", 3600, KEY)).split(".");
    const forged = Buffer.from(JSON.stringify({ role: "admin", sub: "x", exp: 9999999999 })).toString("base64url");
    expect(await verifyToken(`${h}.${forged}.${s}`, [KEY])).toMatchObject({ ok: false, code: "AUTH_BAD_SIGNATURE" });
    const old = await issueToken("admin", 60, KEY, "admin", Math.floor(Date.now() / 1000) - 120);
    expect(await verifyToken(old, [KEY])).toMatchObject({ ok: false, code: "AUTH_EXPIRED" });
    expect(await verifyToken("", [KEY])).toMatchObject({ ok: false, code: "AUTH_MISSING" });
    expect(await verifyToken("a.b", [KEY])).toMatchObject({ ok: false, code: "AUTH_MALFORMED" });
  });

  test("a well-signed token with an unknown role or no expiry is refused", async () => {
    const root = await sign({ role: "root", exp: Math.floor(Date.now() / 1000) + 60 }, KEY, "HS256");
    expect(await verifyToken(root, [KEY])).toMatchObject({ ok: false, code: "AUTH_BAD_ROLE" });
    const forever = await sign({ role: "admin" }, KEY, "HS256");
    expect(await verifyToken(forever, [KEY])).toMatchObject({ ok: false, code: "AUTH_MALFORMED" });
  });

  test("during a key rotation tokens of either key verify", async () => {
    const t = await issueToken("analyst", 60, OTHER);
    expect((await verifyToken(t, [KEY, OTHER])).ok).toBe(true);
  });

  test("roles are ordered analyst < trader < admin; public needs nothing", () => {
    expect(allows("analyst", "trader")).toBe(false);
    expect(allows("trader", "trader")).toBe(true);
    expect(allows("admin", "trader")).toBe(true);
    expect(allows("trader", "admin")).toBe(false);
    expect(allows(null, "public")).toBe(true);
    expect(allows(null, "analyst")).toBe(false);
  });
});

describe("keys", () => {
  test("the key comes from KESTREL_ADMIN_KEY, else the key file, else is generated", () => {
    const dir = mkdtempSync(join(tmpdir(), "kestrel-key-"));
    try {
      const file = join(dir, "admin.key");
      writeFileSync(file, `${OTHER}\n`);
      expect(resolveAdminKey({ KESTREL_ADMIN_KEY: KEY, KESTREL_ADMIN_KEY_FILE: file })).toEqual({ key: KEY, source: "env" });
      expect(resolveAdminKey({ KESTREL_ADMIN_KEY_FILE: file })).toEqual({ key: OTHER, source: "file" });
      const a = resolveAdminKey({});
      expect(a.source).toBe("generated");
      expect(a.key).toMatch(/^[0-9a-f]{64}$/);
      expect(resolveAdminKey({}).key).not.toBe(a.key);
      expect(() => resolveAdminKey({ KESTREL_ADMIN_KEY: "short" })).toThrow("ADMIN_KEY_TOO_SHORT");
      expect(() => resolveAdminKey({ KESTREL_ADMIN_KEY_FILE: join(dir, "missing") })).toThrow("ADMIN_KEY_FILE_UNREADABLE");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("kestrel token", () => {
  test("prints a token for the role and lifetime asked", async () => {
    const out: string[] = [];
    const code = await runTokenCommand(["--role", "trader", "--ttl", "30m"], { KESTREL_ADMIN_KEY: KEY }, (l) => out.push(l), () => {});
    expect(code).toBe(0);
    const r = await verifyToken(out[0]!, [KEY]);
    expect(r.ok && r.principal.role).toBe("trader");
    if (r.ok) expect(r.principal.exp - Math.floor(Date.now() / 1000)).toBeWithin(1790, 1801);
  });

  test("refuses a bad role, a bad ttl and a missing key with exit codes", async () => {
    const err: string[] = [];
    const e = (l: string) => err.push(l);
    expect(await runTokenCommand(["--role", "root"], { KESTREL_ADMIN_KEY: KEY }, () => {}, e)).toBe(2);
    expect(await runTokenCommand(["--role", "admin", "--ttl", "soon"], { KESTREL_ADMIN_KEY: KEY }, () => {}, e)).toBe(2);
    expect(await runTokenCommand(["--role", "admin"], {}, () => {}, e)).toBe(1);
    expect(err.join("\n")).toContain("--role");
    expect(err.join("\n")).toContain("--ttl");
    expect(err.join("\n")).toContain("KESTREL_ADMIN_KEY");
  });

  test("durations: seconds, minutes, hours, days", () => {
    expect(parseTtl("90s")).toBe(90);
    expect(parseTtl("8h")).toBe(28800);
    expect(parseTtl("7d")).toBe(604800);
    expect(parseTtl("45")).toBe(45);
    expect(parseTtl("0s")).toBeNull();
    expect(parseTtl("1.5h")).toBeNull();
  });
});
