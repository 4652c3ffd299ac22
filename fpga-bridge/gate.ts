/**
 * The runtime's FPGA risk gate: sends each order to the gate sidecar over the shm bridge and
 * falls back to the software gate (the golden model) when the sidecar is absent, dead, late or
 * corrupt. The golden model runs on every order as the gate's shadow, so it always holds the
 * state (positions, rate window) that a fallback needs and that a restarted sidecar is reloaded
 * with; a verdict that differs from the model's raises FPGA_DIVERGED and the model's verdict wins.
 *
 * @example
 * const gate = new FpgaRiskGate({ client, timeoutUs: 200, onAlert: (e) => log(e) });
 * gate.setLimits(0, { maxPosition: 1_000_000, maxNotional: 10 ** 12, collarBps: 50 });
 * const code = gate.check({ instrument: 0, side: 1, price: 108_501, qty: 10_000, ts: now });
 */
import { BinaryKind, frameText, isFrameReply } from "../gpu-bridge/shm/binary-frame.ts";
import type { ShmClient } from "../gpu-bridge/shm/client.ts";
import type { ShmResponse } from "../gpu-bridge/shm/codec.ts";
import { bridgeError, type BridgeError } from "../gpu-bridge/shm/errors.ts";
import { GateFrameEncoder, gateReplyWord } from "./gate-frame.ts";
import { type GateLimits, type GateOrder, RiskGateModel } from "./golden/model.ts";
import { type GateVerdictCode, GlobalRegister, InstrumentField, instrumentRegister } from "./golden/registers.ts";

/** Options of the FPGA risk gate. */
export interface FpgaRiskGateOptions {
  /** The bridge to the gate sidecar; null runs the software gate alone. */
  readonly client: ShmClient | null;
  /** Deadline of one verdict from the sidecar, in microseconds (default 200). */
  readonly timeoutUs?: number;
  /** Receives FPGA_* alerts; bridge alerts go to the client's own `onAlert`. */
  readonly onAlert?: (e: { code: string; context: string }) => void;
}

/** Where the last verdict came from. */
export type VerdictSource = "fpga" | "software";

/** The pre-trade risk gate with the FPGA sidecar in front and the software model behind. */
export class FpgaRiskGate {
  readonly model = new RiskGateModel();
  /** Source of the last verdict. */
  lastSource: VerdictSource = "software";
  /** Cycles the last FPGA verdict took (0 for a software verdict). */
  lastCycles = 0;
  /** Verdicts served by the software gate because the sidecar could not answer in time. */
  fallbacks = 0;
  private readonly client: ShmClient | null;
  private readonly timeoutUs: number;
  private readonly onAlert: (e: { code: string; context: string }) => void;
  private syncedEpoch = -1;
  private readonly frames = new GateFrameEncoder();
  private readonly one: [number, number] = [0, 0];

  constructor(opts: FpgaRiskGateOptions) {
    this.client = opts.client;
    this.timeoutUs = opts.timeoutUs ?? 200;
    this.onAlert = opts.onAlert ?? (() => {});
  }

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

  /** Overwrites an instrument's position. */
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

  /** Writes a gate register in the model and, when the sidecar is in sync, in the sidecar. */
  writeRegister(addr: number, value: number): void {
    this.model.writeRegister(addr, value);
    if (!this.client || this.syncedEpoch < 0) return;
    this.one[0] = addr;
    this.one[1] = value;
    const r = this.client.callFrameSync(BinaryKind.REGS, this.frames.registers(this.one), this.timeoutUs * 10);
    if ("code" in r || r.status !== 0) this.lose(r);
  }

  /** Returns the verdict for an order (see `GateVerdict`); never waits past the deadline. */
  check(o: GateOrder): GateVerdictCode {
    this.lastSource = "software";
    this.lastCycles = 0;
    const c = this.client;
    // Sync before the model books this order, so the reloaded sidecar sees the same state.
    const live = c !== null && this.ensureSynced(c);
    const soft = this.model.check(o);
    if (!live) {
      this.fallbacks++;
      return soft;
    }
    const r = c!.callFrameSync(BinaryKind.CHECK, this.frames.order(o), this.timeoutUs);
    if ("code" in r || r.status !== 0 || !isFrameReply(r.body) || gateReplyWord(r.body.body, 0) < 0) {
      this.lose(r);
      this.fallbacks++;
      return soft;
    }
    const code = gateReplyWord(r.body.body, 0);
    const cycles = gateReplyWord(r.body.body, 1);
    if (code !== soft) {
      this.onAlert({ code: "FPGA_DIVERGED", context: `fpga=${code} model=${soft} instrument=${o.instrument} ts=${o.ts}` });
      this.syncedEpoch = -1; // reload the sidecar from the model before trusting it again
      return soft;
    }
    this.lastSource = "fpga";
    this.lastCycles = cycles;
    return soft;
  }

  /** Reloads a (re)attached sidecar with the model's registers; returns whether it is in sync. */
  private ensureSynced(c: ShmClient): boolean {
    if (c.health()) return false;
    const epoch = c.epoch();
    if (epoch === this.syncedEpoch) return true;
    const image = this.model.registerImage();
    const flat: number[] = [];
    for (const [addr, v] of image) flat.push(addr, v);
    const r = c.callFrameSync(BinaryKind.REGS, this.frames.registers(flat), this.timeoutUs * 50);
    if ("code" in r || r.status !== 0) {
      this.lose(r);
      return false;
    }
    this.syncedEpoch = epoch;
    this.onAlert({ code: "FPGA_ATTACHED", context: `epoch=${epoch} registers=${image.length}` });
    return true;
  }

  private lose(r: BridgeError | ShmResponse): void {
    this.syncedEpoch = -1;
    const e = "code" in r ? r : bridgeError("SHM_REMOTE_ERROR", `status=${r.status} body=${isFrameReply(r.body) ? JSON.stringify(frameText(r.body.body)) : JSON.stringify(r.body)}`);
    this.onAlert({ code: "FPGA_FALLBACK", context: `cause=${e.code} ${e.context}` });
  }
}
