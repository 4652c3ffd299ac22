/**
 * Where the admin plane's HS256 key comes from: `KESTREL_ADMIN_KEY`, else the file named by
 * `KESTREL_ADMIN_KEY_FILE`, else a random key generated for this run (never from the YAML).
 */
import { readFileSync } from "node:fs";

/** A resolved signing key and where it came from. */
export interface AdminKey {
  readonly key: string;
  readonly source: "env" | "file" | "generated";
}

/** Keys shorter than this are refused: HS256 wants at least 256 bits of secret. */
export const MIN_KEY_LENGTH = 32;

/** Resolves the key from the environment; throws ADMIN_KEY_* with the reason when it is unusable. */
export function resolveAdminKey(env: Record<string, string | undefined> = process.env): AdminKey {
  const inline = env.KESTREL_ADMIN_KEY;
  if (inline !== undefined && inline !== "") return { key: checked(inline, "KESTREL_ADMIN_KEY"), source: "env" };
  const file = env.KESTREL_ADMIN_KEY_FILE;
  if (file !== undefined && file !== "") {
    let text: string;
    try {
      text = readFileSync(file, "utf8").trim();
    } catch (err) {
      throw new Error(`ADMIN_KEY_FILE_UNREADABLE: file=${file} error=${(err as Error).message}`);
    }
    return { key: checked(text, `KESTREL_ADMIN_KEY_FILE=${file}`), source: "file" };
  }
  return { key: generateKey(), source: "generated" };
}

/** A fresh random key: 32 bytes as hex. */
export function generateKey(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");
}

function checked(key: string, where: string): string {
  if (key.length < MIN_KEY_LENGTH) throw new Error(`ADMIN_KEY_TOO_SHORT: source=${where} length=${key.length} min=${MIN_KEY_LENGTH}`);
  return key;
}
