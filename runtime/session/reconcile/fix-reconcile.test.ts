/**
 * Start-up reconciliation against a real FIX counterparty (the QuickFIX C++ acceptor on loopback):
 * a live session rests an order, is killed with SIGKILL, the provider fills the order while
 * Kestrel is down, and the restarted session learns the fill — from the provider's answer to an
 * OrderMassStatusRequest when the sequence numbers were reset at logon (the missed reports are not
 * resent), or from the resend of the missed reports when the session keeps its FIX store (then
 * reconciliation finds nothing left to do).
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { QuickFixAcceptor } from "../../../plugins/venues/fix44/testing/quickfix.ts";
import type { FixVenue } from "../../../plugins/venues/fix44/fix-venue.ts";
import { readJournal } from "../../journal/journal-file.ts";
import { needsTools } from "../../testing/system-tools.ts";
import { REPO_ROOT, sessionFromYaml, tempDir } from "../test-session.ts";
import { fixLiveYaml } from "../../testing/fix-live-yaml.ts";
import { until } from "../../testing/until.ts";

const tmp = tempDir("kestrel-fix-reconcile-");
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops) await s();
  tmp.dispose();
});

function yaml(name: string, port: number, session: string): string {
  return fixLiveYaml({
    name,
    sessions: [{ name: "lp1", port, target: "LP1", extra: `reconnectMinMs: 100, reconnectMaxMs: 500, ${session}` }],
    strategies: [`{ name: rest, plugin: ${resolve(import.meta.dir, "../fixtures/resting-strategy.ts")}, instruments: [EURUSD], params: { offsetTicks: 50, size: 100000 } }`],
    extra: `journal: { path: ${join(tmp.path, `${name}.journal`)}, fsync: always }\n`,
  });
}

const CASES = [
  { name: "reset", session: "resetSeqNumOnLogon: true", via: "the mass status" },
  { name: "store", session: `storeDir: ${join(tmp.path, "fix-store")}`, via: "the resend of missed reports" },
] as const;

for (const c of CASES) {
  test.skipIf(!needsTools(`reconcile: QuickFIX provider (${c.name})`, "quickfix"))(`an order filled while Kestrel was down (SIGKILL) is in the journal after a restart, learnt from ${c.via}`, async () => {
    const lp = await QuickFixAcceptor.start("LP1", "KESTREL");
    stops.push(() => lp.stop());
    const config = join(tmp.path, `${c.name}.yaml`);
    writeFileSync(config, yaml(c.name, lp.port, c.session));
    // A real process: the live session rests its order, then dies without a word.
    const proc = Bun.spawn([join(REPO_ROOT, "bin/kestrel"), "run", config, "--for", "120s", "--no-admin", "--quiet"], { stdout: "pipe", stderr: "pipe", cwd: tmp.path });
    stops.push(async () => {
      proc.kill(9);
      await proc.exited;
    });
    await Promise.race([lp.waitFor(/^NEW K\d+/), proc.exited.then(async () => { throw new Error(`kestrel exited: ${await new Response(proc.stderr).text()}`); })]);
    const journal = join(tmp.path, `${c.name}.journal`);
    await until("the accepted order in the journal", () => existsSync(journal) && readJournal(journal).records.some((r) => r.t === "report" && r.report.kind === "accepted"));
    const beforeKill = lp.lines.length;
    proc.kill(9);
    await proc.exited;
    // "While Kestrel is down" from the provider's side: it has seen the connection go.
    await lp.waitFor(/^LOGOUT/, beforeKill);
    const before = readJournal(journal).records;
    const orderId = before.find((r) => r.t === "order")!.id as number;
    expect(before.some((r) => r.t === "report" && r.report.kind === "fill")).toBe(false);
    // While Kestrel is down the provider fills it.
    const from = lp.lines.length;
    lp.command("FILLALL");
    expect(await lp.waitFor(/^FILLED \d+/, from)).toBe("FILLED 1");

    const s = await sessionFromYaml(tmp.path, readFileSync(config, "utf8"), { store: false });
    stops.push(async () => {
      (s.core.venue as FixVenue).stop();
      s.journal?.close();
      s.loop.close();
    });
    const order = s.core.oms.get(orderId)!;
    // On a failure, say what the provider and the session saw (a flake once left only "working").
    if (order.status !== "filled") console.error(`provider: ${lp.lines.slice(-12).join(" | ")}\nalerts: ${s.core.alerts.all().map((a) => `${a.code} ${a.message}`).join(" | ")}`);
    expect(order.status).toBe("filled");
    expect(s.core.portfolio.position(0)).toBe(100_000);
    expect(s.core.oms.openCount).toBe(0);
    const found = s.reconciled!;
    expect(found).not.toBeNull();
    const records = readJournal(journal).records;
    const fills = records.filter((r) => r.t === "report" && r.report.kind === "fill");
    expect(fills.length).toBe(1);
    if (c.name === "reset") {
      expect(found.missedFills).toBe(1);
      expect(found.records.map((r) => [r.kind, r.orderId])).toEqual([["missed-fill", orderId]]);
      expect(s.core.alerts.all().some((a) => a.code === "RECONCILE_MISSED_FILL")).toBe(true);
      expect(records.some((r) => r.t === "reconcile" && r.kind === "missed-fill" && r.orderId === orderId)).toBe(true);
    } else {
      // The resend brought the fill before the status answer: nothing differs.
      expect(found.differences).toBe(0);
    }
    // Nothing is sent again: the provider saw exactly one order.
    expect(s.core.resubmitOpen()).toBe(0);
    expect(lp.lines.filter((l) => l.startsWith("NEW ")).length).toBe(1);
  }, 60_000);
}
