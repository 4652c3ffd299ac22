/**
 * Order explanations: why an order was sent or refused, read back from the session's journal
 * (runtime/audit/explain.ts) through the journal's sparse order index (only the order's own
 * records are decoded, not the whole file), with the values the session saw when it decided (book, features,
 * model signal) while the order is among the newest the decision ring keeps.
 */
import { defineRoute, type AdminRoute } from "../http/route.ts";
import { fail, ok } from "../http/reply.ts";
import { IdParams, NoQuery } from "../http/schemas.ts";
import { explainOrder } from "../../audit/explain.ts";

/** Explain routes. */
export function explainRoutes(): AdminRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/api/v1/orders/{id}/explain",
      role: "analyst",
      tag: "orders",
      summary: "An order's decision record: cause (strategy, plugin version, event, features snapshot, model version and answer time), the values seen (book, features, model signal) for recent orders, the risk verdict check by check, the parent order, every venue report with latencies, reconciliation records.",
      params: IdParams,
      query: NoQuery,
      responses: { 200: "explanation", 404: "no such order in the journal", 409: "the session keeps no journal" },
      handle: ({ session, params }) => {
        const journal = session.journal;
        if (journal === null) return fail(409, "REPORT_NO_JOURNAL", "reason=the session keeps no journal");
        journal.flush();
        const rules = (session.config.risk.plugins ?? []).map((p) => p.name);
        const found = journal.index.lookup(params.id);
        const records = found === null ? [] : [...(found.parent === null ? [] : [found.parent]), found.order, ...found.records];
        const explanation = explainOrder(records, params.id, session.core.decisions?.get(params.id) ?? null, rules);
        if (explanation === null) return fail(404, "ADMIN_UNKNOWN_ORDER_EXPLAIN", `order=${params.id}`);
        const symbol = session.instruments[explanation.order.instrument]?.symbol ?? "";
        return ok({ symbol, ...explanation });
      },
    }),
  ];
}
