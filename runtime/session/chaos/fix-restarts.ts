/**
 * Chaos: a FIX counterparty killed (SIGKILL) and restarted again and again under a running live
 * session. The counterparty is the QuickFIX C++ test acceptor on one loopback port; it comes back
 * with no memory (fresh sequence numbers, no orders), so every restart is a reconnect that the
 * session reconciles: orders the provider forgot are handled per policy, every drop and every
 * reconciliation is alerted (the test acknowledges each alert, as an operator would, so the next
 * one is raised anew) and journaled. Used by fix-restarts.test.ts (a few) and bench/chaos-fix.ts (50).
 */
import { join, resolve } from "node:path";
import { QuickFixAcceptor } from "../../../plugins/venues/fix44/testing/quickfix.ts";
import type { FixVenue } from "../../../plugins/venues/fix44/fix-venue.ts";
import { readJournal } from "../../journal/journal-file.ts";
import { startRealtime } from "../realtime.ts";
import { sessionFromYaml } from "../test-session.ts";
import { fixLiveYaml } from "../../testing/fix-live-yaml.ts";
import { until } from "../../testing/until.ts";

/** Options of a counterparty-restart run. */
export interface FixRestartOptions {
  readonly dir: string;
  readonly restarts: number;
  readonly log?: (line: string) => void;
}

/** The outcome of a counterparty-restart run. */
export interface FixRestartResult {
  readonly restarts: number;
  /** Per restart: ms from the new acceptor listening to the session's reconciliation being journaled. */
  readonly reconnectMs: number[];
  readonly orders: number;
  readonly fills: number;
  readonly records: number;
  /** Records the session appended that are not in the journal file after the run. */
  readonly lostRecords: number;
  readonly tornTail: boolean;
  readonly duplicateOrderIds: number;
  readonly duplicateFillIds: number;
  readonly omsErrors: number;
  /** FIX_VENUE_SESSION_DOWN alerts raised (one per kill expected). */
  readonly downAlerts: number;
  /** Reconciliations after a reconnect journaled (one per restart expected) and their alerts. */
  readonly reconnectReconciles: number;
  readonly reconciledAlerts: number;
  /** Orders the restarted provider no longer knew (handled per policy: canceled here). */
  readonly missing: number;
  readonly openAfterStop: number;
}

function yaml(dir: string, port: number): string {
  return fixLiveYaml({
    name: "fix-chaos",
    sessions: [{ name: "lp1", port, target: "LP1", extra: "reconnectMinMs: 50, reconnectMaxMs: 200, resetSeqNumOnLogon: true" }],
    strategies: [
      `{ name: taker, plugin: ${resolve(import.meta.dir, "../fixtures/taker-strategy.ts")}, instruments: [EURUSD], params: { every: 4, size: 1000 } }`,
      `{ name: rest, plugin: ${resolve(import.meta.dir, "../fixtures/resting-strategy.ts")}, instruments: [EURUSD], params: { offsetTicks: 50, size: 1000 } }`,
    ],
    limits: "{ maxPosition: 100000000, maxOrderNotional: 5000000, maxOrdersPerSecond: 1000, priceCollarBps: 100, maxDailyLoss: 100000000, maxDrawdown: 100000000 }",
    extra: `journal: { path: ${join(dir, "fix-chaos.journal")}, fsync: batch }\nreconcile: { missing: cancel, unknown: cancel }\n`,
  });
}

/** Runs the session and kills/restarts its counterparty `restarts` times; checks the journal. */
export async function runFixRestarts(opts: FixRestartOptions): Promise<FixRestartResult> {
  const log = opts.log ?? (() => {});
  let lp = await QuickFixAcceptor.start("LP1", "KESTREL");
  const port = lp.port;
  const s = await sessionFromYaml(opts.dir, yaml(opts.dir, port), { store: false });
  const venue = s.core.venue as FixVenue;
  const run = startRealtime(s);
  const reconnectMs: number[] = [];
  let downAlerts = 0;
  let reconciledAlerts = 0;
  let reconnectReconciles = 0;
  let missing = 0;
  const unsubscribe = s.core.alerts.subscribe((a) => {
    if (a.code === "FIX_VENUE_SESSION_DOWN") downAlerts++;
    if (a.code === "VENUE_RECONCILED" && a.message.includes("trigger=reconnect")) reconciledAlerts++;
  });
  const fillsNow = () => s.core.oms.fillIds.current;
  let lastRestartId = 0;
  const acknowledgedSince = (id: number): boolean => {
    for (let k = s.core.oms.orderIds.current; k > id; k--) {
      const st = s.core.oms.get(k)?.status;
      if (st !== undefined && st !== "pending" && st !== "rejected" && st !== "canceled") return true;
    }
    return false;
  };
  try {
    await until("the first logon", () => venue.connected.has("lp1"));
    for (let i = 1; i <= opts.restarts; i++) {
      // Trading resumed: an order sent since the last restart was acknowledged or filled by this provider.
      const idBefore = i === 1 ? 0 : lastRestartId;
      await until(`trading before kill ${i}`, () => acknowledgedSince(idBefore)).catch((err: Error) => {
        const last = [...s.core.oms.all()].slice(-5).map((o) => `${o.id}:${o.strategy}:${o.status}`).join(" ");
        const alerts = s.core.alerts.all().slice(-6).map((a) => `${a.code}(${a.subject}): ${a.message}`).join(" | ");
        throw new Error(`${err.message}; connected=${venue.connected.has("lp1")} state=${s.core.tradingState} last orders: ${last}; last alerts: ${alerts}`);
      });
      // Each alert acknowledged, as an operator would: the next drop raises a new one.
      for (const a of s.core.alerts.all()) s.core.alerts.acknowledge(a.id);
      const downBefore = downAlerts;
      await lp.kill();
      await until(`the drop noticed after kill ${i}`, () => downAlerts > downBefore && !venue.connected.has("lp1"));
      for (const a of s.core.alerts.all()) s.core.alerts.acknowledge(a.id);
      const reconciledBefore = reconciledAlerts;
      lp = await QuickFixAcceptor.start("LP1", "KESTREL", port);
      const t0 = performance.now();
      await until(`the reconciliation after restart ${i}`, () => reconciledAlerts > reconciledBefore);
      reconnectMs.push(performance.now() - t0);
      lastRestartId = s.core.oms.orderIds.current;
      log(`restart ${i}: reconciled in ${reconnectMs.at(-1)!.toFixed(0)} ms, orders=${s.core.oms.orderIds.current} fills=${fillsNow()}`);
    }
  } finally {
    unsubscribe();
    run.stop();
    await run.done;
    s.journal?.close();
    s.loop.close();
    await lp.stop();
  }
  const journal = readJournal(join(opts.dir, "fix-chaos.journal"));
  const orderIds = journal.records.flatMap((r) => (r.t === "order" ? [r.id] : []));
  const fillIds = journal.records.flatMap((r) => (r.t === "report" && r.fillId > 0 ? [r.fillId] : []));
  for (const r of journal.records) {
    if (r.t !== "reconcile") continue;
    if (r.kind === "summary" && r.detail.includes("trigger=reconnect")) reconnectReconciles++;
    if (r.kind === "missing") missing++;
  }
  return {
    restarts: opts.restarts,
    reconnectMs,
    orders: orderIds.length,
    fills: fillIds.length,
    records: journal.records.length,
    lostRecords: (s.journal?.appended ?? 0) - journal.records.length,
    tornTail: journal.tornTail !== null,
    duplicateOrderIds: orderIds.length - new Set(orderIds).size,
    duplicateFillIds: fillIds.length - new Set(fillIds).size,
    omsErrors: s.core.omsErrors,
    downAlerts,
    reconnectReconciles,
    reconciledAlerts,
    missing,
    openAfterStop: s.core.oms.openCount,
  };
}
