/**
 * Memory soak: the 28-pair paper deployment (configs/paper.yaml: both strategies, journal, DuckDB
 * recording on) run by `kestrel run` at high speed, its resident set sampled every second from
 * /proc. Prints the median RSS of the window after warm-up (the first fifth of the run) against the
 * last window's and every later window's, the least-squares trend after warm-up, and the point
 * samples (target: within 5%).
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
  // Point samples swing with DuckDB's checkpoints and GC (±20% seen over 30 s), so growth is read
  // from medians of windows: the warm-up window (the second fifth of the run's samples) against the
  // last tenth, and against every later window of the same length; the point figures are kept beside.
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)]!;
  };
  const between = (lo: number, hi: number): number[] => samples.filter((s) => s.t >= lo && s.t < hi).map((s) => s.rss);
  const step = seconds / 10;
  const warmMedian = median(between(seconds / 5, seconds / 5 + step));
  const windows: { from: number; median: number }[] = [];
  for (let from = seconds / 5; from + step <= seconds + 1; from += step) windows.push({ from, median: median(between(from, from + step)) });
  const lastMedian = windows.at(-1)?.median ?? Number.NaN;
  const worst = Math.max(...windows.map((w) => w.median));
  // Least-squares slope of RSS over the post-warm-up samples, as growth per hour relative to the warm-up median.
  const post = samples.filter((s) => s.t >= seconds / 5);
  const mt = post.reduce((a, s) => a + s.t, 0) / post.length;
  const mr = post.reduce((a, s) => a + s.rss, 0) / post.length;
  const slope = post.reduce((a, s) => a + (s.t - mt) * (s.rss - mr), 0) / post.reduce((a, s) => a + (s.t - mt) ** 2, 0);
  const warm = samples.find((s) => s.t >= seconds / 5) ?? samples[0]!;
  const end = samples.at(-2) ?? samples.at(-1)!;
  const max = Math.max(...post.map((s) => s.rss));
  const pct = (x: number): string => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
  console.log(`| run | speed | samples | median RSS, warm-up window MB | median RSS, last window MB | growth (medians) | worst window vs warm-up | trend after warm-up, per hour |`);
  console.log(`| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  console.log(`| ${forText} | ${speed}x | ${samples.length} | ${warmMedian.toFixed(0)} | ${lastMedian.toFixed(0)} | ${pct(lastMedian / warmMedian - 1)} | ${pct(worst / warmMedian - 1)} | ${pct((slope * 3600) / warmMedian)} |`);
  console.log(`\nwindow medians (MB, ${step.toFixed(0)} s each from t=${(seconds / 5).toFixed(0)} s): ${windows.map((w) => w.median.toFixed(0)).join(", ")}`);
  console.log(`point samples: after warm-up ${warm.rss.toFixed(0)} MB (t=${warm.t.toFixed(0)} s), at end ${end.rss.toFixed(0)} MB, max after warm-up ${max.toFixed(0)} MB`);
  const fills = /^\s*Fills\s+([\d,]+)/m.exec(out)?.[1];
  console.log(`session: ${fills ?? "?"} fills; growth of the window medians ${pct(lastMedian / warmMedian - 1)}, worst window ${pct(worst / warmMedian - 1)} (target: within 5%)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
