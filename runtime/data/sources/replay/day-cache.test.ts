import { afterAll, expect, test } from "bun:test";
import { utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDukascopyCsv } from "../../formats/dukascopy-csv.ts";
import { newQuoteRow, type QuoteReader } from "../../formats/quote-reader.ts";
import { KNOWN_INSTRUMENTS } from "../../../store/catalog.ts";
import { tempDir } from "../../../session/test-session.ts";
import { clearDayCache, dayCacheStats, openCachedDay } from "./day-cache.ts";

const tmp = tempDir("kestrel-daycache-");
afterAll(() => tmp.dispose());
const EURUSD = { ...KNOWN_INSTRUMENTS.EURUSD, id: 0 };

function drain(r: QuoteReader): string[] {
  const row = newQuoteRow();
  const out: string[] = [];
  while (r.next(row)) out.push(`${row.ts},${row.bid},${row.ask},${row.bidSize},${row.askSize}`);
  return out;
}

test("a cached day plays the same rows and bad rows as parsing the file; a changed file is read again", () => {
  clearDayCache();
  // The counters are per process: other test files in the same run have moved them.
  const base = { ...dayCacheStats };
  const file = join(tmp.path, "day.csv");
  writeFileSync(file, "time,bid,ask,bidv,askv\n1549238400123,1.14560,1.14563,1.5,0.75\nbroken,row\n1549238400456,1.14561,1.14564,2,1\n1549238400789,1.1456x,1.14565,1,1\n");
  const direct = openDukascopyCsv(file, EURUSD);
  const rows = drain(direct);
  expect(rows.length).toBe(2);
  const open = (p: string) => openDukascopyCsv(p, EURUSD);
  const first = openCachedDay(file, "dukascopy-csv", open);
  expect(drain(first)).toEqual(rows);
  expect(first.errorCount).toBe(direct.errorCount);
  expect(first.errors).toEqual(direct.errors);
  const again = openCachedDay(file, "dukascopy-csv", open);
  expect(drain(again)).toEqual(rows);
  expect(again.errors).toEqual(direct.errors);
  expect({ misses: dayCacheStats.misses - base.misses, hits: dayCacheStats.hits - base.hits }).toEqual({ misses: 1, hits: 1 });
  // Read differently (another key), or changed on disk: parsed again.
  writeFileSync(file, "time,bid,ask,bidv,askv\n1549238400999,1.14570,1.14573,1,1\n");
  utimesSync(file, new Date(), new Date(Date.now() + 5_000));
  expect(drain(openCachedDay(file, "dukascopy-csv", open))).toEqual(["1549238400999000,114570,114573,1000000,1000000"]);
  expect(dayCacheStats.misses - base.misses).toBe(2);
});
