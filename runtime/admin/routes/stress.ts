/**
 * Stress scenarios on the live portfolio (analysts): the built-in historical and hypothetical shocks
 * plus the deployment's own (`GET`), or scenarios the caller sends (`POST`), each as the P&L of every
 * position at live mids in the account currency, worst first (runtime/risk/stress/report.ts).
 */
import { Type } from "@sinclair/typebox";
import type { Session } from "../../session/build.ts";
import type { StressScenario } from "../../../plugins/risk/stress-limit/scenarios.ts";
import { deploymentScenarios, pickScenarios, stressReport, type StressPortfolio } from "../../risk/stress/report.ts";
import { defineRoute, type AdminRoute } from "../http/route.ts";
import { fail, ok } from "../http/reply.ts";

/** A scenario a caller sends. */
const ScenarioBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 60 }),
    description: Type.Optional(Type.String({ maxLength: 300 })),
    moves: Type.Record(Type.String({ pattern: "^[A-Z]{3}$" }), Type.Number({ exclusiveMinimum: -100, maximum: 1000 }), { description: "Currency → percent change of its USD value." }),
  },
  { additionalProperties: false },
);

/** The live portfolio at live mids. */
function livePortfolio(session: Session): StressPortfolio {
  const core = session.core;
  return {
    instruments: session.instruments,
    accountCurrency: session.config.account.currency,
    marks: "live",
    asOf: core.now(),
    position: (i) => core.portfolio.position(i),
    mark: (i) => {
      const b = core.books.books[i];
      return b === undefined || !b.valid ? null : { bid: b.bid, ask: b.ask };
    },
    toAccount: (i, money) => {
      try {
        return core.portfolio.toAccount(i, money, session.config.account.currency);
      } catch {
        return null;
      }
    },
  };
}

/** Stress routes. */
export function stressRoutes(): AdminRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/api/v1/risk/stress",
      role: "analyst",
      tag: "risk",
      summary: "Each stress scenario (built-in historical: chf-depeg-2015, gbp-flash-2016, jpy-flash-2019; hypothetical: usd-up-5, risk-off; and the deployment's stress-limit custom ones) applied to the live portfolio at live mids, worst first.",
      query: Type.Object({ scenario: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })) }, { additionalProperties: false }),
      responses: { 200: "the report", 404: "no scenario of that name" },
      handle: ({ session, query }) => {
        let scenarios: StressScenario[];
        try {
          scenarios = pickScenarios(deploymentScenarios(session.config.risk.plugins), query.scenario);
        } catch (err) {
          return fail(404, "ADMIN_UNKNOWN_SCENARIO", (err as Error).message.replace(/^STRESS_UNKNOWN_SCENARIO: /, ""));
        }
        return ok(stressReport(livePortfolio(session), scenarios));
      },
    }),
    defineRoute({
      method: "POST",
      path: "/api/v1/risk/stress",
      role: "analyst",
      tag: "risk",
      summary: "Applies the caller's hypothetical scenarios (moves of currencies against USD, percent) to the live portfolio, with the deployment's scenarios too when `withKnown` is true; nothing is stored.",
      body: Type.Object({ scenarios: Type.Array(ScenarioBody, { minItems: 1, maxItems: 20 }), withKnown: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      responses: { 200: "the report" },
      handle: ({ session, body }) => {
        // The schema's record checks the values of well-formed keys only; every key and value is checked here.
        const problems = body.scenarios.flatMap((s, i) =>
          Object.entries(s.moves).flatMap(([ccy, pct]) => {
            const path = `/scenarios/${i}/moves/${ccy}`;
            if (!/^[A-Z]{3}$/.test(ccy)) return [{ in: "body" as const, path, reason: `expected a currency code of three capital letters, got "${ccy}"` }];
            return Number.isFinite(pct) && pct > -100 && pct <= 1000 ? [] : [{ in: "body" as const, path, reason: `expected a percent above -100 and at most 1000, got ${pct}` }];
          }),
        );
        if (problems.length > 0) return fail(400, "ADMIN_BAD_REQUEST", problems.map((p) => `body${p.path}: ${p.reason}`).join("; "), problems);
        const sent = body.scenarios.map((s) => ({ name: s.name, description: s.description ?? "", moves: s.moves }));
        return ok(stressReport(livePortfolio(session), body.withKnown === true ? [...deploymentScenarios(session.config.risk.plugins), ...sent] : sent));
      },
    }),
  ];
}
