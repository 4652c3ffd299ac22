/**
 * Builds a session's execution layer from `execution:` in the deployment: the algorithm
 * definitions (plugins, default params, activity curves loaded from a store), the router plugin
 * with its fill history, the routing log and the algorithms host hooked to the core.
 */
import type { AlgoPlugin, RouterPlugin, VolumeCurve } from "../../../plugins/sdk/algo.ts";
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import type { DeploymentConfig } from "../../config/schema.ts";
import type { LoadedPlugin } from "../../plugins/loader.ts";
import type { TradingCore } from "../../session/trading-core.ts";
import type { VenueSet } from "../../session/venues/attach-venues.ts";
import { baseSymbol } from "../../session/venues/deployment-venues.ts";
import { loadFillHistory } from "../routing/fill-history.ts";
import { Routing } from "../routing/routing.ts";
import { AlgoHost, type AlgoDefinition } from "./algo-host.ts";
import { loadVolumeCurve } from "./volume-curve.ts";
import { resolve } from "node:path";
import { resolveModel } from "../../learning/registry.ts";

/** `<name>@<version|latest>` as the model registry names models. */
const REGISTRY_REF = /^[a-z0-9][a-z0-9-]*@[A-Za-z0-9._-]+$/;

/** What the execution layer needs from the session being built. */
export interface AttachAlgosInput {
  readonly config: DeploymentConfig;
  readonly loaded: readonly LoadedPlugin[];
  readonly instruments: readonly Instrument[];
  readonly core: TradingCore;
  readonly venues: VenueSet;
  log(who: string, message: string, fields?: Record<string, unknown>): void;
}

/** Creates the algorithms host (null when the deployment has no `execution:`). Throws with a clear line when a curve or history cannot be loaded. */
export async function attachAlgos(input: AttachAlgosInput): Promise<AlgoHost | null> {
  const { config, loaded, core } = input;
  if (config.execution === undefined) return null;
  const algos = new Map<string, AlgoDefinition>();
  for (const l of loaded.filter((x) => x.request.kind === "algo")) {
    const params = l.params as Record<string, unknown>;
    let curve: VolumeCurve | null = null;
    const c = params.curve as { store?: string; instrument?: string; bucketMinutes?: number } | undefined;
    if (c?.store !== undefined) {
      const symbol = c.instrument ?? baseSymbol(input.instruments[0]?.symbol ?? "");
      curve = await loadVolumeCurve(resolve(c.store), symbol, (c.bucketMinutes ?? 30) * 60_000_000);
    }
    // A policy named in the model registry (`executor@latest`) reaches the algorithm as its card's path.
    if (typeof params.policy === "string" && REGISTRY_REF.test(params.policy)) params.policy = resolveModel(params.policy).path;
    algos.set(l.request.name, { name: l.request.name, plugin: l.plugin as unknown as AlgoPlugin, defaults: params, curve });
  }
  const routerLoaded = loaded.find((x) => x.request.kind === "router");
  let router = null;
  const history = new Map<string, number>();
  if (routerLoaded !== undefined) {
    const plugin = routerLoaded.plugin as unknown as RouterPlugin;
    const ctx = { params: routerLoaded.params as never, log: (m: string, f?: Record<string, unknown>) => input.log(routerLoaded.request.name, m, f) };
    router = { hooks: plugin.create(ctx), ctx };
    const store = (routerLoaded.params as { fillHistory?: string }).fillHistory;
    if (store !== undefined) for (const [venue, h] of await loadFillHistory(resolve(store))) history.set(venue, h.probability);
  }
  // Room under each venue instrument's own position limit (positions plus working orders on the side).
  const capacity = (id: number, side: 1 | -1): number => {
    const max = core.risk.limits[id]?.maxPosition ?? Number.POSITIVE_INFINITY;
    const position = core.portfolio.position(id);
    return Math.max(0, max - side * position - core.working(id, side));
  };
  const routing = new Routing(router, input.venues.venues, input.instruments, core.books, input.venues.consolidated, () => core.staleUs, history, capacity);
  const host = new AlgoHost({
    core,
    instruments: input.instruments,
    venues: input.venues,
    routing,
    algos,
    seed: config.seed,
    staleUs: () => core.staleUs,
    room: capacity,
    log: input.log,
  });
  host.attach();
  return host;
}
