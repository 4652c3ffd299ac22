/**
 * Seeded random streams of orders and register writes for the risk gate, shaped so that every
 * verdict occurs often: prices around the reference and across the collar, sizes around the
 * notional and position limits, a few unknown instruments, bad orders, kill-switch flips, limit
 * and reference changes and tight rate windows. Records are six integers: `[0, inst, side, price,
 * qty, ts]` for an order and `[1, addr, value, 0, 0, 0]` for a register write; `packRecords`
 * turns them into the sidecar's `batch` body.
 */
import { GATE_INSTRUMENTS, GlobalRegister, InstrumentField, instrumentRegister } from "./registers.ts";

/** Returns a deterministic PRNG (mulberry32) giving floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator of gate records with its own clock. */
export class GateStream {
  private readonly rnd: () => number;
  private ts = 1_700_000_000_000_000;
  private readonly refs = new Float64Array(GATE_INSTRUMENTS);
  private readonly collars = new Float64Array(GATE_INSTRUMENTS);

  constructor(seed: number) {
    this.rnd = seededRandom(seed);
  }

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }

  /** Register writes that give every instrument limits, a reference price and a rate throttle. */
  initial(): number[] {
    const out: number[] = [];
    for (let i = 0; i < GATE_INSTRUMENTS; i++) {
      // Half the instruments get round figures so that orders land exactly on the limits.
      const round = i % 2 === 0;
      this.refs[i] = round ? 10_000 * this.int(1, 200) : this.int(1_000, 2_000_000);
      this.collars[i] = this.int(5, 500);
      out.push(1, instrumentRegister(i, InstrumentField.MAX_POSITION), round ? 100 * this.int(10, 1000) : this.int(1_000, 100_000), 0, 0, 0);
      out.push(1, instrumentRegister(i, InstrumentField.MAX_NOTIONAL), this.refs[i]! * (round ? 100 * this.int(5, 200) : this.int(500, 20_000)), 0, 0, 0);
      out.push(1, instrumentRegister(i, InstrumentField.COLLAR_BPS), this.collars[i]!, 0, 0, 0);
      out.push(1, instrumentRegister(i, InstrumentField.REFERENCE_PRICE), this.refs[i]!, 0, 0, 0);
      out.push(1, instrumentRegister(i, InstrumentField.ENABLED), i < GATE_INSTRUMENTS - 2 ? 1 : 0, 0, 0, 0);
    }
    out.push(1, GlobalRegister.RATE_LIMIT, 40, 0, 0, 0, 1, GlobalRegister.RATE_SHIFT, 12, 0, 0, 0);
    return out;
  }

  /** Appends `n` records (mostly orders) to `out` and returns the number of orders among them. */
  next(n: number, out: number[]): number {
    let orders = 0;
    for (let k = 0; k < n; k++) {
      const u = this.rnd();
      if (u < 0.02) {
        this.register(out);
        continue;
      }
      orders++;
      this.ts += this.int(0, 150);
      if (this.rnd() < 0.001) this.ts -= this.int(0, 1 << 20); // out-of-order timestamp
      const inst = this.rnd() < 0.01 ? this.int(GATE_INSTRUMENTS - 2, GATE_INSTRUMENTS + 8) : this.int(0, GATE_INSTRUMENTS - 3);
      const side = this.rnd() < 0.5 ? 1 : -1;
      const ref = this.refs[inst % GATE_INSTRUMENTS] || 100_000;
      const bad = this.rnd();
      let price = Math.max(1, Math.round(ref * (1 + (this.rnd() - 0.5) * 0.02)));
      let qty = Math.floor(Math.exp(this.rnd() * 10));
      if (inst % 2 === 0 && this.rnd() < 0.4) {
        // On the collar's edge (or at the reference), with a round size.
        const edge = (ref * this.collars[inst % GATE_INSTRUMENTS]!) / 10_000;
        const at = this.rnd();
        price = at < 0.4 ? ref : Math.round(ref + (at < 0.7 ? edge : -edge) + this.int(-1, 1));
        qty = 100 * this.int(1, 100);
      }
      if (bad < 0.005) qty = 0;
      else if (bad < 0.008) qty = 2 ** 31 - 1 + this.int(0, 3);
      else if (bad < 0.011) price = 0;
      else if (bad < 0.013) price = 2 ** 32 - this.int(1, 1000);
      out.push(0, inst, side, price, qty, this.ts);
    }
    return orders;
  }

  private register(out: number[]): void {
    const inst = this.int(0, GATE_INSTRUMENTS - 1);
    const which = this.int(0, 9);
    switch (which) {
      case 0:
        out.push(1, GlobalRegister.KILL, this.rnd() < 0.3 ? 1 : 0, 0, 0, 0);
        return;
      case 1:
        out.push(1, GlobalRegister.RATE_LIMIT, this.int(0, 60), 0, 0, 0);
        return;
      case 2:
        out.push(1, GlobalRegister.RATE_SHIFT, this.int(8, 16), 0, 0, 0);
        return;
      case 3:
        out.push(1, instrumentRegister(inst, InstrumentField.POSITION), 100 * this.int(-500, 500), 0, 0, 0);
        return;
      case 4:
        out.push(1, instrumentRegister(inst, InstrumentField.MAX_POSITION), this.int(0, 100_000), 0, 0, 0);
        return;
      case 5:
        out.push(1, instrumentRegister(inst, InstrumentField.MAX_NOTIONAL), this.int(0, 2 ** 40), 0, 0, 0);
        return;
      case 6:
        this.collars[inst] = this.int(0, 1000);
        out.push(1, instrumentRegister(inst, InstrumentField.COLLAR_BPS), this.collars[inst]!, 0, 0, 0);
        return;
      case 7:
        out.push(1, instrumentRegister(inst, InstrumentField.ENABLED), this.rnd() < 0.8 ? 1 : 0, 0, 0, 0);
        return;
      default:
        this.refs[inst] = inst % 2 === 0 ? 10_000 * this.int(1, 200) : Math.max(0, Math.round(this.refs[inst]! * (1 + (this.rnd() - 0.5) * 0.01)));
        out.push(1, instrumentRegister(inst, InstrumentField.REFERENCE_PRICE), this.refs[inst]!, 0, 0, 0);
    }
  }
}

/** Packs records as the sidecar's `batch` body: six little-endian float64 per record. */
export function packRecords(recs: number[]): Uint8Array {
  return new Uint8Array(Float64Array.from(recs).buffer);
}

/** Applies records to the golden model and appends each order's verdict to `codes`. */
export function applyToModel(model: { writeRegister(a: number, v: number): void; check(o: { instrument: number; side: 1 | -1; price: number; qty: number; ts: number }): number }, recs: number[], codes: number[]): void {
  const o = { instrument: 0, side: 1 as 1 | -1, price: 0, qty: 0, ts: 0 };
  for (let i = 0; i < recs.length; i += 6) {
    if (recs[i] === 1) {
      model.writeRegister(recs[i + 1]!, recs[i + 2]!);
      continue;
    }
    o.instrument = recs[i + 1]!;
    o.side = recs[i + 2]! < 0 ? -1 : 1;
    o.price = recs[i + 3]!;
    o.qty = recs[i + 4]!;
    o.ts = recs[i + 5]!;
    codes.push(model.check(o));
  }
}
