/**
 * Backtest results by id, as `kestrel backtest` stores them (one JSON file per run in a results
 * folder, `session/backtest-results.ts`): a list, newest first, with a few headline figures, and
 * one result in full. The folder is read on request; a list reads at most `limit` files.
 */
import { Type } from "@sinclair/typebox";
import { listBacktestResults, readBacktestResult, type BacktestResult } from "../../session/backtest-results.ts";
import { defineRoute, type AdminRoute } from "../http/route.ts";
import { fail, ok } from "../http/reply.ts";
import { Limit } from "../http/schemas.ts";

/** A result id in a path: `<UTC time>-<first 8 hex of the fills hash>`. */
const BacktestIdParams = Type.Object(
  { id: Type.String({ pattern: "^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$", description: "backtest result id, e.g. 20261123T101500Z-3fa2c1d0" }) },
  { additionalProperties: false },
);

/** The headline of a stored result, as the list shows it. */
export function backtestHeadline(r: BacktestResult) {
  const s = r.summary;
  return {
    id: r.id,
    deployment: r.deployment,
    configFile: r.configFile,
    finishedAt: r.finishedAt,
    events: s.events,
    orders: s.orders,
    fills: s.fills,
    pnl: s.pnl,
    equity: s.equity,
    currency: s.currency,
    fillsHash: s.fillsHash,
  };
}

/** Backtest result routes over the results folder `dir`. */
export function backtestRoutes(dir: string): AdminRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/api/v1/backtests",
      role: "analyst",
      tag: "backtests",
      summary: "Stored backtest results, newest first, with their headline figures (orders, fills, P&L).",
      query: Type.Object({ limit: Type.Optional(Limit) }, { additionalProperties: false }),
      responses: { 200: "results" },
      handle: ({ query }) => {
        const ids = listBacktestResults(dir);
        const results = [];
        for (const id of ids.slice(0, query.limit ?? 100)) {
          const r = readBacktestResult(dir, id, false);
          if (r !== undefined) results.push(backtestHeadline(r));
        }
        return ok({ total: ids.length, results });
      },
    }),
    defineRoute({
      method: "GET",
      path: "/api/v1/backtests/{id}",
      role: "analyst",
      tag: "backtests",
      summary: "One stored backtest result in full: deployment, config file, finish time, the session summary and its tearsheet data (curves, fills, breakdowns) when stored.",
      params: BacktestIdParams,
      responses: { 200: "the result", 404: "no result with that id" },
      handle: ({ params }) => {
        const r = readBacktestResult(dir, params.id);
        return r === undefined ? fail(404, "ADMIN_NOT_FOUND", `backtest=${params.id}`) : ok({ result: r });
      },
    }),
  ];
}
