/**
 * Reports: the end-of-day statement of a UTC date from the session's journal (see
 * runtime/portfolio/eod/statement.ts). Today's statement is marked at the live quotes, earlier
 * days at each instrument's last fill price.
 */
import { Type } from "@sinclair/typebox";
import { defineRoute, type AdminRoute } from "../http/route.ts";
import { fail, ok } from "../http/reply.ts";
import { NoQuery } from "../http/schemas.ts";
import { readJournal } from "../../journal/journal-file.ts";
import { buildEodStatement } from "../../portfolio/eod/statement.ts";
import { dayStartUs, tradeDateOf } from "../../portfolio/settlement.ts";

/** Report routes. */
export function reportRoutes(): AdminRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/api/v1/reports/eod/{date}",
      role: "analyst",
      tag: "reports",
      summary: "End-of-day statement of a UTC date: positions, P&L and fees by currency and in the account currency, settlement records with value dates, cash per value date, venue reconciliation records.",
      params: Type.Object({ date: Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "UTC date, YYYY-MM-DD" }) }, { additionalProperties: false }),
      query: NoQuery,
      responses: { 200: "statement", 400: "not a date", 409: "the session keeps no journal" },
      handle: ({ session, params }) => {
        if (Number.isNaN(dayStartUs(params.date))) return fail(400, "REPORT_BAD_DATE", `date=${params.date} expected=YYYY-MM-DD`);
        const journal = session.journal;
        if (journal === null) return fail(409, "REPORT_NO_JOURNAL", "reason=the session keeps no journal");
        journal.flush();
        const p = session.core.portfolio;
        const today = params.date === tradeDateOf(session.core.now());
        const statement = buildEodStatement({
          deployment: session.config.name,
          accountCurrency: session.config.account.currency,
          instruments: session.instruments,
          records: readJournal(journal.path).records,
          date: params.date,
          ...(today ? { liveMarks: (i: number) => (p.isMarked(i) ? { bid: p.bid(i), ask: p.ask(i) } : null) } : {}),
        });
        return ok(statement);
      },
    }),
  ];
}
