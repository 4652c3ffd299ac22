/**
 * The algorithms host: creates parent orders for strategies and operators, runs one algorithm
 * instance per working parent, turns its child intents into ordinary orders (through the router
 * when there is one, always through risk), re-derives the parent whenever a child changes,
 * journals every parent command, and rebuilds parents from the journal after a restart so an
 * algorithm resumes with the children it already had. An algorithm that throws ends its parent
 * (canceled, with an alert); the rest keeps trading.
 */
import type { AlgoHooks, AlgoPlugin, AlgoRequest, ChildIntent, ExperienceEpisode, ParentView, VolumeCurve } from "../../../plugins/sdk/algo.ts";
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import type { BookView } from "../../../plugins/sdk/market.ts";
import { isTerminal, type Fill, type OrderView, type Side } from "../../../plugins/sdk/orders.ts";
import { checkAgainstSchema } from "../../config/schema-errors.ts";
import type { MarketEvent } from "../../data/sources/market-source.ts";
import type { JournalRecord } from "../../journal/records.ts";
import type { SnapshotParent } from "../../journal/snapshot.ts";
import type { TradingCore } from "../../session/trading-core.ts";
import type { VenueSet } from "../../session/venues/attach-venues.ts";
import { baseSymbol } from "../../session/venues/deployment-venues.ts";
import type { Order } from "../order.ts";
import { ParentBook } from "../parents/parent-book.ts";
import { PARENT_TAG, parentOfTag, type ParentOrder, type ParentSpec } from "../parents/parent-order.ts";
import { isParentTerminal } from "../parents/parent-state.ts";
import type { Routing, RoutingDecision } from "../routing/routing.ts";
import { TcaAccumulator, type ParentTca } from "../tca/parent-tca.ts";
import { LiveParentView } from "./parent-view.ts";

/** An algorithm instance name of the deployment with its plugin, default params and curve. */
export interface AlgoDefinition {
  readonly name: string;
  readonly plugin: AlgoPlugin;
  /** Deployment params (defaults applied), under each parent's own. */
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly curve: VolumeCurve | null;
}

/** What the host needs from the session. */
export interface AlgoHostDeps {
  readonly core: TradingCore;
  readonly instruments: readonly Instrument[];
  readonly venues: VenueSet;
  readonly routing: Routing;
  readonly algos: ReadonlyMap<string, AlgoDefinition>;
  readonly seed: number;
  /** Market data older than this does not count in the consolidated book (µs). */
  staleUs(): number;
  /** Units a venue instrument's position limit still allows on a side (venues without room are left out of an algorithm's book). */
  room?(instrument: number, side: 1 | -1): number;
  log(who: string, message: string, fields?: Record<string, unknown>): void;
}

/** One running algorithm on one parent. */
class AlgoInstance {
  hooks: AlgoHooks = {};
  /** Bumped on pause, resume, amend and end: older timers are dropped. */
  generation = 0;
  private rng: number;
  readonly book: { instrument: number; ts: number; bid: number; ask: number; bidSize: number; askSize: number; mid2: number; valid: boolean };
  readonly ctx: import("../../../plugins/sdk/algo.ts").AlgoContext;

  constructor(
    readonly host: AlgoHost,
    readonly parent: ParentOrder,
    readonly def: AlgoDefinition,
    readonly params: Record<string, unknown>,
    readonly tca: TcaAccumulator,
    seed: number,
  ) {
    this.rng = ((seed ^ Math.imul(parent.id, 0x9e3779b1)) >>> 0) || 1;
    this.book = { instrument: parent.spec.instrument, ts: 0, bid: 0, ask: 0, bidSize: 0, askSize: 0, mid2: 0, valid: false };
    const self = this;
    const view = new LiveParentView(parent);
    this.ctx = {
      params: params as never,
      parent: view,
      instrument: host.deps.instruments[parent.spec.instrument]!,
      now: () => host.deps.core.now(),
      book: () => self.refreshBook(),
      child: (intent: ChildIntent) => host.sendChild(self, intent),
      cancel: (childId: number) => {
        if (host.parents.parentOf(childId) === parent) host.deps.core.cancel(null, childId);
      },
      openChildren: () => parent.children.map((id) => host.deps.core.oms.get(id)).filter((o): o is Order => o !== undefined && isOpen(o)),
      setTimer: (afterUs: number, token: number) => host.setTimer(self, afterUs, token),
      random: () => self.random(),
      volumeCurve: () => def.curve,
      features: () => host.deps.core.features.values(parent.spec.instrument),
      observed: () => ({ volume: tca.volume, ticks: tca.ticks }),
      finish: (reason: string) => host.finish(parent.id, reason, def.name),
      log: (message: string, fields?: Record<string, unknown>) => host.deps.log(`algo:${def.name}#${parent.id}`, message, fields),
      ...(host.experienceSink === null ? {} : { experience: (e: ExperienceEpisode) => host.experienceSink?.(def.name, parent.id, e) }),
    };
  }

  /** Consolidated best of the symbol over fresh venues. */
  refreshBook(): BookView {
    const d = this.host.deps;
    const side = this.parent.spec.side;
    const room = d.room;
    const c = d.venues.consolidated.best(this.parent.spec.instrument, d.core.now(), d.staleUs(), room === undefined ? undefined : (id) => room(id, side) > 0);
    const b = this.book;
    b.ts = c.ts;
    b.bid = c.bid;
    b.ask = c.ask;
    b.bidSize = c.bidSize;
    b.askSize = c.askSize;
    b.valid = c.bidInstrument >= 0 && c.askInstrument >= 0;
    b.mid2 = b.valid ? c.bid + c.ask : 0;
    return b;
  }

  random(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng / 4294967296;
  }
}

/** A routing decision in one line: each slice's venue, size and reason, the venues left out, or why nothing was placed. */
function routeLine(d: RoutingDecision): string {
  const placed = d.refused !== "" ? d.refused : d.slices.map((s) => `${s.venue} ${s.size} (${s.reason})`).join("; ");
  const out = [d.stale.length > 0 ? `stale: ${d.stale.join(",")}` : "", d.full.length > 0 ? `full: ${d.full.join(",")}` : ""].filter((x) => x !== "");
  return out.length === 0 ? placed : `${placed} | ${out.join(" | ")}`;
}

function isOpen(o: OrderView): boolean {
  return o.status !== "filled" && o.status !== "canceled" && o.status !== "rejected" && o.status !== "expired";
}

/** Parents and their algorithms in a session. */
export class AlgoHost {
  readonly parents = new ParentBook();
  private readonly instances = new Map<number, AlgoInstance>();
  private readonly tcas = new Map<number, TcaAccumulator>();
  private readonly ended = new Map<number, number>();
  /** Symbol index of each instrument (consolidated grouping). */
  private readonly symbolOf: Int32Array;
  /** Where algorithms' finished rollouts go (set by online learning before the session starts; null: none collected). */
  experienceSink: ((algo: string, parentId: number, episode: ExperienceEpisode) => void) | null = null;
  /**
   * Keep the TCA row and child ids of each parent dropped from memory, for the store's parent_tca
   * written when the session closes (set when the deployment records to a store; one small row per
   * finished parent instead of the parent, its children list and its accumulator).
   */
  keepEvictedTca = false;
  private readonly evictedTca: { row: ParentTca; children: number[] }[] = [];

  constructor(readonly deps: AlgoHostDeps) {
    this.symbolOf = deps.venues.consolidated.symbolOf;
    this.parents.onEvict = (p) => {
      if (this.keepEvictedTca) this.evictedTca.push({ row: this.tcaOf(p), children: [...p.children] });
      this.tcas.delete(p.id);
      this.ended.delete(p.id);
    };
  }

  /** Hooks the core's listeners (keeping those already set). */
  attach(): void {
    const core = this.deps.core;
    const l = core.listeners;
    const order = l.order;
    const fill = l.fill;
    const quote = l.quote;
    const trade = l.trade;
    l.order = (o) => {
      order?.(o);
      this.onOrder(o);
    };
    l.fill = (f) => {
      fill?.(f);
      this.onFill(f);
    };
    l.quote = (ev) => {
      quote?.(ev);
      this.onQuote(ev);
    };
    l.trade = (ev) => {
      trade?.(ev);
      this.onTrade(ev);
    };
  }

  /** Names of the deployment's algorithms. */
  algoNames(): string[] {
    return [...this.deps.algos.keys()];
  }

  /** Creates a parent and starts its algorithm; returns its id (a refused parent is kept as rejected, with the reason). */
  submit(strategy: string, req: AlgoRequest): number {
    const now = this.deps.core.now();
    const spec: ParentSpec = {
      strategy,
      algo: req.algo,
      instrument: req.instrument,
      side: req.side,
      quantity: req.quantity,
      limitPrice: req.limitPrice ?? 0,
      params: { ...(req.params ?? {}) },
    };
    const parent = this.parents.create(spec, now);
    const mid2 = this.consolidatedMid2(req.instrument);
    this.journal({ t: "parent", kind: "new", id: parent.id, ts: now, strategy, algo: req.algo, instrument: req.instrument, side: req.side, quantity: req.quantity, limitPrice: spec.limitPrice, params: JSON.stringify(spec.params), reason: String(mid2) });
    const problem = this.check(spec);
    if (problem !== "") {
      this.reject(parent, problem, now);
      return parent.id;
    }
    const inst = this.instantiate(parent, new TcaAccumulator(mid2));
    if (inst !== null) this.call(inst, "onStart", () => inst.hooks.onStart?.(inst.ctx));
    return parent.id;
  }

  /** Cancels a parent: open children are canceled; it ends canceled (or filled) when they are done. */
  cancel(id: number, by: string): boolean {
    const p = this.parents.get(id);
    if (p === undefined || isParentTerminal(p.status) || p.cancelRequested) return false;
    const now = this.deps.core.now();
    p.cancelRequested = true;
    p.reason = `canceled by=${by}`;
    this.journal({ t: "parent", kind: "cancel", id, ts: now, reason: p.reason });
    this.bump(id);
    this.cancelChildren(p);
    this.derive(p);
    return true;
  }

  /** Pauses (true) or resumes (false) a parent's algorithm; its working children stay. */
  setPaused(id: number, paused: boolean, by: string): boolean {
    const p = this.parents.get(id);
    if (p === undefined || isParentTerminal(p.status) || p.cancelRequested || p.paused === paused) return false;
    p.paused = paused;
    this.journal({ t: "parent", kind: paused ? "pause" : "resume", id, ts: this.deps.core.now(), reason: `by=${by}` });
    this.bump(id);
    this.derive(p);
    if (!paused) {
      const inst = this.instances.get(id);
      if (inst !== undefined) this.call(inst, "onResume", () => (inst.hooks.onResume ?? inst.hooks.onStart)?.call(inst.hooks, inst.ctx));
    }
    return true;
  }

  /** Changes quantity and/or limit; open children are canceled and the algorithm re-plans. Returns an error text or "". */
  amend(id: number, change: { quantity?: number; limitPrice?: number }, by: string): string {
    const p = this.parents.get(id);
    if (p === undefined) return `PARENT_UNKNOWN: parent=${id}`;
    if (isParentTerminal(p.status) || p.cancelRequested) return `PARENT_ILLEGAL_TRANSITION: parent=${id} status=${p.status} amend`;
    const q = change.quantity ?? p.quantity;
    if (!Number.isInteger(q) || q < Math.max(1, p.filled)) return `ALGO_PARAMS_INVALID: parent=${id} quantity=${q} filled=${p.filled}`;
    p.quantity = q;
    if (change.limitPrice !== undefined) p.limitPrice = change.limitPrice;
    this.journal({ t: "parent", kind: "amend", id, ts: this.deps.core.now(), quantity: p.quantity, limitPrice: p.limitPrice, reason: `by=${by}` });
    this.bump(id);
    this.cancelChildren(p);
    this.derive(p);
    const inst = this.instances.get(id);
    if (inst !== undefined && !p.paused) this.call(inst, "onAmend", () => (inst.hooks.onAmend ?? inst.hooks.onResume ?? inst.hooks.onStart)?.call(inst.hooks, inst.ctx));
    return "";
  }

  /** Ends a parent at its algorithm's request: no more children, open ones canceled. */
  finish(id: number, reason: string, by: string): void {
    const p = this.parents.get(id);
    if (p === undefined || isParentTerminal(p.status) || p.finished) return;
    p.finished = true;
    p.reason = reason;
    this.journal({ t: "parent", kind: "finish", id, ts: this.deps.core.now(), reason: `${reason} by=${by}` });
    this.bump(id);
    this.cancelChildren(p);
    this.derive(p);
  }

  /** A parent's view, or undefined. */
  view(id: number): ParentView | undefined {
    const p = this.parents.get(id);
    return p === undefined ? undefined : new LiveParentView(p);
  }

  /** TCA of one parent now. */
  tca(id: number): ParentTca | undefined {
    const p = this.parents.get(id);
    return p === undefined ? undefined : this.tcaOf(p);
  }

  private tcaOf(p: ParentOrder): ParentTca {
    const id = p.id;
    const acc = this.tcas.get(id) ?? new TcaAccumulator(0);
    const inst = this.deps.instruments[p.spec.instrument]!;
    return acc.report(p, inst, baseSymbol(inst.symbol), this.ended.get(id) ?? this.deps.core.now());
  }

  /** TCA of every parent held in memory, oldest first. */
  tcaAll(): ParentTca[] {
    return [...this.parents.all()].map((p) => this.tcaOf(p));
  }

  /** TCA rows and child ids for the store and a backtest's summary: parents dropped from memory (when kept) and those held, by id. */
  tcaRows(): { rows: ParentTca[]; children: Map<number, number[]> } {
    const rows = this.evictedTca.map((e) => e.row);
    const children = new Map(this.evictedTca.map((e) => [e.row.id, e.children]));
    for (const p of this.parents.all()) {
      rows.push(this.tcaOf(p));
      children.set(p.id, [...p.children]);
    }
    rows.sort((a, b) => a.id - b.id);
    return { rows, children };
  }

  /**
   * The parents that can still change, for a journal snapshot: each with the fills of its finished
   * children summed (the OMS keeps only open orders in a snapshot) and its open children listed.
   */
  snapshot(): { lastId: number; open: SnapshotParent[] } {
    const oms = this.deps.core.oms;
    const open: SnapshotParent[] = [];
    for (const p of this.parents.open()) {
      let filled = p.filled;
      let notional = p.notionalFilled;
      let exit = p.exitFilled;
      for (const id of p.children) {
        const c = oms.get(id);
        if (c === undefined || isTerminal(c.status)) continue;
        if (c.side === p.spec.side) {
          filled -= c.filled;
          notional -= c.notionalFilled;
        } else exit -= c.filled;
      }
      open.push({
        id: p.id,
        spec: { ...p.spec, params: { ...p.spec.params } },
        createdTs: p.createdTs,
        updatedTs: p.updatedTs,
        status: p.status,
        quantity: p.quantity,
        limitPrice: p.limitPrice,
        children: [...p.children],
        settled: { filled, notional, exit },
        fees: p.fees,
        cancelRequested: p.cancelRequested,
        paused: p.paused,
        finished: p.finished,
        reason: p.reason,
        arrivalMid2: this.tcas.get(p.id)?.arrivalMid2 ?? 0,
      });
    }
    return { lastId: this.parents.ids.current, open };
  }

  /** Restores the parents of a journal snapshot (before the tail is replayed by `restore`). */
  restoreSnapshot(s: { lastId: number; open: readonly SnapshotParent[] }): void {
    this.parents.ids.observe(s.lastId);
    for (const sp of s.open) {
      const p = this.parents.create(sp.spec, sp.createdTs, sp.id);
      p.status = sp.status as ParentOrder["status"];
      p.quantity = sp.quantity;
      p.limitPrice = sp.limitPrice;
      p.updatedTs = sp.updatedTs;
      p.settledFilled = sp.settled.filled;
      p.settledNotional = sp.settled.notional;
      p.settledExit = sp.settled.exit;
      p.fees = sp.fees;
      p.cancelRequested = sp.cancelRequested;
      p.paused = sp.paused;
      p.finished = sp.finished;
      p.reason = sp.reason;
      for (const id of sp.children) this.parents.link(p, id);
      this.tcas.set(p.id, new TcaAccumulator(sp.arrivalMid2));
    }
    this.restoredFromSnapshot = s.open.length;
  }

  /** Parents restored from a snapshot (their algorithms resume with the tail's). */
  private restoredFromSnapshot = 0;

  /**
   * Rebuilds parents from journal records (after the core restored orders and fills): their
   * commands, the children (by tag), fees; then, at the current kernel time once the loop runs
   * (after open orders went back to the venue), resumes each working parent's algorithm.
   */
  restore(records: readonly JournalRecord[]): number {
    let n = 0;
    for (const r of records) {
      if (r.t !== "parent") continue;
      n++;
      if (r.kind === "new") {
        const spec: ParentSpec = { strategy: r.strategy!, algo: r.algo!, instrument: r.instrument!, side: r.side!, quantity: r.quantity!, limitPrice: r.limitPrice ?? 0, params: JSON.parse(r.params ?? "{}") };
        this.parents.create(spec, r.ts, r.id);
        this.tcas.set(r.id, new TcaAccumulator(Number(r.reason ?? 0) || 0));
        continue;
      }
      // A routing decision is history (its children are order records): nothing to rebuild.
      if (r.kind === "route") continue;
      const p = this.parents.get(r.id);
      if (p === undefined) continue;
      p.applyRecord(r);
      if (r.kind === "reject") this.parents.ended(p);
    }
    if (n === 0 && this.restoredFromSnapshot === 0) return 0;
    const oms = this.deps.core.oms;
    for (const o of oms.all()) {
      const pid = parentOfTag(o.tag);
      const p = pid === 0 ? undefined : this.parents.get(pid);
      if (p !== undefined) this.parents.link(p, o.id);
    }
    for (const r of records) {
      if (r.t !== "report" || r.report.kind !== "fill") continue;
      const p = this.parents.parentOf(r.report.orderId);
      if (p !== undefined) p.fees += r.report.fee;
    }
    for (const p of this.parents.all()) {
      if (p.status === "rejected") continue;
      const def = this.deps.algos.get(p.spec.algo);
      if (def !== undefined) p.selfFinishing = def.plugin.manifest.selfFinishing === true;
      this.derive(p);
    }
    const loop = this.deps.core.loop;
    loop.schedule(loop.clock.now(), () => this.resumeRestored());
    return n;
  }

  private resumeRestored(): void {
    for (const p of this.parents.open()) {
      if (this.instances.has(p.id)) continue;
      const problem = this.check(p.spec);
      if (problem !== "") {
        this.reject(p, problem, this.deps.core.now());
        continue;
      }
      const inst = this.instantiate(p, this.tcas.get(p.id) ?? new TcaAccumulator(this.consolidatedMid2(p.spec.instrument)));
      if (inst === null || p.paused || p.cancelRequested || p.finished) continue;
      this.call(inst, "onResume", () => (inst.hooks.onResume ?? inst.hooks.onStart)?.call(inst.hooks, inst.ctx));
    }
  }

  /** Sends a child for an instance; returns the child ids. */
  sendChild(inst: AlgoInstance, intent: ChildIntent): number[] {
    const p = inst.parent;
    if (isParentTerminal(p.status) || p.cancelRequested || p.finished || p.paused) return [];
    if (!Number.isInteger(intent.size) || intent.size <= 0) return [];
    const core = this.deps.core;
    const side: Side = intent.side ?? p.spec.side;
    let type = intent.type;
    let price = intent.price ?? 0;
    let tif = intent.tif;
    // The parent's limit bounds its same-side children.
    if (p.limitPrice > 0 && side === p.spec.side) {
      if (type === "market") {
        type = "limit";
        price = p.limitPrice;
        tif = tif ?? "IOC";
      } else if (type === "limit" || type === "stop-limit") price = side === 1 ? Math.min(price, p.limitPrice) : Math.max(price, p.limitPrice);
    }
    const note = intent.note === undefined ? "" : ` ${intent.note}`;
    const ids: number[] = [];
    const send = (instrument: number, size: number, px: number, extra: string) => {
      const id = core.submit(p.spec.strategy, {
        instrument,
        side,
        type,
        size,
        price: px > 0 ? px : undefined,
        stopPrice: intent.stopPrice,
        tif,
        postOnly: intent.postOnly,
        tag: `${PARENT_TAG}${p.id}${note}${extra}`,
      });
      this.parents.link(p, id);
      ids.push(id);
    };
    const routing = this.deps.routing;
    if (routing.active && intent.instrument === undefined) {
      const slices = routing.route(p.id, p.spec.instrument, { side, size: intent.size, type, price, postOnly: intent.postOnly ?? false, now: core.now() });
      const d = routing.decisions[routing.decisions.length - 1]!;
      this.journal({ t: "parent", kind: "route", id: p.id, ts: d.ts, reason: routeLine(d), params: JSON.stringify(d) });
      for (const s of slices) {
        let px = s.price > 0 ? s.price : price;
        if (p.limitPrice > 0 && side === p.spec.side && px > 0) px = side === 1 ? Math.min(px, p.limitPrice) : Math.max(px, p.limitPrice);
        send(s.instrument, s.size, px, ` route=${s.venue} ${s.reason}`);
      }
    } else send(intent.instrument ?? p.spec.instrument, intent.size, price, "");
    this.derive(p);
    return ids;
  }

  /** Schedules an instance's timer (dropped when the instance's generation moved on). */
  setTimer(inst: AlgoInstance, afterUs: number, token: number): void {
    const gen = inst.generation;
    const loop = this.deps.core.loop;
    loop.schedule(loop.clock.now() + Math.max(0, afterUs), () => {
      if (inst.generation !== gen || !this.active(inst)) return;
      this.call(inst, "onTimer", () => inst.hooks.onTimer?.(inst.ctx, token));
    });
  }

  private onOrder(o: OrderView): void {
    const p = this.parents.parentOf(o.id);
    if (p === undefined) return;
    this.derive(p);
    const inst = this.instances.get(p.id);
    if (inst !== undefined && this.active(inst)) this.call(inst, "onChild", () => inst.hooks.onChild?.(inst.ctx, o));
  }

  private onFill(f: Fill): void {
    const p = this.parents.parentOf(f.orderId);
    if (p === undefined) return;
    p.fees += f.fee;
    const b = this.deps.core.books.books[f.instrument];
    this.tcas.get(p.id)?.onFill(f.side, f.price, f.size, b !== undefined && b.valid ? b.mid2 : 0);
    this.derive(p);
    const inst = this.instances.get(p.id);
    if (inst !== undefined && this.active(inst)) this.call(inst, "onFill", () => inst.hooks.onFill?.(inst.ctx, f));
  }

  private onQuote(ev: MarketEvent): void {
    if (this.instances.size === 0) return;
    const sym = this.symbolOf[ev.instrument];
    for (const inst of this.instances.values()) {
      if (this.symbolOf[inst.parent.spec.instrument] !== sym) continue;
      const mid2 = inst.refreshBook().mid2;
      if (mid2 > 0) inst.tca.onQuote(mid2);
      if (this.active(inst)) this.call(inst, "onQuote", () => inst.hooks.onQuote?.(inst.ctx, ev));
    }
  }

  private onTrade(ev: MarketEvent): void {
    if (this.instances.size === 0) return;
    const sym = this.symbolOf[ev.instrument];
    for (const inst of this.instances.values()) {
      if (this.symbolOf[inst.parent.spec.instrument] !== sym) continue;
      inst.tca.onTrade(ev.price, ev.size);
      if (this.active(inst)) this.call(inst, "onTrade", () => inst.hooks.onTrade?.(inst.ctx, ev));
    }
  }

  private active(inst: AlgoInstance): boolean {
    const p = inst.parent;
    return !isParentTerminal(p.status) && !p.paused && !p.cancelRequested && !p.finished;
  }

  private instantiate(parent: ParentOrder, tca: TcaAccumulator): AlgoInstance | null {
    const def = this.deps.algos.get(parent.spec.algo)!;
    parent.selfFinishing = def.plugin.manifest.selfFinishing === true;
    this.tcas.set(parent.id, tca);
    const params = this.params(def, parent.spec);
    const inst = new AlgoInstance(this, parent, def, params, tca, this.deps.seed);
    this.instances.set(parent.id, inst);
    try {
      inst.hooks = def.plugin.create(inst.ctx) ?? {};
    } catch (err) {
      this.failed(inst, "create", err);
      return null;
    }
    return inst;
  }

  private params(def: AlgoDefinition, spec: ParentSpec): Record<string, unknown> {
    const merged = structuredClone({ ...def.defaults, ...spec.params }) as Record<string, unknown>;
    checkAgainstSchema(def.plugin.manifest.params, merged, ["params"]);
    return merged;
  }

  /** "" when a parent spec can run; otherwise the reason. */
  private check(spec: ParentSpec): string {
    const def = this.deps.algos.get(spec.algo);
    if (def === undefined) return `ALGO_UNKNOWN: algo=${spec.algo} known=${this.algoNames().join(",")}`;
    if (spec.instrument < 0 || spec.instrument >= this.deps.instruments.length || !Number.isInteger(spec.instrument)) return `ALGO_PARAMS_INVALID: instrument=${spec.instrument}`;
    if (!Number.isInteger(spec.quantity) || spec.quantity <= 0) return `ALGO_PARAMS_INVALID: quantity=${spec.quantity}`;
    if (spec.side !== 1 && spec.side !== -1) return `ALGO_PARAMS_INVALID: side=${spec.side}`;
    const merged = structuredClone({ ...def.defaults, ...spec.params });
    const problems = checkAgainstSchema(def.plugin.manifest.params, merged, ["params"]);
    if (problems.length > 0) return `ALGO_PARAMS_INVALID: algo=${spec.algo} ${problems.map((x) => x.message).join("; ")}`;
    return "";
  }

  private reject(p: ParentOrder, reason: string, ts: number): void {
    p.status = "rejected";
    p.reason = reason;
    p.updatedTs = ts;
    this.ended.set(p.id, ts);
    this.journal({ t: "parent", kind: "reject", id: p.id, ts, reason });
    this.parents.ended(p);
  }

  private derive(p: ParentOrder): void {
    const core = this.deps.core;
    const was = p.status;
    const illegal = this.parents.update(p, (id) => core.oms.get(id), core.now());
    if (illegal !== null) core.alerts.raise(core.now(), "PARENT_ILLEGAL_TRANSITION", "critical", `parent ${p.id}`, `parent=${p.id} ${illegal}`);
    if (!isParentTerminal(was) && isParentTerminal(p.status)) {
      this.ended.set(p.id, core.now());
      this.bump(p.id);
      this.instances.delete(p.id);
      this.parents.ended(p);
    }
  }

  private cancelChildren(p: ParentOrder): void {
    const core = this.deps.core;
    for (const id of p.children) {
      const o = core.oms.get(id);
      if (o !== undefined && isOpen(o) && o.status !== "pending-cancel") core.cancel(null, id);
    }
  }

  private bump(id: number): void {
    const inst = this.instances.get(id);
    if (inst !== undefined) inst.generation++;
  }

  private consolidatedMid2(instrument: number): number {
    const c = this.deps.venues.consolidated.best(instrument, this.deps.core.now(), this.deps.staleUs());
    return c.bidInstrument >= 0 && c.askInstrument >= 0 ? c.bid + c.ask : 0;
  }

  private call(inst: AlgoInstance, hook: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.failed(inst, hook, err);
    }
  }

  private failed(inst: AlgoInstance, hook: string, err: unknown): void {
    const p = inst.parent;
    const core = this.deps.core;
    const reason = `ALGO_THREW: algo=${inst.def.name} parent=${p.id} hook=${hook} error=${(err as Error)?.message ?? String(err)}`;
    core.alerts.raise(core.now(), "ALGO_THREW", "critical", `parent ${p.id}`, reason);
    this.instances.delete(p.id);
    this.cancel(p.id, "algo-failure");
    p.reason = reason;
  }

  private journal(r: JournalRecord): void {
    this.deps.core.journal?.append(r);
  }
}
