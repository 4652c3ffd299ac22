/**
 * HMM regime rule: the deployment-wide counterpart of the strategies' regime gate. One
 * RegimeMonitor per watched instrument (a shipped Gaussian HMM, forward filter on every quote, the
 * calibrated likelihood bound; strategies/shared/regime) decides whether the market has left the
 * regimes the model was trained on. While any watched instrument is outside, the rule behaves as the
 * risk engine's "reducing" state: an order that would add exposure is refused (`REGIME_OUTSIDE`);
 * after `haltAfterBars` bars outside it behaves as "halted": every order is refused
 * (`REGIME_HALTED`). Back inside, orders pass again. Each change is logged with the probabilities,
 * the likelihood average and the bound. No allocation per quote.
 */
import { defineRisk } from "../../sdk/index.ts";
import { REGIME_MODELS } from "../../strategies/shared/regime/models/index.ts";
import { RegimeEvent, RegimeMonitor } from "../../strategies/shared/regime/regime-monitor.ts";
import { HmmRegimeParams } from "./params.ts";

/** What the rule lets through. */
type RegimeHold = "active" | "reducing" | "halted";

export default defineRisk({
  manifest: {
    name: "hmm-regime",
    version: "0.1.0",
    kind: "risk",
    sdk: "^0.1.0",
    description: "Refuses orders that add exposure (then all orders) while an HMM finds the market outside the regimes it was trained on.",
    params: HmmRegimeParams,
    capabilities: [],
  },
  create(ctx) {
    const p = ctx.params;
    const file = REGIME_MODELS[p.model];
    if (file === undefined) throw new Error(`hmm-regime: params.model: expected one of ${Object.keys(REGIME_MODELS).join(", ")}, got "${p.model}"`);
    const watched = p.instruments ?? ctx.instruments.map((i) => i.symbol);
    const monitors: (RegimeMonitor | undefined)[] = ctx.instruments.map((i) =>
      watched.includes(i.symbol) || watched.includes(i.symbol.split("@")[0]!) ? new RegimeMonitor(file.model, file.barUs, file.calibration) : undefined,
    );
    const unknown = watched.filter((s) => !ctx.instruments.some((i) => i.symbol === s || i.symbol.split("@")[0] === s));
    if (unknown.length > 0) throw new Error(`hmm-regime: params.instruments: not instruments of the deployment: ${unknown.join(", ")}`);
    let hold: RegimeHold = "active";
    let outsideBars = 0;

    function setHold(next: RegimeHold, instrument: number, m: RegimeMonitor): void {
      if (next === hold) return;
      ctx.log(`regime: ${next}`, { instrument: ctx.instruments[instrument]!.symbol, from: hold, average: m.average, bound: m.calibration.bound, probs: Array.from(m.probs), outsideBars });
      hold = next;
    }

    return {
      onQuote(_c, q) {
        const m = monitors[q.instrument];
        if (m === undefined) return;
        const before = m.features.count;
        const ev = m.push(q.ts, q.bid, q.ask);
        if (m.features.count === before) return;
        let anyOutside = false;
        for (const x of monitors) if (x !== undefined && x.outside) anyOutside = true;
        outsideBars = anyOutside ? outsideBars + 1 : 0;
        if (!anyOutside) setHold("active", q.instrument, m);
        else if (p.haltAfterBars > 0 && outsideBars >= p.haltAfterBars) setHold("halted", q.instrument, m);
        else if (ev === RegimeEvent.Left || hold === "active") setHold("reducing", q.instrument, m);
      },
      check(_c, o) {
        if (hold === "active") return null;
        if (hold === "halted") return { code: "REGIME_HALTED", reason: `outside_bars=${outsideBars} model=${p.model} instrument=${o.instrument.symbol}` };
        const position = o.position + o.intent.side * o.workingSameSide;
        const after = position + o.intent.side * o.intent.size;
        const reduces = Math.abs(after) <= Math.abs(position) && (after === 0 || Math.sign(after) === Math.sign(position));
        return reduces ? null : { code: "REGIME_OUTSIDE", reason: `outside_bars=${outsideBars} model=${p.model} position=${o.position} side=${o.intent.side} size=${o.intent.size} instrument=${o.instrument.symbol}` };
      },
    };
  },
});

export { HmmRegimeParams };
