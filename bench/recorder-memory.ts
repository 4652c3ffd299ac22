/**
 * The recorder's native memory alone: a TickRecorder fed at the paper deployment's rates at 50x
 * (about 13k quotes/s, 650 orders/s, 2k order states/s, 300 fills/s, marks every 10 market s),
 * printing the process RSS every 10 s. No session, so the RSS is the recorder's and DuckDB's.
 *
 * Run: nice bun bench/recorder-memory.ts [seconds, default 90]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { TickRecorder } from "../runtime/store/recorder.ts";

const secs = Number(process.argv[2] ?? 90);
const dir = mkdtempSync(join(tmpdir(), "kestrel-rec-mem-"));
const instruments = Array.from({ length: 28 }, (_, id) => ({ id, symbol: `P${id}`, venue: "sim", base: "B", quote: "Q", priceDecimals: 5, sizeDecimals: 0, lotSize: 1, minSize: 1 }));
const rec = await TickRecorder.open({ db: join(dir, "r.duckdb"), instruments, strategies: ["a", "b"], policy: "block" });
const start = Date.now();
let ts = 1_700_000_000_000_000;
let order = 0;
let fill = 0;
let lastPrint = start;
let lastMark = 0;
console.log(`t=0s rss=${(process.memoryUsage().rss / 1e6).toFixed(0)}MB`);
// Every 10 ms of wall time: 130 quotes, 6.5 orders, 20 states, 3 fills (at 50x, 0.5 market s).
for (let tick = 0; Date.now() - start < secs * 1000; tick++) {
  for (let q = 0; q < 130; q++) rec.recordQuote((ts += 3800), q % 28, 114543 + (q & 7), 114545 + (q & 7), 2_000_000, 1_000_000);
  for (let o = 0; o < (tick & 1 ? 7 : 6); o++) {
    rec.recordOrder(ts, ++order, order % 28, order & 1, 1, 1, 114540, 1000, tick);
    rec.recordOrderState(ts, order, 1, 0, 0);
    rec.recordOrderState(ts, order, 2, 0, 0);
    rec.recordOrderState(ts, order, order % 3 === 0 ? 4 : 5, 1000, order % 5 === 0 ? rec.label("post-only would cross") : 0);
    if (order % 2 === 0) rec.recordFill(ts, order, ++fill, order % 28, order & 1, 1, 114540, 1000, 3, 1);
  }
  if (ts - lastMark >= 10_000_000) {
    lastMark = ts;
    for (let i = 0; i < 28; i++) for (let s = 0; s < 2; s++) rec.recordMark(ts, i, s, 1000, 114544, 10, 5);
  }
  const now = Date.now();
  if (now - lastPrint >= 10_000) {
    lastPrint = now;
    const st = rec.stats();
    console.log(`t=${((now - start) / 1000).toFixed(0)}s rss=${(process.memoryUsage().rss / 1e6).toFixed(0)}MB quotes=${st.quotes.appended} orders=${st.orders.appended} lag=${st.quotes.lagRows}`);
  }
  await Bun.sleep(Math.max(0, start + (tick + 1) * 10 - Date.now()));
}
await rec.close();
console.log(`closed rss=${(process.memoryUsage().rss / 1e6).toFixed(0)}MB`);
rmSync(dir, { recursive: true, force: true });
