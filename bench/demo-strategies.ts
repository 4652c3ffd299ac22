/**
 * Per-strategy figures of the demo strategies with `kestrel backtest`: each strategy of
 * configs/backtest-synthetic.yaml (synthetic market) and configs/backtest.yaml (the real Dukascopy
 * EURUSD day) is run alone (the others disabled) and its closing trades, win rate, P&L and P&L per
 * closing trade are printed. A closing trade is a fill that reduces a position (the report's
 * `trades`); win rate counts those whose realised P&L net of fees is positive.
 *
 * A second table (this checkout only) splits the closing fills by the tag of the order that closed
 * them (the scalper's exits: take-profit, stop-loss, max-hold; the market maker's bid or ask), from
 * the same deployments run in process: where each strategy wins and where it loses.
 *
 * Usage: bun bench/demo-strategies.ts [repo-root]   (default: this checkout; pass another checkout
 * to measure an older version with the same deployments)
 */
import { rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { loadConfig } from "../runtime/config/load.ts";
import { runBacktest } from "../runtime/session/backtest.ts";
import { buildSession } from "../runtime/session/build.ts";

const here = resolve(import.meta.dir, "..");
const root = resolve(process.argv[2] ?? here);
const deployments = [
  ["synthetic 4h", "configs/backtest-synthetic.yaml"],
  ["dukascopy day", "configs/backtest.yaml"],
] as const;

console.log("| Market | Strategy | Fills | Closing trades | Win rate | P&L USD | P&L / closing trade | Max drawdown | Refused |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const [label, file] of deployments) {
  const config = parse(await Bun.file(join(here, file)).text()) as { strategies: { name: string; enabled?: boolean }[]; store?: unknown };
  for (const s of config.strategies) {
    const alone = { ...config, strategies: config.strategies.map((x) => ({ ...x, enabled: x.name === s.name })) };
    delete alone.store;
    const tmp = join(root, "configs", `.measure-${s.name}.yaml`);
    writeFileSync(tmp, stringify(alone));
    try {
      const p = Bun.spawnSync(["bun", join(root, "runtime/cli.ts"), "backtest", tmp, "--json", "--no-save"], { cwd: root, stderr: "pipe" });
      const text = p.stdout.toString();
      const start = text.indexOf("{");
      if (p.exitCode !== 0 || start < 0) throw new Error(`${label} ${s.name}: exit ${p.exitCode} ${p.stderr.toString().slice(0, 400)}`);
      const r = JSON.parse(text.slice(start));
      const perf = r.performance ?? r.summary?.performance;
      const sum = r.performance ? r : r.summary;
      const trades = perf.trades as number;
      const win = perf.winRate === null ? "n/a" : `${(perf.winRate * 100).toFixed(1)}%`;
      const per = trades > 0 ? (sum.pnl / trades).toFixed(2) : "n/a";
      const refused = Object.entries(sum.riskRejections ?? {}).map(([k, v]) => `${k}=${v}`).join(" ") || "none";
      console.log(`| ${label} | ${s.name} | ${sum.fills} | ${trades} | ${win} | ${sum.pnl.toFixed(2)} | ${per} | ${perf.maxDrawdown.toFixed(2)} | ${refused} |`);
    } finally {
      rmSync(tmp, { force: true });
    }
  }
}

if (root === here) {
  console.log("\n| Market | Strategy | Closed by | Closing fills | Win rate | P&L USD | P&L / fill |");
  console.log("|---|---|---|---|---|---|---|");
  for (const [label, file] of deployments) {
    const config = parse(await Bun.file(join(here, file)).text()) as { strategies: { name: string; enabled?: boolean }[]; store?: unknown };
    for (const s of config.strategies) {
      const alone = { ...config, strategies: config.strategies.map((x) => ({ ...x, enabled: x.name === s.name })) };
      delete alone.store;
      const tmp = join(here, "configs", `.measure-${s.name}.yaml`);
      writeFileSync(tmp, stringify(alone));
      const loaded = loadConfig(tmp, {});
      if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
      const session = await buildSession(loaded.config, tmp, { log: () => {} });
      rmSync(tmp, { force: true });
      const core = session.core;
      const byTag = new Map<string, { n: number; wins: number; pnl: number }>();
      core.listeners.fill = (f) => {
        if (core.portfolio.lastClosed <= 0) return;
        const o = core.oms.get(f.orderId)!;
        const tag = o.tag || (o.side > 0 ? "bid" : "ask");
        const outcome = core.portfolio.toAccount(f.instrument, core.portfolio.lastRealised - f.fee, loaded.config.account.currency);
        const e = byTag.get(tag) ?? { n: 0, wins: 0, pnl: 0 };
        e.n++;
        if (outcome > 0) e.wins++;
        e.pnl += outcome;
        byTag.set(tag, e);
      };
      runBacktest(session);
      await session.close();
      for (const [tag, e] of byTag) {
        console.log(`| ${label} | ${s.name} | ${tag} | ${e.n} | ${((e.wins / e.n) * 100).toFixed(1)}% | ${e.pnl.toFixed(2)} | ${(e.pnl / e.n).toFixed(2)} |`);
      }
    }
  }
}
