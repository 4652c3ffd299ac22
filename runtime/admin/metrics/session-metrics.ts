/**
 * The session's metrics for `/metrics`: events, orders, fills, rejections by code, data anomalies,
 * open orders, P&L and exposure per currency, tick-to-order latency (a summary in seconds), alerts,
 * kill switch, breaker, strategy states, journal, the store's rows and lag (when the session
 * records), the execution agent's policy and parents (rl-metrics.ts), and the admin plane's own counters.
 */
import { scaledToNumber } from "../../../plugins/sdk/decimal.ts";
import type { Session } from "../../session/build.ts";
import { accountPnl } from "../routes/portfolio.ts";
import { Exposition } from "./exposition.ts";
import { renderHealthMetrics } from "./health-metrics.ts";
import { renderRlMetrics } from "./rl-metrics.ts";

/** Counters the admin plane keeps about itself. */
export interface AdminCounters {
  /** HTTP answers by status code. */
  readonly responses: Map<number, number>;
  /** WebSocket clients connected now, by stream. */
  readonly wsClients: Map<string, number>;
  /** WebSocket clients closed for being slow, by stream. */
  readonly wsDropped: Map<string, number>;
  /** Requests that waited for the trading loop's turn. */
  readonly deferred: () => number;
}

/** Renders every metric of the session. */
export function renderMetrics(session: Session, admin: AdminCounters): string {
  const core = session.core;
  const x = new Exposition();
  x.family("kestrel_market_events_total", "counter", "Market events processed by the loop.").sample("kestrel_market_events_total", session.loop.marketEvents);
  x.family("kestrel_timer_events_total", "counter", "Timer events processed by the loop.").sample("kestrel_timer_events_total", session.loop.timerEvents);
  x.family("kestrel_kernel_time_seconds", "gauge", "Kernel clock, seconds since the Unix epoch.").sample("kestrel_kernel_time_seconds", core.now() / 1e6);
  x.family("kestrel_orders_total", "counter", "Orders created, accepted or refused by risk (restored ones included).").sample("kestrel_orders_total", core.oms.created);
  x.family("kestrel_orders_refused_total", "counter", "Orders refused by the pre-trade risk chain.").sample("kestrel_orders_refused_total", core.oms.refused);
  x.family("kestrel_fills_total", "counter", "Fills applied.").sample("kestrel_fills_total", core.oms.fillIds.current);
  x.family("kestrel_open_orders", "gauge", "Orders not yet in a terminal state.").sample("kestrel_open_orders", core.oms.openCount);
  x.family("kestrel_risk_rejections_total", "counter", "Orders refused by the pre-trade risk chain, by code.");
  for (const [code, n] of core.risk.rejections) x.sample("kestrel_risk_rejections_total", n, { code });
  x.family("kestrel_data_anomalies_total", "counter", "Market events not applied, by reason.");
  for (const [reason, n] of core.rejectsByReason) x.sample("kestrel_data_anomalies_total", n, { reason });
  x.family("kestrel_oms_errors_total", "counter", "Venue reports the OMS refused.").sample("kestrel_oms_errors_total", core.omsErrors);

  const currency = session.config.account.currency;
  const pnl = accountPnl(session);
  x.family("kestrel_pnl_account", "gauge", "Net P&L in the account currency at current mids (NaN while a rate is missing).").sample("kestrel_pnl_account", pnl ?? Number.NaN, { currency });
  const byCurrency = core.portfolio.pnlByCurrency();
  x.family("kestrel_pnl_net", "gauge", "Net P&L (realised + unrealised - fees) per quote currency.");
  for (const c of byCurrency) x.sample("kestrel_pnl_net", scaledToNumber(c.net, c.decimals), { currency: c.currency });
  x.family("kestrel_pnl_realised", "gauge", "Realised P&L before fees per quote currency.");
  for (const c of byCurrency) x.sample("kestrel_pnl_realised", scaledToNumber(c.realised, c.decimals), { currency: c.currency });
  x.family("kestrel_fees", "gauge", "Fees paid per quote currency.");
  for (const c of byCurrency) x.sample("kestrel_fees", scaledToNumber(c.fees, c.decimals), { currency: c.currency });
  x.family("kestrel_exposure_net", "gauge", "Net exposure per currency (base legs in units, quote legs at cost).");
  for (const e of core.portfolio.exposure()) x.sample("kestrel_exposure_net", scaledToNumber(e.net, e.decimals), { currency: e.currency });
  x.family("kestrel_position", "gauge", "Net position per instrument, in units of the base asset.");
  for (const inst of session.instruments) {
    const pos = core.portfolio.position(inst.id);
    if (pos !== 0) x.sample("kestrel_position", scaledToNumber(pos, inst.sizeDecimals), { instrument: inst.symbol });
  }

  const h = core.tickToOrder;
  x.family("kestrel_tick_to_order_seconds", "summary", "Time from a market event entering the core to an order leaving for the venue.");
  for (const q of [0.5, 0.9, 0.99, 0.999]) x.sample("kestrel_tick_to_order_seconds", h.percentile(q * 100) / 1e9, { quantile: String(q) });
  x.sample("kestrel_tick_to_order_seconds_sum", h.sum / 1e9).sample("kestrel_tick_to_order_seconds_count", h.count);
  const w = core.tickToOrderRecent.summary();
  x.family("kestrel_tick_to_order_recent_seconds", "gauge", `Tick-to-order over the last ${w.windowSeconds} s of wall time, by statistic (p50, p99, p99.9, max).`);
  for (const [stat, v] of [["p50", w.p50], ["p99", w.p99], ["p99.9", w.p999], ["max", w.max]] as const) x.sample("kestrel_tick_to_order_recent_seconds", v / 1e9, { stat });
  x.family("kestrel_tick_to_order_recent_orders", "gauge", "Orders timed in that window.").sample("kestrel_tick_to_order_recent_orders", w.count);

  const alerts = core.alerts.all();
  let open = 0;
  for (const a of alerts) if (!a.acknowledged) open++;
  x.family("kestrel_alerts_total", "counter", "Alerts raised.").sample("kestrel_alerts_total", alerts.length);
  x.family("kestrel_alerts_unacknowledged", "gauge", "Alerts not yet acknowledged.").sample("kestrel_alerts_unacknowledged", open);
  x.family("kestrel_kill_switch_engaged", "gauge", "1 while the kill switch is engaged.").sample("kestrel_kill_switch_engaged", core.risk.killSwitch ? 1 : 0);
  x.family("kestrel_breaker_tripped", "gauge", "1 while the loss breaker is tripped.").sample("kestrel_breaker_tripped", core.risk.breaker.tripped ? 1 : 0);
  x.family("kestrel_strategy_state", "gauge", "1 for each strategy's current state.");
  for (const s of core.host.slots) x.sample("kestrel_strategy_state", 1, { strategy: s.name, state: s.state });
  x.family("kestrel_strategy_hook_overruns_total", "counter", "Hook calls of an in-process strategy that took longer than its time budget.");
  for (const s of core.host.slots) if (s.budget !== null) x.sample("kestrel_strategy_hook_overruns_total", s.budget.overruns, { strategy: s.name });
  x.family("kestrel_strategy_hook_worst_seconds", "gauge", "Longest hook call of an in-process strategy.");
  for (const s of core.host.slots) if (s.budget !== null) x.sample("kestrel_strategy_hook_worst_seconds", s.budget.worstNs / 1e9, { strategy: s.name, hook: s.budget.worstHook });
  x.family("kestrel_journal_records_total", "counter", "Journal records appended since start.").sample("kestrel_journal_records_total", session.journal?.appended ?? 0);

  const store = session.recorder?.stats();
  if (store !== undefined) {
    const tables = Object.entries(store);
    const counter = (name: string, help: string, pick: (t: (typeof tables)[number][1]) => number, type: "counter" | "gauge" = "counter") => {
      x.family(name, type, help);
      for (const [table, t] of tables) x.sample(name, pick(t), { table });
    };
    counter("kestrel_store_rows_recorded_total", "Rows handed to the store, by table.", (t) => t.recorded);
    counter("kestrel_store_rows_appended_total", "Rows appended to DuckDB, by table.", (t) => t.appended);
    counter("kestrel_store_rows_dropped_total", "Rows dropped under the drop policy, by table.", (t) => t.dropped);
    counter("kestrel_store_rows_spilled_total", "Rows spilled to files under the spill policy, by table.", (t) => t.spilled);
    counter("kestrel_store_lag_rows", "Rows recorded but not yet appended, by table.", (t) => t.lagRows, "gauge");
    counter("kestrel_store_lag_seconds", "Event-time lag of the store behind the loop, by table.", (t) => t.lagUs / 1e6, "gauge");
    counter("kestrel_store_blocked_seconds_total", "Time the loop waited on a full store queue (block policy), by table.", (t) => t.blockedNs / 1e9);
  }
  renderHealthMetrics(x, session);
  renderRlMetrics(x, session);
  x.family("kestrel_admin_responses_total", "counter", "Admin HTTP answers by status code.");
  for (const [code, n] of admin.responses) x.sample("kestrel_admin_responses_total", n, { code: String(code) });
  x.family("kestrel_admin_deferred_total", "counter", "Admin requests that waited for the trading loop to take its turn.").sample("kestrel_admin_deferred_total", admin.deferred());
  x.family("kestrel_admin_ws_clients", "gauge", "WebSocket clients connected, by stream.");
  for (const [stream, n] of admin.wsClients) x.sample("kestrel_admin_ws_clients", n, { stream });
  x.family("kestrel_admin_ws_dropped_total", "counter", "WebSocket clients closed for being too slow, by stream.");
  for (const [stream, n] of admin.wsDropped) x.sample("kestrel_admin_ws_dropped_total", n, { stream });
  return x.render();
}
