import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { join } from "node:path";
import { runBacktest } from "../session/backtest.ts";
import { sessionFromYaml, syntheticYaml } from "../session/test-session.ts";
import { tempFolder } from "../data/formats/test-support.ts";
import { runDataCommand } from "./cli.ts";
import { StoreDb } from "./database.ts";
import { TickRecorder } from "./recorder.ts";
import { attachRecorder } from "./session-recording.ts";

// A real backtest and DuckDB on a shared 2-core machine: allow for a loaded host.
setDefaultTimeout(30_000);

describe("recording a session", () => {
  test("a backtest records every quote, order and fill, and the data commands read them back", async () => {
    using dir = tempFolder();
    const strategies = `  - { name: obi, plugin: obi-scalper, instruments: [EURUSD, GBPUSD] }
  - { name: mm, plugin: avellaneda-stoikov, instruments: [EURUSD, EURGBP] }`;
    const session = await sessionFromYaml(dir.path, syntheticYaml(strategies, { seconds: 900 }), { features: "ts", journalPath: "" });
    const names = session.config.strategies.map((s) => s.name);
    const db = join(dir.path, "session.duckdb");
    const rec = await TickRecorder.open({ db, instruments: session.instruments, strategies: names, policy: "block" });
    let quotes = 0;
    const prevQuote = session.core.listeners.quote;
    session.core.listeners.quote = (ev) => {
      quotes++;
      prevQuote?.(ev);
    };
    const detach = attachRecorder(session.core, rec, names);
    const summary = runBacktest(session);
    detach();
    await rec.close();
    expect(summary.fills).toBeGreaterThan(0);
    const s = await StoreDb.open(db);
    try {
      const [counts] = await s.all("SELECT (SELECT count(*) FROM quotes) AS quotes, (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM fills) AS fills, (SELECT count(*) FROM strategies) AS strategies");
      expect(counts).toEqual({ quotes, orders: summary.orders, fills: summary.fills, strategies: names.length });
      // Every fill belongs to a recorded order of the same strategy and instrument.
      expect(await s.all("SELECT count(*) AS n FROM fills f LEFT JOIN orders o ON o.order_id = f.order_id WHERE o.order_id IS NULL OR o.strategy_id <> f.strategy_id OR o.instrument_id <> f.instrument_id")).toEqual([{ n: 0 }]);
      // An order's last recorded filled size equals the sum of its fills.
      expect(
        await s.all("SELECT count(*) AS n FROM (SELECT order_id, arg_max(filled_size, (ts, rowid)) AS filled FROM order_states GROUP BY order_id) st JOIN (SELECT order_id, sum(size) AS filled FROM fills GROUP BY order_id) f USING (order_id) WHERE st.filled <> f.filled"),
      ).toEqual([{ n: 0 }]);
    } finally {
      s.close();
    }
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    expect(await runDataCommand(["tca", "--db", db, "--json"], io)).toBe(0);
    const tca = out.join("\n").split("\n").map((l) => JSON.parse(l));
    expect(tca).toHaveLength(summary.orders);
    expect(tca.filter((r) => r.fills > 0).every((r) => r.arrival_mid !== null && typeof r.slippage_ticks === "number")).toBe(true);
    out.length = 0;
    expect(await runDataCommand(["pnl", "--db", db, "--json"], io)).toBe(0);
    const pnl = out.join("\n").split("\n").map((l) => JSON.parse(l));
    expect(pnl.length).toBeGreaterThan(0);
    expect(new Set(pnl.map((p) => p.strategy)).size).toBeGreaterThan(0);
    expect(pnl.every((p) => names.includes(p.strategy))).toBe(true);
  });
});
