/**
 * The risk engine: the only place that turns intents into orders. Its pre-trade chain runs, in
 * order: kill switch, a risk plugin's "halted" request, loss breaker (or a plugin's "reducing"
 * request), instrument and size sanity, market presence, reduce-only,
 * price collar, order notional, position limit, order rate, then the deployment's risk plugins.
 * A refusal is a returned verdict with a stable code and key=value context; nothing throws.
 */
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import type { OrderIntent } from "../../plugins/sdk/orders.ts";
import type { RiskCheck, RiskVerdict } from "../../plugins/sdk/risk.ts";
import type { HeldReason, TradingState } from "../../plugins/sdk/trading-state.ts";
import type { L1Books } from "../data/l1-books.ts";
import type { InstrumentLimits, RiskLimitsConfig } from "./limits.ts";
import { RateWindow } from "./rate-window.ts";

/** A loaded risk plugin rule as the engine calls it. */
export interface RiskRule {
  readonly name: string;
  /** Runs the rule; a throw is contained by the caller's wrapper. */
  check(order: RiskCheck): RiskVerdict | null;
}

/** What the engine reads of the rest of the runtime. */
export interface RiskInputs {
  /** Deployment-wide signed position of an instrument. */
  position(instrument: number): number;
  /** Signed position of one strategy in an instrument (what its reduce-only orders reduce). */
  strategyPosition(strategy: string, instrument: number): number;
  /** Unfilled size of open orders on one side (side +1 or -1), as a positive number. */
  working(instrument: number, side: 1 | -1): number;
  /** Money of an instrument in account currency; null when no conversion rate is known yet. */
  toAccount(instrument: number, money: number): number | null;
}

/** State of the daily loss / drawdown breaker. */
export interface BreakerState {
  tripped: boolean;
  reason: string;
  dayStartEquity: number;
  peakEquity: number;
  day: number;
}

const DAY_US = 86_400_000_000;

/** A risk plugin's standing trading-state request. */
export interface RuleStateRequest {
  readonly state: TradingState;
  readonly reason: string;
  readonly since: number;
}

const RANK: Record<TradingState, number> = { active: 0, reducing: 1, halted: 2 };

/** Pre-trade chain, kill switch and breaker. */
export class RiskEngine {
  killSwitch = false;
  killReason = "";
  readonly breaker: BreakerState = { tripped: false, reason: "", dayStartEquity: 0, peakEquity: 0, day: -1 };
  private readonly rates = new Map<string, RateWindow>();
  /** Rejections by code, for metrics. */
  readonly rejections = new Map<string, number>();
  /** Risk plugins' standing requests other than "active", by rule name. */
  readonly ruleStates = new Map<string, RuleStateRequest>();
  /** The most restrictive rule request, and the rule that made it ("" when none). */
  private ruleHold: TradingState = "active";
  private ruleHolder = "";

  constructor(
    private readonly instruments: readonly Instrument[],
    public limits: InstrumentLimits[],
    public config: RiskLimitsConfig,
    private readonly books: L1Books,
    private readonly inputs: RiskInputs,
    private readonly rules: readonly RiskRule[] = [],
  ) {}

  /** Runs the pre-trade chain; null passes. */
  check(strategy: string, intent: OrderIntent, now: number): RiskVerdict | null {
    const v = this.evaluate(strategy, intent, now);
    if (v !== null) this.rejections.set(v.code, (this.rejections.get(v.code) ?? 0) + 1);
    return v;
  }

  /** Replaces the limits (an operator's change); rate windows restart with the new rate. */
  setLimits(config: RiskLimitsConfig, limits: InstrumentLimits[]): void {
    this.config = config;
    this.limits = limits;
    this.rates.clear();
  }

  /** Engages the kill switch: every new order is refused until released. */
  engageKill(reason: string): void {
    this.killSwitch = true;
    this.killReason = reason;
  }

  /** Releases the kill switch. */
  releaseKill(): void {
    this.killSwitch = false;
    this.killReason = "";
  }

  /** The trading state: "halted" (kill switch or a rule), "reducing" (breaker or a rule) or "active". */
  get tradingState(): TradingState {
    if (this.killSwitch || this.ruleHold === "halted") return "halted";
    return this.breaker.tripped || this.ruleHold === "reducing" ? "reducing" : "active";
  }

  /** The code an order held back in `state` would have been refused with. */
  heldCode(state: TradingState): HeldReason | null {
    if (state === "halted") return this.killSwitch ? "KILL_SWITCH" : "RULE_HALTED";
    if (state === "reducing") return this.breaker.tripped ? "BREAKER_TRIPPED" : "RULE_REDUCING";
    return null;
  }

  /** Records a rule's request ("active" withdraws it); returns false when it was already standing. */
  setRuleState(rule: string, state: TradingState, reason: string, now: number): boolean {
    const before = this.ruleStates.get(rule)?.state ?? "active";
    if (before === state) return false;
    if (state === "active") this.ruleStates.delete(rule);
    else this.ruleStates.set(rule, { state, reason, since: now });
    this.ruleHold = "active";
    this.ruleHolder = "";
    for (const [name, r] of this.ruleStates) {
      if (RANK[r.state] > RANK[this.ruleHold]) {
        this.ruleHold = r.state;
        this.ruleHolder = name;
      }
    }
    return true;
  }

  /**
   * Feeds account equity to the breaker; returns the reason when this call trips it.
   * The breaker re-arms at the start of each UTC day.
   */
  onEquity(now: number, equity: number): string | null {
    const b = this.breaker;
    const day = Math.floor(now / DAY_US);
    if (day !== b.day) {
      b.day = day;
      b.dayStartEquity = equity;
      b.peakEquity = equity;
      b.tripped = false;
      b.reason = "";
    }
    if (equity > b.peakEquity) b.peakEquity = equity;
    if (b.tripped) return null;
    const loss = b.dayStartEquity - equity;
    const drawdown = b.peakEquity - equity;
    if (loss >= this.config.maxDailyLoss) {
      b.tripped = true;
      b.reason = `daily_loss=${loss.toFixed(2)} max=${this.config.maxDailyLoss}`;
    } else if (drawdown >= this.config.maxDrawdown) {
      b.tripped = true;
      b.reason = `drawdown=${drawdown.toFixed(2)} max=${this.config.maxDrawdown}`;
    }
    return b.tripped ? b.reason : null;
  }

  private holdReason(): string {
    return `rule=${this.ruleHolder} ${this.ruleStates.get(this.ruleHolder)?.reason ?? ""}`.trimEnd();
  }

  private evaluate(strategy: string, intent: OrderIntent, now: number): RiskVerdict | null {
    if (this.killSwitch) return { code: "KILL_SWITCH", reason: `engaged reason=${this.killReason}` };
    if (this.ruleHold === "halted") return { code: "RULE_HALTED", reason: this.holdReason() };
    const inst = this.instruments[intent.instrument];
    if (inst === undefined) return { code: "UNKNOWN_INSTRUMENT", reason: `instrument=${intent.instrument}` };
    const position = this.inputs.position(inst.id);
    const increases = position === 0 || Math.sign(position) === intent.side;
    if (this.breaker.tripped && (increases || intent.size > Math.abs(position))) {
      return { code: "BREAKER_TRIPPED", reason: this.breaker.reason };
    }
    if (this.ruleHold === "reducing" && (increases || intent.size > Math.abs(position))) {
      return { code: "RULE_REDUCING", reason: `${this.holdReason()} position=${position} side=${intent.side} size=${intent.size}` };
    }
    const size = intent.size;
    if (!Number.isSafeInteger(size) || size <= 0 || size < inst.minSize || size % inst.lotSize !== 0) {
      return { code: "INVALID_SIZE", reason: `size=${size} min=${inst.minSize} lot=${inst.lotSize}` };
    }
    const needsPrice = intent.type === "limit" || intent.type === "stop-limit";
    const price = intent.price ?? 0;
    if (needsPrice && (!Number.isSafeInteger(price) || price <= 0)) return { code: "INVALID_PRICE", reason: `price=${intent.price}` };
    if ((intent.type === "stop" || intent.type === "stop-limit") && !(Number.isSafeInteger(intent.stopPrice) && intent.stopPrice! > 0)) {
      return { code: "INVALID_PRICE", reason: `stopPrice=${intent.stopPrice}` };
    }
    if (intent.tif === "GTD" && !(intent.expireTs! > now)) return { code: "INVALID_EXPIRY", reason: `expireTs=${intent.expireTs} now=${now}` };
    const book = this.books.books[inst.id]!;
    if (!book.valid) return { code: "NO_MARKET", reason: `instrument=${inst.symbol}` };
    if (intent.reduceOnly) {
      // Reduce-only applies to the strategy's own book: strategies keep separate FIFO books.
      const own = this.inputs.strategyPosition(strategy, inst.id);
      if (own === 0 || Math.sign(own) === intent.side || size > Math.abs(own)) {
        return { code: "REDUCE_ONLY", reason: `strategy_position=${own} side=${intent.side} size=${size}` };
      }
    }
    const lim = this.limits[inst.id]!;
    // Collar: |price - mid| <= bps * mid / 10000, in integers on twice the mid.
    const refPrice = needsPrice ? price : intent.side === 1 ? book.ask : book.bid;
    if (needsPrice && Math.abs(2 * price - book.mid2) * 10_000 > lim.priceCollarBps * book.mid2) {
      return { code: "PRICE_COLLAR", reason: `price=${price} mid2=${book.mid2} collar_bps=${lim.priceCollarBps}` };
    }
    const notional = this.inputs.toAccount(inst.id, refPrice * size);
    if (notional === null) return { code: "NO_CONVERSION_RATE", reason: `instrument=${inst.symbol} quote=${inst.quote}` };
    if (notional > lim.maxOrderNotional) {
      return { code: "NOTIONAL_LIMIT", reason: `notional=${notional.toFixed(2)} max=${lim.maxOrderNotional} instrument=${inst.symbol}` };
    }
    const projected = Math.abs(position + intent.side * (size + this.inputs.working(inst.id, intent.side)));
    if (projected > lim.maxPosition && projected > Math.abs(position)) {
      return { code: "POSITION_LIMIT", reason: `projected=${projected} max=${lim.maxPosition} position=${position}` };
    }
    let rate = this.rates.get(strategy);
    if (rate === undefined) {
      rate = new RateWindow(this.config.maxOrdersPerSecond, 1_000_000);
      this.rates.set(strategy, rate);
    }
    if (!rate.allows(now)) return { code: "RATE_LIMIT", reason: `strategy=${strategy} max_per_s=${this.config.maxOrdersPerSecond}` };
    if (this.rules.length > 0) {
      const check: RiskCheck = { strategy, instrument: inst, intent, position, workingSameSide: this.inputs.working(inst.id, intent.side), book, now };
      for (const rule of this.rules) {
        const v = rule.check(check);
        if (v !== null) return v;
      }
    }
    rate.record(now);
    return null;
  }
}
