/**
 * EMA crossover, the plain trend-following baseline: on each bar close, when the fast EMA of the
 * mid crosses the slow one it takes the cross's direction, and holds it until the next cross. The
 * position is `orderSize` scaled by the volatility throttle (shared/vol-buckets.ts): calm buckets
 * trade full size, busier ones less, and the extreme bucket goes flat until volatility falls
 * back. Orders are marketable IOCs at the touch sent by a TargetExecutor, one in flight per
 * instrument, never when the spread is wider than `maxSpreadTicks`. It adds exposure only while the
 * trading state is "active"; "reducing" lets it shrink toward flat, "halted" stops all orders.
 * The maths is kept in the plugin (bar EMAs, not the feature engine's per-tick EMAs, whose
 * half-lives are fixed per deployment) and allocates nothing per quote.
 */
import { defineStrategy } from "../../sdk/index.ts";
import { BarEma, BarSampler } from "../shared/bars.ts";
import { TargetExecutor } from "../shared/target-executor.ts";
import { barTargetHooks } from "../shared/bar-target-hooks.ts";
import { RegimeGate } from "../shared/regime/regime-gate.ts";
import { StrategyParamsError } from "../shared/params-error.ts";
import { VolBuckets } from "../shared/vol-buckets.ts";
import { EmaCrossoverParams } from "./params.ts";

/** What the crossover keeps per instrument. */
interface Slot {
  readonly bars: BarSampler;
  readonly fast: BarEma;
  readonly slow: BarEma;
  readonly vol: VolBuckets;
  readonly exec: TargetExecutor;
  /** Sign of (fast - slow) at the last bar; 0 before both EMAs are ready. */
  lastSign: number;
  /** Direction taken at the last cross: 1, -1, or 0 before the first cross. */
  dir: number;
  target: number;
}

export default defineStrategy({
  manifest: {
    name: "ema-crossover",
    version: "0.1.0",
    kind: "strategy",
    sdk: "^0.1.0",
    description: "Fast/slow EMA crossover on bar closes with a realised-volatility throttle that scales size and pauses in the extreme bucket.",
    params: EmaCrossoverParams,
    instruments: { min: 1 },
    capabilities: ["orders"],
  },
  create(ctx) {
    const p = ctx.params;
    if (p.slowBars <= p.fastBars) throw new StrategyParamsError("ema-crossover", [`params.slowBars=${p.slowBars} must exceed params.fastBars=${p.fastBars}`]);
    const slots = new Map<number, Slot>();
    for (const inst of ctx.instruments) {
      slots.set(inst.id, {
        bars: new BarSampler(p.barUs), fast: new BarEma(p.fastBars), slow: new BarEma(p.slowBars), vol: new VolBuckets(p.vol, "ema-crossover"),
        exec: new TargetExecutor(inst, p.rejectBackoffUs), lastSign: 0, dir: 0, target: 0,
      });
    }

    function onBar(s: Slot, close: number, instrument: number): void {
      s.fast.update(close);
      s.slow.update(close);
      const bucket = s.vol.update(close);
      if (!s.slow.ready) return;
      const sign = Math.sign(s.fast.value - s.slow.value);
      if (sign !== 0 && s.lastSign !== 0 && sign !== s.lastSign) {
        s.dir = sign;
        ctx.log("cross", { instrument, dir: sign, fast: s.fast.value, slow: s.slow.value, bucket });
      }
      if (sign !== 0) s.lastSign = sign;
      const target = s.exec.lots(s.dir * p.orderSize * s.vol.scale());
      if (target !== s.target) ctx.log("target", { instrument, target, bucket });
      s.target = target;
    }

    const gate = p.regime === undefined ? null : new RegimeGate(p.regime, ctx.instruments.map((i) => i.id), "ema-crossover", (m, f) => ctx.log(m, f));
    return barTargetHooks(ctx, slots, p.maxSpreadTicks, "ema:target", onBar, gate);
  },
});

export { EmaCrossoverParams };
