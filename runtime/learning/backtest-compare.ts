/**
 * `kestrel model backtest <deployment> [--from <ISO time>] [--json]`: runs a deployment's market once
 * per strategy, each strategy alone (so none trades against the others' risk limits), and reports
 * each strategy's result from `--from` (e.g. the first test day) to the end of the market: P&L
 * net of fees in the account currency (the spread is paid in the fill prices), fees, orders and
 * fills. Before `--from` the session runs too (features and models warm up), and what a strategy
 * made there is not counted. This is how the model-scalper is compared with the rule strategies on
 * the model's test days.
 */
import { loadConfig } from "../config/load.ts";
import { buildSession } from "../session/build.ts";

/** One strategy's result over the window. */
export interface StrategyWindowResult {
  strategy: string;
  plugin: string;
  pnl: number;
  fees: number;
  orders: number;
  fills: number;
  /** Batches the model ran (0 when the deployment runs none). */
  modelBatches: number;
}

/** Runs each strategy of the deployment alone and measures it from `fromUs`. */
export async function compareStrategies(file: string, fromUs: number): Promise<StrategyWindowResult[]> {
  const loaded = loadConfig(file);
  if (!loaded.ok) throw new Error(`CONFIG_INVALID: ${loaded.problems.join("; ")}`);
  const out: StrategyWindowResult[] = [];
  for (const s of loaded.config.strategies) {
    if (s.enabled === false) continue;
    const session = await buildSession({ ...loaded.config, strategies: [s] }, file, { mode: "backtest", journalPath: "", store: false, log: () => {} });
    const { loop, core } = session;
    const ccy = session.config.account.currency;
    core.measureLatency = false;
    core.host.start();
    loop.runUntil(fromUs - 1);
    const equity0 = core.portfolio.equity(ccy);
    let fees = 0, fills = 0, orders = 0;
    const fill = core.listeners.fill;
    core.listeners.fill = (f) => {
      fill?.(f);
      fills++;
      fees += f.fee;
    };
    const order = core.listeners.order;
    const seen = new Set<number>();
    core.listeners.order = (o) => {
      order?.(o);
      if (!seen.has(o.id)) (seen.add(o.id), orders++);
    };
    while (!loop.exhausted) loop.runUntil(Infinity, 1_000_000);
    core.host.stop();
    loop.runUntil(Infinity);
    core.venue.stop?.();
    const pnl = core.portfolio.equity(ccy) - equity0;
    out.push({ strategy: s.name, plugin: s.plugin, pnl: Math.round(pnl * 100) / 100, fees, orders, fills, modelBatches: session.models?.engine.status().batches ?? 0 });
    loop.close();
    await session.close();
  }
  return out;
}

/** `kestrel model backtest`; returns the exit code. */
export async function runCompare(positionals: string[], flags: Map<string, string | true>): Promise<number> {
  const file = positionals[0];
  if (file === undefined) {
    console.error("kestrel model backtest: needs a deployment");
    return 2;
  }
  const from = flags.get("from");
  const fromUs = typeof from === "string" ? Date.parse(from) * 1000 : 0;
  if (Number.isNaN(fromUs)) {
    console.error(`kestrel model backtest: --from expected an ISO time such as 2014-05-08T00:00:00Z, got "${from}"`);
    return 2;
  }
  const rows = await compareStrategies(file, fromUs);
  if (flags.has("json")) console.log(JSON.stringify({ deployment: file, from: typeof from === "string" ? from : null, strategies: rows }));
  else {
    console.log(`| strategy | plugin | P&L net | fees | orders | fills |\n| --- | --- | ---: | ---: | ---: | ---: |`);
    for (const r of rows) console.log(`| ${r.strategy} | ${r.plugin} | ${r.pnl.toFixed(2)} | ${r.fees.toFixed(2)} | ${r.orders} | ${r.fills} |`);
  }
  return 0;
}
