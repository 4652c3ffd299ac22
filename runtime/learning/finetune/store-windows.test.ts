import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { datasetSession, recordDecisions } from "../dataset/build.ts";
import { tinySetup } from "../test-support.ts";
import { storeReplayYaml } from "./build.ts";
import { readStoreTrades } from "./pairs.ts";

// A real backtest recording a DuckDB store and two dataset runs over a real OANDA day, on a loaded machine.
setDefaultTimeout(120_000);

const KESTREL = fileURLToPath(new URL("../../../bin/kestrel", import.meta.url));

/** Every context row the dataset path pushes for a deployment, per instrument, and the decisions on a 30 s grid. */
async function contextRows(deployment: string) {
  const session = await datasetSession(deployment);
  const rows: number[][] = session.instruments.map(() => []);
  const width = session.core.features.kernels.layout.width;
  const rec = recordDecisions(session, 30e6, 16, 60e6, (i, row, at) => { for (let k = 0; k < width; k++) rows[i]!.push(row[at + k]!); });
  while (!session.loop.exhausted) session.loop.runUntil(Infinity, 1_000_000);
  session.loop.close();
  return { symbols: session.instruments.map((x) => x.symbol), rows, decisions: Array.from(rec.decisions.t.view()), decisionRows: Array.from(rec.decisions.row.view()) };
}

describe("windows rebuilt from a session store", () => {
  test("replaying a store's quotes through the dataset path gives the same context rows as the original files", async () => {
    using setup = tinySetup({ pairs: ["eurusd"], days: ["20140501"] });
    const store = join(setup.dir, "session.duckdb");
    appendFileSync(setup.deployment, `store: { path: ${store} }\n`);
    const r = Bun.spawnSync([KESTREL, "backtest", setup.deployment], { cwd: setup.dir, stdout: "pipe", stderr: "pipe" });
    expect(r.exitCode).toBe(0);
    const original = await contextRows(setup.deployment);
    const trades = await readStoreTrades(store);
    const replay = join(setup.dir, "replay.yaml");
    writeFileSync(replay, storeReplayYaml(store, trades.instruments));
    const rebuilt = await contextRows(replay);
    expect(rebuilt.symbols).toEqual(original.symbols);
    expect(original.rows[0]!.length).toBeGreaterThan(1000);
    expect(rebuilt.rows[0]!.length).toBe(original.rows[0]!.length);
    expect(rebuilt.rows[0]!).toEqual(original.rows[0]!);
    expect(rebuilt.decisions).toEqual(original.decisions);
    expect(rebuilt.decisionRows).toEqual(original.decisionRows);
  });
});
