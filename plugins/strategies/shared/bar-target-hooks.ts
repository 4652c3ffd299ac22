/**
 * The hooks every bar-driven target strategy shares (ema-crossover, momentum-breakout): on each
 * quote, close a bar when one ends and let the strategy set its target; then, unless the spread is
 * wider than `maxSpreadTicks`, drive the position toward the target with the instrument's
 * TargetExecutor. Orders, trading-state changes and the stop are handled the same way for all.
 * With a regime gate (the strategy's `regime` params) every quote also feeds the gate's HMM monitor,
 * and the position driven to is the target times the gate's scale.
 */
import type { Quote, StrategyContext, StrategyHooks } from "../../sdk/index.ts";
import type { BarSampler } from "./bars.ts";
import type { TargetExecutor } from "./target-executor.ts";
import type { RegimeGate } from "./regime/regime-gate.ts";

/** What such a strategy keeps per instrument, as far as these hooks need. */
export interface BarTargetSlot {
  readonly bars: BarSampler;
  readonly exec: TargetExecutor;
  target: number;
}

/** Returns the shared hooks; `onBar` sets `slot.target` from a closed bar's mid; orders are tagged `tag`; `gate` (or null) scales the target. */
export function barTargetHooks<S extends BarTargetSlot>(
  ctx: StrategyContext,
  slots: ReadonlyMap<number, S>,
  maxSpreadTicks: number,
  tag: string,
  onBar: (slot: S, close: number, instrument: number) => void,
  gate: RegimeGate | null = null,
): StrategyHooks {
  return {
    onQuote(_ctx, q: Quote) {
      const s = slots.get(q.instrument);
      if (s === undefined) return;
      if (s.bars.push(q.ts, (q.bid + q.ask) / 2)) onBar(s, s.bars.close, q.instrument);
      if (gate !== null) gate.push(q.instrument, q.ts, q.bid, q.ask);
      if (q.ask - q.bid > maxSpreadTicks) return;
      const target = gate === null ? s.target : s.exec.lots(s.target * gate.scale(q.instrument));
      s.exec.drive(ctx, ctx.book(q.instrument), target, tag);
    },
    onOrder(_ctx, o) {
      slots.get(o.instrument)?.exec.onOrder(o, ctx.now());
    },
    onTradingState(_ctx, state) {
      ctx.log("trading state", { state });
    },
    onStop() {
      ctx.cancelAll();
    },
  };
}
