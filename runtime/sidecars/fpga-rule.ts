/**
 * The FPGA risk gate as a session's pre-trade rule. It loads the runtime's limits into the gate,
 * mirrors reference prices, positions and the kill switch into its registers, and maps the gate's
 * verdicts to risk codes. Register updates from quotes and fills are written to the golden model at
 * once and the register is marked dirty for the sidecar (so a quiet hour of quotes costs one entry
 * per register, not one per quote); the dirty registers go out with their latest values as one
 * fire-and-forget binary `regs` frame just before the next order's `check` frame, so the sidecar (which
 * serves its ring in order) sees the same registers as the model without a round trip per quote.
 * A sidecar that restarts is reloaded from the model by the gate itself (`FpgaRiskGate.ensureSynced`).
 *
 * An instrument's limits are re-read at most once a second of kernel time, on its next order, so
 * live limit changes and the moving conversion rate (the notional limit is in the instrument's
 * money, see `gate-limits.ts`) reach the gate. The gate's position register is set, before each
 * order, to the deployment's position plus the working size on the order's side (the engine's
 * projected position), and after each fill to the position; the gate books accepted orders into
 * it between those points, as the card would.
 */
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import type { RiskCheck, RiskVerdict } from "../../plugins/sdk/risk.ts";
import type { ShmClient } from "../../gpu-bridge/shm/client.ts";
import { BinaryKind } from "../../gpu-bridge/shm/binary-frame.ts";
import { GateFrameEncoder } from "../../fpga-bridge/gate-frame.ts";
import type { FpgaRiskGate } from "../../fpga-bridge/gate.ts";
import type { GateOrder, RiskGateModel } from "../../fpga-bridge/golden/model.ts";
import { GATE_INSTRUMENTS, GATE_VERDICT_NAMES, GlobalRegister, InstrumentField, instrumentRegister } from "../../fpga-bridge/golden/registers.ts";
import type { RiskRule } from "../risk/engine.ts";
import type { SidecarContext } from "./types.ts";
import { gateLimits, gateRate, referencePrice } from "./gate-limits.ts";

/** Risk codes of the gate's refusals, indexed by gate verdict code. */
export const FPGA_RISK_CODES = [
  "",
  "FPGA_KILL_SWITCH",
  "FPGA_UNKNOWN_INSTRUMENT",
  "FPGA_BAD_ORDER",
  "FPGA_PRICE_COLLAR",
  "FPGA_NOTIONAL_LIMIT",
  "FPGA_POSITION_LIMIT",
  "FPGA_RATE_LIMIT",
] as const;

/** How often an instrument's limits are re-read (live limit changes) and its notional limit re-derived from the moving conversion rate (kernel µs). */
const LIMITS_REFRESH_US = 1_000_000;
/** Deadline of a register frame: generous, it is never waited for. */
const REGS_DEADLINE_US = 10_000_000;
/** Register addresses the rule writes: every per-instrument field and the global registers. */
const REGISTER_SPACE = GlobalRegister.RATE_COUNT + 1;

/** Returns a register's current value in the golden model (the fields the rule writes). */
function registerValue(m: RiskGateModel, addr: number): number {
  switch (addr) {
    case GlobalRegister.KILL:
      return m.kill ? 1 : 0;
    case GlobalRegister.RATE_LIMIT:
      return m.rateLimit;
    case GlobalRegister.RATE_SHIFT:
      return m.rateShift;
    case GlobalRegister.RATE_WINDOW:
      return m.rateWindow;
    case GlobalRegister.RATE_COUNT:
      return m.rateCount;
  }
  const i = addr >> 3;
  switch (addr & 7) {
    case InstrumentField.MAX_POSITION:
      return m.maxPosition[i]!;
    case InstrumentField.MAX_NOTIONAL:
      return m.maxNotional[i]!;
    case InstrumentField.COLLAR_BPS:
      return m.collarBps[i]!;
    case InstrumentField.REFERENCE_PRICE:
      return m.referencePrice[i]!;
    case InstrumentField.POSITION:
      return m.position[i]!;
    default:
      return m.enabled[i]!;
  }
}

/** One decided order, kept for equivalence checks (tests, audits). */
export interface GateDecision {
  readonly order: GateOrder;
  /** Register writes applied since the previous decision, flat [addr, value, ...]. */
  readonly writes: readonly number[];
  readonly code: number;
  readonly source: "fpga" | "software";
}

/** The FPGA gate rule of a session. */
export class FpgaGateRule implements RiskRule {
  readonly name = "fpga-gate";
  /** Verdicts by source. */
  readonly verdicts = { fpga: 0, software: 0 };
  /** Refusals by risk code. */
  readonly refusals: Record<string, number> = {};
  /** Orders on instruments past the gate's 32 slots, passed without a gate verdict. */
  bypassed = 0;
  /** When set, every decision is appended (tests; off in production). */
  decisions: GateDecision[] | null = null;
  /** Dirty register addresses (deduplicated by `dirtyFlag`) and the reused frame body. */
  private readonly dirty: number[] = [];
  private readonly dirtyFlag = new Uint8Array(REGISTER_SPACE);
  private readonly frame: number[] = [];
  private readonly frames = new GateFrameEncoder();
  private readonly journal: number[] = [];
  private readonly limitsAt: Float64Array;
  private readonly order: GateOrder = { instrument: 0, side: 1, price: 0, qty: 0, ts: 0 };

  constructor(
    private readonly ctx: SidecarContext,
    readonly gate: FpgaRiskGate,
    private readonly client: ShmClient | null,
  ) {
    this.limitsAt = new Float64Array(ctx.instruments.length).fill(-Infinity);
    const rate = gateRate(ctx.limitsConfig);
    this.write(GlobalRegister.RATE_LIMIT, rate.limit);
    this.write(GlobalRegister.RATE_SHIFT, rate.shift);
    this.write(GlobalRegister.KILL, ctx.killEngaged() ? 1 : 0);
    for (const inst of ctx.instruments) {
      if (inst.id >= GATE_INSTRUMENTS) continue;
      this.refreshLimits(inst);
      this.write(instrumentRegister(inst.id, InstrumentField.POSITION), ctx.position(inst.id));
      const t = ctx.touch(inst.id);
      this.write(instrumentRegister(inst.id, InstrumentField.REFERENCE_PRICE), referencePrice(t.bid, t.ask));
      this.write(instrumentRegister(inst.id, InstrumentField.ENABLED), 1);
    }
  }

  /** Writes a register in the model now and marks it dirty for the sidecar. */
  write(addr: number, value: number): void {
    this.gate.model.writeRegister(addr, value);
    if (this.client !== null && this.dirtyFlag[addr] === 0) {
      this.dirtyFlag[addr] = 1;
      this.dirty.push(addr);
    }
    if (this.decisions !== null) this.journal.push(addr, value);
  }

  /** Mirrors a quote into the instrument's reference price (only when the mid moved). */
  onQuote(instrument: number, bid: number, ask: number): void {
    if (instrument >= GATE_INSTRUMENTS) return;
    const ref = referencePrice(bid, ask);
    if (ref !== this.gate.model.referencePrice[instrument]) this.write(instrumentRegister(instrument, InstrumentField.REFERENCE_PRICE), ref);
  }

  /** Sets the instrument's position register to the deployment's position after a fill. */
  onFill(instrument: number): void {
    if (instrument >= GATE_INSTRUMENTS) return;
    const p = this.ctx.position(instrument);
    if (p !== this.gate.model.position[instrument]) this.write(instrumentRegister(instrument, InstrumentField.POSITION), p);
  }

  /** Follows the kill switch. */
  onKill(engaged: boolean): void {
    this.write(GlobalRegister.KILL, engaged ? 1 : 0);
  }

  /** Runs the gate on an order; maps a refusal to a risk verdict naming the verdict's source. */
  check(c: RiskCheck): RiskVerdict | null {
    const i = c.instrument.id;
    if (i >= GATE_INSTRUMENTS) {
      this.bypassed++;
      return null;
    }
    const now = this.ctx.now();
    const { intent } = c;
    if (now - this.limitsAt[i]! >= LIMITS_REFRESH_US) {
      this.limitsAt[i] = now;
      this.refreshLimits(c.instrument);
    }
    const projected = c.position + intent.side * Math.abs(c.workingSameSide);
    if (projected !== this.gate.model.position[i]) this.write(instrumentRegister(i, InstrumentField.POSITION), projected);
    this.flush();
    const o = this.order;
    o.instrument = i;
    o.side = intent.side;
    o.price = intent.price ?? (intent.side === 1 ? c.book.ask : c.book.bid);
    o.qty = intent.size;
    o.ts = now;
    const code = this.gate.check(o);
    const source = this.gate.lastSource;
    this.verdicts[source]++;
    if (this.decisions !== null) {
      this.decisions.push({ order: { ...o }, writes: this.journal.slice(), code, source });
      this.journal.length = 0;
    }
    if (code === 0) return null;
    const risk = FPGA_RISK_CODES[code] ?? `FPGA_${GATE_VERDICT_NAMES[code] ?? code}`;
    this.refusals[risk] = (this.refusals[risk] ?? 0) + 1;
    return { code: risk, reason: this.reason(code, o, source) };
  }

  /** Writes an instrument's limit registers that differ from the runtime's current limits. */
  private refreshLimits(inst: Instrument): void {
    const l = gateLimits(inst, this.ctx.limits[inst.id]!, this.ctx.toAccount);
    const m = this.gate.model;
    const i = inst.id;
    if (l.maxPosition !== m.maxPosition[i]) this.write(instrumentRegister(i, InstrumentField.MAX_POSITION), l.maxPosition);
    if (l.maxNotional !== m.maxNotional[i]) this.write(instrumentRegister(i, InstrumentField.MAX_NOTIONAL), l.maxNotional);
    if (l.collarBps !== m.collarBps[i]) this.write(instrumentRegister(i, InstrumentField.COLLAR_BPS), l.collarBps);
  }

  /** Sends the dirty registers' current values without waiting; dropped when the sidecar is away (a reattach reloads the whole image). */
  private flush(): void {
    const d = this.dirty;
    if (d.length === 0 || this.client === null) return;
    const f = this.frame;
    f.length = 0;
    for (const addr of d) {
      f.push(addr, registerValue(this.gate.model, addr));
      this.dirtyFlag[addr] = 0;
    }
    d.length = 0;
    this.client.sendFrame(BinaryKind.REGS, this.frames.registers(f), REGS_DEADLINE_US);
  }

  private reason(code: number, o: GateOrder, source: string): string {
    const m = this.gate.model;
    const i = o.instrument;
    const sym = this.ctx.instruments[i]!.symbol;
    const base = `source=${source} instrument=${sym} side=${o.side} price=${o.price} qty=${o.qty}`;
    switch (code) {
      case 4:
        return `${base} reference=${m.referencePrice[i]} collar_bps=${m.collarBps[i]}`;
      case 5:
        return `${base} notional=${o.price * o.qty} max=${m.maxNotional[i]}`;
      case 6:
        return `${base} position=${m.position[i]} max=${m.maxPosition[i]}`;
      case 7:
        return `${base} count=${m.rateCount} max=${m.rateLimit} window_us=${2 ** m.rateShift}`;
      default:
        return base;
    }
  }
}
