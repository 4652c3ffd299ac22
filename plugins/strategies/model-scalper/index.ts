/**
 * Model scalper: trades the vol-window model's signal (`ctx.signal`, p_vol x (p_long - p_short)) when
 * its magnitude reaches the threshold calibrated on validation (the model card's
 * `threshold.threshold`), taking the touch in the signal's direction with an IOC and flattening
 * with an IOC once the model's horizon has passed. The threshold adapts online within the card's
 * bounds: over a rolling window of its own round trips, a losing average raises it one step and a
 * winning one lowers it. When the signal is missing (no model, or none yet) or stale, it falls back
 * to a rule (a strong L1 imbalance) and logs the switch each way, so a dead model never leaves the
 * strategy trading blind on an old number.
 */
import { defineStrategy, Type, type Quote, type Side } from "../../sdk/index.ts";

/** Params of the model scalper. */
export const ModelScalperParams = Type.Object(
  {
    orderSize: Type.Integer({ minimum: 1, default: 100_000, description: "Entry size in units (rounded down to the lot size)." }),
    threshold: Type.Number({ exclusiveMinimum: 0, maximum: 1, description: "|signal| at or above which it enters (the card's threshold, chosen on validation)." }),
    thresholdBounds: Type.Tuple([Type.Number({ minimum: 0 }), Type.Number({ maximum: 1 })], { description: "Online re-calibration keeps the threshold within these bounds (the card's threshold.bounds)." }),
    recalibrateTrades: Type.Integer({ minimum: 0, default: 20, description: "Round trips per re-calibration window; 0 keeps the threshold fixed." }),
    holdUs: Type.Integer({ minimum: 1, default: 30_000_000, description: "Holding time (the model's horizon), then the position is flattened." }),
    maxSpreadTicks: Type.Integer({ minimum: 1, default: 20, description: "Widest spread, in ticks, at which it enters." }),
    signalStaleUs: Type.Integer({ minimum: 1, default: 30_000_000, description: "A signal unchanged for this long is treated as stale (fallback to the rule)." }),
    fallbackImbalance: Type.Number({ minimum: 0, maximum: 1, default: 0.95, description: "The fallback rule's |L1 imbalance| to enter; 1 disables the fallback." }),
    activeFrom: Type.String({ default: "", description: "ISO time before which it does not trade (e.g. the first test day); '' trades from the start." }),
  },
  { additionalProperties: false },
);

const TIMER_HOLD = 1;

export default defineStrategy({
  manifest: {
    name: "model-scalper",
    version: "0.1.0",
    kind: "strategy",
    sdk: "^0.1.0",
    description: "Trades the vol-window model's calibrated signal above its threshold for the model's horizon; falls back to an imbalance rule when the model is missing or stale.",
    params: ModelScalperParams,
    instruments: { min: 1 },
    capabilities: ["orders", "timers", "features"],
  },
  create(ctx) {
    const p = ctx.params;
    const n = Math.max(0, ...ctx.instruments.map((i) => i.id)) + 1;
    const entryAt = new Float64Array(n).fill(-1);
    const entryPx = new Float64Array(n);
    const lastSignal = new Float64Array(n).fill(NaN);
    const signalSince = new Float64Array(n);
    const fallback = new Uint8Array(n);
    const activeFrom = p.activeFrom === "" ? 0 : Date.parse(p.activeFrom) * 1000;
    let threshold = p.threshold;
    let windowPnl = 0, windowTrades = 0;
    const step = (p.thresholdBounds[1] - p.thresholdBounds[0]) / 10;
    const lotOf = new Map(ctx.instruments.map((i) => [i.id, i]));

    function signalOf(i: number, now: number): number {
      const s = ctx.signal ? ctx.signal(i) : NaN;
      if (s !== lastSignal[i]) {
        lastSignal[i] = s;
        signalSince[i] = now;
      }
      const usable = Number.isFinite(s) && now - signalSince[i]! <= p.signalStaleUs;
      if (usable === (fallback[i] === 1)) {
        fallback[i] = usable ? 0 : 1;
        ctx.log(usable ? "model signal back: trading the model" : "model signal missing or stale: falling back to the imbalance rule", { instrument: i, signal: s });
      }
      return usable ? s : NaN;
    }

    function flatten(i: number, q: Quote): void {
      const pos = ctx.position(i);
      if (pos === 0) return;
      ctx.submit({ instrument: i, side: pos > 0 ? -1 : 1, type: "limit", tif: "IOC", price: pos > 0 ? q.bid : q.ask, size: Math.abs(pos), tag: "model:exit" });
    }

    return {
      onQuote(c, q) {
        const i = q.instrument, now = c.now();
        const s = signalOf(i, now);
        const pos = c.position(i);
        if (pos !== 0) {
          if (entryAt[i]! >= 0 && now - entryAt[i]! >= p.holdUs && c.openOrders(i).length === 0) flatten(i, q);
          return;
        }
        if (now < activeFrom || c.openOrders(i).length > 0 || q.ask - q.bid > p.maxSpreadTicks) return;
        let side: Side | 0 = 0;
        if (Number.isFinite(s)) {
          if (Math.abs(s) >= threshold) side = s > 0 ? 1 : -1;
        } else if (p.fallbackImbalance < 1 && q.bidSize + q.askSize > 0) {
          const imb = (q.bidSize - q.askSize) / (q.bidSize + q.askSize);
          if (Math.abs(imb) >= p.fallbackImbalance) side = imb > 0 ? 1 : -1;
        }
        if (side === 0) return;
        const inst = lotOf.get(i)!;
        const size = Math.floor(p.orderSize / inst.lotSize) * inst.lotSize;
        if (size < inst.minSize || size <= 0) return;
        c.submit({ instrument: i, side, type: "limit", tif: "IOC", price: side > 0 ? q.ask : q.bid, size, tag: "model:entry" });
      },
      onFill(c, f) {
        const i = f.instrument;
        const pos = c.position(i);
        if (pos !== 0 && entryAt[i]! < 0) {
          entryAt[i] = c.now();
          entryPx[i] = f.price;
          c.setTimer(p.holdUs, i * 2 + TIMER_HOLD);
        } else if (pos === 0 && entryAt[i]! >= 0) {
          // A round trip ended: score it (ticks per unit, signed by the entry side) for the threshold.
          const side = f.side === 1 ? -1 : 1; // the exit's side is the opposite of the entry's
          windowPnl += (f.price - entryPx[i]!) * side;
          windowTrades++;
          entryAt[i] = -1;
          if (p.recalibrateTrades > 0 && windowTrades >= p.recalibrateTrades) {
            const before = threshold;
            threshold = Math.min(p.thresholdBounds[1], Math.max(p.thresholdBounds[0], threshold + (windowPnl < 0 ? step : -step)));
            if (threshold !== before) c.log("threshold re-calibrated", { from: before, to: threshold, windowTrades, windowPnlTicks: windowPnl });
            windowPnl = 0;
            windowTrades = 0;
          }
        }
      },
      onTimer(c, token) {
        const i = (token - TIMER_HOLD) / 2;
        if (c.position(i) === 0 || c.openOrders(i).length > 0) return;
        const b = c.book(i);
        flatten(i, { instrument: i, ts: c.now(), bid: b.bid, ask: b.ask, bidSize: b.bidSize, askSize: b.askSize } as Quote);
      },
      onStop(c) {
        c.cancelAll();
      },
    };
  },
});
