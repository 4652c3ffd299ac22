/**
 * Register map of the pre-trade risk gate, shared by the RTL (`rtl/risk_gate.v`), the Verilator
 * harness and the golden model. Per-instrument registers sit at `(instrument << 3) | field`;
 * global registers at 0x100 and up. Values are 64-bit; the gate keeps the widths listed here.
 */

/** Instruments the gate holds limits for (a power of two). */
export const GATE_INSTRUMENTS = 32;

/** Per-instrument register fields (low three address bits). */
export const InstrumentField = {
  /** Largest absolute position after the order, in size units (31 bits). */
  MAX_POSITION: 0,
  /** Largest order notional, price ticks times size units (48 bits). */
  MAX_NOTIONAL: 1,
  /** Price collar around the reference price, in basis points (16 bits). */
  COLLAR_BPS: 2,
  /** Reference price in ticks (32 bits); 0 refuses every order by the collar. */
  REFERENCE_PRICE: 3,
  /** Signed position including accepted orders (32 bits, two's complement). */
  POSITION: 4,
  /** 1 when the instrument may trade. */
  ENABLED: 5,
} as const;

/** Global registers. */
export const GlobalRegister = {
  /** Kill switch: non-zero refuses every order. */
  KILL: 0x100,
  /** Orders accepted per rate window. */
  RATE_LIMIT: 0x101,
  /** Rate window length as a power of two of microseconds (6 bits): window = ts >> shift. */
  RATE_SHIFT: 0x102,
  /** Current rate window number (state, writable to restore a gate). */
  RATE_WINDOW: 0x103,
  /** Orders accepted in the current window (state, writable to restore a gate). */
  RATE_COUNT: 0x104,
} as const;

/** Verdict codes, in the order the gate checks them (the first failing check wins). */
export const GateVerdict = {
  ACCEPT: 0,
  KILL_SWITCH: 1,
  UNKNOWN_INSTRUMENT: 2,
  BAD_ORDER: 3,
  PRICE_COLLAR: 4,
  NOTIONAL: 5,
  POSITION: 6,
  RATE: 7,
} as const;

/** A verdict code (see `GateVerdict`). */
export type GateVerdictCode = (typeof GateVerdict)[keyof typeof GateVerdict];

/** Names of the verdict codes, indexed by code. */
export const GATE_VERDICT_NAMES = ["ACCEPT", "KILL_SWITCH", "UNKNOWN_INSTRUMENT", "BAD_ORDER", "PRICE_COLLAR", "NOTIONAL", "POSITION", "RATE"] as const;

/** Returns the address of a per-instrument register. */
export function instrumentRegister(instrument: number, field: number): number {
  return (instrument << 3) | field;
}

/** Fixed latency of one verdict in clock cycles, from the accepting edge to the verdict edge. */
export const GATE_LATENCY_CYCLES = 3;
/** Clock the latency is quoted at, in MHz. */
export const GATE_CLOCK_MHZ = 250;
