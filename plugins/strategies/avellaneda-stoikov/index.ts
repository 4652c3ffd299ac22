/**
 * Avellaneda–Stoikov market maker with inventory skew. It quotes a post-only GTC bid and ask around
 * the reservation price r = s - q * gamma * sigma^2 * tau, spread by
 * delta = gamma * sigma^2 * tau + (2 / gamma) * ln(1 + gamma / k), on a rolling horizon tau. Sigma is
 * the feature engine's EWMA volatility when it computes `volFeature` (log returns per sqrt(second),
 * turned into ticks with the mid) and an internal EWMA of mid changes otherwise. Quotes are rounded
 * outwards to ticks, never cross the touch, are replaced when their price moves by `requoteTicks`
 * (once at least `minQuoteLifeUs` old) or after any fill, and the side that would push |position|
 * past `maxInventory` stops quoting.
 * While the trading state is "reducing" it quotes only the side that shrinks its inventory (no
 * more than the inventory); while "halted" it quotes nothing.
 */
import { defineStrategy, isTerminal, type Instrument, type Side } from "../../sdk/index.ts";
import { AvellanedaStoikovParams } from "./params.ts";
import { intensitySpread, MidVariance, quotePrices, type QuotePrices } from "./pricing.ts";

/** What the market maker remembers about one instrument, mutated in place. */
class MakerState {
  /** Working bid and ask order ids (0 when none) and their prices. */
  bidId = 0;
  bidPrice = 0;
  askId = 0;
  askPrice = 0;
  /** No new quote before this time (after a refusal). */
  blockedUntil = 0;
  readonly vol: MidVariance;

  constructor(
    readonly instrument: Instrument,
    halfLifeSeconds: number,
    initialSigma: number,
  ) {
    this.vol = new MidVariance(halfLifeSeconds, initialSigma);
  }
}

export default defineStrategy({
  manifest: {
    name: "avellaneda-stoikov",
    version: "0.1.0",
    kind: "strategy",
    sdk: "^0.1.0",
    description: "Avellaneda–Stoikov market maker: post-only quotes around an inventory-skewed reservation price.",
    params: AvellanedaStoikovParams,
    instruments: { min: 1 },
    capabilities: ["orders", "features"],
  },
  create(ctx) {
    const p = ctx.params;
    const states: MakerState[] = ctx.instruments.map((i) => new MakerState(i, p.volHalfLifeSeconds, p.initialSigmaTicks));
    const slotOf = new Int32Array(Math.max(0, ...ctx.instruments.map((i) => i.id)) + 1).fill(-1);
    states.forEach((s, k) => (slotOf[s.instrument.id] = k));
    const volIdx = p.volFeature === "" ? -1 : ctx.featureIndex(p.volFeature);
    const baseSpread = intensitySpread(p.gamma, p.k);
    const prices: QuotePrices = { bid: 0, ask: 0, reservation: 0, spread: 0 };
    const stateOf = (instrument: number): MakerState | undefined => (instrument < slotOf.length && slotOf[instrument] >= 0 ? states[slotOf[instrument]] : undefined);

    /** sigma^2 in ticks^2 per second: from the feature when defined, else the internal estimate. */
    function sigma2(s: MakerState, mid: number): number {
      const v = volIdx >= 0 ? ctx.features(s.instrument.id)[volIdx] : NaN;
      if (Number.isFinite(v) && v > 0) return v * mid * (v * mid);
      return s.vol.variance;
    }

    /** Size allowed on `side` without taking |position| past maxInventory, in whole lots. */
    function sideSize(inst: Instrument, side: Side, pos: number): number {
      const state = ctx.tradingState();
      if (state === "halted" || (state === "reducing" && side * pos >= 0)) return 0;
      const room = state === "reducing" ? Math.abs(pos) : p.maxInventory - side * pos;
      const size = Math.floor(Math.min(p.orderSize, room) / inst.lotSize) * inst.lotSize;
      return size >= inst.minSize && size > 0 ? size : 0;
    }

    /** Keeps one side's quote at `price` and `size`; returns the working order id (0 when none). */
    function quoteSide(s: MakerState, side: Side, id: number, current: number, price: number, size: number, force: boolean): number {
      const inst = s.instrument;
      const o = id === 0 ? undefined : ctx.order(id);
      const open = o !== undefined && !isTerminal(o.status);
      if (open && size > 0 && !force && o.size - o.filled === size && (Math.abs(price - current) < p.requoteTicks || ctx.now() - o.createdTs < p.minQuoteLifeUs)) return id;
      if (open) ctx.cancel(id);
      if (size === 0 || ctx.now() < s.blockedUntil) return 0;
      const next = ctx.submit({ instrument: inst.id, side, type: "limit", tif: "GTC", price, size, postOnly: true });
      const placed = ctx.order(next);
      if (placed !== undefined && !isTerminal(placed.status)) return next;
      if (placed === undefined || placed.status === "rejected") s.blockedUntil = ctx.now() + p.rejectBackoffUs;
      return 0;
    }

    /** Recomputes the quotes of one instrument and replaces those that moved enough (all when forced). */
    function requote(s: MakerState, force: boolean): void {
      const inst = s.instrument;
      const book = ctx.book(inst.id);
      if (!book.valid || book.ask <= book.bid) return;
      const pos = ctx.position(inst.id);
      const q = pos / p.orderSize;
      quotePrices(prices, book.bid, book.ask, q, sigma2(s, book.mid2 / 2), p.gamma, p.horizonSeconds, baseSpread);
      const bidId = quoteSide(s, 1, s.bidId, s.bidPrice, prices.bid, sideSize(inst, 1, pos), force);
      if (bidId !== s.bidId) s.bidPrice = prices.bid;
      s.bidId = bidId;
      const askId = quoteSide(s, -1, s.askId, s.askPrice, prices.ask, sideSize(inst, -1, pos), force);
      if (askId !== s.askId) s.askPrice = prices.ask;
      s.askId = askId;
    }

    return {
      onQuote(_ctx, quote) {
        const s = stateOf(quote.instrument);
        if (s === undefined || quote.ask <= quote.bid) return;
        s.vol.update((quote.bid + quote.ask) / 2, quote.ts);
        requote(s, false);
      },
      onFill(_ctx, fill) {
        const s = stateOf(fill.instrument);
        if (s !== undefined) requote(s, true);
      },
      onOrder(_ctx, order) {
        const s = stateOf(order.instrument);
        if (s === undefined || !isTerminal(order.status)) return;
        if (order.status === "rejected" && (order.id === s.bidId || order.id === s.askId)) s.blockedUntil = ctx.now() + p.rejectBackoffUs;
        if (order.id === s.bidId) s.bidId = 0;
        if (order.id === s.askId) s.askId = 0;
      },
      onTradingState(_ctx, state) {
        ctx.log("trading state", { state });
        for (const s of states) requote(s, true);
      },
      onStop() {
        ctx.cancelAll();
      },
    };
  },
});

export { AvellanedaStoikovParams };
