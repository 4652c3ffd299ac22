/**
 * FIX decode + read, the current decoder against the one before issue 13's fast-path work
 * (bench/fix-decode-before.ts), same process, alternating rounds so both see the same load.
 * Decode = frame (BodyLength, CheckSum) + tokenise + dictionary validation; read = the
 * ExecutionReport's LastPx, LastQty and CumQty as scaled integers (the fixDecode row's read), and
 * every entry's price and size of a four-entry MarketDataIncrementalRefresh.
 * Rates are best-of-rounds by wall clock and by process CPU time (the steadier one on a loaded machine).
 * Run: bun bench/fix-decode-ab.ts [rounds=7] [roundMs=300]
 * One side alone: bun bench/fix-decode-ab.ts --only=new|before [seconds=4]
 * Profile one side (a child under --cpu-prof --cpu-prof-interval=200, top self shares under `round`):
 *   bun bench/fix-decode-ab.ts --profile=new|before [seconds=4]
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FixDecoder } from "../plugins/venues/fix44/codec/decode.ts";
import type { FixMessage } from "../plugins/venues/fix44/codec/message.ts";
import { standardDictionary } from "../plugins/venues/fix44/dictionary/load.ts";
import { sampleExecutionReport, sampleIncrementalRefresh } from "../plugins/venues/fix44/testing/messages.ts";
import { FixDecoderBefore } from "./fix-decode-before.ts";

const COPIES = 2000;

interface Decoder {
  frame(buf: Uint8Array, start: number, end: number): number;
  decodeFramed(buf: Uint8Array, start: number, length: number): number;
  readonly message: FixMessage;
}

function stream(msg: Uint8Array, copies: number): Uint8Array {
  const out = new Uint8Array(msg.length * copies);
  for (let i = 0; i < copies; i++) out.set(msg, i * msg.length);
  return out;
}

const readEr = (m: FixMessage): number => m.scaled(31, 5) + m.scaled(32, 0) + m.scaled(14, 0);
const readMd = (m: FixMessage): number => {
  let s = 0;
  const g = m.indexOf(268);
  for (let k = 0, p = g + 1, n = m.intAt(g); k < n; k++, p = m.endOf(p)) s += m.scaledIn(270, p, m.endOf(p), 5) + m.scaledIn(271, p, m.endOf(p), 0);
  return s;
};

/** Frames, decodes and reads every message of `buf`; throws if any is refused. */
function pass(dec: Decoder, buf: Uint8Array, read: (m: FixMessage) => number): number {
  let p = 0, sum = 0, count = 0;
  while (p < buf.length) {
    const n = dec.frame(buf, p, buf.length);
    if (n <= 0 || dec.decodeFramed(buf, p, n) !== 0) throw new Error("decode failed");
    sum += read(dec.message);
    p += n;
    count++;
  }
  if (count !== COPIES || Number.isNaN(sum)) throw new Error("bad decode");
  return sum;
}

/** Messages per second of one round of about `ms`, by wall clock and by this process's CPU time. */
function round(dec: Decoder, buf: Uint8Array, read: (m: FixMessage) => number, ms: number): { wall: number; cpu: number } {
  let ops = 0;
  const c0 = process.cpuUsage();
  const t0 = Bun.nanoseconds();
  let t = t0;
  while (t - t0 < ms * 1e6) {
    pass(dec, buf, read);
    ops += COPIES;
    t = Bun.nanoseconds();
  }
  const c = process.cpuUsage(c0);
  return { wall: ops / ((t - t0) / 1e9), cpu: ops / ((c.user + c.system) / 1e6) };
}

const load = (): string => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

if (import.meta.main) {
  const dict = standardDictionary("FIX44");
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);
  const profile = process.argv.find((a) => a.startsWith("--profile="))?.slice(10);
  const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const er = stream(sampleExecutionReport(), COPIES), md = stream(sampleIncrementalRefresh(), COPIES);
  if (profile !== undefined) {
    const dir = mkdtempSync(join(tmpdir(), "kestrel-fixprof-"));
    try {
      const proc = Bun.spawn([process.execPath, "--cpu-prof", "--cpu-prof-interval=200", `--cpu-prof-dir=${dir}`, import.meta.path, `--only=${profile}`, args[0] ?? "4"], { stdout: "inherit", stderr: "inherit" });
      if ((await proc.exited) !== 0) throw new Error(`fix-decode-ab: profiled child exited ${proc.exitCode}`);
      const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
      if (file === undefined) throw new Error(`fix-decode-ab: no .cpuprofile in ${dir}`);
      const { summarizeProfile } = await import("./backtest-profile.ts");
      const { samples, entries } = summarizeProfile(JSON.parse(readFileSync(join(dir, file), "utf8")), "round");
      console.log(`${samples} samples under round; top self:`);
      const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(6);
      for (const e of [...entries].sort((a, b) => b.selfShare - a.selfShare).slice(0, 12)) console.log(`  ${pct(e.selfShare)} self ${pct(e.inclusiveShare)} incl  ${e.name}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else if (only !== undefined) {
    const dec: Decoder = only === "before" ? new FixDecoderBefore(dict) : new FixDecoder(dict);
    const seconds = Number(args[0] ?? 4);
    const rate = round(dec, er, readEr, seconds * 1000);
    console.log(`${only}: ${Math.round(rate.wall).toLocaleString("en-US")} msgs/s (${Math.round(rate.cpu).toLocaleString("en-US")} per CPU-second) decode+read ExecutionReport over ${seconds} s, load ${load()}`);
  } else {
    const rounds = Number(args[0] ?? 7), ms = Number(args[1] ?? 300);
    console.log(`load at start: ${load()}  (Bun ${Bun.version}, best of ${rounds} alternating rounds x ${ms} ms)`);
    const before = new FixDecoderBefore(dict), now = new FixDecoder(dict);
    for (const [name, buf, read] of [["ExecutionReport", er, readEr], ["MDIncrementalRefresh", md, readMd]] as const) {
      if (pass(before, buf, read) !== pass(now, buf, read)) throw new Error(`${name}: the decoders read different values`);
      for (let i = 0; i < 30; i++) { pass(before, buf, read); pass(now, buf, read); }
      const best = { before: { wall: 0, cpu: 0 }, now: { wall: 0, cpu: 0 } };
      for (let r = 0; r < rounds; r++) {
        for (const [side, dec] of [["before", before], ["now", now]] as const) {
          const x = round(dec, buf, read, ms);
          best[side].wall = Math.max(best[side].wall, x.wall);
          best[side].cpu = Math.max(best[side].cpu, x.cpu);
        }
      }
      const f = (x: number) => `${(x / 1e6).toFixed(2)} M/s (${(1e9 / x).toFixed(0)} ns)`;
      const { before: b, now: n } = best;
      console.log(`decode+read ${name.padEnd(21)} wall: now ${f(n.wall)} before ${f(b.wall)} ratio ${(n.wall / b.wall).toFixed(2)}x | per CPU-second: now ${f(n.cpu)} before ${f(b.cpu)} ratio ${(n.cpu / b.cpu).toFixed(2)}x`);
    }
    console.log(`load at end: ${load()}`);
  }
}
