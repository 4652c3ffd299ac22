/**
 * Builds a session from a validated deployment: instruments, market sources, the feature engine,
 * plugins (through the loader's checks), risk, portfolio, journal and the trading core. Nothing
 * runs until the caller drives the event loop.
 */
import { resolve, dirname } from "node:path";
import { mkdirSync } from "node:fs";
import type { Instrument } from "../../plugins/sdk/instrument.ts";
import type { StrategyPlugin } from "../../plugins/sdk/strategy.ts";
import type { PortfolioVarView, RiskPlugin, RuleLimitChange } from "../../plugins/sdk/risk.ts";
import type { VarMonitor } from "../sidecars/var-monitor.ts";
import type { TradingState } from "../../plugins/sdk/trading-state.ts";
import type { VenuePlugin } from "../../plugins/sdk/venue.ts";
import type { DeploymentConfig } from "../config/schema.ts";
import type { MarketSource } from "../data/sources/market-source.ts";
import { syntheticInstruments } from "../data/sources/synthetic/fx-universe.ts";
import { createSyntheticMarket } from "../data/sources/synthetic/synthetic-market.ts";
import { SourceConfigError } from "../data/sources/source-error.ts";
import { openSpecReader, ReplaySource } from "../data/sources/replay/replay-source.ts";
import type { QuoteReader } from "../data/formats/quote-reader.ts";
import { openStoreQuotes } from "../store/quote-source.ts";
import { PushSource } from "../data/sources/push-source.ts";
import { L1Books } from "../data/l1-books.ts";
import { FeatureEngine, type FeatureBackend } from "../features/feature-engine.ts";
import { prepareWasmKernels } from "../../kernels-wasm/index.ts";
import { Alerts } from "../kernel/alerts.ts";
import { wallMicros } from "../kernel/clock.ts";
import { EventLoop } from "../kernel/event-loop.ts";
import { JournalWriter, type FsyncPolicy } from "../journal/journal-file.ts";
import { readForRestore } from "../journal/restore-read.ts";
import { Snapshotter } from "../journal/snapshotter.ts";
import { AuditLog } from "../audit/audit-log.ts";
import { auditPathFor } from "../audit/path.ts";
import { DecisionRing } from "../audit/decisions.ts";
import { DEFAULT_RECONCILE_POLICY, reconcileWithVenue, type ReconcileOutcome } from "./reconcile/reconcile.ts";
import { loadPlugins, type PluginRequest } from "../plugins/loader.ts";
import { Portfolio } from "../portfolio/portfolio.ts";
import { PerformanceTracker } from "../portfolio/performance.ts";
import { RiskEngine, type RiskRule } from "../risk/engine.ts";
import { resolveLimits } from "../risk/limits.ts";
import { RuntimeStrategyContext } from "../strategy/context.ts";
import { HookBudget, StrategyHost, StrategySlot } from "../strategy/host.ts";
import { KestrelError } from "../errors/codes.ts";
import { isolateStrategy } from "../plugins/isolate/isolated-strategy.ts";
import { TradingCore } from "./trading-core.ts";
import { logLine } from "./log.ts";
import { TickRecorder } from "../store/recorder.ts";
import type { SidecarsConfig, SidecarsHandle } from "../sidecars/types.ts";
import type { ModelSet } from "../models/model-set.ts";
import { attachRecorder } from "../store/session-recording.ts";
import { deploymentVenues, instrumentsNamed, isMultiVenue, multiVenueInstruments, primaryVenueName, venueLimitOverrides, venueProblems } from "./venues/deployment-venues.ts";
import { attachVenues, type VenueSet } from "./venues/attach-venues.ts";
import { attachAlgos } from "../execution/algos/attach-algos.ts";
import type { AlgoHost } from "../execution/algos/algo-host.ts";
import type { OnlineLearning } from "../learning/online/online-learning.ts";

/** Options that do not belong in the deployment file. */
export interface BuildOptions {
  /** Overrides the deployment's mode (the CLI's `backtest` and `run`). */
  mode?: DeploymentConfig["mode"];
  /** Feature backend; "auto" uses WebAssembly when it builds. */
  features?: FeatureBackend;
  /** Overrides the journal path ("" disables the journal). */
  journalPath?: string;
  /** Record into the deployment's store (default true when the deployment has one). */
  store?: boolean;
  /** Market sources to use instead of the deployment's (tests, tools that bring their own data). */
  sources?: MarketSource[];
  /** Start of a paper session's synthetic market (µs); defaults to now. */
  startTs?: number;
  /** Structured log output (default: stderr JSON lines). */
  log?: (line: string) => void;
  /** Pre-trade rules run after the deployment's risk plugins (a cluster shard's global-risk rule). */
  riskRules?: readonly RiskRule[];
}

/** Thrown when a deployment cannot be built; carries every problem. */
export class DeploymentError extends Error {
  constructor(
    readonly problems: readonly string[],
    /** CONFIG_INVALID, or the one code all problems share (e.g. CONFIG_UNKNOWN_INSTRUMENT). */
    readonly code = "CONFIG_INVALID",
    /** The problems with their YAML paths, when known. */
    readonly items: readonly DeploymentProblem[] = [],
  ) {
    super(`${code}: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
    this.name = "DeploymentError";
  }
}

/** A built session: the loop, the core and what the runners report. */
export interface Session {
  readonly config: DeploymentConfig;
  readonly mode: DeploymentConfig["mode"];
  readonly instruments: readonly Instrument[];
  readonly loop: EventLoop;
  readonly core: TradingCore;
  readonly performance: PerformanceTracker;
  readonly journal: JournalWriter | null;
  readonly sources: readonly MarketSource[];
  /** Records the journal held at start-up (those before the snapshot it restored from included). */
  readonly restored: number;
  /** True when start-up restored a snapshot and replayed only the records after it. */
  readonly restoredFromSnapshot: boolean;
  /** The hash-chained audit log, when the session journals (and audit is not disabled). */
  readonly audit: AuditLog | null;
  /** What start-up reconciliation with the venue found (null when no venue reports status). */
  readonly reconciled: ReconcileOutcome | null;
  /** Market events skipped at start-up because the journal had already passed their time. */
  readonly skippedOnRestore: number;
  /** Torn journal tail that was cut at start-up, if any. */
  readonly journalTornTail: string | null;
  /** The DuckDB recorder when the deployment records. */
  readonly recorder: TickRecorder | null;
  /** Flushes and closes what outlives the loop (the store's writer). */
  close(): Promise<void>;
  /** How market data pushed by the venue is stamped and dispatched (set by the real-time runner). */
  readonly arrival: ArrivalHooks;
  /** Market data the venue pushed in (live feeds). */
  readonly feed: PushSource;
  /** The accelerator sidecars, when the deployment has them. */
  readonly sidecars: SidecarsHandle | null;
  /** The models (live, and a shadow when configured), when the deployment runs a model. */
  readonly models: ModelSet | null;
  /** Deploys another version of a strategy's plugin while the session runs (hot swap, journaled); null on success, else why. */
  deployPlugin(strategy: string, ref: string, orders: "hand-over" | "cancel", by: string): Promise<string | null>;
  /** The venues (one, or several behind one adapter) and the consolidated book. */
  readonly venues: VenueSet;
  /** Parent orders and execution algorithms (null when the deployment has no `execution:`). */
  readonly algos: AlgoHost | null;
  /** Online learning of an rl-executor's policy (null unless `learning: online`). */
  readonly learning: OnlineLearning | null;
  /** The deployment's risk plugins as operators see them (admin `GET /api/v1/risk/rules`). */
  readonly riskPlugins: readonly RiskPluginView[];
}

/** A loaded risk plugin, for the admin plane. */
export interface RiskPluginView {
  readonly name: string;
  readonly plugin: string;
  readonly version: string;
  /** Why the rule is quarantined ("" while it runs). */
  failure(): string;
  /** What the rule's `status` hook reports (null without one). */
  status(): Record<string, unknown> | null;
}

/** Stamping and wake-up of market data a venue pushes in. */
export interface ArrivalHooks {
  /** Kernel time of an arrival. */
  now: () => number;
  /** Called after each arrival: the real-time runner dispatches it at once. */
  kick: () => void;
}

const DEFAULT_REPORT_SECONDS = 60;
/** Journaled records between two snapshots when the deployment does not say. */
const DEFAULT_SNAPSHOT_EVERY = 100_000;

/** Resolves the deployment's instruments (synthetic builds its own, replay declares them). */
export function deploymentInstruments(config: DeploymentConfig): Instrument[] {
  if (config.market.source === "synthetic") {
    const all = syntheticInstruments("sim");
    const wanted = config.market.synthetic?.pairs;
    const chosen = wanted === undefined ? all : all.filter((i) => wanted.includes(i.symbol));
    return chosen.map((inst, id) => ({ ...inst, id }));
  }
  if (isMultiVenue(config)) return multiVenueInstruments(config);
  return (config.instruments ?? []).map((c, id) => ({
    id,
    symbol: c.symbol,
    venue: "sim",
    base: c.base,
    quote: c.quote,
    priceDecimals: c.priceDecimals,
    sizeDecimals: c.sizeDecimals,
    lotSize: c.lotSize,
    minSize: c.minSize,
  }));
}

/** Plugin requests of a deployment, with their YAML paths. */
export function pluginRequests(config: DeploymentConfig): PluginRequest[] {
  const reqs: PluginRequest[] = deploymentVenues(config).map((v) => ({ name: v.name, plugin: v.plugin, kind: "venue", params: v.params, path: v.path }));
  config.strategies.forEach((s, i) =>
    reqs.push({ name: s.name, plugin: s.plugin, kind: "strategy", params: s.params, path: ["strategies", i], instrumentCount: s.instruments.length, grants: s.capabilities ?? [] }),
  );
  (config.risk.plugins ?? []).forEach((r, i) => reqs.push({ name: r.name, plugin: r.plugin, kind: "risk", params: r.params, path: ["risk", "plugins", i] }));
  (config.execution?.algos ?? []).forEach((a, i) => reqs.push({ name: a.name, plugin: a.plugin, kind: "algo", params: a.params, path: ["execution", "algos", i] }));
  const router = config.execution?.router;
  if (router !== undefined) reqs.push({ name: router.name, plugin: router.plugin, kind: "router", params: router.params, path: ["execution", "router"] });
  return reqs;
}

/** A problem of a deployment: the YAML path of the bad value and the message. */
export interface DeploymentProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** A specific code (CONFIG_UNKNOWN_INSTRUMENT, MARKET_FILE_NOT_FOUND); CONFIG_INVALID when absent. */
  readonly code?: string;
}

/** Checks a deployment all the way through plugin loading, without building a session. */
export async function checkDeployment(config: DeploymentConfig, configFile: string): Promise<DeploymentProblem[]> {
  const problems: DeploymentProblem[] = [];
  const add = (path: (string | number)[], message: string, code?: string) => problems.push(code === undefined ? { path, message } : { path, message, code });
  const instruments = deploymentInstruments(config);
  const symbols = new Set(instruments.map((i) => i.symbol));
  for (const p of venueProblems(config)) add(p.path, p.message);
  const multi = isMultiVenue(config);
  if (config.market.source === "synthetic") {
    const all = new Set(syntheticInstruments("sim").map((i) => i.symbol));
    config.market.synthetic?.pairs?.forEach((p, i) => {
      if (!all.has(p)) add(["market", "synthetic", "pairs", i], `market.synthetic.pairs[${i}]: expected one of the 28 synthetic FX pairs, got "${p}"`);
    });
  }
  if (config.market.source === "synthetic") {
    const start = config.market.synthetic?.start;
    if (start !== undefined && start !== "now" && Number.isNaN(Date.parse(start))) {
      add(["market", "synthetic", "start"], `market.synthetic.start: expected an ISO time such as "2024-01-08T07:00:00Z" or "now", got "${start}"`);
    } else {
      try {
        (await openSources(config, configFile, instruments, config.mode, 0))[0]!.close();
      } catch (err) {
        if (!(err instanceof SourceConfigError)) throw err;
        const param = String(err.context.param ?? "");
        add(["market", "synthetic", "params", param], `market.synthetic.params.${param}: expected ${err.context.expected}, got ${err.context.got}`);
      }
    }
  }
  config.strategies.forEach((s, i) =>
    s.instruments.forEach((sym, j) => {
      if (instrumentsNamed(instruments, sym).length === 0) add(["strategies", i, "instruments", j], `strategies[${i}].instruments[${j}]: expected an instrument of this deployment (${[...symbols].slice(0, 6).join(", ")}...), got "${sym}"`, "CONFIG_UNKNOWN_INSTRUMENT");
    }),
  );
  for (const sym of Object.keys(config.risk.instruments ?? {})) {
    if (instrumentsNamed(instruments, sym).length === 0) add(["risk", "instruments", sym], `risk.instruments.${sym}: expected an instrument of this deployment, got "${sym}"`, "CONFIG_UNKNOWN_INSTRUMENT");
  }
  if (config.market.source === "replay") {
    const { existsSync } = await import("node:fs");
    config.market.replay?.files.forEach((f, i) => {
      const known = multi ? f.venue === undefined || symbols.has(`${f.instrument}@${f.venue}`) : symbols.has(f.instrument);
      if (!known) add(["market", "replay", "files", i, "instrument"], `market.replay.files[${i}].instrument: expected a declared instrument${multi ? ` listed by venue ${f.venue}` : ""}, got "${f.instrument}"`, "CONFIG_UNKNOWN_INSTRUMENT");
      const p = resolve(dirname(configFile), f.path);
      if (!existsSync(p)) add(["market", "replay", "files", i, "path"], `market.replay.files[${i}].path: file not found: ${p}`, "MARKET_FILE_NOT_FOUND");
    });
  }
  if (config.models?.model !== undefined) {
    const { resolveModel } = await import("../learning/registry.ts");
    try {
      resolveModel(config.models.model);
    } catch (err) {
      add(["models", "model"], `models.model: ${(err as Error).message}`);
    }
  }
  const features = new FeatureEngine(instruments.length, "ts");
  const { problems: pluginProblems } = await loadPlugins(pluginRequests(config), configFile, features.featureNames());
  for (const p of pluginProblems) add([...p.path], p.message);
  return problems;
}

/**
 * Builds a session (loads plugins, restores the journal). Throws DeploymentError with every problem.
 * A build that fails after starting something (store writer, sidecars, models, journal) stops what
 * it started first, so no process, segment or lock outlives the failure.
 */
export async function buildSession(config: DeploymentConfig, configFile: string, opts: BuildOptions = {}): Promise<Session> {
  const started: (() => unknown)[] = [];
  try {
    return await assembleSession(config, configFile, opts, started);
  } catch (err) {
    for (const stop of started.reverse()) {
      try {
        await stop();
      } catch {
        // The build's own error is the one to report.
      }
    }
    throw err;
  }
}

async function assembleSession(config: DeploymentConfig, configFile: string, opts: BuildOptions, started: (() => unknown)[]): Promise<Session> {
  const problems = await checkDeployment(config, configFile);
  if (problems.length > 0) {
    const codes = new Set(problems.map((p) => p.code ?? "CONFIG_INVALID"));
    throw new DeploymentError(problems.map((p) => p.message), codes.size === 1 ? [...codes][0]! : "CONFIG_INVALID", problems);
  }
  const mode = opts.mode ?? config.mode;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const instruments = deploymentInstruments(config);
  const bySymbol = new Map(instruments.map((i) => [i.symbol, i]));
  const feed = new PushSource(`venue:${primaryVenueName(config)}`);
  const sources = [...(opts.sources ?? (await openSources(config, configFile, instruments, mode, opts.startTs))), feed];
  const loop = new EventLoop(sources);
  const backend = opts.features ?? config.features?.backend ?? "auto";
  if (backend !== "ts") {
    // Builds the WebAssembly kernels if their sources changed (offline, seconds); "auto" falls back to the twin.
    try {
      await prepareWasmKernels();
    } catch (err) {
      if (backend === "wasm") throw err;
    }
  }
  const features = new FeatureEngine(instruments.length, backend);
  const { loaded } = await loadPlugins(pluginRequests(config), configFile, features.featureNames());
  const alerts = new Alerts();
  const strategies = config.strategies.filter((s) => s.enabled !== false).map((s) => s.name);
  const portfolio = new Portfolio(instruments, [...strategies, "manual"]);
  const performance = new PerformanceTracker();
  const limits = resolveLimits(instruments, config.risk.limits, venueLimitOverrides(config, instruments));
  const books = new L1Books(instruments.length);
  let core!: TradingCore;
  let models: ModelSet | null = null;
  // How a venue's pushed market data is stamped and woken up; the real-time runner replaces both.
  const arrival: ArrivalHooks = { now: () => loop.clock.now(), kick: () => {} };
  const riskRules: RiskRule[] = [];
  const riskPlugins: RiskPluginView[] = [];
  /** The deployment's periodic portfolio VaR (sidecars.gpu), once started: risk plugins read its answers. */
  let varMonitor: VarMonitor | null = null;
  const risk = new RiskEngine(
    instruments,
    limits,
    config.risk.limits,
    books,
    {
      position: (i) => portfolio.position(i),
      strategyPosition: (s, i) => portfolio.positionOf(s, i),
      working: (i, side) => core.working(i, side),
      toAccount: (i, money) => {
        try {
          return portfolio.toAccount(i, money, config.account.currency);
        } catch {
          return null;
        }
      },
    },
    riskRules,
  );
  const host = new StrategyHost(instruments.length, (slot, _hook, _err) => core.quarantined(slot.name, slot.policy, slot.failure));
  const reportEvery = (config.report?.equitySampleSeconds ?? DEFAULT_REPORT_SECONDS) * 1_000_000;
  core = new TradingCore(instruments, loop, features, host, risk, portfolio, alerts, config.account.currency, reportEvery, (ts, equity) =>
    performance.sample(ts, config.account.capital + equity),
    books,
  );
  core.onTrade = (realised, fee, notional, closes) => performance.onTrade(realised, fee, notional, closes);
  loop.attach(core);
  if (config.data !== undefined) {
    core.gapUs = config.data.gapSeconds * 1_000_000;
    core.staleUs = config.data.staleSeconds * 1_000_000;
  }
  if ((config.features?.instruments ?? "traded") === "traded") {
    core.featureOn.fill(0);
    for (const s of config.strategies) if (s.enabled !== false) for (const sym of s.instruments) for (const id of instrumentsNamed(instruments, sym)) core.featureOn[id] = 1;
  }
  const logFor = (who: string) => (message: string, fields?: Record<string, unknown>) => log(logLine(core.now(), who, message, fields));

  // Venues: one adapter, or several behind one (per-venue instruments, books and limits).
  const venueSet = attachVenues({
    config,
    loaded,
    instruments,
    loop,
    core,
    feed,
    arrival,
    alerts,
    riskRules,
    portfolio,
  });
  core.venue = venueSet.adapter;
  const algos = await attachAlgos({ config, loaded, instruments, core, venues: venueSet, log: (who, message, fields) => log(logLine(core.now(), who, message, fields)) });
  // Parents dropped from memory keep a TCA row for the store's parent_tca (written at close) and a backtest's summary.
  if (algos !== null && (config.store !== undefined || mode === "backtest")) algos.keepEvictedTca = true;

  // Risk plugins: a throw fails closed (the order is refused) and quarantines the rule.
  for (const l of loaded.filter((x) => x.request.kind === "risk")) {
    const plugin = l.plugin as unknown as RiskPlugin;
    const ctx = {
      name: l.request.name, params: l.params as never, instruments, now: () => loop.clock.now(), log: logFor(l.request.name),
      position: (i: number) => portfolio.position(i),
      book: (i: number) => core.books.books[i]!,
      toAccount: (i: number, money: number) => {
        try {
          return portfolio.toAccount(i, money, config.account.currency);
        } catch {
          return null;
        }
      },
      requestTradingState: (state: TradingState, reason: string) => {
        if (state !== "active" && state !== "reducing" && state !== "halted") throw new Error(`requestTradingState: state: expected active, reducing or halted, got ${JSON.stringify(state)}`);
        core.ruleTradingState(l.request.name, state, String(reason));
      },
      requestedTradingState: (): TradingState => risk.ruleStates.get(l.request.name)?.state ?? "active",
      journalLimitChange: (change: RuleLimitChange) => core.ruleLimitChange(l.request.name, change),
      portfolioVar: (): PortfolioVarView | null => {
        const m = varMonitor;
        if (m === null || m.lastSource === "none" || !Number.isFinite(m.lastVar)) return null;
        return { var: m.lastVar, es: m.lastEs, asOf: m.lastAsOf, source: m.lastSource, method: m.method, confidence: m.config.confidence, horizonSeconds: m.config.horizonSeconds };
      },
    };
    const hooks = plugin.create(ctx);
    let failed = "";
    riskPlugins.push({
      name: l.request.name,
      plugin: l.manifest.name,
      version: l.manifest.version,
      failure: () => failed,
      status: () => {
        if (hooks.status === undefined) return null;
        try {
          return hooks.status(ctx);
        } catch (err) {
          return { error: `hook=status error=${(err as Error).message}` };
        }
      },
    });
    // Market data and fills reach the rule off the order path; a throw there quarantines it as in check.
    const quarantine = (hook: string, err: unknown): void => {
      failed = `hook=${hook} error=${(err as Error).message}`;
      alerts.raise(loop.clock.now(), "PLUGIN_QUARANTINED", "critical", l.request.name, `risk rule=${l.request.name} ${failed}`);
    };
    if (hooks.onQuote !== undefined) {
      const onQuote = hooks.onQuote, prev = core.listeners.quote;
      core.listeners.quote = (ev) => {
        prev?.(ev);
        if (failed !== "") return;
        try {
          onQuote(ctx, ev);
        } catch (err) {
          quarantine("onQuote", err);
        }
      };
    }
    if (hooks.onFill !== undefined) {
      const onFill = hooks.onFill, prev = core.listeners.fill;
      core.listeners.fill = (f) => {
        prev?.(f);
        if (failed !== "") return;
        try {
          onFill(ctx, f);
        } catch (err) {
          quarantine("onFill", err);
        }
      };
    }
    riskRules.push({
      name: l.request.name,
      check(order) {
        if (failed !== "") return { code: "RISK_RULE_QUARANTINED", reason: `rule=${l.request.name} ${failed}` };
        try {
          return hooks.check(ctx, order);
        } catch (err) {
          failed = `hook=check error=${(err as Error).message}`;
          alerts.raise(loop.clock.now(), "PLUGIN_QUARANTINED", "critical", l.request.name, `risk rule=${l.request.name} ${failed}`);
          return { code: "RISK_RULE_FAILED", reason: `rule=${l.request.name} ${failed}` };
        }
      },
    });
  }

  riskRules.push(...(opts.riskRules ?? []));

  // Strategies, in config order.
  const services = {
    now: () => loop.clock.now(),
    book: (i: number) => core.books.books[i]!,
    featureIndex: (name: string) => features.index(name),
    features: (i: number) => features.values(i),
    positionOf: (s: string, i: number) => portfolio.positionOf(s, i),
    signal: (i: number) => (models === null ? Number.NaN : (models.engine.signals[i] ?? Number.NaN)),
    openOrdersOf: (s: string, i?: number) => core.openOrdersOf(s, i),
    orderOf: (s: string, id: number) => {
      const o = core.oms.get(id);
      return o !== undefined && o.strategy === s ? o : undefined;
    },
    submit: (s: string, intent: Parameters<TradingCore["submit"]>[1]) => core.submitFromStrategy(s, intent),
    cancel: (s: string, id: number) => void core.cancel(s, id),
    cancelAll: (s: string, i?: number) => void core.cancelAll(s, i),
    setTimer: (s: string, afterUs: number, token: number) => loop.schedule(loop.clock.now() + Math.max(0, afterUs), () => host.onTimer(s, token)),
    log: (s: string, message: string, fields?: Record<string, unknown>) => log(logLine(loop.clock.now(), s, message, fields)),
    tradingState: () => core.tradingState,
    ordersEpoch: () => core.oms.changes,
    marketSeq: (i: number) => core.marketSeq[i] ?? Number.NaN,
    positionsEpoch: () => core.portfolio.positionChanges,
    ...(algos === null
      ? {}
      : {
          submitAlgo: (s: string, req: Parameters<AlgoHost["submit"]>[1]) => algos.submit(s, req),
          parentOf: (s: string, id: number) => (algos.parents.get(id)?.spec.strategy === s ? algos.view(id) : undefined),
          cancelAlgo: (s: string, id: number) => void (algos.parents.get(id)?.spec.strategy === s && algos.cancel(id, s)),
        }),
  };
  const isolates: { stop(): void }[] = [];
  /** The plugin a loaded strategy runs as: in an isolate (asked, or by default outside this project's plugins/) or in process. */
  const strategyPlugin = (l: (typeof loaded)[number], s: DeploymentConfig["strategies"][number]): StrategyPlugin => {
    const inTree = l.module.startsWith(resolve(import.meta.dir, "../../plugins") + "/");
    // One the watchdog moved into an isolate stays isolated (also after a restart or a hot swap).
    if (!(core.isolated.has(s.name) || (s.isolate ?? !inTree))) return l.plugin as unknown as StrategyPlugin;
    // The isolate gets what the manifest asks for and the deployment grants (the check refused any other request).
    const granted = (s.capabilities ?? []).filter((g) => l.manifest.grants?.includes(g) === true);
    const isolated = isolateStrategy(l.plugin as unknown as StrategyPlugin, { module: l.module, budgetUs: s.budgetUs ?? 250_000, grants: granted, spin: s.spin ?? false, memoryLimitMb: s.memoryLimitMb ?? 1024 });
    isolates.push(isolated);
    return isolated;
  };
  /** The loaded plugin each strategy runs now (its config's, or the last one deployed). */
  const running = new Map<string, (typeof loaded)[number]>();
  /** In process: the overruns limit and what reaching it does (quarantine, or a move into an isolate). */
  const overrunLimit = (s: DeploymentConfig["strategies"][number]): number => s.maxOverruns ?? (s.onOverrun === undefined ? Number.POSITIVE_INFINITY : 3);
  const budgetFor = (s: DeploymentConfig["strategies"][number]): HookBudget => new HookBudget((s.budgetUs ?? 250_000) * 1000, overrunLimit(s));
  /**
   * Moves an in-process strategy that overran its budget too often into an isolate of the same
   * plugin, between two events (a timer due now): state and orders handed over, journaled; if the
   * isolate cannot start or take the state, the strategy is quarantined with PLUGIN_OVERRUN.
   */
  const moveToIsolation = (slot: StrategySlot): void => {
    const s = config.strategies.find((x) => x.name === slot.name)!;
    const l = running.get(slot.name)!;
    const why = `PLUGIN_OVERRUN: strategy=${slot.name} ${slot.budget?.describe() ?? ""} (maxOverruns reached, onOverrun=isolate)`;
    loop.schedule(loop.clock.now(), () => {
      if (slot.state === "quarantined" || slot.budget === null) return;
      let failure: string | null;
      let next: StrategyPlugin | null = null;
      try {
        next = strategyPluginIsolated(l, s);
        failure = core.isolateStrategy(slot.name, next, core.deployed.get(slot.name) ?? s.plugin, why);
      } catch (err) {
        failure = err instanceof Error ? err.message : String(err);
      }
      if (failure !== null) {
        (next as { stop?(): void } | null)?.stop?.();
        host.fail(slot, slot.budget.lastOverrunHook, new KestrelError("PLUGIN_OVERRUN", `strategy=${slot.name} ${slot.budget.describe()} (maxOverruns reached; the move into an isolate failed: ${failure})`));
        return;
      }
      slot.budget = null;
    });
  };
  /** `l` in an isolate whatever the deployment says (the watchdog's move). */
  const strategyPluginIsolated = (l: (typeof loaded)[number], s: DeploymentConfig["strategies"][number]): StrategyPlugin => strategyPlugin(l, { ...s, isolate: true });
  config.strategies.forEach((s) => {
    if (s.enabled === false) return;
    const l = loaded.find((x) => x.request.kind === "strategy" && x.request.name === s.name)!;
    const plugin = strategyPlugin(l, s);
    const ids = s.instruments.flatMap((sym) => instrumentsNamed(instruments, sym));
    const ctx = new RuntimeStrategyContext(s.name, l.params as never, ids.map((i) => instruments[i]!), services, plugin.manifest.capabilities ?? []);
    core.setVersion(s.name, plugin.manifest.version);
    const slot = new StrategySlot(s.name, plugin, ctx, ids, plugin.manifest.onQuarantine ?? "cancel-all");
    running.set(s.name, l);
    // In process, overruns of the budget are measured and reported (an isolate's watchdog stops them instead).
    if (!(isolates as readonly unknown[]).includes(plugin)) slot.budget = budgetFor(s);
    if (s.onOverrun === "isolate") slot.onOverrunLimit = moveToIsolation;
    host.add(slot);
  });

  // The store first: a second session on the same file fails here, before it touches the journal
  // or starts sidecars.
  let recorder: TickRecorder | null = null;
  if (config.store !== undefined && opts.store !== false) {
    const store = config.store;
    const names = [...strategies, "manual"];
    mkdirSync(dirname(resolve(store.path)), { recursive: true });
    recorder = await TickRecorder.open({
      db: resolve(store.path),
      instruments,
      strategies: names,
      policy: store.policy,
      flushIntervalMs: store.flushMs,
      onLagAlert: (a) => alerts.raise(loop.clock.now(), "STORE_LAG", "warning", "store", JSON.stringify(a)),
    });
    const opened = recorder;
    started.push(() => opened.close());
  }
  /** Loads `ref` with the strategy's deployment params and swaps it in between two events (hot swap); null on success, else why. */
  const deployPlugin = async (strategy: string, ref: string, orders: "hand-over" | "cancel", by: string): Promise<string | null> => {
    const index = config.strategies.findIndex((x) => x.name === strategy);
    const s = config.strategies[index];
    const slot = host.get(strategy);
    if (s === undefined || slot === undefined) return `no strategy ${strategy}`;
    const request: PluginRequest = { name: s.name, plugin: ref, kind: "strategy", params: s.params, path: ["strategies", index], instrumentCount: s.instruments.length, grants: s.capabilities ?? [] };
    const result = await loadPlugins([request], configFile, features.featureNames());
    if (result.problems.length > 0) return result.problems.map((p) => p.message).join("; ");
    const l = result.loaded[0]!;
    const next = strategyPlugin(l, s);
    const before = { params: slot.ctx.params, capabilities: slot.plugin.manifest.capabilities ?? [] };
    slot.ctx.rebind(l.params as never, next.manifest.capabilities ?? []);
    const failure = core.deployStrategy(strategy, next, ref, orders, by, by === "journal");
    if (failure !== null) slot.ctx.rebind(before.params, before.capabilities);
    // The new version is timed against its budget if it runs in process, and not if isolated.
    else {
      slot.budget = (isolates as readonly unknown[]).includes(next) ? null : (slot.budget ?? budgetFor(s));
      running.set(strategy, l);
    }
    return failure;
  };

  // Journal: replay what is there, then append.
  let journal: JournalWriter | null = null;
  let restored = 0;
  let tornTail: string | null = null;
  let skippedOnRestore = 0;
  let restoredFromSnapshot = false;
  let audit: AuditLog | null = null;
  // A relative journal path is relative to the working directory (the project root for npm start).
  const journalPath = opts.journalPath ?? (config.journal ? resolve(config.journal.path) : "");
  if (journalPath !== "") {
    // The last snapshot that checks out, then the records after it (see journal/restore-read.ts).
    // A snapshot written before parents were snapshotted cannot restore a deployment with algorithms.
    const plan = readForRestore(journalPath, { symbols: instruments.map((i) => i.symbol), parents: algos !== null });
    for (const reason of plan.rejected) {
      alerts.raise(0, "JOURNAL_SNAPSHOT_INVALID", "critical", journalPath, `snapshot skipped, replaying without it: ${reason}`);
    }
    if (plan.snapshot !== null) core.restoreSnapshot(plan.snapshot.state);
    if (plan.snapshot?.state.parents !== undefined) algos?.restoreSnapshot(plan.snapshot.state.parents);
    core.restore(plan.tail);
    algos?.restore(plan.tail);
    restored = (plan.snapshot?.state.records ?? 0) + plan.tail.length;
    restoredFromSnapshot = plan.snapshot !== null;
    tornTail = plan.tornTail;
    journal = new JournalWriter(journalPath, (config.journal?.fsync ?? "batch") as FsyncPolicy, plan.goodLength);
    const opened = journal;
    started.push(() => opened.close());
    const writer = journal;
    let lastTs = core.now();
    const auditPath = auditPathFor(config, journalPath);
    const log = auditPath === null ? null : new AuditLog(auditPath);
    audit = log;
    core.journal = {
      append(r) {
        lastTs = r.t === "report" ? r.report.ts : r.ts;
        writer.append(r);
        log?.note(r);
      },
    };
    const snapshotState = algos === null ? (n: number, ts: number) => core.snapshotState(n, ts) : (n: number, ts: number) => ({ ...core.snapshotState(n, ts), parents: algos.snapshot() });
    const snapshotter = new Snapshotter(writer, config.journal?.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY, restored, snapshotState, () => lastTs);
    snapshotter.onPointerError = (reason) => alerts.raise(core.now(), "SNAPSHOT_POINTER_FAILED", "warning", journalPath, reason);
    if (log !== null) {
      log.onStall = (reason) => stall(log.path, "AUDIT_WRITE_FAILED", reason);
      log.onResume = () => resume(log.path, "AUDIT_RESUMED", "audit writes succeed again; every held audit record is on disk, the chain unbroken");
      if (log.tornTail !== null) alerts.raise(0, "AUDIT_TORN_TAIL", "warning", log.path, `cut a torn last audit record: ${log.tornTail}`);
      // Who runs: the deployment, its plugins and versions, the model card (the model/policy versions).
      log.add("session", core.now(), {
        deployment: config.name,
        mode,
        restoredRecords: restored,
        plugins: loaded.map((l) => ({ name: l.request.name, kind: l.request.kind, plugin: l.request.plugin, version: l.plugin.manifest.version })),
        models: config.models === undefined ? null : { card: config.models.card ?? null, mode: config.models.mode },
      });
      // Batches leave between events, at most every 50 ms, and at close; each is fsynced.
      const afterFlush = writer.afterFlush;
      writer.afterFlush = () => {
        afterFlush?.();
        log.maybeFlush();
      };
      const beforeClose = writer.beforeClose;
      writer.beforeClose = () => {
        beforeClose?.();
        log.close();
      };
      log.flush();
    }
    core.journalFlush = () => {
      writer.flush(true);
      return writer.stalled === null;
    };
    // A journal (or audit log) that cannot write stops trading until it can: nothing decided is left unrecorded.
    const stalls = new Set<string>();
    let killedByJournal = false;
    const stall = (what: string, code: string, reason: string) => {
      stalls.add(what);
      alerts.raise(core.now(), code, "critical", what, `${reason}; records held in memory, kill switch engaged until writes succeed`);
      if (!core.killEngaged) {
        killedByJournal = true;
        core.engageKillSoon(code, "journal");
      }
    };
    const resume = (what: string, code: string, detail: string) => {
      stalls.delete(what);
      alerts.raise(core.now(), code, "warning", what, detail);
      if (stalls.size === 0 && killedByJournal) {
        killedByJournal = false;
        if (core.killEngaged) core.releaseKill("journal");
      }
    };
    writer.onStall = (reason) => stall(journalPath, "JOURNAL_WRITE_FAILED", reason);
    writer.onResume = (ms) => resume(journalPath, "JOURNAL_RESUMED", `writes succeed again after ${Math.round(ms)} ms; every held record is on disk`);
    writer.onSlowFsync = (ms) => alerts.raise(core.now(), "JOURNAL_SLOW_FSYNC", "warning", journalPath, `fsync took ${Math.round(ms)} ms (threshold ${writer.slowFsyncMs} ms; ${writer.slowFsyncs} slow so far)`);
    core.writeAhead = mode === "live";
    if (tornTail !== null) alerts.raise(0, "JOURNAL_TORN_TAIL", "warning", journalPath, `cut a torn last frame: ${tornTail}`);
    // A strategy whose plugin was deployed while running comes back on that version.
    for (const [strategy, ref] of core.deployed) {
      const failure = await deployPlugin(strategy, ref, "hand-over", "journal");
      if (failure !== null) throw new DeploymentError([`journal: strategy ${strategy} was running ${ref}, which cannot be loaded again: ${failure}`]);
    }
    // The market resumes after the last journaled moment: what the session saw before is not replayed.
    if (restored > 0) skippedOnRestore = loop.skipSourcesThrough(loop.clock.now());
  }
  // Online learning of an rl-executor's policy (paper and live): after the journal, which holds its versions.
  let learning: OnlineLearning | null = null;
  if (config.learning !== undefined && config.learning !== "off") {
    const { learningSettings, OnlineLearning: Online, LearningConfigError } = await import("../learning/online/online-learning.ts");
    const settings = learningSettings(config);
    if (settings !== null) {
      if (algos === null) throw new DeploymentError(["learning: online learning needs an rl-executor in execution.algos (the deployment has no execution:)"]);
      try {
        learning = new Online(settings, { core, loop, algos, journalPath: journalPath === "" ? null : journalPath, mode });
      } catch (e) {
        if (e instanceof LearningConfigError) throw new DeploymentError([e.message]);
        throw e;
      }
      learning.start();
      const l = learning;
      started.push(() => void l.stop());
    }
  }
  // Start-up reconciliation: what the venue knows against what the journal holds.
  let reconciled: ReconcileOutcome | null = null;
  if (mode !== "backtest" && venueSet.adapter.status !== undefined) {
    const open = [...core.oms.openOrders()].map((o) => o.id);
    const status = await venueSet.adapter.status(open, core.oms.orderIds.current);
    if (status !== null) reconciled = reconcileWithVenue(core, status, { ...DEFAULT_RECONCILE_POLICY, ...config.reconcile });
    journal?.flush();
  }
  // Accelerator sidecars: a pre-trade rule at the end of the chain, fed fills, quotes and the kill switch.
  let sidecars: SidecarsHandle | null = null;
  if (config.sidecars !== undefined && (config.sidecars.fpga !== undefined || config.sidecars.gpu !== undefined)) {
    const { startSidecars, sidecarParts } = await import("../sidecars/index.ts");
    const volIndex = features.index(`ewmavol_${defaultVolHalfLife(features)}`);
    // A backtest never yields to the event loop, so an asynchronous sidecar answer could never be
    // applied: VaR runs in-process there.
    const sidecarsConfig = { ...config.sidecars } as SidecarsConfig;
    if (mode === "backtest" && sidecarsConfig.gpu?.mode === "sidecar") sidecarsConfig.gpu = { ...sidecarsConfig.gpu, mode: "in-process" };
    sidecars = await startSidecars(sidecarsConfig, {
      instruments,
      limits,
      limitsConfig: config.risk.limits,
      accountCurrency: config.account.currency,
      now: () => loop.clock.now(),
      schedule: (ts, fn) => loop.schedule(ts, fn),
      alert: (code, severity, subject, message) => alerts.raise(loop.clock.now(), code, severity, subject, message),
      position: (i) => portfolio.position(i),
      touch: (i) => ({ bid: core.books.books[i]!.bid, ask: core.books.books[i]!.ask }),
      toAccount: (i, money) => {
        try {
          return portfolio.toAccount(i, money, config.account.currency);
        } catch {
          return null;
        }
      },
      covariance: () => {
        if (volIndex < 0) return null;
        const vol = new Float64Array(instruments.length);
        for (let i = 0; i < instruments.length; i++) vol[i] = features.values(i)[volIndex]!;
        return { correlation: features.kernels.correlation(), volPerSqrtSecond: vol };
      },
      killEngaged: () => risk.killSwitch,
    });
    const sc = sidecars;
    varMonitor = sidecarParts(sc)?.gpu?.monitor ?? null;
    started.push(() => sc.stop());
    if (sc.riskRule !== null) riskRules.push(sc.riskRule);
    const fill = core.listeners.fill;
    core.listeners.fill = (f) => {
      fill?.(f);
      sc.onFill(f);
    };
    const quote = core.listeners.quote;
    core.listeners.quote = (ev) => {
      quote?.(ev);
      sc.onQuote(ev.instrument, ev.bid, ev.ask);
    };
    core.onKillChange = (engaged) => sc.onKill(engaged);
  }
  // Models: all instruments' context windows in one batch every period, answers applied when they
  // come back. A backtest never yields to the loop, so its asynchronous answers could not arrive:
  // there a model with TypeScript weights runs synchronously at each period (models/vol_window).
  // A shadow model, when configured, runs beside the live one, scored and logged, never traded.
  if (config.models !== undefined) {
    const { startSessionModels } = await import("../models/session-models.ts");
    const set = await startSessionModels(config.models, {
      mode,
      loop,
      instruments: instruments.length,
      width: features.kernels.layout.width,
      layout: features.kernels.layout,
      context: (i: number) => features.kernels.context(i),
      now: () => loop.clock.now(),
      schedule: (at: number, fn: () => void) => loop.schedule(at, fn),
      raise: (code, severity, subject, context) => void alerts.raise(loop.clock.now(), code, severity, subject, context),
      mid2: (i: number) => {
        const b = core.books.books[i]!;
        return b.valid ? b.mid2 : 0;
      },
      journalPath,
      promoted: core.promotedModels,
    });
    if (set !== null && "code" in set) throw new DeploymentError([`models: ${set.code}: ${set.context}`]);
    models = set;
    if (set !== null) {
      started.push(() => set.stop());
      if (mode !== "backtest") {
        core.modelCause = () => {
          const st = set.engine.status();
          return st.version === "" ? "" : `${st.version}@${st.ts}`;
        };
      }
      // The models start with the market (kernel time before its first event means nothing), or at
      // once for a venue's own feed; a backtest's synchronous engines run at each period from then.
      const first = loop.peekSourceTs();
      loop.schedule(Number.isFinite(first) ? first : loop.clock.now(), () => set.start((at, fn) => loop.schedule(at, fn), () => loop.clock.now()));
    }
  }
  // What each recent order was decided on (book, features, model signal), for explanations.
  if (mode !== "backtest") {
    const index = features.kernels.layout.index;
    const featureNames = Object.keys(index).sort((a, b) => index[a]! - index[b]!);
    core.decisions = new DecisionRing({
      book: (i) => core.books.books[i],
      features: (i) => features.values(i),
      featureNames,
      signal: (i) => (models === null ? Number.NaN : (models.engine.signals[i] ?? Number.NaN)),
    });
  }
  if (recorder !== null && config.store !== undefined) {
    const store = config.store;
    const names = [...strategies, "manual"];
    const rec = recorder;
    attachRecorder(core, rec, names);
    let tradeId = 0;
    core.listeners.trade = (ev) => rec.recordTrade(ev.ts, ev.instrument, ev.price, ev.size, ev.side, ++tradeId);
    const markEvery = store.marksEverySeconds * 1_000_000;
    let nextMark = 0;
    const quote = core.listeners.quote;
    core.listeners.quote = (ev) => {
      quote?.(ev);
      if (ev.ts < nextMark) return;
      nextMark = ev.ts - (ev.ts % markEvery) + markEvery;
      for (const inst of instruments) {
        if (!portfolio.isMarked(inst.id)) continue;
        // Marked at the price the position would close at, as unrealised P&L is.
        const position = portfolio.position(inst.id);
        const mark = position >= 0 ? portfolio.bid(inst.id) : portfolio.ask(inst.id);
        rec.recordMark(ev.ts, inst.id, -1, position, mark, portfolio.realised(inst.id), portfolio.unrealised(inst.id));
      }
    };
  }
  const close = async () => {
    for (const i of isolates) i.stop();
    if (models !== null) await models.stop();
    if (learning !== null) await learning.stop();
    if (sidecars !== null) await sidecars.stop();
    if (recorder !== null) await recorder.close();
    // Parents' TCA goes to the store beside the orders and fills it explains.
    if (recorder !== null && algos !== null && config.store !== undefined) {
      const { rows, children } = algos.tcaRows();
      if (rows.length > 0) {
        const { writeParentTca } = await import("../execution/tca/store-tca.ts");
        await writeParentTca(resolve(config.store.path), config.name, rows, children);
      }
    }
  };
  return { config, mode, instruments, loop, core, performance, journal, sources, restored, restoredFromSnapshot, audit, reconciled, skippedOnRestore, journalTornTail: tornTail, recorder, close, arrival, feed, sidecars, models, deployPlugin, venues: venueSet, algos, learning, riskPlugins };
}

/** Opens a deployment's market sources (synthetic, replay files, none for a venue feed), as a session does. */
export async function openSources(config: DeploymentConfig, configFile: string, instruments: Instrument[], mode: DeploymentConfig["mode"], startTs?: number): Promise<MarketSource[]> {
  if (config.market.source === "synthetic") {
    const syn = config.market.synthetic ?? {};
    const isoStart = syn.start;
    let start: number | undefined;
    if (startTs !== undefined) start = startTs;
    else if (isoStart === "now" || (isoStart === undefined && mode !== "backtest")) start = wallMicros();
    else if (isoStart !== undefined) start = Date.parse(isoStart) * 1000;
    // A backtest without a start begins on the generator's default Monday, so a duration can end it.
    else start = Date.UTC(2024, 0, 8) * 1000;
    const duration = syn.durationSeconds;
    return [
      createSyntheticMarket({
        ...(syn.params ?? {}),
        seed: config.seed,
        instruments,
        ...(start !== undefined ? { startTs: start } : {}),
        ...(duration !== undefined && start !== undefined ? { endTs: start + duration * 1_000_000 } : {}),
        // A paper session trades whatever the calendar says.
        ...(mode !== "backtest" ? { weekendsClosed: false } : {}),
      }),
    ];
  }
  if (config.market.source === "venue") return [];
  const bySymbol = new Map(instruments.map((i) => [i.symbol, i]));
  const files = config.market.replay?.files ?? [];
  if (isMultiVenue(config)) return openVenueSources(config, configFile, bySymbol);
  const readers: QuoteReader[] = [];
  for (const [i, f] of files.entries()) {
    const path = resolve(dirname(configFile), f.path);
    if (f.format === "store") readers.push(await openStoreQuotes(path, f.instrument));
    else readers.push(openSpecReader({ path, instrument: bySymbol.get(f.instrument)!, format: f.format, mapping: f.mapping as never }, i));
  }
  // Inputs are named in reports as the deployment wrote them (the instrument added where a path repeats).
  const labels = files.map((f) => (files.filter((g) => g.path === f.path).length > 1 ? `${f.path} [${f.instrument}]` : f.path));
  const replay = new ReplaySource(readers, files.map((f) => bySymbol.get(f.instrument)!), undefined, labels);
  if (replay.emptyReaders.length > 0) {
    const error = noEventsError(replay);
    replay.close();
    throw error;
  }
  return [replay];
}

/** The error for a replay some of whose inputs gave no good event: which inputs, their bad rows and the first one. */
function noEventsError(replay: ReplaySource): SourceConfigError {
  const empty = new Set(replay.emptyReaders.map((i) => replay.labels[i]!));
  const bad = replay.badRowsBySource().filter((b) => empty.has(b.source));
  const first = bad.find((b) => b.first !== null)?.first ?? undefined;
  return new SourceConfigError("SOURCE_NO_EVENTS", {
    files: [...empty].join(" "),
    badRows: bad.reduce((n, b) => n + b.count, 0),
    first: first === undefined ? "none (no rows at all)" : `${first.file}:${first.line}: ${first.reason}`,
  });
}

/** One replay source per venue, each over that venue's files (merged with the others in event time by the loop). */
async function openVenueSources(config: DeploymentConfig, configFile: string, bySymbol: Map<string, Instrument>): Promise<MarketSource[]> {
  const out: MarketSource[] = [];
  const files = config.market.replay?.files ?? [];
  for (const v of deploymentVenues(config)) {
    const readers: QuoteReader[] = [];
    const insts: Instrument[] = [];
    for (const [i, f] of files.entries()) {
      if (f.venue !== v.name) continue;
      const inst = bySymbol.get(`${f.instrument}@${v.name}`)!;
      const path = resolve(dirname(configFile), f.path);
      if (f.format === "store") readers.push(await openStoreQuotes(path, f.instrument));
      else readers.push(openSpecReader({ path, instrument: inst, format: f.format, mapping: f.mapping as never }, i));
      insts.push(inst);
    }
    if (readers.length > 0) out.push(new ReplaySource(readers, insts, `replay:${v.name}`));
  }
  return out;
}

/** Half-life (µs) of the first EWMA volatility the feature engine computes, for the VaR inputs. */
function defaultVolHalfLife(features: FeatureEngine): number {
  const name = [...features.featureNames()].find((n) => n.startsWith("ewmavol_"));
  return name === undefined ? 0 : Number(name.slice("ewmavol_".length));
}
