/**
 * Order-book-imbalance scalper. When the L1 book leans hard to one side (imbalance beyond
 * `entryImbalance`) and the spread is tight, it joins the touch on that side with a post-only limit,
 * or takes the opposite touch with an IOC when the lean is strong. Once filled it rests a
 * take-profit limit, flattens with an IOC at the touch on a stop-loss (an adverse move of the exit
 * side's touch from where it stood at entry, so the spread paid to enter is not a loss by itself) or when the holding time runs
 * out, and pauses for a cooldown after each round trip. One position per instrument, never above
 * `maxPosition`; unfilled entries are canceled when stale. Imbalance and microprice come from the
 * feature engine when it computes them ("imbalance", "microprice") and from the quote otherwise.
 * It enters only while the trading state is "active": when it becomes "reducing" it cancels its
 * working entries and keeps managing exits (they shrink positions); when "halted" it sends nothing.
 */
import { defineStrategy, isTerminal, type BookView, type OrderView, type Side } from "../../sdk/index.ts";
import { ObiScalperParams } from "./params.ts";
import { featureOr, l1Imbalance, microprice } from "./signal.ts";
import { EXIT_FLATTEN, EXIT_NONE, EXIT_TAKE_PROFIT, SlotState } from "./slot-state.ts";

const MAX_SLOTS = 4096;
const TIMER_STALE = 0;
const TIMER_HOLD = 1;

/** Packs a timer kind, instrument slot and generation into one integer token. */
function timerToken(kind: number, slot: number, gen: number): number {
  return (gen * MAX_SLOTS + slot) * 2 + kind;
}

/** Returns true when the order can still fill. */
function isOpen(o: OrderView | undefined): boolean {
  return o !== undefined && !isTerminal(o.status);
}

export default defineStrategy({
  manifest: {
    name: "obi-scalper",
    version: "0.1.0",
    kind: "strategy",
    sdk: "^0.1.0",
    description: "Order-book-imbalance scalper: joins or takes the touch on a strong L1 imbalance, exits on take-profit, stop-loss or max hold.",
    params: ObiScalperParams,
    instruments: { min: 1 },
    capabilities: ["orders", "timers", "features"],
  },
  create(ctx) {
    const p = ctx.params;
    const slots: SlotState[] = ctx.instruments.map((inst, k) => new SlotState(inst, k));
    const slotOf = new Int32Array(Math.max(0, ...ctx.instruments.map((i) => i.id)) + 1).fill(-1);
    for (const s of slots) slotOf[s.instrument.id] = s.slot;
    const imbIdx = p.imbalanceFeature === "" ? -1 : ctx.featureIndex(p.imbalanceFeature);
    const microIdx = ctx.featureIndex("microprice");
    let stopped = false;
    const stateOf = (instrument: number): SlotState | undefined => (instrument < slotOf.length && slotOf[instrument] >= 0 ? slots[slotOf[instrument]] : undefined);

    function imbalanceOf(id: number, book: BookView): number {
      const f = imbIdx >= 0 ? ctx.features(id)[imbIdx] : NaN;
      return featureOr(f, l1Imbalance(book.bidSize, book.askSize));
    }

    function tryEnter(s: SlotState, book: BookView): void {
      if (ctx.tradingState() !== "active") return;
      const now = ctx.now();
      if (now < s.cooldownUntil || now < s.blockedUntil || book.ask - book.bid > p.maxSpreadTicks) return;
      const id = s.instrument.id;
      const imb = imbalanceOf(id, book);
      const side: Side = imb > 0 ? 1 : -1;
      const strength = imb * side;
      if (strength < p.entryImbalance) return;
      if (p.minEdgeTicks > 0) {
        const f = microIdx >= 0 ? ctx.features(id)[microIdx] : NaN;
        const micro = featureOr(f, microprice(book.bid, book.ask, book.bidSize, book.askSize));
        if ((micro - book.mid2 / 2) * side < p.minEdgeTicks) return;
      }
      const lot = s.instrument.lotSize;
      const size = Math.floor(Math.min(p.orderSize, p.maxPosition) / lot) * lot;
      if (size <= 0 || size < s.instrument.minSize) return;
      const strong = strength >= p.strongImbalance && p.strongImbalance >= p.entryImbalance;
      // Joining takes our own touch; a strong signal takes the opposite one.
      const ownTouch = side > 0 ? book.bid : book.ask;
      const price = strong ? (side > 0 ? book.ask : book.bid) : ownTouch;
      const orderId = strong
        ? ctx.submit({ instrument: id, side, type: "limit", tif: "IOC", price, size, tag: "obi:take" })
        : ctx.submit({ instrument: id, side, type: "limit", tif: "GTC", price, size, postOnly: true, tag: "obi:join" });
      if (refused(s, orderId)) return;
      s.entryId = orderId;
      s.entryCanceling = false;
      s.entryGen++;
      ctx.setTimer(p.staleOrderUs, timerToken(TIMER_STALE, s.slot, s.entryGen));
    }

    /** True when a just-submitted order cannot fill (refused); starts the back-off. */
    function refused(s: SlotState, orderId: number): boolean {
      const o = ctx.order(orderId);
      if (isOpen(o)) return false;
      if (o === undefined || o.status === "rejected") s.blockedUntil = ctx.now() + p.rejectBackoffUs;
      return true;
    }

    function cancelEntry(s: SlotState): void {
      if (s.entryId === 0 || s.entryCanceling) return;
      s.entryCanceling = true;
      ctx.cancel(s.entryId);
    }

    /** Cancels the working entry when it is old, no longer at the touch, or its signal faded. */
    function checkStale(s: SlotState, book: BookView): void {
      const o = ctx.order(s.entryId);
      if (o === undefined || isTerminal(o.status) || s.entryCanceling) return;
      const faded = imbalanceOf(s.instrument.id, book) * o.side < p.entryImbalance / 2;
      const offTouch = o.tif === "GTC" && o.price !== (o.side > 0 ? book.bid : book.ask);
      if (faded || offTouch || book.ask - book.bid > p.maxSpreadTicks || ctx.now() - o.createdTs >= p.staleOrderUs) cancelEntry(s);
    }

    function flatten(s: SlotState, book: BookView, pos: number): void {
      if (s.exitId !== 0) {
        // Wait for the take-profit's cancel to be confirmed (onOrder) so both cannot fill.
        if (s.exitKind === EXIT_TAKE_PROFIT && !s.exitCanceling) {
          s.exitCanceling = true;
          ctx.cancel(s.exitId);
        }
        return;
      }
      if (!book.valid || ctx.now() < s.blockedUntil) return;
      const side: Side = pos > 0 ? -1 : 1;
      const price = side > 0 ? book.ask : book.bid;
      const orderId = ctx.submit({ instrument: s.instrument.id, side, type: "limit", tif: "IOC", price, size: Math.abs(pos), tag: s.flattenTag });
      if (!refused(s, orderId)) {
        s.exitId = orderId;
        s.exitKind = EXIT_FLATTEN;
        s.exitCanceling = false;
      }
    }

    /** Rests the take-profit for the whole position, replacing one of the wrong size. */
    function ensureTakeProfit(s: SlotState, pos: number): void {
      const qty = Math.abs(pos);
      if (s.exitId !== 0) {
        const o = ctx.order(s.exitId);
        if (o === undefined || isTerminal(o.status) || s.exitCanceling || o.size - o.filled === qty) return;
        s.exitCanceling = true;
        ctx.cancel(s.exitId);
        return;
      }
      if (ctx.now() < s.blockedUntil) return;
      const side: Side = pos > 0 ? -1 : 1;
      const avg = s.entryNotional / s.entryQty;
      const price = side < 0 ? Math.ceil(avg + p.takeProfitTicks) : Math.floor(avg - p.takeProfitTicks);
      const orderId = ctx.submit({ instrument: s.instrument.id, side, type: "limit", tif: "GTC", price, size: qty, postOnly: true, tag: "obi:take-profit" });
      if (!refused(s, orderId)) {
        s.exitId = orderId;
        s.exitKind = EXIT_TAKE_PROFIT;
        s.exitCanceling = false;
      }
    }

    /** Takes charge of a position it did not open (e.g. recovered after a restart), priced at the mid. */
    function adopt(s: SlotState, pos: number, book: BookView): void {
      s.inPosition = true;
      s.entryQty = Math.abs(pos);
      s.entryNotional = (s.entryQty * book.mid2) / 2;
      s.exitRef = pos > 0 ? book.bid : book.ask;
      s.holdGen++;
      ctx.setTimer(p.maxHoldUs, timerToken(TIMER_HOLD, s.slot, s.holdGen));
      ctx.log("position adopted", { instrument: s.instrument.symbol, position: pos, mid: book.mid2 / 2 });
    }

    /** Brings one instrument's orders in line with its position and book. */
    function manage(s: SlotState): void {
      if (stopped || ctx.tradingState() === "halted") return;
      const id = s.instrument.id;
      const book = ctx.book(id);
      const pos = ctx.position(id);
      if (pos === 0) {
        if (s.inPosition) {
          s.resetPosition();
          s.cooldownUntil = ctx.now() + p.cooldownUs;
          ctx.log("position closed", { instrument: s.instrument.symbol });
        }
        if (s.exitId !== 0 && !s.exitCanceling && isOpen(ctx.order(s.exitId))) {
          s.exitCanceling = true;
          ctx.cancel(s.exitId);
        }
        if (s.entryId !== 0) checkStale(s, book);
        else if (book.valid) tryEnter(s, book);
        return;
      }
      // One position per instrument: no adding to it once an entry has filled.
      cancelEntry(s);
      if (!s.inPosition) {
        if (!book.valid) return;
        adopt(s, pos, book);
      }
      const stopHit = pos > 0 ? book.bid <= s.exitRef - p.stopLossTicks : book.ask >= s.exitRef + p.stopLossTicks;
      if (book.valid && stopHit && !s.wantFlat) {
        s.wantFlat = true;
        s.flattenTag = "obi:stop-loss";
        ctx.log("stop-loss", { instrument: s.instrument.symbol, avg: s.entryNotional / s.entryQty, from: s.exitRef, bid: book.bid, ask: book.ask });
      }
      if (s.wantFlat) flatten(s, book, pos);
      else ensureTakeProfit(s, pos);
    }

    return {
      onQuote(_ctx, q) {
        const s = stateOf(q.instrument);
        if (s !== undefined) manage(s);
      },
      onFill(_ctx, fill) {
        const s = stateOf(fill.instrument);
        if (s === undefined) return;
        // An entry fill grows the position; it may belong to an order whose cancel was still in flight.
        const pos = ctx.position(fill.instrument);
        if (fill.orderId !== s.exitId && fill.side * pos > 0) {
          if (!s.inPosition) {
            s.inPosition = true;
            const book = ctx.book(fill.instrument);
            const touch = fill.side > 0 ? book.bid : book.ask;
            s.exitRef = !book.valid ? fill.price : fill.side > 0 ? Math.min(fill.price, touch) : Math.max(fill.price, touch);
            s.holdGen++;
            ctx.setTimer(p.maxHoldUs, timerToken(TIMER_HOLD, s.slot, s.holdGen));
          }
          s.entryQty += fill.size;
          s.entryNotional += fill.price * fill.size;
        }
        manage(s);
      },
      onOrder(_ctx, order) {
        const s = stateOf(order.instrument);
        if (s === undefined || !isTerminal(order.status)) return;
        if (order.status === "rejected" && (order.id === s.entryId || order.id === s.exitId)) s.blockedUntil = ctx.now() + p.rejectBackoffUs;
        if (order.id === s.entryId) {
          s.entryId = 0;
          s.entryCanceling = false;
        } else if (order.id === s.exitId) {
          const wasTakeProfit = s.exitKind === EXIT_TAKE_PROFIT;
          s.exitId = 0;
          s.exitKind = EXIT_NONE;
          s.exitCanceling = false;
          // A take-profit canceled to flatten (or resized) is replaced at once; an unfilled IOC waits for the next event.
          if (wasTakeProfit && ctx.position(s.instrument.id) !== 0) manage(s);
        }
      },
      onTimer(_ctx, token) {
        const kind = token % 2;
        const slot = Math.floor(token / 2) % MAX_SLOTS;
        const gen = Math.floor(token / 2 / MAX_SLOTS);
        const s = slots[slot];
        if (s === undefined) return;
        if (kind === TIMER_HOLD) {
          if (gen !== s.holdGen || !s.inPosition || ctx.position(s.instrument.id) === 0) return;
          s.wantFlat = true;
          s.flattenTag = "obi:max-hold";
          ctx.log("max hold time reached", { instrument: s.instrument.symbol });
          manage(s);
        } else if (gen === s.entryGen && s.entryId !== 0 && ctx.position(s.instrument.id) === 0) {
          cancelEntry(s);
        }
      },
      onTradingState(_ctx, state) {
        ctx.log("trading state", { state });
        if (state === "active") return;
        // No new exposure: working entries go; exits (which reduce) carry on when not halted.
        for (const s of slots) {
          cancelEntry(s);
          if (state === "reducing" && ctx.position(s.instrument.id) !== 0) manage(s);
        }
      },
      onStop() {
        stopped = true;
        ctx.cancelAll();
      },
    };
  },
});

export { ObiScalperParams };
