/**
 * The strategy host: calls each strategy's hooks in config order for the instruments it trades,
 * and contains failures: a hook that throws quarantines its strategy (the core cancels its orders
 * per its policy and raises an alert) while every other strategy keeps trading.
 */
import type { Quote, Trade } from "../../plugins/sdk/market.ts";
import type { Fill, OrderView } from "../../plugins/sdk/orders.ts";
import type { StrategyHooks, StrategyPlugin } from "../../plugins/sdk/strategy.ts";
import type { QuarantinePolicy } from "../../plugins/sdk/manifest.ts";
import type { TradingState } from "../../plugins/sdk/trading-state.ts";
import type { RuntimeStrategyContext } from "./context.ts";
import { KestrelError } from "../errors/codes.ts";

/** Lifecycle state of a strategy instance. */
export type StrategyState = "running" | "paused" | "quarantined";

/** A strategy's hook times against its budget, in microseconds. */
export interface HookTimeReport {
  readonly budgetUs: number;
  readonly calls: number;
  readonly overruns: number;
  readonly worstUs: number;
  readonly worstHook: string;
  readonly lastOverrunHook: string;
}

/**
 * How long a strategy's hook calls took against its time budget: measured for plugins in process
 * (an isolate's watchdog terminates one over budget instead) and reported; with `maxOverruns` the
 * strategy is quarantined, or moved into an isolate (`onOverrun: isolate`), when its overruns reach it.
 */
export class HookBudget {
  /** Hook calls measured. */
  calls = 0;
  /** Calls that took longer than the budget. */
  overruns = 0;
  /** The longest call, nanoseconds, and its hook. */
  worstNs = 0;
  worstHook = "";
  /** The hook of the last overrun ("" before any). */
  lastOverrunHook = "";

  constructor(
    readonly budgetNs: number,
    /** Overruns that quarantine the strategy (Infinity: none do). */
    readonly maxOverruns = Number.POSITIVE_INFINITY,
  ) {}

  /** Records one call of `hook` that took `ns`; true when this call's overrun reached `maxOverruns`. */
  record(hook: string, ns: number): boolean {
    this.calls++;
    if (ns > this.worstNs) {
      this.worstNs = ns;
      this.worstHook = hook;
    }
    if (ns <= this.budgetNs) return false;
    this.overruns++;
    this.lastOverrunHook = hook;
    return this.overruns === this.maxOverruns;
  }

  /** The figures in microseconds, as the admin API and a session's summary show them. */
  report(): HookTimeReport {
    return {
      budgetUs: this.budgetNs / 1000,
      calls: this.calls,
      overruns: this.overruns,
      worstUs: Math.round(this.worstNs / 1000),
      worstHook: this.worstHook,
      lastOverrunHook: this.lastOverrunHook,
    };
  }

  /** The figures as key=value context. */
  describe(): string {
    const r = this.report();
    return `overruns=${r.overruns} budgetUs=${Math.round(r.budgetUs)} worstUs=${r.worstUs} worstHook=${r.worstHook}`;
  }
}

/** One strategy instance in the host. */
export class StrategySlot {
  state: StrategyState = "running";
  /** Why it was quarantined: the hook and the error. */
  failure = "";
  hooks: StrategyHooks = {};
  /** Time of its hook calls against its budget (null: not measured, as for an isolated plugin). */
  budget: HookBudget | null = null;
  /** What happens when its overruns reach `maxOverruns` (null: it is quarantined with PLUGIN_OVERRUN). */
  onOverrunLimit: ((slot: StrategySlot) => void) | null = null;
  constructor(
    readonly name: string,
    public plugin: StrategyPlugin,
    readonly ctx: RuntimeStrategyContext,
    readonly instrumentIds: readonly number[],
    readonly policy: QuarantinePolicy,
  ) {}
}

/** Called when a hook throws: the slot, the hook's name and the error. */
export type QuarantineHandler = (slot: StrategySlot, hook: string, error: unknown) => void;

/** Dispatches events to strategies. */
export class StrategyHost {
  readonly slots: StrategySlot[] = [];
  private readonly byInstrument: StrategySlot[][];
  private readonly byName = new Map<string, StrategySlot>();

  constructor(
    instruments: number,
    private readonly onQuarantine: QuarantineHandler,
  ) {
    this.byInstrument = Array.from({ length: instruments }, () => []);
  }

  /** Adds a strategy (config order is dispatch order) and creates its hooks. */
  add(slot: StrategySlot): void {
    this.slots.push(slot);
    this.byName.set(slot.name, slot);
    for (const id of slot.instrumentIds) this.byInstrument[id]!.push(slot);
    try {
      slot.hooks = slot.plugin.create(slot.ctx as never) ?? {};
    } catch (err) {
      this.fail(slot, "create", err);
    }
  }

  /**
   * Restarts a quarantined strategy with fresh hooks (an operator decided the cause is gone);
   * false when there is no such strategy or it is not quarantined.
   */
  restart(name: string): boolean {
    const slot = this.byName.get(name);
    if (slot === undefined || slot.state !== "quarantined") return false;
    slot.state = "running";
    slot.failure = "";
    try {
      slot.hooks = slot.plugin.create(slot.ctx as never) ?? {};
      slot.hooks.onStart?.(slot.ctx as never);
    } catch (err) {
      this.fail(slot, "create", err);
      return false;
    }
    return true;
  }

  /**
   * Replaces a strategy's plugin between two events (hot swap): the old version's `snapshot()` is
   * handed to the new version's `restore()`, the new version's `onStart` runs, and from the next
   * event on only the new version is called, so no event is missed or seen twice (`handOver` false
   * starts the new version fresh, as a restart does). Returns null on
   * success, or why it failed, in which case the old version keeps running untouched.
   */
  swap(name: string, next: StrategyPlugin, handOver = true): string | null {
    const slot = this.byName.get(name);
    if (slot === undefined) return `no strategy ${name}`;
    let state: unknown = undefined;
    if (handOver && slot.state !== "quarantined" && slot.hooks.snapshot !== undefined) {
      try {
        state = structuredClone(slot.hooks.snapshot(slot.ctx as never));
      } catch (err) {
        return `snapshot of ${slot.plugin.manifest.version} failed: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    let hooks: StrategyHooks;
    try {
      hooks = next.create(slot.ctx as never) ?? {};
      if (state !== undefined) {
        if (hooks.restore === undefined) return `version ${next.manifest.version} has no restore() for the state of ${slot.plugin.manifest.version}`;
        hooks.restore(slot.ctx as never, state, { version: slot.plugin.manifest.version });
      }
      if (slot.state !== "paused") hooks.onStart?.(slot.ctx as never);
    } catch (err) {
      return `version ${next.manifest.version} failed to start: ${err instanceof Error ? err.message : String(err)}`;
    }
    slot.plugin = next;
    slot.hooks = hooks;
    if (slot.state === "quarantined") {
      slot.state = "running";
      slot.failure = "";
    }
    return null;
  }

  /** A strategy by instance name. */
  get(name: string): StrategySlot | undefined {
    return this.byName.get(name);
  }

  /** Calls onStart on every strategy. */
  start(): void {
    for (const s of this.slots) {
      if (s.state !== "running" || s.hooks.onStart === undefined) continue;
      try {
        s.hooks.onStart(s.ctx as never);
      } catch (err) {
        this.fail(s, "onStart", err);
      }
    }
  }

  /** Calls onStop on every strategy that is not quarantined, then pauses it (no more events). */
  stop(): void {
    for (const s of this.slots) {
      if (s.state === "quarantined") continue;
      if (s.hooks.onStop !== undefined) {
        try {
          s.hooks.onStop(s.ctx as never);
        } catch (err) {
          this.fail(s, "onStop", err);
          continue;
        }
      }
      s.state = "paused";
    }
  }

  /** Tells every running strategy that the trading state changed. */
  onTradingState(state: TradingState): void {
    let t = 0;
    for (const s of this.slots) {
      const fn = s.hooks.onTradingState;
      if (s.state !== "running" || fn === undefined) continue;
      const b = s.budget;
      if (b !== null && t === 0) t = Bun.nanoseconds();
      try {
        fn.call(s.hooks, s.ctx as never, state);
        t = b === null ? 0 : this.timed(s, b, "onTradingState", t);
      } catch (err) {
        t = 0;
        this.fail(s, "onTradingState", err);
      }
    }
  }

  /** Dispatches a quote to the strategies of its instrument. */
  onQuote(quote: Quote): void {
    const list = this.byInstrument[quote.instrument];
    if (list === undefined) return;
    let t = 0; // the last clock read, when nothing but this loop ran since (0: none)
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      const fn = s.hooks.onQuote;
      if (s.state !== "running" || fn === undefined) continue;
      const b = s.budget;
      if (b !== null && t === 0) t = Bun.nanoseconds();
      try {
        fn.call(s.hooks, s.ctx as never, quote);
        t = b === null ? 0 : this.timed(s, b, "onQuote", t);
      } catch (err) {
        t = 0;
        this.fail(s, "onQuote", err);
      }
    }
  }

  /** Dispatches a trade print to the strategies of its instrument. */
  onTrade(trade: Trade): void {
    const list = this.byInstrument[trade.instrument];
    if (list === undefined) return;
    let t = 0; // the last clock read, when nothing but this loop ran since (0: none)
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      const fn = s.hooks.onTrade;
      if (s.state !== "running" || fn === undefined) continue;
      const b = s.budget;
      if (b !== null && t === 0) t = Bun.nanoseconds();
      try {
        fn.call(s.hooks, s.ctx as never, trade);
        t = b === null ? 0 : this.timed(s, b, "onTrade", t);
      } catch (err) {
        t = 0;
        this.fail(s, "onTrade", err);
      }
    }
  }

  /** Tells a strategy one of its orders changed. */
  onOrder(name: string, order: OrderView): void {
    const s = this.byName.get(name);
    if (s === undefined || s.state === "quarantined" || s.hooks.onOrder === undefined) return;
    const b = s.budget;
    const t0 = b === null ? 0 : Bun.nanoseconds();
    try {
      s.hooks.onOrder(s.ctx as never, order);
      if (b !== null) this.timed(s, b, "onOrder", t0);
    } catch (err) {
      this.fail(s, "onOrder", err);
    }
  }

  /** Tells a strategy about one of its fills (also when paused: it owns the position). */
  onFill(name: string, fill: Fill): void {
    const s = this.byName.get(name);
    if (s === undefined || s.state === "quarantined" || s.hooks.onFill === undefined) return;
    const b = s.budget;
    const t0 = b === null ? 0 : Bun.nanoseconds();
    try {
      s.hooks.onFill(s.ctx as never, fill);
      if (b !== null) this.timed(s, b, "onFill", t0);
    } catch (err) {
      this.fail(s, "onFill", err);
    }
  }

  /** Fires a strategy's timer. */
  onTimer(name: string, token: number): void {
    const s = this.byName.get(name);
    if (s === undefined || s.state !== "running" || s.hooks.onTimer === undefined) return;
    const b = s.budget;
    const t0 = b === null ? 0 : Bun.nanoseconds();
    try {
      s.hooks.onTimer(s.ctx as never, token);
      if (b !== null) this.timed(s, b, "onTimer", t0);
    } catch (err) {
      this.fail(s, "onTimer", err);
    }
  }

  /**
   * Records a timed hook call that started at `t0` and returns the clock read that ended it, so the
   * next strategy's call in the same dispatch loop starts from it (n + 1 reads for n calls; only the
   * loop's own bookkeeping runs between the two calls). When its overruns reach the limit the
   * strategy goes the way of its policy (`onOverrunLimit`, e.g. into an isolate) or is quarantined
   * with PLUGIN_OVERRUN, and 0 is returned: that work is not the next call's.
   */
  private timed(s: StrategySlot, b: HookBudget, hook: string, t0: number): number {
    const t1 = Bun.nanoseconds();
    if (!b.record(hook, t1 - t0)) return t1;
    if (s.onOverrunLimit !== null) s.onOverrunLimit(s);
    else this.fail(s, hook, new KestrelError("PLUGIN_OVERRUN", `strategy=${s.name} ${b.describe()} (maxOverruns reached)`));
    return 0;
  }

  /** Quarantines a strategy by hand (operator) or after a failure. */
  fail(slot: StrategySlot, hook: string, error: unknown): void {
    if (slot.state === "quarantined") return;
    slot.state = "quarantined";
    const message = error instanceof Error ? error.message : String(error);
    slot.failure = `hook=${hook} error=${message}`;
    this.onQuarantine(slot, hook, error);
  }
}
