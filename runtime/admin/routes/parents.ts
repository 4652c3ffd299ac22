/**
 * Parent orders and their algorithms: list and read parents with their children, their TCA, and
 * (traders) start an algorithm on a parent as the operator ("manual"), pause, resume and cancel
 * one. Commands bring kernel time up to the wall clock first; the algorithms host journals them
 * with the token's subject.
 */
import { Type } from "@sinclair/typebox";
import type { Session } from "../../session/build.ts";
import { instrumentsNamed } from "../../session/venues/deployment-venues.ts";
import { defineRoute, type AdminRoute } from "../http/route.ts";
import { fail, ok, type Reply } from "../http/reply.ts";
import { IdParams } from "../http/schemas.ts";
import { orderJson } from "../views.ts";
import { parentFromJournal, type JournaledParent } from "../../execution/parents/parent-from-journal.ts";

const StartBody = Type.Object(
  {
    algo: Type.String({ minLength: 1, description: "algorithm instance name from the deployment's execution.algos" }),
    instrument: Type.String({ pattern: "^[A-Z0-9._-]{2,32}(@[a-z0-9][a-z0-9-]{0,63})?$", description: "symbol (EURUSD) or symbol at a venue (EURUSD@fxcm)" }),
    side: Type.Union([Type.Literal("buy"), Type.Literal("sell")]),
    quantity: Type.Integer({ minimum: 1, description: "size units" }),
    limitPrice: Type.Optional(Type.Integer({ minimum: 1, description: "worst price in ticks" })),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

function parentJson(session: Session, id: number, journaled?: JournaledParent) {
  const p = journaled?.parent ?? session.algos!.parents.get(id)!;
  const kids = new Map(journaled?.children.map((o) => [o.id, o]));
  return {
    ...p.toJSON(),
    symbol: session.instruments[p.spec.instrument]?.symbol,
    children: p.children.map((c) => {
      const o = session.core.oms.get(c) ?? kids.get(c);
      return o === undefined ? { id: c } : { ...orderJson(session.instruments, o), venue: session.instruments[o.instrument]?.venue };
    }),
  };
}

/** A finished parent the session dropped from memory, read back from the journal (null: not one). */
function journaledParent(session: Session, id: number): JournaledParent | null {
  const algos = session.algos;
  if (algos === null || session.journal === null || !algos.parents.forgotten(id)) return null;
  session.journal.flush();
  return parentFromJournal(session.journal.index, id, (algo) => algos.deps.algos.get(algo)?.plugin.manifest.selfFinishing === true);
}

function withParent(session: Session, id: number, fn: () => Reply): Reply {
  if (session.algos === null) return fail(404, "ADMIN_NO_ALGOS", "the deployment has no execution.algos");
  if (session.algos.parents.get(id) === undefined) {
    const old = journaledParent(session, id);
    if (old !== null) return fail(409, "ADMIN_PARENT_STATE", `parent=${id} status=${old.parent.status} reason=finished long ago, read back from the journal (GET /api/v1/parents/${id})`);
    return fail(404, "ADMIN_UNKNOWN_PARENT", `parent=${id}`);
  }
  return fn();
}

/** Parent order routes. */
export function parentRoutes(): AdminRoute[] {
  const command = (action: "pause" | "resume" | "cancel", summary: string) =>
    defineRoute({
      method: "POST",
      path: `/api/v1/parents/{id}/${action}`,
      role: "trader",
      tag: "parents",
      summary,
      params: IdParams,
      responses: { 200: "done", 404: "no such parent", 409: "not possible in its state" },
      handle: ({ session, run, params, principal }) =>
        withParent(session, params.id, () => {
          run.syncClock();
          const algos = session.algos!;
          const by = principal!.subject;
          const done = action === "cancel" ? algos.cancel(params.id, by) : algos.setPaused(params.id, action === "pause", by);
          if (!done) return fail(409, "ADMIN_PARENT_STATE", `parent=${params.id} status=${algos.parents.get(params.id)!.status} action=${action}`);
          return ok({ parent: parentJson(session, params.id) });
        }),
    });
  return [
    defineRoute({
      method: "GET",
      path: "/api/v1/parents",
      role: "analyst",
      tag: "parents",
      summary: "Every parent order with its algorithm, state, fills and children.",
      responses: { 200: "parents" },
      handle: ({ session }) => ok({ parents: session.algos === null ? [] : [...session.algos.parents.all()].map((p) => parentJson(session, p.id)), algos: session.algos?.algoNames() ?? [] }),
    }),
    defineRoute({
      method: "GET",
      path: "/api/v1/parents/{id}",
      role: "analyst",
      tag: "parents",
      summary: "One parent order with its children (each with its venue); a parent finished long ago (no longer in memory) is read back from the journal.",
      params: IdParams,
      responses: { 200: "the parent", 404: "no such parent" },
      handle: ({ session, params }) => {
        const old = session.algos?.parents.get(params.id) === undefined ? journaledParent(session, params.id) : null;
        if (old !== null) return ok({ parent: parentJson(session, params.id, old), fromJournal: true });
        return withParent(session, params.id, () => ok({ parent: parentJson(session, params.id) }));
      },
    }),
    defineRoute({
      method: "GET",
      path: "/api/v1/parents/{id}/tca",
      role: "analyst",
      tag: "parents",
      summary: "Transaction cost analysis of a parent: arrival price, shortfall, VWAP slippage, participation, fees, spread paid.",
      params: IdParams,
      responses: { 200: "the TCA", 404: "no such parent" },
      handle: ({ session, params }) => withParent(session, params.id, () => ok({ tca: session.algos!.tca(params.id) })),
    }),
    defineRoute({
      method: "POST",
      path: "/api/v1/parents",
      role: "trader",
      tag: "parents",
      summary: "Starts an algorithm on a new parent order (strategy \"manual\"); refused parents are kept with the reason.",
      body: StartBody,
      responses: { 201: "started", 404: "no algorithms or unknown instrument", 422: "refused (the parent is recorded as rejected)" },
      handle: ({ session, run, body }) => {
        if (session.algos === null) return fail(404, "ADMIN_NO_ALGOS", "the deployment has no execution.algos");
        const ids = instrumentsNamed(session.instruments, body.instrument);
        if (ids.length === 0) return fail(404, "ADMIN_UNKNOWN_INSTRUMENT", `instrument=${body.instrument}`);
        run.syncClock();
        const id = session.algos.submit("manual", {
          algo: body.algo,
          instrument: ids[0]!,
          side: body.side === "buy" ? 1 : -1,
          quantity: body.quantity,
          limitPrice: body.limitPrice,
          params: body.params,
        });
        const p = session.algos.parents.get(id)!;
        if (p.status === "rejected") return { status: 422, body: { error: { code: p.reason.split(":")[0] ?? "ALGO_REJECTED", message: p.reason }, parent: parentJson(session, id) } };
        return ok({ parent: parentJson(session, id) }, 201);
      },
    }),
    command("pause", "Pauses a parent's algorithm (its working children stay); journaled with the caller."),
    command("resume", "Resumes a paused parent's algorithm."),
    command("cancel", "Cancels a parent: its open children are canceled; it ends canceled (or filled) when they are done."),
  ];
}
