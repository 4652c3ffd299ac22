/**
 * Applies stress scenarios to a portfolio: for each scenario, the P&L of every position marked at
 * the mid (account currency) under the scenario's pair moves. The per-instrument moves are resolved
 * once; a pass costs O(scenarios × instruments) and allocates nothing.
 */
import type { Instrument } from "../../sdk/index.ts";
import { pairMove, type StressScenario } from "./scenarios.ts";

/** One scenario's outcome on a portfolio. */
export interface StressOutcome {
  readonly scenario: string;
  readonly description: string;
  /** P&L in the account currency (negative is a loss). */
  readonly pnl: number;
}

/** Scenario moves resolved per instrument, and the scratch of the last pass. */
export class StressBook {
  /** moves[s * n + i]: relative move of instrument i under scenario s. */
  readonly moves: Float64Array;
  /** P&L of each scenario after the last `apply`. */
  readonly pnl: Float64Array;
  /** Index of the worst scenario after the last `apply`. */
  worst = 0;

  constructor(readonly instruments: readonly Instrument[], readonly scenarios: readonly StressScenario[]) {
    const n = instruments.length;
    this.moves = new Float64Array(scenarios.length * n);
    scenarios.forEach((s, k) => instruments.forEach((inst, i) => (this.moves[k * n + i] = pairMove(s, inst.base, inst.quote))));
    this.pnl = new Float64Array(scenarios.length);
  }

  /** Applies every scenario to exposures (account-currency value of each position, signed); returns the worst P&L. */
  apply(exposure: Float64Array): number {
    const n = this.instruments.length;
    let worst = Infinity;
    for (let k = 0; k < this.scenarios.length; k++) {
      let p = 0;
      for (let i = 0; i < n; i++) p += exposure[i]! * this.moves[k * n + i]!;
      this.pnl[k] = p;
      if (p < worst) { worst = p; this.worst = k; }
    }
    return worst;
  }

  /** The outcomes of the last `apply`, worst first (allocates: for reports, not the order path). */
  report(): StressOutcome[] {
    return this.scenarios.map((s, k) => ({ scenario: s.name, description: s.description, pnl: this.pnl[k]! })).sort((a, b) => a.pnl - b.pnl);
  }
}
