/**
 * Reconciliation after a reconnect, against a real FIX counterparty (the QuickFIX C++ acceptor on
 * loopback): a running live session rests an order, the provider drops the session and fills the
 * order while it is down, and the session learns the fill when it logs on again — from the
 * provider's answer to an OrderMassStatusRequest when sequence numbers are reset at logon (the
 * missed report is never resent), or from the resend of the missed report when the session keeps
 * its FIX store (then the reconciliation finds nothing left). Positions are compared with the
 * provider's PositionReports (RequestForPositions); a break is an alert and a journal record.
 */
import { afterAll, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { QuickFixAcceptor } from "../../../plugins/venues/fix44/testing/quickfix.ts";
import { readJournal } from "../../journal/journal-file.ts";
import type { ReconcileRecord } from "../../journal/records.ts";
import { needsTools } from "../../testing/system-tools.ts";
import { startRealtime } from "../realtime.ts";
import { sessionFromYaml, tempDir } from "../test-session.ts";
import { fixLiveYaml } from "../../testing/fix-live-yaml.ts";
import { until } from "../../testing/until.ts";

const tmp = tempDir("kestrel-reconnect-");
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
  tmp.dispose();
});

function yaml(name: string, port: number, session: string): string {
  return fixLiveYaml({
    name,
    sessions: [{ name: "lp1", port, target: "LP1", extra: `reconnectMinMs: 100, reconnectMaxMs: 500, positions: true, ${session}` }],
    strategies: [`{ name: rest, plugin: ${resolve(import.meta.dir, "../fixtures/resting-strategy.ts")}, instruments: [EURUSD], params: { offsetTicks: 50, size: 100000 } }`],
    extra: `journal: { path: ${join(tmp.path, `${name}.journal`)}, fsync: always }\n`,
  });
}

const CASES = [
  { name: "reset", session: "resetSeqNumOnLogon: true", via: "the mass status" },
  { name: "store", session: `storeDir: ${join(tmp.path, "fix-store")}`, via: "the resend of the missed report" },
] as const;

for (const c of CASES) {
  test.skipIf(!needsTools(`reconnect reconcile: QuickFIX provider (${c.name})`, "quickfix"))(`an order filled while the FIX session was down is learnt after the reconnect, from ${c.via}; positions are compared`, async () => {
    const lp = await QuickFixAcceptor.start("LP1", "KESTREL");
    stops.push(() => lp.stop());
    const s = await sessionFromYaml(tmp.path, yaml(c.name, lp.port, c.session), { store: false });
    const run = startRealtime(s);
    stops.push(async () => {
      run.stop();
      await run.done;
      s.journal?.close();
      s.loop.close();
    });
    const reconciles = () => readJournal(join(tmp.path, `${c.name}.journal`)).records.filter((r): r is ReconcileRecord => r.t === "reconcile");
    const summaries = () => reconciles().filter((r) => r.kind === "summary" && r.detail.includes("trigger=reconnect"));
    await until("the resting order acknowledged", () => [...s.core.oms.openOrders()].some((o) => o.status === "working"));
    const order = [...s.core.oms.openOrders()][0]!;
    // The provider drops the session and fills the order while it is down.
    const from = lp.lines.length;
    lp.command("DROPFILL");
    expect(await lp.waitFor(/^DROPFILLED \d+/, from)).toBe("DROPFILLED 1");
    await until("the fill applied after the reconnect", () => order.status === "filled");
    await until("the reconnect reconciled", () => summaries().length >= 1);
    s.journal?.flush();
    expect(s.core.portfolio.position(0)).toBe(100_000);
    const fills = readJournal(join(tmp.path, `${c.name}.journal`)).records.filter((r) => r.t === "report" && r.report.kind === "fill");
    expect(fills.length).toBe(1);
    const alerts = s.core.alerts.all();
    expect(alerts.some((a) => a.code === "FIX_VENUE_SESSION_DOWN")).toBe(true);
    if (c.name === "reset") {
      const missed = reconciles().filter((r) => r.kind === "missed-fill");
      expect(missed.map((r) => r.orderId)).toEqual([order.id]);
      expect(alerts.some((a) => a.code === "RECONCILE_MISSED_FILL")).toBe(true);
      expect(summaries()[0]!.detail).toContain("missed_fills=1");
    } else {
      // The resend brought the fill before the status answer: nothing differs.
      expect(summaries()[0]!.detail).toContain("differences=0");
    }
    // The provider's position agrees with ours (100,000 long): no break.
    expect(summaries()[0]!.detail).toContain("position_breaks=0");
    expect(reconciles().some((r) => r.kind === "position")).toBe(false);

    // The provider's books move by 5,000 behind our back; the next reconnect finds the break.
    lp.command("POSITION EURUSD 5000");
    await lp.waitFor(/^POSITION EURUSD 105000/, from);
    const before = summaries().length;
    const at = lp.lines.length;
    lp.command("DROPFILL");
    expect(await lp.waitFor(/^DROPFILLED \d+/, at)).toBe("DROPFILLED 0");
    await until("the second reconnect reconciled", () => summaries().length > before);
    const breaks = reconciles().filter((r) => r.kind === "position");
    expect(breaks.length).toBe(1);
    expect(breaks[0]!.detail).toContain("journal=100000 venue=105000 difference=5000");
    expect(s.core.alerts.all().some((a) => a.code === "RECONCILE_POSITION_BREAK")).toBe(true);
    // Nothing was sent twice: the provider saw one order.
    expect(lp.lines.filter((l) => l.startsWith("NEW ")).length).toBe(1);
    expect(s.core.omsErrors).toBe(0);
  }, 90_000);
}
