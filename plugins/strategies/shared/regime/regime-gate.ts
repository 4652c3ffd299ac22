/**
 * The regime gate a bar strategy can switch on with its `regime` params: one RegimeMonitor per
 * instrument on a shipped HMM (models/), which scales the strategy's target by the size scale of the
 * most probable state and, while the market is outside the regimes the model was trained on, by 0
 * (the strategy flattens and adds nothing). Leaving and coming back are logged with the
 * probabilities, the likelihood average and the bound. No allocation per quote.
 */
import { Type, type Static } from "../../../sdk/index.ts";
import { StrategyParamsError } from "../params-error.ts";
import { REGIME_MODELS } from "./models/index.ts";
import { RegimeEvent, RegimeMonitor } from "./regime-monitor.ts";
import type { RegimeModelFile } from "./fit-model.ts";

/** Params of the gate, embedded in a strategy's params under `regime` (absent: no gate). */
export const RegimeGateParams = Type.Object(
  {
    model: Type.String({ default: "eurusd-fxcm-1m", description: "Name of a shipped regime model (plugins/strategies/shared/regime/models)." }),
    stateScales: Type.Optional(Type.Array(Type.Number({ minimum: 0, maximum: 1 }), { minItems: 1, maxItems: 16, description: "Size scale per HMM state, calmest first (one per state). Default: 1 for every state but the busiest, which gets 0.5." })),
    outsideScale: Type.Number({ minimum: 0, maximum: 1, default: 0, description: "Size scale while the market is outside the trained distribution (0 flattens)." }),
  },
  { additionalProperties: false },
);

/** Validated gate params. */
export type RegimeGateParams = Static<typeof RegimeGateParams>;

/** Per-instrument regime monitors and the size scale they imply. */
export class RegimeGate {
  readonly file: RegimeModelFile;
  readonly scales: readonly number[];
  private readonly monitors = new Map<number, RegimeMonitor>();

  constructor(readonly p: RegimeGateParams, instruments: readonly number[], plugin: string, private readonly log: (message: string, fields?: Record<string, unknown>) => void) {
    const file = REGIME_MODELS[p.model];
    if (file === undefined) throw new StrategyParamsError(plugin, [`params.regime.model: expected one of ${Object.keys(REGIME_MODELS).join(", ")}, got "${p.model}"`]);
    const k = file.model.k;
    const scales = p.stateScales ?? Array.from({ length: k }, (_, s) => (s === k - 1 && k > 1 ? 0.5 : 1));
    if (scales.length !== k) throw new StrategyParamsError(plugin, [`params.regime.stateScales: model ${p.model} has ${k} states, got ${scales.length} scales`]);
    this.file = file;
    this.scales = scales;
    for (const i of instruments) this.monitors.set(i, new RegimeMonitor(file.model, file.barUs, file.calibration));
  }

  /** The monitor of an instrument (undefined for one the gate does not follow). */
  monitor(instrument: number): RegimeMonitor | undefined {
    return this.monitors.get(instrument);
  }

  /** Feeds a quote; logs leaving and coming back. */
  push(instrument: number, ts: number, bid: number, ask: number): void {
    const m = this.monitors.get(instrument);
    if (m === undefined) return;
    const ev = m.push(ts, bid, ask);
    if (ev === RegimeEvent.None) return;
    this.log(ev === RegimeEvent.Left ? "regime: outside the trained distribution" : "regime: back inside the trained distribution", {
      instrument, average: m.average, bound: m.calibration.bound, probs: Array.from(m.probs),
    });
  }

  /** Size scale for an instrument now: 0 before the first bar, the outside scale while outside, else the state's. */
  scale(instrument: number): number {
    const m = this.monitors.get(instrument);
    if (m === undefined || m.filter.count === 0) return m === undefined ? 1 : 0;
    if (m.outside) return this.p.outsideScale;
    return this.scales[m.regime()]!;
  }
}
