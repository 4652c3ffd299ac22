/**
 * Where memory grows in a paper session: configs/paper.yaml run in process by the real-time runner
 * at 50x, printing every 15 s the main thread's JS heap, the process RSS, the OMS's held orders,
 * alerts, and the JS object types whose counts grew since the last line. `nostore` drops the
 * deployment's DuckDB recording, the baseline that isolates the store's share.
 *
 * Run: nice bun bench/memory-probe.ts [seconds, default 120] [nostore]
 */
import { heapStats } from "bun:jsc";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { loadConfig } from "../runtime/config/load.ts";
import { buildSession } from "../runtime/session/build.ts";
import { startRealtime } from "../runtime/session/realtime.ts";
const dir = mkdtempSync(join(tmpdir(), "kestrel-memory-probe-"));
let src = readFileSync(join(import.meta.dir, "../configs/paper.yaml"), "utf8").replace("var/paper.journal", `${dir}/p.journal`).replace("var/paper.duckdb", `${dir}/p.duckdb`);
if (process.argv[3] === "nostore") src = src.replace(/\nstore:[\s\S]*$/, "\n");
writeFileSync(join(dir, "d.yaml"), src);
const l = loadConfig(join(dir, "d.yaml"), {});
if (!l.ok) throw new Error(l.problems.join("\n"));
const s = await buildSession(l.config, join(dir, "d.yaml"), { log: () => {} });
const secs = Number(process.argv[2] ?? 120);
const run = startRealtime(s, { forUs: secs * 1e6, speed: 50 });
let prev: Record<string, number> = {};
const t = setInterval(() => {
  Bun.gc(true);
  const h = heapStats();
  const c = h.objectTypeCounts as Record<string, number>;
  const grow = Object.entries(c).map(([k, v]) => [k, v - (prev[k] ?? 0), v] as const).filter((x) => x[1] > 100).sort((a, b) => b[1] - a[1]).slice(0, 8);
  prev = { ...c };
  console.log(`heap=${(h.heapSize / 1e6).toFixed(1)}MB rss=${(process.memoryUsage().rss / 1e6).toFixed(0)}MB oms=${s.core.oms.size} created=${s.core.oms.created} alerts=${s.core.alerts.all().length} ev=${s.loop.marketEvents} grow=${JSON.stringify(grow)}`);
}, 15_000);
await run.done;
clearInterval(t);
await s.close();
rmSync(dir, { recursive: true, force: true });
