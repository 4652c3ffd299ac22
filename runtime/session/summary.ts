/** What a finished (or running) session reports: counts, P&L, positions, data quality, latency. */
import type { Session } from "./build.ts";
import type { PerformanceReport } from "../portfolio/performance.ts";
import type { RowError } from "../data/formats/quote-reader.ts";
import type { WindowSummary } from "../kernel/windowed-latency.ts";

/** Rows the market's readers skipped as bad: in all, per input, and the first of each input. */
export interface BadRowsSummary {
  total: number;
  /** Bad rows per input (every replayed input, 0 included), keyed as the deployment names it. */
  bySource: Record<string, number>;
  /** The first bad row of each input that had one: file, line and reason. */
  first: Record<string, RowError>;
}
import type { ParentTca } from "../execution/tca/parent-tca.ts";
import type { HookTimeReport } from "../strategy/host.ts";

/** A JSON-able summary of a session. */
export interface SessionSummary {
  mode: string;
  /** Which implementation computed the features: "wasm" or "ts". */
  features: string;
  events: number;
  timers: number;
  wallSeconds: number;
  eventsPerSecond: number;
  orders: number;
  rejectedOrders: number;
  openOrders: number;
  fills: number;
  fillsHash: string;
  pnl: number;
  equity: number;
  currency: string;
  positions: Record<string, number>;
  performance: PerformanceReport;
  dataAnomalies: Record<string, number>;
  /** Rows of the market's files that could not be read (never silently dropped). */
  badRows: BadRowsSummary;
  riskRejections: Record<string, number>;
  /** Trading state at the end: "active", "reducing" (loss breaker tripped) or "halted" (kill switch). */
  tradingState: string;
  /** Strategy intents not sent because the trading state meant risk could only refuse them, per reason. */
  heldIntents: Record<string, number>;
  alerts: number;
  quarantined: string[];
  /** Hook times of the strategies run in process, against their budgets (isolated ones have a watchdog instead). */
  hookTime?: Record<string, HookTimeReport>;
  tickToOrderNs: { count: number; p50: number; p99: number; p999: number; max: number; mean: number };
  /** Tick-to-order over the last minute of wall time (real-time sessions; in a backtest, the run's last minute). */
  tickToOrderRecentNs: WindowSummary;
  journalRecords: number;
  restoredRecords: number;
  /** Accelerator sidecars' figures (sources of verdicts and VaR, fallbacks), when configured. */
  sidecars: Record<string, unknown> | null;
  /** Fills per venue name. */
  fillsByVenue?: Record<string, number>;
  /** One TCA object per parent order (empty without execution algorithms). */
  parents?: ParentTca[];
  /** Routing decisions made by the smart order router. */
  routingDecisions?: number;
  /** Several venues: position per symbol summed over venues (`positions` is per venue there). */
  positionsTotal?: Record<string, number>;
}

/** Builds the summary of a session at this moment. */
export function summarize(s: Session, wallSeconds: number): SessionSummary {
  const core = s.core;
  const orders = core.oms.created;
  const rejected = core.oms.refused;
  let equity = 0;
  try {
    equity = core.portfolio.equity(s.config.account.currency);
  } catch {
    equity = Number.NaN;
  }
  const positions: Record<string, number> = {};
  for (const inst of s.instruments) {
    const p = core.portfolio.position(inst.id);
    if (p !== 0) positions[inst.symbol] = p;
  }
  const events = s.loop.marketEvents;
  return {
    mode: s.mode,
    features: core.features.kernels.backend,
    events,
    timers: s.loop.timerEvents,
    wallSeconds,
    eventsPerSecond: wallSeconds > 0 ? Math.round(events / wallSeconds) : 0,
    orders,
    rejectedOrders: rejected,
    openOrders: core.oms.openCount,
    fills: core.oms.fillIds.current,
    fillsHash: core.fillsHash(),
    pnl: Math.round(equity * 100) / 100,
    equity: Math.round((s.config.account.capital + equity) * 100) / 100,
    currency: s.config.account.currency,
    positions,
    performance: s.performance.report(),
    dataAnomalies: Object.fromEntries(core.rejectsByReason),
    badRows: badRowsOf(s),
    riskRejections: Object.fromEntries(core.risk.rejections),
    tradingState: core.tradingState,
    heldIntents: Object.fromEntries(core.heldIntents),
    alerts: core.alerts.all().length,
    quarantined: core.host.slots.filter((x) => x.state === "quarantined").map((x) => `${x.name} (${x.failure})`),
    hookTime: Object.fromEntries(core.host.slots.flatMap((x) => (x.budget === null ? [] : [[x.name, x.budget.report()]]))),
    tickToOrderNs: core.tickToOrder.summary(),
    tickToOrderRecentNs: core.tickToOrderRecent.summary(),
    journalRecords: s.journal?.appended ?? 0,
    restoredRecords: s.restored,
    sidecars: s.sidecars?.status() ?? null,
    fillsByVenue: s.venues.fillsByVenue(),
    parents: s.algos?.tcaRows().rows ?? [],
    ...(s.algos !== null && s.algos.deps.routing.active ? { routingDecisions: s.algos.deps.routing.count } : {}),
    ...(s.venues.multi !== null ? { positionsTotal: totalPositions(s) } : {}),
  };
}

/** Sums the bad rows the session's market sources skipped, per input. */
export function badRowsOf(s: Pick<Session, "sources">): BadRowsSummary {
  const out: BadRowsSummary = { total: 0, bySource: {}, first: {} };
  for (const source of s.sources) {
    for (const b of source.badRowsBySource?.() ?? []) {
      out.total += b.count;
      out.bySource[b.source] = (out.bySource[b.source] ?? 0) + b.count;
      if (b.first !== null && out.first[b.source] === undefined) out.first[b.source] = b.first;
    }
  }
  return out;
}

/** Positions per symbol summed over the venues that list it (several-venue sessions). */
function totalPositions(s: Session): Record<string, number> {
  const out: Record<string, number> = {};
  const c = s.venues.consolidated;
  c.symbols.forEach((sym, k) => {
    let p = 0;
    for (const id of c.members[k]!) p += s.core.portfolio.position(id);
    if (p !== 0) out[sym] = p;
  });
  return out;
}
