/**
 * Stress report of a portfolio: each scenario's P&L on every position, valued at its mark in the
 * account currency (first order: exposure × the pair's move under the scenario), worst first. The
 * same arithmetic as the `stress-limit` rule (plugins/risk/stress-limit), for operators: the admin
 * API applies it to the live portfolio at live mids, `kestrel risk stress` to the journaled one.
 */
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import { BUILTIN_SCENARIOS, pairMove, type StressScenario } from "../../../plugins/risk/stress-limit/scenarios.ts";

/** What a stress report reads of a portfolio. */
export interface StressPortfolio {
  readonly instruments: readonly Instrument[];
  readonly accountCurrency: string;
  /** Where the marks come from: live quotes or each instrument's last fill price. */
  readonly marks: "live" | "last-fill";
  /** Kernel time (µs) the portfolio is as of. */
  readonly asOf: number;
  position(instrument: number): number;
  /** Bid and ask of an instrument (price ticks); null when it has none. */
  mark(instrument: number): { bid: number; ask: number } | null;
  /** Money (price ticks × size units) in the account currency; null without a rate. */
  toAccount(instrument: number, money: number): number | null;
}

/** One scenario's outcome. */
export interface StressScenarioOutcome {
  readonly scenario: string;
  readonly description: string;
  readonly moves: Readonly<Record<string, number>>;
  /** P&L in the account currency (negative is a loss), rounded to cents. */
  readonly pnl: number;
  readonly byInstrument: { instrument: string; movePercent: number; pnl: number }[];
}

/** A stress report. */
export interface StressReport {
  readonly accountCurrency: string;
  readonly marks: "live" | "last-fill";
  readonly asOf: number;
  readonly positions: { instrument: string; position: number; mid: number | null; exposure: number | null }[];
  /** Instruments with a position that could not be valued (no mark or no rate): left out of every scenario. */
  readonly unvalued: string[];
  /** Worst first. */
  readonly scenarios: StressScenarioOutcome[];
  readonly worst: { scenario: string; pnl: number } | null;
}

const cents = (x: number): number => Math.round(x * 100) / 100;

/** Applies `scenarios` to the portfolio. */
export function stressReport(p: StressPortfolio, scenarios: readonly StressScenario[]): StressReport {
  const positions: StressReport["positions"] = [];
  const unvalued: string[] = [];
  const exposure: (number | null)[] = p.instruments.map((inst) => {
    const units = p.position(inst.id);
    if (units === 0) return null;
    const m = p.mark(inst.id);
    const mid = m === null || !(m.bid > 0 && m.ask > 0) ? null : (m.bid + m.ask) / 2;
    const value = mid === null ? null : p.toAccount(inst.id, units * mid);
    positions.push({ instrument: inst.symbol, position: units, mid, exposure: value === null ? null : cents(value) });
    if (value === null) unvalued.push(inst.symbol);
    return value;
  });
  const outcomes = scenarios.map((s) => {
    const byInstrument: StressScenarioOutcome["byInstrument"] = [];
    let pnl = 0;
    p.instruments.forEach((inst, i) => {
      const e = exposure[i];
      if (e === null || e === undefined) return;
      const move = pairMove(s, inst.base, inst.quote);
      pnl += e * move;
      byInstrument.push({ instrument: inst.symbol, movePercent: Math.round(move * 1e6) / 1e4, pnl: cents(e * move) });
    });
    return { scenario: s.name, description: s.description, moves: s.moves, pnl: cents(pnl), byInstrument };
  });
  outcomes.sort((a, b) => a.pnl - b.pnl);
  const w = outcomes[0];
  return { accountCurrency: p.accountCurrency, marks: p.marks, asOf: p.asOf, positions, unvalued, scenarios: outcomes, worst: w === undefined ? null : { scenario: w.scenario, pnl: w.pnl } };
}

/** A deployment's risk plugin entry, as much as scenario lookup needs. */
interface RiskPluginEntry {
  readonly plugin: string;
  readonly params?: unknown;
}

/** The scenarios a deployment knows: the built-ins and the `custom` ones of its `stress-limit` rules. */
export function deploymentScenarios(plugins: readonly RiskPluginEntry[] | undefined): StressScenario[] {
  const custom = (plugins ?? [])
    .filter((r) => r.plugin === "stress-limit")
    .flatMap((r) => ((r.params as { custom?: { name: string; description?: string; moves: Record<string, number> }[] } | undefined)?.custom ?? []))
    .map((c) => ({ name: c.name, description: c.description ?? "", moves: c.moves }));
  return [...BUILTIN_SCENARIOS, ...custom];
}

/** Picks one scenario by name, or all when `name` is undefined; throws STRESS_UNKNOWN_SCENARIO naming the known ones. */
export function pickScenarios(all: readonly StressScenario[], name: string | undefined): StressScenario[] {
  if (name === undefined) return [...all];
  const s = all.find((x) => x.name === name);
  if (s === undefined) throw new Error(`STRESS_UNKNOWN_SCENARIO: scenario=${name} known=${all.map((x) => x.name).join(",")}`);
  return [s];
}
