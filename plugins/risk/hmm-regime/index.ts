/**
 * HMM regime rule: the deployment-wide counterpart of the strategies' regime gate. One
 * RegimeMonitor per watched instrument (a shipped Gaussian HMM, forward filter on every quote, the
 * calibrated likelihood bound; strategies/shared/regime) decides whether the market has left the
 * regimes the model was trained on; the forward filter runs in the WASM kernel (`filter: wasm`, the
 * default) or its TypeScript twin. While any watched instrument is outside, the rule asks the risk
 * engine for the trading state `outsideState` ("reducing" by default: only orders that shrink a
 * position pass, refused with `RULE_REDUCING`); after `haltAfterBars` bars outside it asks for
 * "halted" (`RULE_HALTED`, and working orders are canceled). Back inside, it withdraws the request
 * when `resume` is "auto"; with "operator" the state stands until an operator releases it (admin
 * `POST /api/v1/risk/rules/{rule}/release`). The engine journals, alerts and tells the strategies;
 * the rule also logs each change with the probabilities, the likelihood average and the bound, and
 * reports them to operators through `status`. No allocation per quote between changes.
 */
import { defineRisk, type TradingState } from "../../sdk/index.ts";
import { REGIME_MODELS } from "../../strategies/shared/regime/models/index.ts";
import { RegimeMonitor } from "../../strategies/shared/regime/regime-monitor.ts";
import { HmmRegimeParams } from "./params.ts";

export default defineRisk({
  manifest: {
    name: "hmm-regime",
    version: "0.2.0",
    kind: "risk",
    sdk: "^0.1.0",
    description: "Moves the deployment to reducing (then halted) while an HMM finds the market outside the regimes it was trained on.",
    params: HmmRegimeParams,
    capabilities: [],
  },
  create(ctx) {
    const p = ctx.params;
    const file = REGIME_MODELS[p.model];
    if (file === undefined) throw new Error(`hmm-regime: params.model: expected one of ${Object.keys(REGIME_MODELS).join(", ")}, got "${p.model}"`);
    const watched = p.instruments ?? ctx.instruments.map((i) => i.symbol);
    const monitors: (RegimeMonitor | undefined)[] = ctx.instruments.map((i) =>
      watched.includes(i.symbol) || watched.includes(i.symbol.split("@")[0]!) ? new RegimeMonitor(file.model, file.barUs, file.calibration, p.filter) : undefined,
    );
    const unknown = watched.filter((s) => !ctx.instruments.some((i) => i.symbol === s || i.symbol.split("@")[0] === s));
    if (unknown.length > 0) throw new Error(`hmm-regime: params.instruments: not instruments of the deployment: ${unknown.join(", ")}`);
    let outsideBars = 0;
    /** True after an operator released the rule's request while the market was still outside: it stands until the market returns. */
    let released = false;

    /** The state this rule last asked for. */
    let asked: TradingState = "active";

    function request(next: TradingState, instrument: number, m: RegimeMonitor): void {
      const from = ctx.requestedTradingState();
      asked = next;
      if (next === from) return;
      const symbol = ctx.instruments[instrument]!.symbol;
      ctx.log(`regime: ${next}`, { instrument: symbol, from, average: m.average, bound: m.calibration.bound, probs: Array.from(m.probs), outsideBars });
      ctx.requestTradingState(next, `model=${p.model} instrument=${symbol} outside_bars=${outsideBars} average=${m.average.toFixed(3)} bound=${m.calibration.bound.toFixed(3)}`);
    }

    return {
      onQuote(_c, q) {
        const m = monitors[q.instrument];
        if (m === undefined) return;
        const before = m.features.count;
        m.push(q.ts, q.bid, q.ask);
        if (m.features.count === before) return;
        let anyOutside = false;
        for (const x of monitors) if (x !== undefined && x.outside) anyOutside = true;
        outsideBars = anyOutside ? outsideBars + 1 : 0;
        if (asked !== "active" && ctx.requestedTradingState() === "active") {
          // An operator released the request; while the market is still outside that stands until it returns and leaves again.
          asked = "active";
          if (anyOutside) released = true;
        }
        if (!anyOutside) {
          released = false;
          if (p.resume === "auto") request("active", q.instrument, m);
          return;
        }
        if (released) return;
        if (p.haltAfterBars > 0 && outsideBars >= p.haltAfterBars) request("halted", q.instrument, m);
        else if (asked === "active") request(p.outsideState, q.instrument, m);
      },
      check: () => null,
      status() {
        return {
          model: p.model,
          filter: p.filter,
          requested: ctx.requestedTradingState(),
          outsideBars,
          releasedByOperator: released,
          instruments: ctx.instruments.flatMap((i) => {
            const m = monitors[i.id];
            if (m === undefined) return [];
            return [{ instrument: i.symbol, outside: m.outside, regime: m.regime(), probs: Array.from(m.probs), average: Number.isFinite(m.average) ? m.average : null, bound: m.calibration.bound, bars: m.features.count }];
          }),
        };
      },
    };
  },
});

export { HmmRegimeParams };
