/**
 * Restart time after a long journal, with and without a snapshot, and journal bytes per order.
 *
 * For each size N (default 1 M and 10 M records) it writes a journal of N records through the real
 * JournalWriter (orders, acknowledgements, fills, cancels in the proportions of a market maker: per
 * order an order record, an accept, then a fill or, one order in four, a cancel and its report),
 * then times `buildSession` of a small synthetic deployment on it:
 *   - full: the journal as written (every record replayed);
 *   - snapshot: the same journal plus a snapshot of the restored state and a 1 000-record tail,
 *     found by scanning the file, then through the pointer file a session writes beside it;
 *   - compacted: `kestrel journal compact` of the snapshot journal.
 * Every step runs in its own child process (this file with a step name), so a restart is timed with
 * nothing else in memory (the 10 M-record full replay alone holds gigabytes). Each time is the build
 * minus a build with an empty journal measured in the same child just before (baseline).
 *
 * `--flat`: cancels fall on buys and sells alike (orders 2k and 2k+1 when k % 4 == 0), so each
 * instrument's position stays near flat and the snapshot holds a handful of open lots, as a
 * risk-limited session's does; by default one order in four is canceled (only buys: id % 4 == 0),
 * so the position drifts short by a lot per four orders (≈ 770 k open lots after 10 M records).
 *
 * Run: nice bun bench/journal-restart.ts [sizes, e.g. 1000000,10000000] [--flat]
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { buildSession, type Session } from "../runtime/session/build.ts";
import { JournalWriter } from "../runtime/journal/journal-file.ts";
import { sealSnapshot } from "../runtime/journal/snapshot.ts";
import { compactJournal } from "../runtime/journal/compact.ts";
import { pointerPath, writeSnapshotPointer } from "../runtime/journal/snapshot-pointer.ts";

const T0 = Date.UTC(2024, 0, 8, 7) * 1000;
/** Cancels balanced between buys and sells (see the module comment); passed on to the child steps. */
const FLAT = process.argv.includes("--flat");

const yaml = `name: bench
mode: paper
seed: 1
account: { currency: USD, capital: 1000000 }
market:
  source: synthetic
  synthetic: { pairs: [EURUSD, GBPUSD, EURGBP], start: "2024-01-08T07:00:00Z", durationSeconds: 60 }
venue: { name: sim, plugin: sim }
strategies:
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURGBP, EURUSD] }
risk:
  limits: { maxPosition: 100000000, maxOrderNotional: 5000000000, maxOrdersPerSecond: 100, priceCollarBps: 100, maxDailyLoss: 100000, maxDrawdown: 100000 }
`;

/** Next ids after a generated stretch of journal. */
interface Next {
  order: number;
  fill: number;
  ts: number;
  orders: number;
}

/** Appends orders from id `first` until `records` records were written; returns the next ids. */
function generate(w: JournalWriter, records: number, first: { order: number; fill: number; ts: number }): Next {
  let { order: id, fill, ts } = first;
  let n = 0;
  let orders = 0;
  while (n < records) {
    const instrument = id % 3;
    const side = id % 2 === 0 ? 1 : -1;
    const price = 108_000 + (id % 50);
    ts += 1_000;
    w.append({ t: "order", id, strategy: "mm", instrument, side, type: "limit", tif: "GTC", price, stopPrice: 0, size: 1000, expireTs: 0, postOnly: false, reduceOnly: false, tag: "", ts, event: id, version: "1.0.0", features: id, model: "", rejected: "" });
    w.append({ t: "report", report: { kind: "accepted", orderId: id, ts: ts + 100 }, fillId: 0 });
    n += 2;
    if (FLAT ? Math.floor(id / 2) % 4 !== 0 : id % 4 !== 0) {
      w.append({ t: "report", report: { kind: "fill", orderId: id, ts: ts + 200, price, size: 1000, fee: 2, liquidity: "maker" }, fillId: ++fill });
      n += 1;
    } else {
      w.append({ t: "cancel", orderId: id, ts: ts + 200 });
      w.append({ t: "report", report: { kind: "canceled", orderId: id, ts: ts + 300, reason: "" }, fillId: 0 });
      n += 2;
    }
    orders++;
    id++;
    if ((orders & 4095) === 0) w.flush();
  }
  w.flush();
  return { order: id, fill, ts, orders };
}

/** A timed build as a child reports it (milliseconds; CPU is user + system of the child). */
interface Timed {
  ms: number;
  cpu: number;
  baseMs: number;
  baseCpu: number;
  fromSnapshot: boolean;
  fillId: number;
  realised: number;
  rssMb: number;
}

/** The loaded bench deployment, its config file written into `dir`. */
function benchConfig(dir: string) {
  const configFile = join(dir, "bench.yaml");
  if (!existsSync(configFile)) writeFileSync(configFile, yaml);
  const loaded = loadConfig(configFile, {});
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  return { config: loaded.config, configFile };
}

/** Builds the bench session on `journalPath` and returns wall and CPU milliseconds with it. */
async function timedBuild(dir: string, journalPath: string): Promise<{ ms: number; cpu: number; session: Session }> {
  const { config, configFile } = benchConfig(dir);
  const t = performance.now();
  const c = process.cpuUsage();
  const session = await buildSession(config, configFile, { journalPath, store: false, log: () => {}, startTs: T0 });
  const ms = performance.now() - t;
  const used = process.cpuUsage(c);
  session.loop.close();
  return { ms, cpu: (used.user + used.system) / 1000, session };
}

/** In a child: warm the module cache, time an empty-journal build, then the build on `journal`. */
async function timeRestart(dir: string, journal: string): Promise<{ timed: Timed; session: Session }> {
  const scratch = mkdtempSync(join(dir, "base-"));
  await timedBuild(dir, join(scratch, "warm.journal"));
  const base = await timedBuild(dir, join(scratch, "empty.journal"));
  rmSync(scratch, { recursive: true, force: true });
  Bun.gc(true);
  const run = await timedBuild(dir, journal);
  const s = run.session;
  const timed: Timed = { ms: run.ms, cpu: run.cpu, baseMs: base.ms, baseCpu: base.cpu, fromSnapshot: s.restoredFromSnapshot, fillId: s.core.oms.fillIds.current, realised: s.core.portfolio.realised(0), rssMb: Math.round(process.memoryUsage().rss / 2 ** 20) };
  return { timed, session: s };
}

/** Runs one step of this bench in a child process and returns the JSON object it prints last. */
function child<T>(step: string, ...args: string[]): T {
  const r = Bun.spawnSync([process.execPath, import.meta.path, `--step=${step}`, ...args, ...(FLAT ? ["--flat"] : [])], { stdout: "pipe", stderr: "inherit" });
  const out = r.stdout.toString().trim();
  if (r.exitCode !== 0) throw new Error(`step ${step} exited ${r.exitCode}: ${out.slice(-2000)}`);
  return JSON.parse(out.split("\n").at(-1)!) as T;
}

/** The child side: one step, its result printed as one JSON line. */
async function runStep(step: string, args: string[]): Promise<void> {
  const [dir, path] = [args[0]!, args[1]!];
  let out: unknown;
  if (step === "write") {
    const w = new JournalWriter(path, "never", 0);
    const g0 = performance.now();
    const next = generate(w, Number(args[2]), { order: 1, fill: 0, ts: T0 });
    w.close();
    out = { next, bytes: statSync(path).size, seconds: (performance.now() - g0) / 1000 };
  } else if (step === "full") {
    // The full replay, then a snapshot of what it restored, written through the real writer, and a tail.
    const next = JSON.parse(args[2]!) as Next;
    const { timed, session } = await timeRestart(dir, path);
    const sw = new JournalWriter(path, "never", statSync(path).size);
    const offset = sw.nextOffset;
    const record = sealSnapshot(session.core.snapshotState(session.restored, session.core.now()));
    sw.append(record);
    const snapshotBytes = sw.nextOffset - offset;
    generate(sw, 1000, next);
    sw.close();
    out = { timed, offset, digest: record.digest, snapshotBytes, openOrders: record.state.orders.length, lots: record.state.portfolio.books.reduce((n, b) => n + b.lots.length, 0) };
  } else if (step === "time") {
    out = (await timeRestart(dir, path)).timed;
  } else if (step === "compact") {
    out = compactJournal(path, args[2]!);
  } else throw new Error(`unknown step ${step}`);
  console.log(JSON.stringify(out));
  process.exit(0);
}

const stepArg = process.argv.find((a) => a.startsWith("--step="));
if (stepArg !== undefined) {
  await runStep(stepArg.slice("--step=".length), process.argv.slice(process.argv.indexOf(stepArg) + 1));
} else {
  const sizes = (process.argv.slice(2).find((a) => !a.startsWith("--")) ?? "1000000,10000000").split(",").map(Number);
  const dir = mkdtempSync(join(tmpdir(), "kestrel-bench-journal-"));
  const rows: string[] = [];
  const f = (x: Timed) => `${(x.ms - x.baseMs).toFixed(0)} / ${(x.cpu - x.baseCpu).toFixed(0)}`;
  for (const size of sizes) {
    const path = join(dir, `j${size}.journal`);
    const wrote = child<{ next: Next; bytes: number; seconds: number }>("write", dir, path, String(size));
    const { next, bytes } = wrote;
    console.log(`wrote ${size} records (${next.orders} orders) in ${wrote.seconds.toFixed(1)} s: ${bytes} bytes, ${(bytes / next.orders).toFixed(1)} bytes/order`);
    const full = child<{ timed: Timed; offset: number; digest: string; snapshotBytes: number; openOrders: number; lots: number }>("full", dir, path, JSON.stringify(next));
    console.log(`full replay ${f(full.timed)} ms (baseline ${full.timed.baseMs.toFixed(0)} / ${full.timed.baseCpu.toFixed(0)}, rss ${full.timed.rssMb} MB); snapshot ${full.snapshotBytes} bytes, ${full.openOrders} open orders, ${full.lots} open lots`);
    const scanned = child<Timed>("time", dir, path);
    if (!scanned.fromSnapshot) throw new Error("the snapshot was not used");
    console.log(`snapshot, scanned ${f(scanned)} ms (rss ${scanned.rssMb} MB)`);
    writeSnapshotPointer(path, full.offset, full.digest);
    const pointed = child<Timed>("time", dir, path);
    if (!pointed.fromSnapshot) throw new Error("the pointed snapshot was not used");
    console.log(`snapshot, via pointer ${f(pointed)} ms (rss ${pointed.rssMb} MB)`);
    const compacted = join(dir, `j${size}.compact`);
    const c = child<{ bytesAfter: number }>("compact", dir, path, compacted);
    rmSync(path, { force: true });
    rmSync(pointerPath(path), { force: true });
    const comp = child<Timed>("time", dir, compacted);
    if (comp.fillId !== scanned.fillId || comp.realised !== scanned.realised || pointed.fillId !== scanned.fillId || pointed.realised !== scanned.realised) throw new Error("the restarts disagree on fill id or realised P&L");
    console.log(`compacted ${f(comp)} ms (rss ${comp.rssMb} MB)`);
    const ratio = (full.timed.cpu - full.timed.baseCpu) / Math.max(pointed.cpu - pointed.baseCpu, 1);
    rows.push(`| ${size.toLocaleString("en-US")} | ${bytes.toLocaleString("en-US")} | ${(bytes / next.orders).toFixed(1)} | ${f(full.timed)} | ${f(scanned)} | ${f(pointed)} | ${f(comp)} | ${ratio.toFixed(0)} | ${full.snapshotBytes.toLocaleString("en-US")} | ${c.bytesAfter.toLocaleString("en-US")} |`);
    console.log(rows.at(-1));
    rmSync(compacted, { force: true });
    rmSync(pointerPath(compacted), { force: true });
  }
  console.log("| records | journal bytes | bytes/order | full replay ms (wall / CPU) | snapshot + 1k tail, scanned | same, via pointer | compacted | full/pointer CPU | snapshot bytes | compacted bytes |");
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) console.log(r);
  rmSync(dir, { recursive: true, force: true });
}
