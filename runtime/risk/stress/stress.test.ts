/**
 * Stress scenarios on a real portfolio: a paper session takes positions through the admin API
 * (real HTTP), then `GET /api/v1/risk/stress` (live mids), `POST` with a caller's scenario, and
 * `kestrel risk stress` on the session's journal (in process, and once as the real command) are
 * checked against the pair-move arithmetic done here from the positions and marks.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { startPaperFixture, waitFor, type PaperFixture } from "../../admin/testing/paper-session.ts";
import { call } from "../../admin/testing/http.ts";
import { readJournal } from "../../journal/journal-file.ts";
import { runRiskCommand } from "./cli.ts";
import type { StressReport } from "./report.ts";

let f: PaperFixture;
let live: StressReport;
beforeAll(async () => {
  f = await startPaperFixture({
    strategy: false,
    journal: true,
    riskPlugins: [`{ name: stress, plugin: stress-limit, params: { maxLoss: 10000000, custom: [{ name: franc-up-12, moves: { CHF: 12 } }] } }`],
  });
  for (const [instrument, side, size] of [["EURUSD", "buy", "300000"], ["GBPUSD", "sell", "200000"]] as const) {
    const r = await call(f, "POST", "/api/v1/orders", f.tokens.trader, { instrument, side, type: "market", size });
    expect(r.status).toBe(201);
  }
  const pos = (s: string) => f.session.core.portfolio.position(f.session.instruments.find((i) => i.symbol === s)!.id);
  await waitFor(() => pos("EURUSD") === 300_000 && pos("GBPUSD") === -200_000, 20_000, "both orders filled");
}, 40_000);
afterAll(async () => {
  await f?.stop();
});

/** P&L of a position of `units` at `mid` (ticks, 5 decimals, USD quote) under a pair move in percent. */
const expectedPnl = (units: number, mid: number, basePct: number) => (units * mid) / 1e5 * (basePct / 100);

describe("stress over the admin API", () => {
  test("GET applies every known scenario to the live positions at live mids, worst first", async () => {
    const r = await call(f, "GET", "/api/v1/risk/stress", f.tokens.analyst);
    expect(r.status).toBe(200);
    live = r.json as StressReport;
    expect(live.marks).toBe("live");
    expect(live.positions.map((p) => [p.instrument, p.position])).toEqual([["EURUSD", 300_000], ["GBPUSD", -200_000]]);
    expect(live.scenarios.map((s) => s.scenario).sort()).toEqual(["chf-depeg-2015", "franc-up-12", "gbp-flash-2016", "jpy-flash-2019", "risk-off", "usd-up-5"]);
    const eur = live.positions[0]!, gbp = live.positions[1]!;
    const by = (name: string) => live.scenarios.find((s) => s.scenario === name)!;
    // CHF de-peg: EUR −1% (long EUR loses), GBP unmoved.
    expect(by("chf-depeg-2015").pnl).toBeCloseTo(expectedPnl(300_000, eur.mid!, -1), 1);
    // GBP flash crash: −6.1% on a short GBP is a gain.
    expect(by("gbp-flash-2016").pnl).toBeCloseTo(expectedPnl(-200_000, gbp.mid!, -6.1), 1);
    expect(by("gbp-flash-2016").pnl).toBeGreaterThan(0);
    // No JPY, AUD or NZD exposure: the yen flash rally costs nothing.
    expect(by("jpy-flash-2019").pnl).toBe(0);
    // usd-up-5: both legs move −4.76%: long EUR loses, short GBP gains.
    expect(by("usd-up-5").pnl).toBeCloseTo(expectedPnl(300_000, eur.mid!, -4.76) + expectedPnl(-200_000, gbp.mid!, -4.76), 1);
    for (let i = 1; i < live.scenarios.length; i++) expect(live.scenarios[i]!.pnl).toBeGreaterThanOrEqual(live.scenarios[i - 1]!.pnl);
    expect(live.worst).toEqual({ scenario: live.scenarios[0]!.scenario, pnl: live.scenarios[0]!.pnl });
    const one = await call(f, "GET", "/api/v1/risk/stress?scenario=gbp-flash-2016", f.tokens.analyst);
    expect((one.json as StressReport).scenarios.map((s) => s.scenario)).toEqual(["gbp-flash-2016"]);
    const unknown = await call(f, "GET", "/api/v1/risk/stress?scenario=nope", f.tokens.analyst);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("ADMIN_UNKNOWN_SCENARIO");
    expect(unknown.json.error.message).toContain("known=chf-depeg-2015,gbp-flash-2016,jpy-flash-2019");
  });

  test("POST applies the caller's scenario; a bad one is refused with the path of each problem", async () => {
    const r = await call(f, "POST", "/api/v1/risk/stress", f.tokens.analyst, { scenarios: [{ name: "euro-down-10", moves: { EUR: -10 } }] });
    expect(r.status).toBe(200);
    const s = (r.json as StressReport).scenarios;
    expect(s.map((x) => x.scenario)).toEqual(["euro-down-10"]);
    const eurMid = (r.json as StressReport).positions[0]!.mid!;
    expect(s[0]!.pnl).toBeCloseTo(expectedPnl(300_000, eurMid, -10), 1);
    const withKnown = await call(f, "POST", "/api/v1/risk/stress", f.tokens.analyst, { scenarios: [{ name: "x", moves: { GBP: 1 } }], withKnown: true });
    expect((withKnown.json as StressReport).scenarios.length).toBe(7);
    const bad = await call(f, "POST", "/api/v1/risk/stress", f.tokens.analyst, { scenarios: [{ name: "y", moves: { eur: -150 } }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("ADMIN_BAD_REQUEST");
    expect(bad.json.error.message).toBe('body/scenarios/0/moves/eur: expected a currency code of three capital letters, got "eur"');
    const low = await call(f, "POST", "/api/v1/risk/stress", f.tokens.analyst, { scenarios: [{ name: "y", moves: { EUR: -150 } }] });
    expect(low.status).toBe(400);
    expect(low.json.error.message).toStartWith("body/scenarios/0/moves/EUR: ");
  });
});

describe("kestrel risk stress", () => {
  test("on the session's journal: the same positions, marked at their last fills, the same scenario set", async () => {
    f.session.journal!.flush();
    const out: string[] = [], err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const deployment = join(f.dir, "paper.yaml"), journal = join(f.dir, "journal.bin");
    expect(await runRiskCommand(["stress", deployment, "--journal", journal, "--json"], io)).toBe(0);
    const r = JSON.parse(out[0]!) as StressReport;
    expect(r.marks).toBe("last-fill");
    expect(r.positions.map((p) => [p.instrument, p.position])).toEqual([["EURUSD", 300_000], ["GBPUSD", -200_000]]);
    const records = readJournal(journal).records;
    const instOf = new Map(records.flatMap((x) => (x.t === "order" ? [[x.id, x.instrument] as const] : [])));
    const lastFill = new Map<number, number>();
    for (const x of records) if (x.t === "report" && x.report.kind === "fill") lastFill.set(instOf.get(x.report.orderId)!, x.report.price);
    expect(r.positions.map((p) => p.mid)).toEqual([lastFill.get(0)!, lastFill.get(1)!]);
    expect(r.scenarios.map((s) => s.scenario).sort()).toEqual(live.scenarios.map((s) => s.scenario).sort());
    expect(r.scenarios.find((s) => s.scenario === "chf-depeg-2015")!.pnl).toBeCloseTo(expectedPnl(300_000, r.positions[0]!.mid!, -1), 1);

    out.length = 0;
    expect(await runRiskCommand(["stress", deployment, "--journal", journal, "--scenario", "nope"], io)).toBe(1);
    expect(err.at(-1)).toBe("kestrel risk stress: STRESS_UNKNOWN_SCENARIO: scenario=nope known=chf-depeg-2015,gbp-flash-2016,jpy-flash-2019,usd-up-5,risk-off,franc-up-12");
    expect(await runRiskCommand(["stress", deployment], io)).toBe(1);
    expect(err.at(-1)).toContain("STRESS_NO_JOURNAL");
    expect(await runRiskCommand(["shake", deployment], io)).toBe(2);

    // The real command line, text output.
    const p = Bun.spawnSync([resolve(import.meta.dir, "../../../bin/kestrel"), "risk", "stress", deployment, "--journal", journal, "--scenario", "gbp-flash-2016"], { stdout: "pipe", stderr: "pipe" });
    const text = p.stdout.toString();
    expect(p.exitCode).toBe(0);
    expect(text).toContain("marked at last fills");
    expect(text).toMatch(/gbp-flash-2016\s+[\d,]+\.\d\d USD\s+GBPUSD -6\.1% [\d,]+\.\d\d USD\n/);
    expect(text).toMatch(/worst: gbp-flash-2016 /);
  }, 30_000);
});
