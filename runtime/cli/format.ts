/** Human output of the CLI: the backtest report, the live status line and a progress bar. */
import type { SessionSummary } from "../session/summary.ts";

const fmt = (n: number | null, digits = 2) => (n === null || !Number.isFinite(n) ? "n/a" : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const int = (n: number) => n.toLocaleString("en-US");

/** A Sharpe-like ratio: the figure and the period it comes from, or "n/a (needs ≥ 20 days, have 1)". */
function ratio(v: number | null, p: SessionSummary["performance"]): string {
  if (p.ratiosNote !== null) return `n/a (${p.ratiosNote})`;
  return v === null ? "n/a" : `${fmt(v)} (${p.returnPeriods} ${p.returnPeriod} returns)`;
}

/** The report printed at the end of a backtest or session. */
export function formatReport(s: SessionSummary): string {
  const p = s.performance;
  const positions = Object.entries(s.positions).map(([k, v]) => `${k} ${v > 0 ? "+" : ""}${int(v)}`).join(", ") || "flat";
  const rows: [string, string][] = [
    ["P&L", `${fmt(s.pnl)} ${s.currency}`],
    ["Sharpe", ratio(p.sharpe, p)],
    ["Sortino", ratio(p.sortino, p)],
    ["Max drawdown", `${fmt(p.maxDrawdown)} ${s.currency}${p.maxDrawdownPct === null ? "" : ` (${fmt(p.maxDrawdownPct * 100)}%)`}`],
    ["Calmar", ratio(p.calmar, p)],
    ["Win rate", p.winRate === null ? "n/a" : `${fmt(p.winRate * 100, 1)}%`],
    ["Profit factor", fmt(p.profitFactor)],
    ["Turnover", `${fmt(p.turnover, 0)} ${s.currency}`],
    ["Fees", `${fmt(p.fees)} ${s.currency}`],
    ["Orders", `${int(s.orders)} (${int(s.rejectedOrders)} refused by risk, ${int(s.openOrders)} open)`],
    ["Fills", int(s.fills)],
    ["Positions", positions],
    ["Events", int(s.events)],
    ["Events/s", `${int(s.eventsPerSecond)} (features: ${s.features})`],
    ["Data anomalies", Object.entries(s.dataAnomalies).map(([k, v]) => `${k}=${v}`).join(" ") || "none"],
    ...badRowLines(s),
    ["Risk refusals", Object.entries(s.riskRejections).map(([k, v]) => `${k}=${int(v)}`).join(" ") || "none"],
    ["Trading state", s.tradingState ?? "active"],
    ["Intents held", Object.entries(s.heldIntents ?? {}).map(([k, v]) => `${k}=${int(v)}`).join(" ") || "none"],
    ["Quarantined", s.quarantined.join("; ") || "none"],
    ["Hook time", hookTimeLine(s)],
    ["Fills hash", s.fillsHash],
  ];
  // Several venues or execution algorithms: fills per venue and one line per parent order.
  const venues = Object.keys(s.fillsByVenue ?? {});
  if (venues.length > 1) rows.splice(rows.findIndex((r) => r[0] === "Fills") + 1, 0, ["Fills by venue", venues.map((v) => `${v}=${int(s.fillsByVenue?.[v] ?? 0)}`).join(" ")]);
  if (s.positionsTotal !== undefined) rows.splice(rows.findIndex((r) => r[0] === "Positions") + 1, 0, ["Positions total", Object.entries(s.positionsTotal).map(([k, v]) => `${k} ${v > 0 ? "+" : ""}${int(v)}`).join(", ") || "flat"]);
  const w = Math.max(...rows.map((r) => r[0].length));
  const out = rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n");
  const parents = s.parents ?? [];
  if (parents.length === 0) return out;
  const lines = parents.map(
    (p) =>
      `  #${p.id} ${p.algo} ${p.side > 0 ? "buy" : "sell"} ${int(p.filled)}/${int(p.quantity)} ${p.status} arrival ${p.arrivalPrice} avg ${p.avgPrice || "-"} shortfall ${fmt(p.shortfallBps)} bp vwap(${p.benchmarkBasis}) ${fmt(p.vwapSlippageBps)} bp spread ${fmt(p.spreadPaidBps)} bp fees ${fmt(p.fees)} children ${p.children}`,
  );
  return `${out}\n${"Parents".padEnd(w)}  ${parents.length} (TCA per parent: kestrel data tca --parents)\n${lines.join("\n")}`;
}

/** Each in-process strategy's slowest hook call, and its calls over budget when there were any. */
function hookTimeLine(s: SessionSummary): string {
  const parts = Object.entries(s.hookTime ?? {}).map(([name, h]) => {
    const worst = h.calls === 0 ? "no calls" : `worst ${int(h.worstUs)} µs (${h.worstHook})`;
    return h.overruns === 0 ? `${name} ${worst}` : `${name} ${worst}, ${int(h.overruns)} of ${int(h.calls)} calls over its ${int(h.budgetUs)} µs budget`;
  });
  return parts.join("; ") || "none in process";
}

/** The report's lines on bad rows: the total, then each input that had some with its first bad row. */
function badRowLines(s: SessionSummary): [string, string][] {
  const b = s.badRows;
  if (b === undefined || b.total === 0) return [["Bad rows", "none"]];
  const lines: [string, string][] = [["Bad rows", `${int(b.total)} skipped (not in the events above)`]];
  for (const [source, n] of Object.entries(b.bySource)) {
    if (n === 0) continue;
    const f = b.first[source];
    lines.push(["", `${source}: ${int(n)}${f === undefined ? "" : `, first ${f.file}:${f.line}: ${f.reason}`}`]);
  }
  return lines;
}

/** One status line of a running session. */
export function formatStatus(s: SessionSummary, eventsPerSecond: number): string {
  const pos = Object.entries(s.positions).slice(0, 6).map(([k, v]) => `${k}:${v > 0 ? "+" : ""}${v}`).join(" ") || "flat";
  const w = s.tickToOrderRecentNs;
  const us = (ns: number) => (ns / 1000).toFixed(1);
  const lat = w.count > 0 ? ` | t2o ${w.windowSeconds}s p50 ${us(w.p50)} p99 ${us(w.p99)} p99.9 ${us(w.p999)} max ${us(w.max)}µs` : "";
  return `${int(Math.round(eventsPerSecond))} ev/s | orders ${int(s.orders)} | fills ${int(s.fills)} | P&L ${fmt(s.pnl)} ${s.currency} | ${pos}${lat}`;
}

/** A one-line progress bar. */
export function progressBar(fraction: number, width = 30): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * width);
  return `[${"#".repeat(full)}${"-".repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}%`;
}
