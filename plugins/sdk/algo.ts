/**
 * Execution algorithms and order routers. An algorithm works one parent order (side, quantity,
 * optional limit) by sending child orders over time; the runtime derives the parent's fills and
 * state from its children, journals every parent command, and after a restart hands the algorithm
 * its parent with the children it already has (so a well-written algorithm derives what to do
 * from `parent` and the clock, and never sends a child twice). A router decides at which venues a
 * child is placed. Neither talks to a venue: children go through risk like any order.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import type { Instrument } from "./instrument.ts";
import type { Manifest } from "./manifest.ts";
import type { BookView, Quote, Trade } from "./market.ts";
import type { Fill, OrderType, OrderView, Side, TimeInForce } from "./orders.ts";

/** What a strategy or an operator asks of an algorithm. */
export interface AlgoRequest {
  /** Algorithm instance name from the deployment's `execution.algos`. */
  readonly algo: string;
  /** Instrument id (its symbol is traded; with a router, at whichever venues are best). */
  readonly instrument: number;
  readonly side: Side;
  readonly quantity: number;
  /** Worst price in ticks (0 or absent: none). */
  readonly limitPrice?: number;
  /** Params of this parent, over the deployment's defaults for the algorithm. */
  readonly params?: Readonly<Record<string, unknown>>;
}

/** A parent order as algorithms, strategies and operators see it. */
export interface ParentView {
  readonly id: number;
  readonly algo: string;
  readonly strategy: string;
  readonly instrument: number;
  readonly side: Side;
  readonly quantity: number;
  readonly limitPrice: number;
  readonly filled: number;
  readonly remaining: number;
  /** Unfilled size of open same-side children. */
  readonly working: number;
  /** Open children (any side). */
  readonly openChildren: number;
  /** Filled size of opposite-side children (a bracket's exits). */
  readonly exitFilled: number;
  readonly avgPrice: number;
  readonly status: string;
  readonly createdTs: number;
}

/** A child order an algorithm asks for. */
export interface ChildIntent {
  readonly type: OrderType;
  readonly size: number;
  readonly price?: number;
  readonly stopPrice?: number;
  readonly tif?: TimeInForce;
  readonly postOnly?: boolean;
  /** Default: the parent's side (a bracket's exits take the other). */
  readonly side?: Side;
  /** A specific venue's instrument; otherwise the router places it (or the parent's instrument without a router). */
  readonly instrument?: number;
  /** Free text added to the child's tag (e.g. "slice 3/12"). */
  readonly note?: string;
}

/** Share of a day's activity per time-of-day bucket. */
export interface VolumeCurve {
  /** "volume": traded size; "ticks": quote updates (quote-only feeds carry no volume). */
  readonly basis: "volume" | "ticks";
  readonly bucketUs: number;
  /** One weight per bucket from 00:00 UTC, summing to 1. */
  readonly weights: readonly number[];
}

/** What the runtime offers an algorithm working one parent. */
export interface AlgoContext<P extends TSchema = TSchema> {
  readonly params: Static<P>;
  readonly parent: ParentView;
  readonly instrument: Instrument;
  now(): number;
  /** Best bid and ask of the symbol over fresh venues with room under their position limit for the parent's side (one venue: its book). */
  book(): BookView;
  /** Sends a child order (or, routed across venues, several); returns their ids (empty when none could be sent). */
  child(intent: ChildIntent): number[];
  /** Asks to cancel one child. */
  cancel(childId: number): void;
  /** Open children of this parent. */
  openChildren(): readonly OrderView[];
  /** Calls onTimer(ctx, token) after `afterUs` of kernel time (dropped if the parent is paused or ends). */
  setTimer(afterUs: number, token: number): void;
  /** Uniform in [0, 1), seeded by the deployment seed and the parent id (the same run draws the same). */
  random(): number;
  /** The activity curve the deployment loaded for this algorithm, or null. */
  volumeCurve(): VolumeCurve | null;
  /** Current feature vector of the parent's instrument (read-only view; optional: absent in harnesses without a feature engine). */
  features?(): Float64Array;
  /** Market volume (or quote updates, on quote-only feeds) of the symbol since the parent started. */
  observed(): { readonly volume: number; readonly ticks: number };
  /** Ends the parent: no more children; open ones are canceled. */
  finish(reason: string): void;
  log(message: string, fields?: Record<string, unknown>): void;
  /** Hands a finished episode's rollout to the session's online learner (present only when the deployment learns online from this algorithm). */
  experience?(episode: ExperienceEpisode): void;
}

/** One parent's rollout as an executor played it: per decision the observation, the raw action, its log-probability under the policy, and the reward that followed. */
export interface ExperienceEpisode {
  /** The policy that played it (`name@version`). */
  readonly policy: string;
  /** Observation width. */
  readonly obsDim: number;
  /** Observations, decisions x obsDim. */
  readonly obs: readonly number[];
  /** Raw actions (before decoding), decisions x action width. */
  readonly actions: readonly number[];
  /** Log-probability of each raw action under the policy's Gaussian. */
  readonly logp: readonly number[];
  /** Reward after each decision (the last one runs to the episode's end). */
  readonly rewards: readonly number[];
}

/** Hooks an algorithm implements; all synchronous, all optional. */
export interface AlgoHooks<P extends TSchema = TSchema> {
  /** A new parent. */
  onStart?(ctx: AlgoContext<P>): void;
  /** After a restart or a resume: the parent and its children are as journaled (default: onStart). */
  onResume?(ctx: AlgoContext<P>): void;
  onQuote?(ctx: AlgoContext<P>, quote: Quote): void;
  onTrade?(ctx: AlgoContext<P>, trade: Trade): void;
  /** A child changed status. */
  onChild?(ctx: AlgoContext<P>, child: OrderView): void;
  onFill?(ctx: AlgoContext<P>, fill: Fill): void;
  onTimer?(ctx: AlgoContext<P>, token: number): void;
  /** Quantity or limit changed (open children were canceled; default: onResume). */
  onAmend?(ctx: AlgoContext<P>): void;
}

/** An algorithm plugin: its manifest and a factory of hooks (one instance per parent). */
export interface AlgoPlugin<P extends TSchema = TSchema> {
  readonly manifest: Manifest<P> & {
    readonly kind: "algo";
    /** The parent ends when the algorithm says so, not when its quantity is filled (contingent orders). */
    readonly selfFinishing?: boolean;
  };
  create(ctx: AlgoContext<P>): AlgoHooks<P>;
}

/** Declares an execution algorithm; an identity function that exists for type inference. */
export function defineAlgo<P extends TSchema>(plugin: AlgoPlugin<P>): AlgoPlugin<P> {
  return plugin;
}

/** One venue a child could go to, as a router sees it. */
export interface RouteCandidate {
  /** Session instrument id (the symbol at this venue). */
  readonly instrument: number;
  readonly venue: string;
  readonly bid: number;
  readonly ask: number;
  readonly bidSize: number;
  readonly askSize: number;
  /** Time of the venue's last quote. */
  readonly ts: number;
  readonly takerFeePpm: number;
  readonly makerFeePpm: number;
  /** One-way order latency, microseconds. */
  readonly latencyUs: number;
  /** Share of size sent that filled here, from the store's history (a prior when there is none). */
  readonly fillProbability: number;
  /** Most this venue's position limit still allows on the request's side (units; venues with none left are not offered). */
  readonly capacity: number;
}

/** A child to place. */
export interface RouteRequest {
  readonly side: Side;
  readonly size: number;
  readonly type: OrderType;
  /** Limit in ticks (0: none). */
  readonly price: number;
  readonly postOnly: boolean;
  readonly now: number;
}

/** Part of a child placed at one venue, with the reason it went there. */
export interface RouteSlice {
  readonly instrument: number;
  readonly size: number;
  /** Limit in ticks for this slice (0: the request's). */
  readonly price: number;
  readonly reason: string;
}

/** What the runtime offers a router. */
export interface RouterContext<P extends TSchema = TSchema> {
  readonly params: Static<P>;
  log(message: string, fields?: Record<string, unknown>): void;
}

/** A router's one hook: where a child goes. Candidates never include a venue whose feed is stale. */
export interface RouterHooks<P extends TSchema = TSchema> {
  route(ctx: RouterContext<P>, request: RouteRequest, candidates: readonly RouteCandidate[]): RouteSlice[];
}

/** A router plugin. */
export interface RouterPlugin<P extends TSchema = TSchema> {
  readonly manifest: Manifest<P> & { readonly kind: "router" };
  create(ctx: RouterContext<P>): RouterHooks<P>;
}

/** Declares an order router; an identity function that exists for type inference. */
export function defineRouter<P extends TSchema>(plugin: RouterPlugin<P>): RouterPlugin<P> {
  return plugin;
}
