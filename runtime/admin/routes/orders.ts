/**
 * Orders: manual submit (through the same risk chain as strategy orders, as strategy "manual"),
 * status, cancel and a filtered list. Commands first bring kernel time up to the wall clock so
 * orders carry the right ts.
 */
import { Type } from "@sinclair/typebox";
import type { Order } from "../../execution/order.ts";
import { defineRoute, type AdminRoute } from "../http/route.ts";
import { fail, ok } from "../http/reply.ts";
import { IdParams, Limit, SymbolText } from "../http/schemas.ts";
import { orderJson } from "../views.ts";
import { orderFromRecords } from "../../journal/order-index.ts";
import { ManualOrderBody, toIntent } from "./order-intent.ts";

/** The strategy name manual orders carry. */
export const MANUAL = "manual";

const Status = Type.Union(
  ["open", "pending", "working", "partially-filled", "filled", "pending-cancel", "canceled", "rejected", "expired"].map((s) => Type.Literal(s)),
  { description: "an order status, or \"open\" for every non-terminal one" },
);

const OPEN = new Set(["pending", "working", "partially-filled", "pending-cancel"]);

/** Order routes. */
export function orderRoutes(): AdminRoute[] {
  return [
    defineRoute({
      method: "POST",
      path: "/api/v1/orders",
      role: "trader",
      tag: "orders",
      summary: "Sends a manual order through the risk chain; prices and sizes are decimal text at the instrument's scale.",
      body: ManualOrderBody,
      responses: { 201: "accepted by risk and sent to the venue", 422: "refused by risk (the order is recorded as rejected)" },
      handle: ({ session, run, body }) => {
        const r = toIntent(body, session.instruments, session.venues.venues[0]?.name ?? "");
        if (!r.ok) return fail(400, "ADMIN_BAD_REQUEST", r.problems.map((p) => `body${p.path}: ${p.reason}`).join("; "), r.problems);
        const core = session.core;
        run.syncClock();
        const id = core.submit(MANUAL, r.intent);
        const order = core.oms.get(id)!;
        const view = orderJson(session.instruments, order);
        if (order.status === "rejected") {
          const code = order.reason.split(":")[0] ?? "RISK_REJECTED";
          return { status: 422, body: { error: { code, message: order.reason }, order: view } };
        }
        return ok({ order: view }, 201);
      },
    }),
    defineRoute({
      method: "GET",
      path: "/api/v1/orders",
      snapshot: true,
      role: "analyst",
      tag: "orders",
      summary: "Lists orders the OMS keeps (every open one, the most recent finished ones), newest first, filtered by status, instrument and strategy.",
      query: Type.Object(
        { status: Type.Optional(Status), instrument: Type.Optional(SymbolText), strategy: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), limit: Limit },
        { additionalProperties: false },
      ),
      responses: { 200: "orders" },
      handle: ({ session, query }) => {
        const inst = query.instrument === undefined ? undefined : session.instruments.find((i) => i.symbol === query.instrument);
        if (query.instrument !== undefined && inst === undefined) return fail(400, "ADMIN_BAD_REQUEST", `query/instrument: unknown instrument "${query.instrument}"`, [{ in: "query", path: "/instrument", reason: "unknown instrument" }]);
        const source: Iterable<Order> = query.status === "open" ? session.core.oms.openOrders() : session.core.oms.all();
        const matched: Order[] = [];
        for (const o of source) {
          if (query.status !== undefined && query.status !== "open" && o.status !== query.status) continue;
          if (query.status === "open" && !OPEN.has(o.status)) continue;
          if (inst !== undefined && o.instrument !== inst.id) continue;
          if (query.strategy !== undefined && o.strategy !== query.strategy) continue;
          matched.push(o);
        }
        matched.sort((a, b) => b.id - a.id);
        return ok({ total: matched.length, orders: matched.slice(0, query.limit).map((o) => orderJson(session.instruments, o)) });
      },
    }),
    defineRoute({
      method: "GET",
      path: "/api/v1/orders/{id}",
      snapshot: true,
      role: "analyst",
      tag: "orders",
      summary: "One order's status; an order the OMS no longer holds in memory (finished long ago) is read back from the journal.",
      params: IdParams,
      responses: { 200: "the order", 404: "no such order" },
      handle: ({ session, params }) => {
        let o = session.core.oms.get(params.id);
        if (o === undefined && session.journal !== null && params.id > 0 && params.id <= session.core.oms.orderIds.current) {
          session.journal.flush();
          const found = session.journal.index.lookup(params.id);
          if (found !== null) o = orderFromRecords(found);
        }
        if (o === undefined) return fail(404, "ADMIN_UNKNOWN_ORDER", `order=${params.id}`);
        return ok({ order: orderJson(session.instruments, o) });
      },
    }),
    defineRoute({
      method: "DELETE",
      path: "/api/v1/orders/{id}",
      role: "trader",
      tag: "orders",
      summary: "Asks the venue to cancel an order (any strategy's); the answer arrives on /ws/trades.",
      params: IdParams,
      responses: { 202: "cancel requested", 404: "no such order", 409: "the order can no longer be canceled" },
      handle: ({ session, run, params }) => {
        const core = session.core;
        const o = core.oms.get(params.id);
        if (o === undefined) return fail(404, "ADMIN_UNKNOWN_ORDER", `order=${params.id}`);
        run.syncClock();
        if (!core.cancel(null, params.id)) return fail(409, "ADMIN_NOT_CANCELABLE", `order=${params.id} status=${o.status}`);
        return ok({ order: orderJson(session.instruments, o) }, 202);
      },
    }),
  ];
}
