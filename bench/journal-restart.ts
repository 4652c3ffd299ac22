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
 * Each time is the build minus a build with an empty journal measured in the same run (baseline).
 *
 * Run: nice bun bench/journal-restart.ts [sizes, e.g. 1000000,10000000]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig } from "../runtime/config/load.ts";
import { buildSession, type Session } from "../runtime/session/build.ts";
import { JournalWriter } from "../runtime/journal/journal-file.ts";
import { sealSnapshot } from "../runtime/journal/snapshot.ts";
import { compactJournal } from "../runtime/journal/compact.ts";
import { writeSnapshotPointer } from "../runtime/journal/snapshot-pointer.ts";

const sizes = (process.argv[2] ?? "1000000,10000000").split(",").map(Number);
const dir = mkdtempSync(join(tmpdir(), "kestrel-bench-journal-"));
const REPO = resolve(import.meta.dir, "..");
const T0 = Date.UTC(2024, 0, 8, 7) * 1000;

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
const configFile = join(dir, "bench.yaml");
writeFileSync(configFile, yaml);
const loaded = loadConfig(configFile, {});
if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
const config = loaded.config;

/** Appends orders from id `first` until `records` records were written; returns the next ids. */
function generate(w: JournalWriter, records: number, first: { order: number; fill: number; ts: number }): { order: number; fill: number; ts: number; orders: number } {
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
    if (id % 4 !== 0) {
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

/** Wall and CPU (user + system) milliseconds of a build; the shared machine makes CPU the steadier one. */
async function timedBuild(journalPath: string): Promise<{ ms: number; cpu: number; session: Session }> {
  const t = performance.now();
  const c = process.cpuUsage();
  const session = await buildSession(config, configFile, { journalPath, store: false, log: () => {}, startTs: T0 });
  const ms = performance.now() - t;
  const used = process.cpuUsage(c);
  session.loop.close();
  return { ms, cpu: (used.user + used.system) / 1000, session };
}

const empty = join(dir, "empty.journal");
await timedBuild(join(dir, "warm.journal")); // warm plugin loading and the module cache
const base = await timedBuild(empty);
const baseline = base.ms;
const baseCpu = base.cpu;
console.log(`baseline build (empty journal): ${baseline.toFixed(0)} ms wall, ${baseCpu.toFixed(0)} ms CPU`);
const rows: string[] = [];
for (const size of sizes) {
  const path = join(dir, `j${size}.journal`);
  const w = new JournalWriter(path, "never", 0);
  const g0 = performance.now();
  const next = generate(w, size, { order: 1, fill: 0, ts: T0 });
  w.close();
  const bytes = statSync(path).size;
  console.log(`wrote ${size} records (${next.orders} orders) in ${((performance.now() - g0) / 1000).toFixed(1)} s: ${bytes} bytes, ${(bytes / next.orders).toFixed(1)} bytes/order`);

  let full: Awaited<ReturnType<typeof timedBuild>> | null = await timedBuild(path);
  const fullMs = full.ms - baseline;
  const fullCpu = full.cpu;
  // A snapshot of what the full replay restored, written through the real writer, then a tail.
  const sw = new JournalWriter(path, "never", statSync(path).size);
  const snapOffset = sw.nextOffset;
  const snapRecord = sealSnapshot(full.session.core.snapshotState(full.session.restored, full.session.core.now()));
  sw.append(snapRecord);
  generate(sw, 1000, { order: next.order, fill: next.fill, ts: next.ts });
  sw.close();
  full = null; // the full replay's session is garbage before the next restart is timed
  Bun.gc(true);
  const snap = await timedBuild(path);
  const snapMs = snap.ms - baseline;
  if (!snap.session.restoredFromSnapshot) throw new Error("the snapshot was not used");
  // The same journal with the pointer file a session writes beside it: only snapshot + tail are read.
  writeSnapshotPointer(path, snapOffset, snapRecord.digest);
  const pointed = await timedBuild(path);
  if (!pointed.session.restoredFromSnapshot) throw new Error("the pointed snapshot was not used");
  const compacted = join(dir, `j${size}.compact`);
  const c = compactJournal(path, compacted);
  const comp = await timedBuild(compacted);
  const compMs = comp.ms - baseline;
  const same = comp.session.core.oms.fillIds.current === snap.session.core.oms.fillIds.current && comp.session.core.portfolio.realised(0) === snap.session.core.portfolio.realised(0);
  if (!same) throw new Error("compacted restart differs from snapshot restart");
  const cpu = (x: { cpu: number }) => (x.cpu - baseCpu).toFixed(0);
  rows.push(`| ${size.toLocaleString("en-US")} | ${bytes.toLocaleString("en-US")} | ${(bytes / next.orders).toFixed(1)} | ${fullMs.toFixed(0)} / ${(fullCpu - baseCpu).toFixed(0)} | ${snapMs.toFixed(0)} / ${cpu(snap)} | ${(pointed.ms - baseline).toFixed(0)} / ${cpu(pointed)} | ${compMs.toFixed(0)} / ${cpu(comp)} | ${((fullCpu - baseCpu) / Math.max(snap.cpu - baseCpu, 1)).toFixed(1)} | ${c.bytesAfter.toLocaleString("en-US")} |`);
  console.log(rows.at(-1));
  rmSync(path, { force: true });
  rmSync(compacted, { force: true });
}
console.log("| records | journal bytes | bytes/order | full replay ms (wall / CPU) | snapshot + 1k tail, scanned | same, via pointer | compacted ms | full/snapshot CPU | compacted bytes |");
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) console.log(r);
rmSync(dir, { recursive: true, force: true });
void REPO;
