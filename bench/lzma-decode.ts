/**
 * The bi5 decoder alone: Kestrel's LZMA decoder (runtime/data/formats/lzma.ts) against the same
 * decoder before its hot loop was rewritten (bench/lzma-before.ts), on every real .bi5 file under
 * ../shared/data, in the same run, alternating. Every file must decode to identical bytes with
 * both, or the bench fails. Also records which native LZMA decoders this runtime has: Bun and
 * Node ship zlib (gzip/deflate), brotli and zstd, not LZMA; `@napi-rs/lzma` (lzma-rs, a Rust decoder,
 * in a prebuilt N-API binary) is not a dependency: with `--napi DIR` (a folder where it is installed,
 * e.g. `mkdir /tmp/nl && cd /tmp/nl && npm init -y && npm i @napi-rs/lzma`) its LZMA-alone
 * `decompressSync` is checked for identical output on every file and timed in the same rounds.
 *
 *   bun bench/lzma-decode.ts [rounds] [--napi DIR]
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { decodeLzmaAlone } from "../runtime/data/formats/lzma.ts";
import { decodeLzmaAlone as decodeBefore } from "./lzma-before.ts";

const ROOT = fileURLToPath(new URL("../../shared/data", import.meta.url));

/** Every .bi5 file under `dir`, sorted. */
export function bi5Files(dir = ROOT): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".bi5")) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Which native LZMA decoders this process can use, in words. */
export function nativeLzma(): { napiRsLzma: boolean; note: string } {
  let napiRsLzma = false;
  try {
    createRequire(import.meta.url).resolve("@napi-rs/lzma");
    napiRsLzma = true;
  } catch {
    napiRsLzma = false;
  }
  const zlib = Object.keys(createRequire(import.meta.url)("node:zlib")).filter((k) => /lzma|xz/i.test(k));
  const bun = Object.keys(Bun).filter((k) => /lzma|xz/i.test(k));
  return {
    napiRsLzma,
    note: `@napi-rs/lzma ${napiRsLzma ? "installed" : "not in node_modules (not a dependency: slower than Kestrel's decoder on the real files, see bench/RESULTS.md; measure it with --napi DIR)"}; node:zlib LZMA/xz functions: ${zlib.length ? zlib.join(",") : "none"}; Bun LZMA/xz functions: ${bun.length ? bun.join(",") : "none"} (Bun ships gzip/deflate, brotli and zstd only)`,
  };
}

/** Result of one decoder over all files: best-round MB/s of decoded output and ticks/s (20-byte records). */
export interface LzmaRate {
  mbPerS: number;
  ticksPerS: number;
}

/** `@napi-rs/lzma`'s LZMA-alone decoder, loaded from a folder where it is installed. */
export function loadNapiLzma(dir: string): (input: Uint8Array) => Uint8Array {
  const mod = createRequire(join(dir, "package.json"))("@napi-rs/lzma/lzma") as { decompressSync(input: Uint8Array): Uint8Array };
  return (input) => mod.decompressSync(input);
}

/**
 * Decodes every real .bi5 file with both decoders (and `napi` when given) for `rounds` rounds, the
 * order rotating each round; throws if any output differs from Kestrel's decoder.
 */
export function measureLzma(
  rounds: number,
  napi?: (input: Uint8Array) => Uint8Array,
): { files: number; inputBytes: number; outputBytes: number; after: LzmaRate; before: LzmaRate; napi?: LzmaRate; native: ReturnType<typeof nativeLzma> } {
  const files = bi5Files();
  if (files.length === 0) throw new Error(`no .bi5 files under ${ROOT}`);
  const inputs = files.map((f) => new Uint8Array(readFileSync(f)));
  let outputBytes = 0;
  for (let i = 0; i < inputs.length; i++) {
    const a = decodeLzmaAlone(inputs[i]!), b = decodeBefore(inputs[i]!);
    if (!a.ok || !b.ok) throw new Error(`${files[i]}: ${a.ok ? "" : a.reason} ${b.ok ? "" : b.reason}`.trim());
    if (a.bytes.length !== b.bytes.length || Buffer.compare(a.bytes, b.bytes) !== 0) throw new Error(`${files[i]}: the rewritten decoder's output differs from the old one's`);
    if (napi !== undefined) {
      const n = napi(inputs[i]!);
      if (n.length !== a.bytes.length || Buffer.compare(n, a.bytes) !== 0) throw new Error(`${files[i]}: @napi-rs/lzma's output differs from Kestrel's decoder's (${n.length} vs ${a.bytes.length} bytes)`);
    }
    outputBytes += a.bytes.length;
  }
  const time = (decode: (input: Uint8Array) => unknown): number => {
    const t0 = Bun.nanoseconds();
    for (const input of inputs) decode(input);
    return (Bun.nanoseconds() - t0) / 1e9;
  };
  const ours = (input: Uint8Array) => {
    if (!decodeLzmaAlone(input).ok) throw new Error("decode failed");
  };
  const old = (input: Uint8Array) => {
    if (!decodeBefore(input).ok) throw new Error("decode failed");
  };
  const runs: ((input: Uint8Array) => unknown)[] = napi === undefined ? [old, ours] : [old, ours, napi];
  const best = runs.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < runs.length; j++) {
      const at = (j + r) % runs.length;
      best[at] = Math.min(best[at]!, time(runs[at]!));
    }
  }
  const rate = (s: number): LzmaRate => ({ mbPerS: outputBytes / 1e6 / s, ticksPerS: outputBytes / 20 / s });
  return {
    files: files.length,
    inputBytes: inputs.reduce((n, x) => n + x.length, 0),
    outputBytes,
    after: rate(best[1]!),
    before: rate(best[0]!),
    ...(napi === undefined ? {} : { napi: rate(best[2]!) }),
    native: nativeLzma(),
  };
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--napi");
  const napiDir = at >= 0 ? args.splice(at, 2)[1] : undefined;
  const rounds = Number(args[0] ?? 7);
  const r = measureLzma(rounds, napiDir === undefined ? undefined : loadNapiLzma(napiDir));
  console.log(`${r.files} .bi5 files, ${r.inputBytes.toLocaleString("en-US")} B in, ${r.outputBytes.toLocaleString("en-US")} B out; identical output from ${r.napi === undefined ? "both decoders" : "all three decoders"}; best of ${rounds} rounds, order rotating`);
  console.log(`rewritten: ${r.after.mbPerS.toFixed(1)} MB/s, ${Math.round(r.after.ticksPerS).toLocaleString("en-US")} ticks/s`);
  console.log(`before:    ${r.before.mbPerS.toFixed(1)} MB/s, ${Math.round(r.before.ticksPerS).toLocaleString("en-US")} ticks/s`);
  console.log(`ratio rewritten/before: ${(r.after.ticksPerS / r.before.ticksPerS).toFixed(2)}x`);
  if (r.napi !== undefined) {
    console.log(`@napi-rs/lzma: ${r.napi.mbPerS.toFixed(1)} MB/s, ${Math.round(r.napi.ticksPerS).toLocaleString("en-US")} ticks/s`);
    console.log(`ratio @napi-rs/lzma/rewritten: ${(r.napi.ticksPerS / r.after.ticksPerS).toFixed(2)}x`);
  }
  console.log(`native: ${r.native.note}`);
}
