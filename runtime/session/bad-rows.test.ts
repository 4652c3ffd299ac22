/**
 * Real data must never fail silently (issue 10): sizes written in exponent notation, as
 * exporters print small volumes, read exactly; bad rows are counted per input and shown in the
 * backtest report and its JSON; a replay whose input yields no good event fails with one line
 * naming the code and the file, and a non-zero exit.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDukascopyCsv } from "../data/formats/dukascopy-csv.ts";
import { newQuoteRow } from "../data/formats/quote-reader.ts";
import { parseScaled } from "../../plugins/sdk/decimal.ts";
import { EURUSD, sharedData } from "../data/formats/test-support.ts";
import { REPO_ROOT, tempDir } from "./test-session.ts";

// Real processes and real files on a shared 2-core machine: allow for a loaded host.
setDefaultTimeout(120_000);

const tmp = tempDir("kestrel-badrows-");
afterAll(() => tmp.dispose());

const REAL_DAY = sharedData("dukascopy/EURUSD/2019-02-04.csv");

/** A backtest deployment replaying one file of EURUSD (Dukascopy CSV by default). */
function deployment(file: string, format = "dukascopy-csv"): string {
  const yaml = `name: badrows
mode: backtest
seed: 7
account: { currency: USD, capital: 1000000 }
instruments:
  - { symbol: EURUSD, base: EUR, quote: USD, priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 }
market:
  source: replay
  replay:
    files:
      - { path: ${JSON.stringify(file)}, instrument: EURUSD, format: ${format} }
venue: { name: sim, plugin: sim, params: { orderLatencyUs: 150, reportLatencyUs: 150 } }
strategies:
  - { name: obi, plugin: obi-scalper, instruments: [EURUSD], params: { orderSize: 100000, maxPosition: 200000, entryImbalance: 0.4, maxSpreadTicks: 8 } }
risk:
  limits: { maxPosition: 1000000, maxOrderNotional: 2000000, maxOrdersPerSecond: 50, priceCollarBps: 50, maxDailyLoss: 50000, maxDrawdown: 50000 }
`;
  const path = join(tmp.path, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, yaml);
  return path;
}

/** Runs `kestrel backtest` in a real process. */
function backtest(config: string, ...flags: string[]): { code: number; out: string; err: string } {
  const p = Bun.spawnSync([process.execPath, join(REPO_ROOT, "runtime/cli.ts"), "backtest", config, "--no-save", "--no-store", "--features", "ts", ...flags], { cwd: tmp.path });
  return { code: p.exitCode ?? -1, out: p.stdout.toString(), err: p.stderr.toString() };
}

/** `2.06` as `206e-2`: the same decimal in exponent notation, written on the digits. */
function negativeExponent(text: string): string {
  const [i, f = ""] = text.split(".");
  return `${i}${f}e-${String(f.length).padStart(2, "0")}`;
}

/** The real EURUSD day with every volume written in exponent notation (`2.06e+0`, `206e-02`). */
function exponentDay(): string {
  const lines = readFileSync(REAL_DAY, "utf8").split("\n");
  const out = [lines[0]];
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const [ts, bid, ask, bv, av] = line.split(",");
    // What float-printing exporters write: the shortest exponent form, or digits and a negative exponent.
    out.push([ts, bid, ask, Number(bv).toExponential(), negativeExponent(av!)].join(","));
  }
  return `${out.join("\n")}\n`;
}

describe("bad rows are counted and shown, never silent", () => {
  test("the real Dukascopy day with volumes in exponent notation reads tick for tick as the original", () => {
    const path = join(tmp.path, "EURUSD-exponent.csv");
    writeFileSync(path, exponentDay());
    const text = readFileSync(path, "utf8");
    expect(text).toContain("e+0,");
    expect(text).toContain("e-02\n");
    const original = openDukascopyCsv(REAL_DAY, EURUSD);
    const rewritten = openDukascopyCsv(path, EURUSD);
    const a = newQuoteRow();
    const b = newQuoteRow();
    let n = 0;
    while (original.next(a)) {
      if (!rewritten.next(b)) throw new Error(`rewritten file ended at tick ${n}`);
      if (a.ts !== b.ts || a.bid !== b.bid || a.ask !== b.ask || a.bidSize !== b.bidSize || a.askSize !== b.askSize) throw new Error(`tick ${n}: ${JSON.stringify([a, b])}`);
      n++;
    }
    expect(rewritten.next(b)).toBe(false);
    expect(n).toBe(136_741);
    expect([rewritten.errorCount, original.errorCount]).toEqual([0, 0]);
  });

  test("a file whose sizes do not fit the instrument: counted per input in the report and the JSON, first bad row named", () => {
    const path = join(tmp.path, "mixed.csv");
    // Volumes in millions: 1.3e-05 M = 13 units (exact); 1.3e-07 M = 0.13 units (finer than a unit: bad).
    writeFileSync(
      path,
      "ts_ms,bid,ask,bid_volume_m,ask_volume_m\n1549238400994,1.14543,1.14545,1.3e-05,2E+0\n1549238401271,1.14544,1.14546,1.3e-07,1\n1549238401464,1.14542,1.14545,1,1\n1549238401704,1.14543,1.14546,1e-7,1\n",
    );
    const config = deployment(path);
    const json = backtest(config, "--json");
    expect(json.err).toBe("");
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.out);
    expect(summary.events).toBe(2);
    expect(summary.badRows).toEqual({
      total: 2,
      bySource: { [path]: 2 },
      first: { [path]: { file: path, line: 3, reason: 'bidSize: "1.3e-07" has more than 6 decimals' } },
    });
    const text = backtest(config);
    expect(text.code).toBe(0);
    expect(text.out).toContain("Bad rows        2 skipped");
    expect(text.out).toContain(`${path}: 2, first ${path}:3: bidSize: "1.3e-07" has more than 6 decimals`);
  });

  test("a replay whose file yields no good event fails with one line naming the code and the file", () => {
    const path = join(tmp.path, "all-bad.csv");
    writeFileSync(path, "ts_ms,bid,ask,bid_volume_m,ask_volume_m\n1549238400994,1.14543,1.14545,1.3e-09,1\n1549238401271,1.14544,1.14546,x,1\n");
    for (const flags of [[], ["--json"]]) {
      const r = backtest(deployment(path), ...flags);
      expect(r.code).toBe(1);
      expect(r.out).toBe("");
      expect(r.err.trim().split("\n")).toEqual([
        `kestrel backtest: SOURCE_NO_EVENTS: files=${path}, badRows=2, first=${path}:2: bidSize: "1.3e-09" has more than 6 decimals`,
      ]);
    }
    // An empty file (no rows at all) is refused the same way.
    const empty = join(tmp.path, "empty.csv");
    writeFileSync(empty, "ts_ms,bid,ask,bid_volume_m,ask_volume_m\n");
    const r = backtest(deployment(empty));
    expect([r.code, r.err.trim()]).toEqual([1, `kestrel backtest: SOURCE_NO_EVENTS: files=${empty}, badRows=0, first=none (no rows at all)`]);
  });

  test("a plain header CSV (ISO times, sizes in units) replays with format csv and no mapping, fill for fill as the original", () => {
    const lines = readFileSync(REAL_DAY, "utf8").split("\n").slice(0, 20_001);
    const original = join(tmp.path, "head-dukascopy.csv");
    writeFileSync(original, `${lines.join("\n")}\n`);
    const units = (m: string) => String((parseScaled(m, 6) as { value: number }).value);
    const plain = join(tmp.path, "head-plain.csv");
    const rows = lines.slice(1).map((l) => {
      const [ms, bid, ask, bv, av] = l.split(",") as [string, string, string, string, string];
      return [new Date(Number(ms)).toISOString(), bid, ask, units(bv), units(av)].join(",");
    });
    writeFileSync(plain, `time,bid,ask,bid_size,ask_size\n${rows.join("\n")}\n`);
    const a = backtest(deployment(original), "--json");
    const b = backtest(deployment(plain, "csv"), "--json");
    expect([a.code, b.code, b.err]).toEqual([0, 0, ""]);
    const [sa, sb] = [JSON.parse(a.out), JSON.parse(b.out)];
    expect(sb.events).toBe(20_000);
    expect(sb.badRows.total).toBe(0);
    expect(sb.fills).toBeGreaterThan(0);
    expect([sb.fills, sb.fillsHash, sb.pnl]).toEqual([sa.fills, sa.fillsHash, sa.pnl]);
    // A CSV whose header names no time, bid and ask: the file is refused, and so the replay, saying why.
    const odd = join(tmp.path, "odd.csv");
    writeFileSync(odd, "when,b,a\n1549238400.994,1.14543,1.14545\n");
    const r = backtest(deployment(odd, "csv"));
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe(
      `kestrel backtest: SOURCE_NO_EVENTS: files=${odd}, badRows=1, first=${odd}:0: DATA_FORMAT_UNKNOWN: file=${odd}, reason=the first line does not name time, bid and ask columns: "when,b,a", expected=a header naming time, bid and ask, or a mapping`,
    );
  });

  test("kestrel backtest of the real day with volumes in exponent notation: every event, the same fills as the original, no bad rows", () => {
    const path = join(tmp.path, "EURUSD-exponent-backtest.csv");
    writeFileSync(path, exponentDay());
    const [a, b] = [backtest(deployment(REAL_DAY), "--json"), backtest(deployment(path), "--json")];
    expect([a.code, b.code, b.err]).toEqual([0, 0, ""]);
    const [sa, sb] = [JSON.parse(a.out), JSON.parse(b.out)];
    expect(sa.badRows).toEqual({ total: 0, bySource: { [REAL_DAY]: 0 }, first: {} });
    expect(sb.badRows).toEqual({ total: 0, bySource: { [path]: 0 }, first: {} });
    expect([sb.events, sa.events]).toEqual([136_741, 136_741]);
    expect(sb.fills).toBeGreaterThan(0);
    expect([sb.fills, sb.fillsHash, sb.pnl]).toEqual([sa.fills, sa.fillsHash, sa.pnl]);
  });
});
