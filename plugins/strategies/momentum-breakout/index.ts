/**
 * Momentum breakout (Donchian with an EMA trend filter): on each bar close, a close above the
 * highest of the previous `entryBars` closes, and above the `trendBars` EMA, goes long; a close
 * below the lowest and below the EMA goes short. A long exits when a close falls below the lowest
 * of the previous `exitBars` closes or below the EMA (a short symmetrically). The position is
 * `orderSize` scaled by the volatility throttle shared with ema-crossover (shared/vol-buckets.ts):
 * the extreme bucket goes flat. Orders are marketable IOCs at the touch sent by a TargetExecutor,
 * one in flight per instrument. It adds exposure only while the trading state is "active";
 * "reducing" lets it shrink toward flat, "halted" stops all orders. Allocation-free per quote.
 */
import { defineStrategy } from "../../sdk/index.ts";
import { BarEma, BarSampler } from "../shared/bars.ts";
import { TargetExecutor } from "../shared/target-executor.ts";
import { barTargetHooks } from "../shared/bar-target-hooks.ts";
import { RegimeGate } from "../shared/regime/regime-gate.ts";
import { VolBuckets } from "../shared/vol-buckets.ts";
import { DonchianChannel } from "./channel.ts";
import { MomentumBreakoutParams } from "./params.ts";

/** What the breakout keeps per instrument. */
interface Slot {
  readonly bars: BarSampler;
  readonly entry: DonchianChannel;
  readonly exit: DonchianChannel;
  readonly trend: BarEma;
  readonly vol: VolBuckets;
  readonly exec: TargetExecutor;
  /** Direction held: 1 long, -1 short, 0 flat. */
  dir: number;
  target: number;
}

export default defineStrategy({
  manifest: {
    name: "momentum-breakout",
    version: "0.1.0",
    kind: "strategy",
    sdk: "^0.1.0",
    description: "Donchian channel breakout with an EMA trend filter and a realised-volatility throttle that scales size and pauses in the extreme bucket.",
    params: MomentumBreakoutParams,
    instruments: { min: 1 },
    capabilities: ["orders"],
  },
  create(ctx) {
    const p = ctx.params;
    const slots = new Map<number, Slot>();
    for (const inst of ctx.instruments) {
      slots.set(inst.id, {
        bars: new BarSampler(p.barUs), entry: new DonchianChannel(p.entryBars), exit: new DonchianChannel(p.exitBars),
        trend: new BarEma(p.trendBars), vol: new VolBuckets(p.vol, "momentum-breakout"), exec: new TargetExecutor(inst, p.rejectBackoffUs), dir: 0, target: 0,
      });
    }

    function onBar(s: Slot, close: number, instrument: number): void {
      const ema = s.trend.update(close);
      const bucket = s.vol.update(close);
      if (s.entry.ready && s.trend.ready) {
        const prevDir = s.dir;
        if (s.dir > 0 && (close < s.exit.low() || close < ema)) s.dir = 0;
        else if (s.dir < 0 && (close > s.exit.high() || close > ema)) s.dir = 0;
        if (s.dir <= 0 && close > s.entry.high() && close > ema) s.dir = 1;
        else if (s.dir >= 0 && close < s.entry.low() && close < ema) s.dir = -1;
        if (s.dir !== prevDir) ctx.log(s.dir === 0 ? "exit" : "breakout", { instrument, dir: s.dir, close, ema, bucket });
      }
      s.entry.push(close);
      s.exit.push(close);
      const target = s.exec.lots(s.dir * p.orderSize * s.vol.scale());
      if (target !== s.target) ctx.log("target", { instrument, target, bucket });
      s.target = target;
    }

    const gate = p.regime === undefined ? null : new RegimeGate(p.regime, ctx.instruments.map((i) => i.id), "momentum-breakout", (m, f) => ctx.log(m, f));
    return barTargetHooks(ctx, slots, p.maxSpreadTicks, "breakout:target", onBar, gate);
  },
});

export { MomentumBreakoutParams };
