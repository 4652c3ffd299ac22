/**
 * The read-only context mirror: a fixed-layout region of the isolate's shared buffer where the
 * runtime writes, before each event and after each round trip, what the plugin may read through
 * its context (trading state, its instruments' books, positions, signals and features, its open
 * orders and the orders it was recently handed), so the isolate answers those reads locally.
 * Float64 words throughout (indices below are words from the region's start); order reasons are
 * UTF-16 code units in the order slot's tail.
 *
 * ```
 * word 0            ┌──────── header (HEADER_WORDS) ────────────────────────────────────────┐
 *                   │ ON │ STATE │ SIGNAL │ INSTRUMENTS │ FEATURES │ OPEN │ ORDERS │ INSTR_AT │
 * word INSTR_AT     ├──────── instrument records, stride INSTR_FIELDS + FEATURES ───────────┤
 *                   │ id ts bid ask bidSize askSize mid2 valid position signal nFeatures f… │
 * word ORDERS_AT    ├──────── order slots, stride ORDER_WORDS (open ones first) ─────────────┤
 *                   │ id instrument side type tif price stopPrice size filled status         │
 *                   │ createdTs updatedTs reasonLength │ reason (UTF-16, REASON_UNITS)       │
 *                   └────────────────────────────────────────────────────────────────────────┘
 * ```
 * ON is 0 until the runtime has written the region once. STATE, an order's type, tif and status
 * are indices into the code tables below; an order's status -1 means "no such order of this
 * strategy" (an id the plugin was handed that the OMS does not hold); a reason length -1 means
 * "not mirrored" (too long, or a code outside the tables): the isolate asks the runtime instead.
 */
import type { OrderStatus, OrderType, TimeInForce } from "../../../plugins/sdk/orders.ts";
import type { TradingState } from "../../../plugins/sdk/trading-state.ts";

/** Bytes of the mirror region. */
export const MIRROR_BYTES = 1 << 16;

/** Header words. */
export const H_ON = 0;
export const H_STATE = 1;
/** 1 when the runtime's context has `signal`. */
export const H_SIGNAL = 2;
/** Instruments mirrored (the first ones of the strategy's list that fit). */
export const H_INSTRUMENTS = 3;
/** Feature words reserved per instrument. */
export const H_FEATURES = 4;
/** The strategy's open orders (may exceed the slots written: then openOrders() is asked for). */
export const H_OPEN = 5;
/** Order slots written: the open orders, then the recently handed or finished ones. */
export const H_ORDERS = 6;
/** Word where instrument records start. */
export const H_INSTR_AT = 7;
export const HEADER_WORDS = 8;

/** Fields of an instrument record, before its features. */
export const I_ID = 0;
export const I_TS = 1;
export const I_BID = 2;
export const I_ASK = 3;
export const I_BID_SIZE = 4;
export const I_ASK_SIZE = 5;
export const I_MID2 = 6;
export const I_VALID = 7;
export const I_POSITION = 8;
export const I_SIGNAL = 9;
export const I_NFEATURES = 10;
export const INSTR_FIELDS = 11;

/** Order slots and their fields. */
export const ORDER_SLOTS = 64;
export const ORDER_WORDS = 32;
export const O_ID = 0;
export const O_INSTRUMENT = 1;
export const O_SIDE = 2;
export const O_TYPE = 3;
export const O_TIF = 4;
export const O_PRICE = 5;
export const O_STOP = 6;
export const O_SIZE = 7;
export const O_FILLED = 8;
export const O_STATUS = 9;
export const O_CREATED = 10;
export const O_UPDATED = 11;
export const O_REASON_LEN = 12;
/** First word of the reason's UTF-16 units, and how many units fit. */
export const O_REASON_AT = 13;
export const REASON_UNITS = (ORDER_WORDS - O_REASON_AT) * 4;
/** Status code of an id the OMS holds no order of this strategy for. */
export const STATUS_ABSENT = -1;

/** Word where order slots start (the instrument records fill the room before them). */
export const ORDERS_AT = MIRROR_BYTES / 8 - ORDER_SLOTS * ORDER_WORDS;

/** Ids the runtime keeps mirroring after they left the open set or were returned by submit. */
export const RECENT_ORDERS = 8;

/** Code tables (index = code). */
export const STATES: readonly TradingState[] = ["active", "reducing", "halted"];
export const TYPES: readonly OrderType[] = ["market", "limit", "stop", "stop-limit"];
export const TIFS: readonly TimeInForce[] = ["GTC", "IOC", "FOK", "GTD", "DAY"];
export const STATUSES: readonly OrderStatus[] = ["pending", "working", "partially-filled", "filled", "pending-cancel", "canceled", "rejected", "expired"];

/** How many instrument records of `features` feature words fit before the order slots. */
export function instrumentsThatFit(features: number): number {
  return Math.floor((ORDERS_AT - HEADER_WORDS) / (INSTR_FIELDS + features));
}
