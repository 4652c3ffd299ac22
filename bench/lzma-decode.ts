/**
 * The bi5 decoder alone: Kestrel's LZMA decoder (runtime/data/formats/lzma.ts) against the same
 * decoder before its hot loop was rewritten (bench/lzma-before.ts), on every real .bi5 file under
 * ../shared/data, in the same run, alternating. Every file must decode to identical bytes with
 * both, or the bench fails. Also records which native LZMA decoders this runtime has: Bun and
 * Node ship zlib (gzip/deflate), brotli and zstd, not LZMA; `@napi-rs/lzma` is used only if it is
 * already installed (no dependency is added for it).
 *
 *   bun bench/lzma-decode.ts [rounds]
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
    note: `@napi-rs/lzma ${napiRsLzma ? "installed" : "not in node_modules (not added: no new dependencies)"}; node:zlib LZMA/xz functions: ${zlib.length ? zlib.join(",") : "none"}; Bun LZMA/xz functions: ${bun.length ? bun.join(",") : "none"} (Bun ships gzip/deflate, brotli and zstd only)`,
  };
}

/** Result of one decoder over all files: best-round MB/s of decoded output and ticks/s (20-byte records). */
export interface LzmaRate {
  mbPerS: number;
  ticksPerS: number;
}

/** Decodes every real .bi5 file with both decoders for `rounds` alternating rounds; throws if any output differs. */
export function measureLzma(rounds: number): { files: number; inputBytes: number; outputBytes: number; after: LzmaRate; before: LzmaRate; native: ReturnType<typeof nativeLzma> } {
  const files = bi5Files();
  if (files.length === 0) throw new Error(`no .bi5 files under ${ROOT}`);
  const inputs = files.map((f) => new Uint8Array(readFileSync(f)));
  let outputBytes = 0;
  for (let i = 0; i < inputs.length; i++) {
    const a = decodeLzmaAlone(inputs[i]!), b = decodeBefore(inputs[i]!);
    if (!a.ok || !b.ok) throw new Error(`${files[i]}: ${a.ok ? "" : a.reason} ${b.ok ? "" : b.reason}`.trim());
    if (a.bytes.length !== b.bytes.length || Buffer.compare(a.bytes, b.bytes) !== 0) throw new Error(`${files[i]}: the rewritten decoder's output differs from the old one's`);
    outputBytes += a.bytes.length;
  }
  const time = (decode: typeof decodeLzmaAlone): number => {
    const t0 = Bun.nanoseconds();
    for (const input of inputs) if (!decode(input).ok) throw new Error("decode failed");
    return (Bun.nanoseconds() - t0) / 1e9;
  };
  let bestAfter = Infinity, bestBefore = Infinity;
  for (let r = 0; r < rounds; r++) {
    bestBefore = Math.min(bestBefore, time(decodeBefore));
    bestAfter = Math.min(bestAfter, time(decodeLzmaAlone));
  }
  const rate = (s: number): LzmaRate => ({ mbPerS: outputBytes / 1e6 / s, ticksPerS: outputBytes / 20 / s });
  return { files: files.length, inputBytes: inputs.reduce((n, x) => n + x.length, 0), outputBytes, after: rate(bestAfter), before: rate(bestBefore), native: nativeLzma() };
}

if (import.meta.main) {
  const rounds = Number(process.argv[2] ?? 7);
  const r = measureLzma(rounds);
  console.log(`${r.files} .bi5 files, ${r.inputBytes.toLocaleString("en-US")} B in, ${r.outputBytes.toLocaleString("en-US")} B out; identical output from both decoders; best of ${rounds} alternating rounds`);
  console.log(`rewritten: ${r.after.mbPerS.toFixed(1)} MB/s, ${Math.round(r.after.ticksPerS).toLocaleString("en-US")} ticks/s`);
  console.log(`before:    ${r.before.mbPerS.toFixed(1)} MB/s, ${Math.round(r.before.ticksPerS).toLocaleString("en-US")} ticks/s`);
  console.log(`ratio rewritten/before: ${(r.after.ticksPerS / r.before.ticksPerS).toFixed(2)}x`);
  console.log(`native: ${r.native.note}`);
}
