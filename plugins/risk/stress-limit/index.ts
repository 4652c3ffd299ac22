/**
 * Stress limit: applies historical shocks (the Swiss franc de-peg of January 2015, the pound's flash
 * crash of October 2016, the yen's flash rally of January 2019) and hypothetical ones (the dollar up
 * 5%, a risk-off move, and any the deployment defines under `custom`) to the live portfolio marked at
 * the mid, and refuses an order (`STRESS_LIMIT`) when the worst scenario loss after it would exceed
 * `maxLoss` and be larger than before it. Working orders on the order's side count as filled. An
 * exposure without a conversion rate refuses orders that add exposure (`STRESS_NO_CONVERSION_RATE`).
 * Each check is O(scenarios × instruments) and allocates nothing but a refusal.
 */
import { defineRisk, type RiskContext } from "../../sdk/index.ts";
import { StressLimitParams } from "./params.ts";
import { BUILTIN_SCENARIOS, type StressScenario } from "./scenarios.ts";
import { StressBook } from "./stress-book.ts";

/** The scenarios a deployment asks for: the named built-ins (all by default) and its custom ones. */
export function resolveScenarios(p: StressLimitParams): StressScenario[] {
  const names: readonly string[] = p.scenarios ?? BUILTIN_SCENARIOS.map((s) => s.name);
  return [...BUILTIN_SCENARIOS.filter((s) => names.includes(s.name)), ...p.custom];
}

/** Writes each instrument's position (plus `extra` units of instrument `k`) as account-currency value at the mid; returns an instrument without a rate, or -1. */
export function markExposures(c: RiskContext, out: Float64Array, k: number, extra: number): number {
  for (let i = 0; i < out.length; i++) {
    const units = c.position(i) + (i === k ? extra : 0);
    if (units === 0) { out[i] = 0; continue; }
    const money = c.toAccount(i, (units * c.book(i).mid2) / 2);
    if (money === null || !c.book(i).valid) return i;
    out[i] = money;
  }
  return -1;
}

export default defineRisk({
  manifest: {
    name: "stress-limit",
    version: "0.1.0",
    kind: "risk",
    sdk: "^0.1.0",
    description: "Refuses orders after which a historical or hypothetical stress scenario would cost the portfolio more than maxLoss.",
    params: StressLimitParams,
    capabilities: [],
  },
  create(ctx) {
    const p = ctx.params;
    const book = new StressBook(ctx.instruments, resolveScenarios(p));
    const exposure = new Float64Array(ctx.instruments.length);
    return {
      check(c, o) {
        const k = o.instrument.id, side = o.intent.side;
        const before = o.position + side * o.workingSameSide;
        const adds = Math.abs(before + side * o.intent.size) > Math.abs(before);
        if (markExposures(c, exposure, k, side * o.workingSameSide) >= 0) return adds ? { code: "STRESS_NO_CONVERSION_RATE", reason: `instrument=${o.instrument.symbol}` } : null;
        const worstBefore = book.apply(exposure);
        const delta = c.toAccount(k, (side * o.intent.size * o.book.mid2) / 2);
        if (delta === null) return adds ? { code: "STRESS_NO_CONVERSION_RATE", reason: `instrument=${o.instrument.symbol}` } : null;
        exposure[k] = exposure[k]! + delta;
        const worstAfter = book.apply(exposure);
        if (-worstAfter > p.maxLoss && worstAfter < worstBefore) {
          return { code: "STRESS_LIMIT", reason: `scenario=${book.scenarios[book.worst]!.name} loss_after=${(-worstAfter).toFixed(2)} loss_before=${Math.max(0, -worstBefore).toFixed(2)} max=${p.maxLoss} instrument=${o.instrument.symbol}` };
        }
        return null;
      },
    };
  },
});

export { StressLimitParams };
