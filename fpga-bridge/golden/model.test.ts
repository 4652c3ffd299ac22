import { describe, expect, test } from "bun:test";
import { RiskGateModel, type GateOrder } from "./model.ts";
import { GateVerdict, GlobalRegister, InstrumentField, instrumentRegister } from "./registers.ts";

const T0 = 1_700_000_000_000_000;

function gate(): RiskGateModel {
  const g = new RiskGateModel();
  g.setLimits(1, { maxPosition: 1_000, maxNotional: 50_000_000, collarBps: 100 });
  g.setReferencePrice(1, 100_000);
  g.setRate(3, 20);
  return g;
}

const order = (o: Partial<GateOrder> = {}): GateOrder => ({ instrument: 1, side: 1, price: 100_000, qty: 100, ts: T0, ...o });

describe("RiskGateModel", () => {
  test("an order inside every limit is accepted and booked into the position", () => {
    const g = gate();
    expect(g.check(order())).toBe(GateVerdict.ACCEPT);
    expect(g.position[1]).toBe(100);
    expect(g.check(order({ side: -1, qty: 300 }))).toBe(GateVerdict.ACCEPT);
    expect(g.position[1]).toBe(-200);
  });

  test("the collar admits a price exactly on its edge and refuses one tick beyond", () => {
    const g = gate();
    expect(g.check(order({ price: 101_000 }))).toBe(GateVerdict.ACCEPT);
    expect(g.check(order({ price: 98_999 }))).toBe(GateVerdict.PRICE_COLLAR);
  });

  test("notional and position limits are inclusive", () => {
    const g = gate();
    expect(g.check(order({ qty: 500 }))).toBe(GateVerdict.ACCEPT); // notional 50,000,000 exactly
    expect(g.check(order({ qty: 501, ts: T0 + 1 }))).toBe(GateVerdict.NOTIONAL);
    expect(g.check(order({ qty: 500, ts: T0 + 2 }))).toBe(GateVerdict.ACCEPT); // position 1000 exactly
    expect(g.check(order({ qty: 1, ts: T0 + 3 }))).toBe(GateVerdict.POSITION);
  });

  test("the rate throttle counts accepted orders per window and resets when the window rolls", () => {
    const g = gate();
    for (let i = 0; i < 3; i++) expect(g.check(order({ qty: 1, ts: T0 + i }))).toBe(GateVerdict.ACCEPT);
    expect(g.check(order({ qty: 1, ts: T0 + 10 }))).toBe(GateVerdict.RATE);
    expect(g.check(order({ qty: 1, ts: T0 + 2 ** 20 }))).toBe(GateVerdict.ACCEPT);
  });

  test("checks run in a fixed priority: kill switch, instrument, bad order, collar, notional, position, rate", () => {
    const g = gate();
    g.setKill(true);
    expect(g.check(order({ instrument: 99, qty: 0 }))).toBe(GateVerdict.KILL_SWITCH);
    g.setKill(false);
    expect(g.check(order({ instrument: 99, qty: 0 }))).toBe(GateVerdict.UNKNOWN_INSTRUMENT);
    expect(g.check(order({ instrument: 2 }))).toBe(GateVerdict.UNKNOWN_INSTRUMENT); // never enabled
    expect(g.check(order({ qty: 0, price: 1 }))).toBe(GateVerdict.BAD_ORDER);
    expect(g.check(order({ qty: 2 ** 31 }))).toBe(GateVerdict.BAD_ORDER);
    expect(g.check(order({ price: 0 }))).toBe(GateVerdict.BAD_ORDER);
    expect(g.check(order({ price: 200_000, qty: 10_000 }))).toBe(GateVerdict.PRICE_COLLAR);
    expect(g.check(order({ qty: 10_000 }))).toBe(GateVerdict.NOTIONAL);
  });

  test("register writes truncate to the hardware's widths and a negative position is two's complement", () => {
    const g = new RiskGateModel();
    g.writeRegister(instrumentRegister(4, InstrumentField.POSITION), -5);
    expect(g.position[4]).toBe(-5);
    g.writeRegister(instrumentRegister(4, InstrumentField.POSITION), 2 ** 32 - 7);
    expect(g.position[4]).toBe(-7);
    g.writeRegister(instrumentRegister(4, InstrumentField.COLLAR_BPS), 0x1_0005);
    expect(g.collarBps[4]).toBe(5);
    g.writeRegister(GlobalRegister.RATE_SHIFT, 65);
    expect(g.rateShift).toBe(1);
    g.writeRegister(0x0fff, 1); // unmapped: ignored
    expect(g.registerImage()).toHaveLength(32 * 6 + 5);
  });

  test("a fresh model restored from another's register image gives the same verdicts", () => {
    const a = gate();
    for (let i = 0; i < 2; i++) a.check(order({ qty: 100, ts: T0 + i }));
    const b = new RiskGateModel();
    for (const [addr, v] of a.registerImage()) b.writeRegister(addr, v);
    for (let i = 0; i < 20; i++) {
      const o = order({ qty: 150, side: i % 3 === 0 ? -1 : 1, ts: T0 + 5 + i * 40_000 });
      expect(b.check(o)).toBe(a.check(o));
    }
  });
});
