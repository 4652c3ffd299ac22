/**
 * Creates a session's venue adapters from the loaded venue plugins. One venue is created exactly
 * as before (it sees every instrument). Several venues are each created with their own
 * instruments, fees, latency and session state, put behind one MultiVenue adapter, and the
 * global per-symbol position rule joins the risk chain.
 */
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import type { VenueAdapter, VenueContext, VenuePlugin, VenueStatus } from "../../../plugins/sdk/venue.ts";
import type { DeploymentConfig } from "../../config/schema.ts";
import { ConsolidatedBooks } from "../../data/consolidated-book.ts";
import type { PushSource } from "../../data/sources/push-source.ts";
import type { Alerts } from "../../kernel/alerts.ts";
import type { EventLoop } from "../../kernel/event-loop.ts";
import type { LoadedPlugin } from "../../plugins/loader.ts";
import type { Portfolio } from "../../portfolio/portfolio.ts";
import type { RiskRule } from "../../risk/engine.ts";
import { globalPositionRule } from "../../risk/global-position.ts";
import type { TradingCore } from "../trading-core.ts";
import { DEFAULT_RECONCILE_POLICY, reconcileWithVenue } from "../reconcile/reconcile.ts";
import { baseSymbol, deploymentVenues, isMultiVenue, type DeploymentVenue } from "./deployment-venues.ts";
import { MultiVenue, type VenueBinding } from "./multi-venue.ts";

/** What creating the venues needs from the session being built. */
export interface AttachVenuesInput {
  readonly config: DeploymentConfig;
  readonly loaded: readonly LoadedPlugin[];
  readonly instruments: readonly Instrument[];
  readonly loop: EventLoop;
  readonly core: TradingCore;
  readonly feed: PushSource;
  readonly arrival: { now: () => number; kick: () => void };
  readonly alerts: Alerts;
  readonly riskRules: RiskRule[];
  readonly portfolio: Portfolio;
}

/** A venue as the session knows it: name, what it lists, its routing figures. */
export interface SessionVenue {
  readonly name: string;
  readonly plugin: string;
  /** Session instrument ids it lists. */
  readonly instruments: readonly number[];
  readonly takerFeePpm: number;
  readonly makerFeePpm: number;
  /** One-way order latency the router assumes, microseconds. */
  readonly latencyUs: number;
}

/** The session's venues. */
export interface VenueSet {
  readonly adapter: VenueAdapter;
  readonly venues: readonly SessionVenue[];
  /** The several-venue adapter (null with one venue). */
  readonly multi: MultiVenue | null;
  /** Consolidated view by symbol (with one venue: each symbol has one member). */
  readonly consolidated: ConsolidatedBooks;
  /** Venue name of a session instrument. */
  venueName(instrument: number): string;
  /** Fills per venue name since start. */
  fillsByVenue(): Record<string, number>;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function sessionVenue(v: DeploymentVenue, params: unknown, ids: readonly number[]): SessionVenue {
  const p = (params ?? {}) as Record<string, unknown>;
  return {
    name: v.name,
    plugin: v.plugin,
    instruments: ids,
    takerFeePpm: v.routing.takerFeePpm ?? num(p.takerFeePpm) ?? 0,
    makerFeePpm: v.routing.makerFeePpm ?? num(p.makerFeePpm) ?? 0,
    latencyUs: v.routing.latencyUs ?? num(p.orderLatencyUs) ?? 0,
  };
}

/** Creates the venue adapter(s) of a session. */
export function attachVenues(input: AttachVenuesInput): VenueSet {
  const { config, loaded, instruments, loop, core, feed, arrival, alerts } = input;
  const declared = deploymentVenues(config);
  const venueLoaded = loaded.filter((l) => l.request.kind === "venue");
  const contextFor = (name: string, params: unknown, insts: readonly Instrument[], toSession: (local: number) => number): VenueContext => ({
    name,
    params: params as never,
    instruments: insts,
    seed: config.seed,
    now: () => loop.clock.now(),
    schedule: (ts, fn) => loop.schedule(ts, fn),
    report: (r) => core.onReport(r),
    quote: (i, bid, ask, bidSize, askSize) => {
      const ok = feed.pushQuote(arrival.now(), toSession(i), bid, ask, bidSize, askSize);
      if (ok) arrival.kick();
      return ok;
    },
    trade: (i, price, size, side) => {
      const ok = feed.pushPrint(arrival.now(), toSession(i), price, size, side);
      if (ok) arrival.kick();
      return ok;
    },
    alert: (code, message) => alerts.raise(loop.clock.now(), code, "warning", name, message),
    funding: (i, amount) => core.onFunding(toSession(i), amount),
    reconcile: (status, why) => {
      // The venue's answer in session instrument ids, covering only its own instruments.
      const mapped: VenueStatus = {
        orders: status.orders.map((o) => ({ ...o, instrument: toSession(o.instrument) })),
        positions: status.positions?.map((p) => ({ instrument: toSession(p.instrument), position: p.position })),
        instruments: (status.instruments ?? insts.map((i) => i.id)).map(toSession),
        orderIds: status.orderIds,
      };
      reconcileWithVenue(core, mapped, { ...DEFAULT_RECONCILE_POLICY, ...config.reconcile }, { trigger: `reconnect venue=${name} ${why}`, running: true });
      core.journalFlush?.();
    },
  });
  if (!isMultiVenue(config)) {
    const l = venueLoaded[0]!;
    const plugin = l.plugin as unknown as VenuePlugin;
    const adapter = plugin.create(contextFor(declared[0]!.name, l.params, instruments, (i) => i));
    const ids = instruments.map((i) => i.id);
    const name = declared[0]!.name;
    return {
      adapter,
      venues: [sessionVenue(declared[0]!, l.params, ids)],
      multi: null,
      consolidated: new ConsolidatedBooks(instruments, core.books, (i) => i.symbol),
      venueName: () => name,
      fillsByVenue: () => ({ [name]: core.oms.fillIds.current }),
    };
  }
  const bindings: VenueBinding[] = [];
  const venues: SessionVenue[] = [];
  for (const v of declared) {
    const l = venueLoaded.find((x) => x.request.name === v.name)!;
    const ids = instruments.filter((i) => i.venue === v.name).map((i) => i.id);
    const local = MultiVenue.localInstruments(instruments, ids);
    const plugin = l.plugin as unknown as VenuePlugin;
    const binding: VenueBinding = { name: v.name, instruments: ids, adapter: null as unknown as VenueAdapter, orders: 0 };
    binding.adapter = plugin.create(contextFor(v.name, l.params, local, (i) => ids[i] ?? -1));
    bindings.push(binding);
    venues.push(sessionVenue(v, l.params, ids));
  }
  const multi = new MultiVenue(bindings, instruments.length);
  const consolidated = new ConsolidatedBooks(instruments, core.books, (i) => baseSymbol(i.symbol));
  // A finished order no longer needs its venue remembered.
  const onReport = core.onReport.bind(core);
  const fills = new Map(venues.map((v) => [v.name, 0]));
  core.onReport = (r) => {
    if (r.kind === "fill") {
      const vi = multi.venueOfOrder(r.orderId);
      if (vi >= 0) fills.set(venues[vi]!.name, fills.get(venues[vi]!.name)! + 1);
    }
    onReport(r);
    const o = core.oms.get(r.orderId);
    if (o === undefined || o.status === "filled" || o.status === "canceled" || o.status === "rejected" || o.status === "expired") multi.forget(r.orderId);
  };
  const symbolMax = new Map<string, number>();
  const maxTotal = (id: number): number => {
    const sym = baseSymbol(instruments[id]!.symbol);
    let m = symbolMax.get(sym);
    if (m === undefined) {
      m = Math.floor(config.risk.instruments?.[sym]?.maxPosition ?? config.risk.limits.maxPosition);
      symbolMax.set(sym, m);
    }
    return m;
  };
  input.riskRules.push(
    globalPositionRule({
      siblings: (i) => consolidated.siblings(i),
      position: (i) => input.portfolio.position(i),
      working: (i, side) => core.working(i, side),
      maxTotal,
      symbol: (i) => baseSymbol(instruments[i]!.symbol),
    }),
  );
  return { adapter: multi, venues, multi, consolidated, venueName: (i) => instruments[i]?.venue ?? "", fillsByVenue: () => Object.fromEntries(fills) };
}
