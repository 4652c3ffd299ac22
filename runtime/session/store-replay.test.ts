/**
 * A session records into DuckDB, the `kestrel data` commands read the recording back, and a
 * second deployment replays the recorded quotes from the store with the same result as the file.
 */
import { afterAll, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { runDataCommand } from "../store/cli.ts";
import { runBacktest } from "./backtest.ts";
import { REPO_ROOT, sessionFromYaml, tempDir } from "./test-session.ts";

const tmp = tempDir("kestrel-store-replay-");
afterAll(() => tmp.dispose());

const deployment = (market: string, store: string) => `name: rec
mode: backtest
seed: 5
account: { currency: USD }
instruments: [ { symbol: EURUSD, base: EUR, quote: USD, priceDecimals: 5, lotSize: 1000, minSize: 1000 } ]
market: { source: replay, replay: { files: [ ${market} ] } }
venue: { name: sim, plugin: sim }
strategies:
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURUSD], params: { requoteTicks: 2 } }
risk:
  limits: { maxPosition: 1000000, maxOrderNotional: 5000000, maxOrdersPerSecond: 100, priceCollarBps: 100, maxDailyLoss: 100000, maxDrawdown: 100000 }
${store}
`;

test("a backtest records into DuckDB, kestrel data reads it back, and a replay from the store reproduces the run", async () => {
  const db = join(tmp.path, "day.duckdb");
  const csv = resolve(REPO_ROOT, "../shared/data/dukascopy/EURUSD/2019-02-04.csv");
  const first = await sessionFromYaml(tmp.path, deployment(`{ path: ${csv}, instrument: EURUSD, format: dukascopy-csv }`, `store: { path: ${db} }`));
  const a = runBacktest(first);
  await first.close();
  expect(a.fills).toBeGreaterThan(0);

  const out: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
  const code = await runDataCommand(["query", "--db", db, "--json", "select (select count(*) from quotes) as quotes, (select count(*) from fills) as fills"], io);
  expect(code).toBe(0);
  const row = JSON.parse(out.join("\n").trim().split("\n")[0]!);
  expect(Number(row.quotes)).toBe(136_741);
  expect(Number(row.fills)).toBe(a.fills);

  const second = await sessionFromYaml(tmp.path, deployment(`{ path: ${db}, instrument: EURUSD, format: store }`, ""));
  const b = runBacktest(second);
  await second.close();
  expect(b.events).toBe(a.events);
  expect(b.fillsHash).toBe(a.fillsHash);
}, 90_000);
