/**
 * The golden model of the pre-trade risk gate: a pure TypeScript class with the gate's exact
 * integer semantics, used as the software risk gate (the fallback when the FPGA sidecar is absent)
 * and as the reference the RTL is proven against. `check` is synchronous and allocation-free.
 *
 * Semantics (shared with `rtl/risk_gate.v`): the first failing check wins, in this order —
 * kill switch; instrument out of range or disabled; qty outside 1..2^31-1 or price outside
 * 1..2^32-1; collar `|price - ref| * 10000 > ref * collarBps`; notional `price * qty > maxNotional`;
 * position `|position + signedQty| > maxPosition`; rate `count >= rateLimit` within the window
 * `ts >> rateShift` (the window rolls, resetting the count, on every order whose window differs).
 * An accepted order adds its signed size to the position and one to the window's count.
 *
 * @example
 * const gate = new RiskGateModel();
 * gate.setLimits(3, { maxPosition: 1000, maxNotional: 10_000_000, collarBps: 50 });
 * gate.setReferencePrice(3, 108_500);
 * gate.setRate(100, 20);
 * gate.check({ instrument: 3, side: 1, price: 108_510, qty: 10, ts: 1_700_000_000_000_000 }); // 0
 */
import { GATE_INSTRUMENTS, GateVerdict, type GateVerdictCode, GlobalRegister, InstrumentField, instrumentRegister } from "./registers.ts";

/** An order as the gate sees it: integers only. */
export interface GateOrder {
  /** Instrument slot 0..GATE_INSTRUMENTS-1. */
  instrument: number;
  /** +1 buy, -1 sell. */
  side: 1 | -1;
  /** Limit price in ticks. */
  price: number;
  /** Size in size units. */
  qty: number;
  /** Order time, integer microseconds since the epoch. */
  ts: number;
}

/** Per-instrument limits. */
export interface GateLimits {
  maxPosition: number;
  maxNotional: number;
  collarBps: number;
}

const TWO_32 = 2 ** 32;
const TWO_31 = 2 ** 31;
const TWO_48 = 2 ** 48;
const TWO_64 = 2n ** 64n;

/** The software risk gate with the FPGA gate's exact semantics. */
export class RiskGateModel {
  readonly maxPosition = new Float64Array(GATE_INSTRUMENTS);
  readonly maxNotional = new Float64Array(GATE_INSTRUMENTS);
  readonly collarBps = new Float64Array(GATE_INSTRUMENTS);
  readonly referencePrice = new Float64Array(GATE_INSTRUMENTS);
  readonly position = new Float64Array(GATE_INSTRUMENTS);
  readonly enabled = new Uint8Array(GATE_INSTRUMENTS);
  kill = false;
  rateLimit = 0;
  rateShift = 0;
  rateWindow = 0;
  rateCount = 0;

  /** Sets an instrument's limits and enables it. */
  setLimits(instrument: number, l: GateLimits): void {
    this.writeRegister(instrumentRegister(instrument, InstrumentField.MAX_POSITION), l.maxPosition);
    this.writeRegister(instrumentRegister(instrument, InstrumentField.MAX_NOTIONAL), l.maxNotional);
    this.writeRegister(instrumentRegister(instrument, InstrumentField.COLLAR_BPS), l.collarBps);
    this.writeRegister(instrumentRegister(instrument, InstrumentField.ENABLED), 1);
  }

  /** Sets an instrument's reference price (ticks). */
  setReferencePrice(instrument: number, price: number): void {
    this.writeRegister(instrumentRegister(instrument, InstrumentField.REFERENCE_PRICE), price);
  }

  /** Overwrites an instrument's position (after fills, cancels or a reconcile). */
  setPosition(instrument: number, position: number): void {
    this.writeRegister(instrumentRegister(instrument, InstrumentField.POSITION), position);
  }

  /** Sets or clears the kill switch. */
  setKill(on: boolean): void {
    this.writeRegister(GlobalRegister.KILL, on ? 1 : 0);
  }

  /** Sets the rate throttle: `limit` accepted orders per window of 2^shift microseconds. */
  setRate(limit: number, shift: number): void {
    this.writeRegister(GlobalRegister.RATE_LIMIT, limit);
    this.writeRegister(GlobalRegister.RATE_SHIFT, shift);
  }

  /**
   * Writes a register with the hardware's truncation to the register's width; unknown addresses
   * are ignored. `value` is an integer (a two's complement 64-bit word when negative).
   */
  writeRegister(addr: number, value: number): void {
    if (addr >= GlobalRegister.KILL) {
      switch (addr) {
        case GlobalRegister.KILL:
          this.kill = value !== 0;
          return;
        case GlobalRegister.RATE_LIMIT:
          this.rateLimit = low32(value);
          return;
        case GlobalRegister.RATE_SHIFT:
          this.rateShift = low32(value) & 63;
          return;
        case GlobalRegister.RATE_WINDOW:
          this.rateWindow = value;
          return;
        case GlobalRegister.RATE_COUNT:
          this.rateCount = low32(value);
          return;
      }
      return;
    }
    const inst = addr >> 3;
    if (inst >= GATE_INSTRUMENTS) return;
    switch (addr & 7) {
      case InstrumentField.MAX_POSITION:
        this.maxPosition[inst] = low32(value) % TWO_31;
        return;
      case InstrumentField.MAX_NOTIONAL:
        this.maxNotional[inst] = ((value % TWO_48) + TWO_48) % TWO_48;
        return;
      case InstrumentField.COLLAR_BPS:
        this.collarBps[inst] = low32(value) & 0xffff;
        return;
      case InstrumentField.REFERENCE_PRICE:
        this.referencePrice[inst] = low32(value);
        return;
      case InstrumentField.POSITION:
        this.position[inst] = low32(value) | 0;
        return;
      case InstrumentField.ENABLED:
        this.enabled[inst] = value & 1;
        return;
    }
  }

  /** Returns the verdict for an order and, when it is accepted, books it. */
  check(o: GateOrder): GateVerdictCode {
    const window = Math.floor(o.ts / 2 ** this.rateShift);
    if (window !== this.rateWindow) {
      this.rateWindow = window;
      this.rateCount = 0;
    }
    if (this.kill) return GateVerdict.KILL_SWITCH;
    const i = o.instrument;
    if (!(i >= 0 && i < GATE_INSTRUMENTS) || this.enabled[i] === 0) return GateVerdict.UNKNOWN_INSTRUMENT;
    const { price, qty } = o;
    if (qty < 1 || qty >= TWO_31 || price < 1 || price >= TWO_32) return GateVerdict.BAD_ORDER;
    const ref = this.referencePrice[i]!;
    const diff = price >= ref ? price - ref : ref - price;
    if (diff * 10_000 > ref * this.collarBps[i]!) return GateVerdict.PRICE_COLLAR;
    // maxNotional < 2^48, so a rounded product above 2^53 still compares correctly.
    if (price * qty > this.maxNotional[i]!) return GateVerdict.NOTIONAL;
    const next = this.position[i]! + (o.side === 1 ? qty : -qty);
    if (Math.abs(next) > this.maxPosition[i]!) return GateVerdict.POSITION;
    if (this.rateCount >= this.rateLimit) return GateVerdict.RATE;
    this.position[i] = next;
    this.rateCount++;
    return GateVerdict.ACCEPT;
  }

  /** Returns every register write that restores this model's state into a fresh gate. */
  registerImage(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < GATE_INSTRUMENTS; i++) {
      out.push([instrumentRegister(i, InstrumentField.MAX_POSITION), this.maxPosition[i]!]);
      out.push([instrumentRegister(i, InstrumentField.MAX_NOTIONAL), this.maxNotional[i]!]);
      out.push([instrumentRegister(i, InstrumentField.COLLAR_BPS), this.collarBps[i]!]);
      out.push([instrumentRegister(i, InstrumentField.REFERENCE_PRICE), this.referencePrice[i]!]);
      out.push([instrumentRegister(i, InstrumentField.POSITION), this.position[i]!]);
      out.push([instrumentRegister(i, InstrumentField.ENABLED), this.enabled[i]!]);
    }
    out.push([GlobalRegister.KILL, this.kill ? 1 : 0]);
    out.push([GlobalRegister.RATE_LIMIT, this.rateLimit]);
    out.push([GlobalRegister.RATE_SHIFT, this.rateShift]);
    out.push([GlobalRegister.RATE_WINDOW, this.rateWindow]);
    out.push([GlobalRegister.RATE_COUNT, this.rateCount]);
    return out;
  }
}

/** Low 32 bits of an integer as an unsigned number (two's complement for negatives). */
function low32(v: number): number {
  if (v >= 0 && v < TWO_32) return v;
  return Number(((BigInt(Math.trunc(v)) % TWO_64) + TWO_64) % 2n ** 32n);
}
