/**
 * The global position limit of a several-venue session: the engine's own position limit bounds
 * each venue's instrument; this rule bounds a symbol's total over venues (positions plus working
 * orders on the order's side plus the order), so splitting an order across venues cannot exceed
 * what the deployment allows in one symbol.
 */
import type { RiskCheck, RiskVerdict } from "../../plugins/sdk/risk.ts";
import type { RiskRule } from "./engine.ts";

/** What the rule reads. */
export interface GlobalPositionInputs {
  /** Instrument ids of the same symbol at every venue. */
  siblings(instrument: number): readonly number[];
  position(instrument: number): number;
  working(instrument: number, side: 1 | -1): number;
  /** Largest absolute total position of the symbol of `instrument`, in size units. */
  maxTotal(instrument: number): number;
  /** Symbol of an instrument without its venue. */
  symbol(instrument: number): string;
}

/** A pre-trade rule refusing with GLOBAL_POSITION_LIMIT what would breach a symbol's total. */
export function globalPositionRule(inputs: GlobalPositionInputs): RiskRule {
  return {
    name: "global-position",
    check(order: RiskCheck): RiskVerdict | null {
      const id = order.instrument.id;
      const side = order.intent.side;
      let position = 0;
      let working = 0;
      for (const s of inputs.siblings(id)) {
        position += inputs.position(s);
        working += inputs.working(s, side);
      }
      const projected = position + side * (working + order.intent.size);
      const max = inputs.maxTotal(id);
      if (Math.abs(projected) <= max || Math.abs(projected) < Math.abs(position)) return null;
      return { code: "GLOBAL_POSITION_LIMIT", reason: `symbol=${inputs.symbol(id)} projected=${projected} max=${max} position=${position} working=${working}` };
    },
  };
}
