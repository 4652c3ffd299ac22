/**
 * Memory soak: the 28-pair paper deployment (configs/paper.yaml: both strategies, journal, DuckDB
 * recording on) run by `kestrel run` at high speed, its resident set sampled every second from
 * /proc. Prints RSS at the end of warm-up (the first fifth of the run, the baseline), at the end
 * and its maximum, and the growth after warm-up as a ratio (target: within 5%).
 *
 * Run: nice bun bench/soak.ts [--for 3600s] [--speed 50]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs, parseDuration } from "../runtime/cli/args.ts";

const args = parseArgs(process.argv.slice(2), new Set(["for", "speed"]));
const forText = typeof args.flags.get("for") === "string" ? (args.flags.get("for") as string) : "3600s";
const speed = typeof args.flags.get("speed") === "string" ? (args.flags.get("speed") as string) : "50";
const seconds = parseDuration(forText) / 1e6;
const repo = resolve(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "kestrel-soak-"));
const rssMb = (pid: number): number | null => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? null : Number(m[1]) / 1024;
  } catch {
    return null;
  }
};
try {
  // Relative paths of the deployment (journal, store) land in the scratch dir.
  const proc = Bun.spawn([join(repo, "bin/kestrel"), "run", join(repo, "configs/paper.yaml"), "--for", forText, "--speed", speed, "--no-admin", "--quiet"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  const samples: { t: number; rss: number }[] = [];
  const t0 = performance.now();
  while (proc.exitCode === null) {
    const rss = rssMb(proc.pid);
    if (rss !== null) {
      samples.push({ t: (performance.now() - t0) / 1000, rss });
      // A progress line every 30 samples, so a run cut short still leaves its curve.
      if (samples.length % 30 === 0) console.error(`t=${samples.at(-1)!.t.toFixed(0)}s rss=${rss.toFixed(0)}MB`);
    }
    await Bun.sleep(1000);
  }
  const out = await new Response(proc.stdout).text();
  if (proc.exitCode !== 0) throw new Error(`kestrel run exited ${proc.exitCode}: ${await new Response(proc.stderr).text()}`);
  const warm = samples.find((s) => s.t >= seconds / 5) ?? samples[0]!;
  const end = samples.at(-2) ?? samples.at(-1)!;
  const max = Math.max(...samples.filter((s) => s.t >= warm.t).map((s) => s.rss));
  console.log(`| run | speed | samples | RSS after warm-up MB (t=${warm.t.toFixed(0)} s) | RSS at end MB | max after warm-up MB | growth after warm-up |`);
  console.log(`| ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  console.log(`| ${forText} | ${speed}x | ${samples.length} | ${warm.rss.toFixed(0)} | ${end.rss.toFixed(0)} | ${max.toFixed(0)} | ${(((end.rss - warm.rss) / warm.rss) * 100).toFixed(1)}% |`);
  const fills = /^\s*Fills\s+([\d,]+)/m.exec(out)?.[1];
  console.log(`\nsession: ${fills ?? "?"} fills; end/warm-up RSS ratio ${(end.rss / warm.rss).toFixed(3)} (target <= 1.05)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
