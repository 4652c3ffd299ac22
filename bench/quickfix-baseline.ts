/**
 * The fixDecode row's same-run C++ baseline: builds bench/quickfix-parse.cpp with g++ against
 * Debian's libquickfix (once per source hash, under the OS temp dir), feeds it the same
 * ExecutionReport Kestrel decodes, and returns QuickFIX's msgs/s for `FIX::Message::setString`
 * with and without dictionary validation. Returns the reason instead when the machine has no
 * g++ or QuickFIX headers, or the build or run fails (one line).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jspurefixDictionaryPath } from "../plugins/venues/fix44/dictionary/load.ts";

const SOURCE = fileURLToPath(new URL("./quickfix-parse.cpp", import.meta.url));

/** QuickFIX's parse rate of one message, validated and not, or why it could not be measured. */
export type QuickFixBaseline = { validated: number; unvalidated: number; compileSeconds: number } | { unavailable: string };

async function build(): Promise<{ binary: string; compileSeconds: number } | { unavailable: string }> {
  if (!existsSync("/usr/include/quickfix/Message.h")) return { unavailable: "QuickFIX headers not installed (libquickfix-dev)" };
  if (Bun.which("g++") === null) return { unavailable: "g++ not installed" };
  const hash = createHash("sha256").update(readFileSync(SOURCE)).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), "kestrel-bench-quickfix");
  const binary = join(dir, `quickfix-parse-${hash}`);
  if (existsSync(binary)) return { binary, compileSeconds: 0 };
  mkdirSync(dir, { recursive: true });
  const partial = `${binary}.${process.pid}.tmp`;
  const t0 = performance.now();
  const proc = Bun.spawn(["g++", "-std=c++11", "-O2", "-w", "-o", partial, SOURCE, "-lquickfix"], { stdout: "ignore", stderr: "pipe" });
  const code = await proc.exited;
  if (code !== 0) return { unavailable: `g++ failed (exit ${code}): ${(await new Response(proc.stderr).text()).split("\n").find((l) => l.includes("error")) ?? ""}` };
  renameSync(partial, binary);
  return { binary, compileSeconds: (performance.now() - t0) / 1000 };
}

/** Runs QuickFIX's parser on `message` for `rounds` rounds of `roundMs` each (best round counts). */
export async function measureQuickFix(message: Uint8Array, rounds: number, roundMs: number): Promise<QuickFixBaseline> {
  const b = await build();
  if ("unavailable" in b) return b;
  const file = join(tmpdir(), `kestrel-bench-quickfix-${process.pid}.fix`);
  writeFileSync(file, message);
  const proc = Bun.spawn([b.binary, file, jspurefixDictionaryPath("FIX44.xml"), String(rounds), String(roundMs)], { stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if (code !== 0) return { unavailable: `quickfix-parse exit ${code}: ${err.trim().split("\n")[0] ?? ""}` };
  const get = (k: string) => Number(new RegExp(`^${k} (\\d+)$`, "m").exec(out)?.[1] ?? NaN);
  const validated = get("validated"), unvalidated = get("unvalidated");
  if (!(validated > 0) || !(unvalidated > 0)) return { unavailable: `quickfix-parse printed no rates: ${out.trim()}` };
  return { validated, unvalidated, compileSeconds: b.compileSeconds };
}
