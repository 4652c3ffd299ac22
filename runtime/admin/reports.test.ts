/**
 * The end-of-day statement over loopback HTTP against a running paper session with a journal:
 * today's statement holds every fill of the session as a settlement record and the same
 * positions, realised P&L and fees as the live portfolio, marked at the live quotes; a date that
 * is not a calendar date is a 400 with its code.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startPaperFixture, waitFor, type PaperFixture } from "./testing/paper-session.ts";
import { call } from "./testing/http.ts";
import { tradeDateOf, valueDate } from "../portfolio/settlement.ts";

let f: PaperFixture;
beforeAll(async () => {
  f = await startPaperFixture({ journal: true });
}, 20_000);
afterAll(async () => {
  await f?.stop();
});

test("today's statement agrees with the live portfolio, fill by fill", async () => {
  const { core } = f.session;
  core.submit("manual", { instrument: 0, side: 1, type: "market", size: 100_000 });
  await waitFor(() => core.portfolio.fillCount > 0, 10_000, "a fill");
  // Trading stops so that nothing moves between the statement and the comparison.
  core.engageKill("eod test", "tester");
  await waitFor(() => core.oms.openCount === 0, 10_000, "every order closed");
  const today = tradeDateOf(core.now());
  const r = await call(f, "GET", `/api/v1/reports/eod/${today}`, f.tokens.analyst);
  expect(r.status).toBe(200);
  const s = r.json;
  expect(s).toMatchObject({ deployment: "admin-test", date: today, accountCurrency: "USD", marks: "live" });
  expect(s.settlements.length).toBe(core.portfolio.fillCount);
  expect(s.day.fills).toBe(core.portfolio.fillCount);
  for (const inst of f.session.instruments) {
    const row = s.positions.find((x: { symbol: string }) => x.symbol === inst.symbol);
    expect(row?.position ?? 0).toBe(core.portfolio.position(inst.id));
    expect(row?.realised ?? 0).toBe(core.portfolio.realised(inst.id));
    expect(row?.fees ?? 0).toBe(core.portfolio.fees(inst.id));
  }
  const eur = s.settlements.find((x: { symbol: string }) => x.symbol === "EURUSD");
  expect(eur.valueDate).toBe(valueDate(today, "T+2"));
  expect(s.account.net).not.toBeNull();
}, 30_000);

test("a date that is not a calendar date is refused with REPORT_BAD_DATE", async () => {
  const r = await call(f, "GET", "/api/v1/reports/eod/2024-02-30", f.tokens.analyst);
  expect(r.status).toBe(400);
  expect(r.json.error.code).toBe("REPORT_BAD_DATE");
  expect((await call(f, "GET", "/api/v1/reports/eod/yesterday", f.tokens.analyst)).status).toBe(400);
});
