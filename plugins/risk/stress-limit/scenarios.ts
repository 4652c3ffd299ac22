/**
 * Stress scenarios as moves of each currency's value against the US dollar (percent; USD itself
 * 0 unless the scenario moves it against all). A pair's move is then exact for any pair, cross or
 * not: base/quote changes by (1 + base%) / (1 + quote%) − 1. The historical ones reproduce the
 * size of the worst move of the day, approximately, from the widely reported levels; they are
 * shapes to stress against, not data.
 */

/** A named scenario: percent moves of currencies against USD. */
export interface StressScenario {
  readonly name: string;
  readonly description: string;
  /** Currency → percent change of its USD value (e.g. CHF: 16 means the franc is worth 16% more dollars). */
  readonly moves: Readonly<Record<string, number>>;
}

/** Built-in scenarios. */
export const BUILTIN_SCENARIOS: readonly StressScenario[] = [
  {
    name: "chf-depeg-2015",
    description: "15 Jan 2015, the SNB drops the EURCHF 1.20 floor: USDCHF about 1.02 → 0.86 within the morning, EURUSD down about 1%.",
    moves: { CHF: 18.6, EUR: -1 },
  },
  {
    name: "gbp-flash-2016",
    description: "7 Oct 2016, Asian-session flash crash: GBPUSD about 1.26 → 1.18 in two minutes (low prints near 1.15).",
    moves: { GBP: -6.1 },
  },
  {
    name: "jpy-flash-2019",
    description: "3 Jan 2019, yen flash rally: USDJPY about 108.7 → 104.9, AUDJPY about 79 → 72.3.",
    moves: { JPY: 3.6, AUD: -5.2, NZD: -3.5 },
  },
  {
    name: "usd-up-5",
    description: "Hypothetical: the dollar gains 5% against every other currency.",
    moves: { EUR: -4.76, GBP: -4.76, JPY: -4.76, CHF: -4.76, AUD: -4.76, CAD: -4.76, NZD: -4.76 },
  },
  {
    name: "risk-off",
    description: "Hypothetical: havens up (JPY +4%, CHF +3%), commodity currencies down (AUD, NZD −4%, CAD −2%), GBP −2%, EUR −1%.",
    moves: { JPY: 4, CHF: 3, AUD: -4, NZD: -4, CAD: -2, GBP: -2, EUR: -1 },
  },
];

/** The relative move of base/quote under a scenario. */
export function pairMove(s: StressScenario, base: string, quote: string): number {
  return (1 + (s.moves[base] ?? 0) / 100) / (1 + (s.moves[quote] ?? 0) / 100) - 1;
}
