/**
 * The single-threaded event loop: merges market sources and timers into one total order (ts, then
 * sequence: timers due at a ts run before market events of the same ts, market sources in config
 * order, timers in the order they were scheduled) and hands each event to the session's pipeline.
 * The loop itself never allocates per event: the market event is a reused flyweight.
 */
import { newMarketEvent, type MarketEvent, type MarketSource } from "../data/sources/market-source.ts";
import { KernelClock } from "./clock.ts";
import { TimerQueue, type TimerCallback, type TimerHandler } from "./timer-queue.ts";

/** Receives every market event in order. */
export interface MarketSink {
  onMarket(event: MarketEvent): void;
}

/** Merges sources and timers, advances the clock and dispatches. */
export class EventLoop {
  readonly clock = new KernelClock();
  private readonly timers = new TimerQueue();
  private readonly event: MarketEvent = newMarketEvent();
  private readonly sources: MarketSource[];
  private sink: MarketSink | undefined;
  /** Market events dispatched so far. */
  marketEvents = 0;
  /** Timers run so far. */
  timerEvents = 0;

  constructor(sources: readonly MarketSource[]) {
    this.sources = [...sources];
  }

  /** Sets where market events go (the session's pipeline). */
  attach(sink: MarketSink): void {
    this.sink = sink;
  }

  /** Runs `fn` when kernel time reaches `ts` (immediately-due timers run at the next step). */
  schedule(ts: number, fn: TimerCallback): void {
    this.timers.push(ts < this.clock.now() ? this.clock.now() : ts, fn);
  }

  /** Registers a handler for `scheduleCall`; returns its id. */
  registerTimer(handler: TimerHandler): number {
    return this.timers.register(handler);
  }

  /** Calls registered handler `handler` with `arg` when kernel time reaches `ts`, without allocating (same order rules as `schedule`). */
  scheduleCall(ts: number, handler: number, arg: number): void {
    this.timers.pushCall(ts < this.clock.now() ? this.clock.now() : ts, handler, arg);
  }

  /** ts of the next event from any source or timer, or Infinity when nothing is left. */
  peekTs(): number {
    const t = this.timers.peekTs();
    const s = this.nextSource();
    const sTs = s < 0 ? Infinity : this.sources[s]!.peekTs();
    return t <= sTs ? t : sTs;
  }

  /** Drops market events at or before `ts` from every source (a restart resumes where the journal ended); returns how many. */
  skipSourcesThrough(ts: number): number {
    let n = 0;
    for (const source of this.sources) {
      while (source.peekTs() <= ts && source.next(this.event)) n++;
    }
    return n;
  }

  /** ts of the next market event from any source (timers ignored), or Infinity. */
  peekSourceTs(): number {
    const s = this.nextSource();
    return s < 0 ? Infinity : this.sources[s]!.peekTs();
  }

  /** True when every source is exhausted and no timer is pending. */
  get exhausted(): boolean {
    return this.timers.size === 0 && this.nextSource() < 0;
  }

  /**
   * Processes events due at or before `limitTs`, at most `maxEvents` of them.
   * Returns the number processed.
   */
  runUntil(limitTs: number, maxEvents = Number.MAX_SAFE_INTEGER): number {
    const sink = this.sink;
    if (sink === undefined) throw new Error("KERNEL_NO_SINK: attach a pipeline before running the loop");
    const clock = this.clock;
    const ev = this.event;
    let done = 0;
    while (done < maxEvents) {
      const tTs = this.timers.peekTs();
      const si = this.nextSource();
      const sTs = si < 0 ? Infinity : this.sources[si]!.peekTs();
      if (tTs <= sTs) {
        if (tTs > limitTs || tTs === Infinity) break;
        clock.advance(tTs);
        this.timerEvents++;
        this.timers.runNext();
      } else {
        if (sTs > limitTs) break;
        if (!this.sources[si]!.next(ev)) continue;
        clock.advance(ev.ts);
        this.marketEvents++;
        sink.onMarket(ev);
      }
      done++;
    }
    return done;
  }

  /** Runs only timers due at or before `limitTs` (a graceful stop collects the venue's answers). */
  runTimersUntil(limitTs: number): number {
    let done = 0;
    while (this.timers.peekTs() <= limitTs) {
      this.clock.advance(this.timers.peekTs());
      this.timers.runNext();
      this.timerEvents++;
      done++;
    }
    return done;
  }

  /** Closes every source. */
  close(): void {
    for (const s of this.sources) s.close();
  }

  /** Index of the source with the earliest next event (first in config order on ties), -1 if none. */
  private nextSource(): number {
    const sources = this.sources;
    let best = -1;
    let bestTs = Infinity;
    for (let i = 0; i < sources.length; i++) {
      const ts = sources[i]!.peekTs();
      if (ts < bestTs) {
        bestTs = ts;
        best = i;
      }
    }
    return best;
  }
}
