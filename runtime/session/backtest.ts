/** Runs a session as a backtest: the loop at full speed over the whole market, then a summary. */
import type { Session } from "./build.ts";
import { summarize, type SessionSummary } from "./summary.ts";

/** Progress of a running backtest. */
export interface BacktestProgress {
  events: number;
  /** Kernel time of the last event. */
  ts: number;
  wallSeconds: number;
}

/** Runs to the end of the market data; calls `onProgress` every `progressEvery` events. */
export function runBacktest(session: Session, onProgress?: (p: BacktestProgress) => void, progressEvery = 250_000): SessionSummary {
  const { loop, core } = session;
  core.measureLatency = false;
  core.resubmitOpen();
  core.host.start();
  const t0 = performance.now();
  while (!loop.exhausted) {
    loop.runUntil(Infinity, progressEvery);
    session.journal?.flush();
    onProgress?.({ events: loop.marketEvents, ts: loop.clock.now(), wallSeconds: (performance.now() - t0) / 1000 });
  }
  const wall = (performance.now() - t0) / 1000;
  core.host.stop();
  // Reports caused by onStop (e.g. cancels) are applied too.
  loop.runUntil(Infinity);
  core.venue.stop?.();
  try {
    session.performance.sample(loop.clock.now(), session.config.account.capital + core.portfolio.equity(session.config.account.currency));
  } catch {
    // No conversion rate for some currency: the last sample stands.
  }
  session.journal?.close();
  loop.close();
  return summarize(session, wall);
}
