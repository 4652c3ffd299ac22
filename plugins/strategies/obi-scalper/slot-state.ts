/**
 * Per-instrument state of the scalper, allocated once at start and mutated in place: the entry and
 * exit orders it is waiting on, the average entry price, timer generations and the cooldown.
 */
import type { Instrument } from "../../sdk/index.ts";

/** No exit order. */
export const EXIT_NONE = 0;
/** The exit order is the resting take-profit limit. */
export const EXIT_TAKE_PROFIT = 1;
/** The exit order is an IOC that flattens at the opposite touch (stop-loss or max hold). */
export const EXIT_FLATTEN = 2;

/** What the scalper remembers about one instrument. */
export class SlotState {
  /** Open entry order id, or 0. */
  entryId = 0;
  /** True once a cancel was asked for the entry order. */
  entryCanceling = false;
  /** Open exit order id, or 0. */
  exitId = 0;
  exitKind = EXIT_NONE;
  exitCanceling = false;
  /** Generation of the entry order (stale timers of older entries are ignored). */
  entryGen = 0;
  /** Generation of the position (hold timers of older positions are ignored). */
  holdGen = 0;
  /** True from the first entry fill until the position is flat again. */
  inPosition = false;
  /** Set when the stop-loss or max hold time says: flatten now. */
  wantFlat = false;
  /** Audit tag of the flattening order: why it flattens. */
  flattenTag = "";
  /** Units and ticks*units bought or sold by entry fills of the current position. */
  entryQty = 0;
  entryNotional = 0;
  /**
   * Where the position could have been closed when it opened (long: the bid, short: the ask, no
   * better than the entry price): the stop-loss distance is measured from here, so crossing the
   * spread to enter does not count as a loss.
   */
  exitRef = 0;
  /** No new entry before this time (microseconds). */
  cooldownUntil = 0;
  /** No new order of any kind before this time (after a refusal). */
  blockedUntil = 0;

  constructor(
    readonly instrument: Instrument,
    readonly slot: number,
  ) {}

  /** Forgets the closed position. */
  resetPosition(): void {
    this.inPosition = false;
    this.wantFlat = false;
    this.flattenTag = "";
    this.entryQty = 0;
    this.entryNotional = 0;
    this.exitRef = 0;
  }
}
