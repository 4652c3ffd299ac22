/** The deployment file's schema (YAML in configs/), with static types from TypeBox. */
import { Type, type Static } from "@sinclair/typebox";
import { ClusterConfig } from "../cluster/schema.ts";
import { ppoUpdateFields } from "../learning/rl/ppo-schema.ts";

const Symbol = Type.String({ pattern: "^[A-Z0-9._-]{2,32}(@[a-z0-9][a-z0-9-]{0,63})?$", description: "instrument symbol, e.g. EURUSD (EURUSD@fxcm: that symbol at one venue of a several-venue deployment)" });

/** An instrument declared by the deployment (replay of files needs them; synthetic builds its own). */
export const InstrumentConfig = Type.Object(
  {
    symbol: Symbol,
    base: Type.String({ minLength: 1 }),
    quote: Type.String({ minLength: 1 }),
    priceDecimals: Type.Integer({ minimum: 0, maximum: 10 }),
    sizeDecimals: Type.Integer({ minimum: 0, maximum: 8, default: 0 }),
    lotSize: Type.Integer({ minimum: 1, default: 1 }),
    minSize: Type.Integer({ minimum: 1, default: 1 }),
  },
  { additionalProperties: false },
);

const ReplayFile = Type.Object(
  {
    path: Type.String({ minLength: 1 }),
    instrument: Symbol,
    /** "store" replays the instrument's quotes recorded in a Kestrel DuckDB file (path = the file). */
    format: Type.Union([
      Type.Literal("dukascopy-csv"),
      Type.Literal("dukascopy-bi5"),
      Type.Literal("lean"),
      Type.Literal("truefx"),
      Type.Literal("csv"),
      Type.Literal("store"),
    ]),
    mapping: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** With `venues:`, the venue whose feed this file is (one replay source per venue). */
    venue: Type.Optional(Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,63}$" })),
  },
  { additionalProperties: false },
);

const Market = Type.Object(
  {
    /** Where market data comes from: the synthetic generator, recorded files, or the venue's own feed. */
    source: Type.Union([Type.Literal("synthetic"), Type.Literal("replay"), Type.Literal("venue")]),
    /** Paper pacing: kernel microseconds per wall microsecond. */
    speed: Type.Number({ exclusiveMinimum: 0, default: 1 }),
    synthetic: Type.Optional(
      Type.Object(
        {
          pairs: Type.Optional(Type.Array(Symbol, { minItems: 1 })),
          start: Type.Optional(Type.String({ description: "ISO time, or 'now'" })),
          durationSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
          params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        },
        { additionalProperties: false },
      ),
    ),
    replay: Type.Optional(Type.Object({ files: Type.Array(ReplayFile, { minItems: 1 }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

const PluginRef = {
  name: Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,63}$" }),
  plugin: Type.String({ minLength: 1, description: "built-in plugin name or a path to a module" }),
  params: Type.Optional(Type.Unknown()),
};

/** What an isolated plugin may reach beyond its context. */
const Grant = Type.Union([Type.Literal("network"), Type.Literal("files"), Type.Literal("subprocess"), Type.Literal("env"), Type.Literal("timers")]);

const StrategyConfig = Type.Object(
  {
    ...PluginRef,
    instruments: Type.Array(Symbol, { minItems: 1 }),
    enabled: Type.Optional(Type.Boolean()),
    /** Run the plugin in an isolate (a worker with a watchdog); default: true for a plugin outside this project's plugins/ folder. */
    isolate: Type.Optional(Type.Boolean()),
    /** Longest one hook call may take, microseconds; an isolated plugin over it is terminated and quarantined. */
    budgetUs: Type.Optional(Type.Integer({ minimum: 100, default: 250_000 })),
    /** In process: quarantine the strategy (PLUGIN_OVERRUN) when this many hook calls have run past budgetUs; default: overruns are only reported. */
    maxOverruns: Type.Optional(Type.Integer({ minimum: 1 })),
    /**
     * In process, when overruns reach maxOverruns (3 when only this is set): quarantine the strategy (the default), or
     * isolate it: move it into an isolate with its state (snapshot/restore) and working orders handed over, journaled, alert PLUGIN_ISOLATED.
     */
    onOverrun: Type.Optional(Type.Union([Type.Literal("quarantine"), Type.Literal("isolate")])),
    /**
     * Isolated: memory limit, MiB (the isolate's own heap, published after its hook calls at most every 10 ms, and the
     * process's growth during one long hook call); over it the isolate is terminated and quarantined (PLUGIN_MEMORY). 0: none.
     */
    memoryLimitMb: Type.Optional(Type.Integer({ minimum: 0, default: 1024 })),
    /** An isolated plugin spins between events instead of sleeping (lower latency; a core busy while the session runs). */
    spin: Type.Optional(Type.Boolean()),
    /** What the plugin may reach beyond its context (nothing by default): each capability its manifest requests (`grants`) must be granted here; an isolated plugin gets those. */
    capabilities: Type.Optional(Type.Array(Grant, { uniqueItems: true })),
  },
  { additionalProperties: false },
);

const Limits = Type.Object(
  {
    maxPosition: Type.Integer({ minimum: 0 }),
    maxOrderNotional: Type.Number({ minimum: 0 }),
    maxOrdersPerSecond: Type.Integer({ minimum: 0 }),
    priceCollarBps: Type.Number({ minimum: 0 }),
    maxDailyLoss: Type.Number({ minimum: 0 }),
    maxDrawdown: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);

/** One venue of a several-venue deployment (`venues:`): its plugin, what it lists and its own limits. */
const VenueConfig = Type.Object(
  {
    ...PluginRef,
    /** Symbols this venue lists (default: every declared instrument). */
    instruments: Type.Optional(Type.Array(Symbol, { minItems: 1 })),
    /** Risk limits of this venue's instruments (override `risk.limits`, which also bound the total over venues). */
    limits: Type.Optional(Type.Partial(Limits)),
    /** What the smart order router assumes of this venue (defaults: the plugin params takerFeePpm, makerFeePpm, orderLatencyUs). */
    routing: Type.Optional(
      Type.Object(
        { takerFeePpm: Type.Optional(Type.Integer()), makerFeePpm: Type.Optional(Type.Integer()), latencyUs: Type.Optional(Type.Integer({ minimum: 0 })) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Execution algorithms and the smart order router a deployment offers its strategies and operators. */
const ExecutionConfig = Type.Object(
  {
    /** Algorithm instances by name (plugins/algos/<plugin>); their params are defaults each parent may override. */
    algos: Type.Optional(Type.Array(Type.Object({ ...PluginRef }, { additionalProperties: false }))),
    /** The router that places algorithms' children across venues (none: a child goes to its parent's venue). */
    router: Type.Optional(Type.Object({ ...PluginRef }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

/** The whole deployment. */
/** Online learning of an rl-executor algorithm in a paper or live session (see runtime/learning/online). */
export const LearningConfig = Type.Object(
  {
    mode: Type.Union([Type.Literal("online"), Type.Literal("off")], { default: "online" }),
    /** The execution algorithm (an rl-executor in `execution.algos`) whose policy learns (default: the only one). */
    algo: Type.Optional(Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,63}$" })),
    /** Market (kernel) seconds between two updates. */
    periodSeconds: Type.Number({ exclusiveMinimum: 0, default: 60 }),
    /** Finished episodes of the live policy an update needs (fewer: the update waits for the next period). */
    minEpisodes: Type.Integer({ minimum: 1, default: 8 }),
    /** Trust region: an update whose mean KL(old || new) over its batch exceeds this is rejected. */
    klCap: Type.Number({ exclusiveMinimum: 0, default: 0.05 }),
    /** Rollback: after `episodes` finished episodes of a new version, a mean episode reward below `minReward` (bps) restores the last good version. */
    rollback: Type.Object(
      { episodes: Type.Integer({ minimum: 1, default: 16 }), minReward: Type.Number({ default: -10 }) },
      { additionalProperties: false, default: {} },
    ),
    /** PPO of the learner process (models/executor/online.py). */
    ppo: Type.Object(
      {
        ...ppoUpdateFields({ minibatch: 64, lr: 0.0001 }),
        seed: Type.Integer({ default: 7 }),
        threads: Type.Integer({ minimum: 1, default: 1 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Where versions (card, ONNX, rollouts) go (default: beside the journal, `<journal>.learning/`; a temp folder without one). */
    out: Type.Optional(Type.String({ minLength: 1 })),
    /** Test hooks: the learner emits a destructive update (size pinned to nothing) or an exploding one (far outside any trust region) at these update numbers. */
    test: Type.Optional(
      Type.Object(
        { destructiveAt: Type.Array(Type.Integer({ minimum: 1 }), { default: [] }), explodeAt: Type.Array(Type.Integer({ minimum: 1 }), { default: [] }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const DeploymentConfig = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    mode: Type.Union([Type.Literal("backtest"), Type.Literal("paper"), Type.Literal("live")]),
    seed: Type.Integer({ minimum: 0, maximum: 4294967295 }),
    account: Type.Object(
      {
        /** An ISO 4217 code, or a stablecoin such as USDT for a crypto account. */
        currency: Type.String({ minLength: 3, maxLength: 5 }),
        /** Starting capital in account currency (returns are measured against it). */
        capital: Type.Number({ exclusiveMinimum: 0, default: 1_000_000 }),
      },
      { additionalProperties: false },
    ),
    instruments: Type.Optional(Type.Array(InstrumentConfig)),
    market: Market,
    /** The venue of a one-venue deployment (exactly one of `venue` and `venues`). */
    venue: Type.Optional(Type.Object({ ...PluginRef }, { additionalProperties: false })),
    /** Several venues in one session: per-venue books, positions and limits, and a consolidated book. */
    venues: Type.Optional(Type.Array(VenueConfig, { minItems: 1 })),
    execution: Type.Optional(ExecutionConfig),
    /** Online learning (paper and live sessions): `online` with the defaults, or the settings. */
    learning: Type.Optional(Type.Union([Type.Literal("online"), Type.Literal("off"), LearningConfig])),
    strategies: Type.Array(StrategyConfig),
    risk: Type.Object(
      {
        limits: Limits,
        instruments: Type.Optional(Type.Record(Symbol, Type.Partial(Limits))),
        plugins: Type.Optional(Type.Array(Type.Object({ ...PluginRef }, { additionalProperties: false }))),
      },
      { additionalProperties: false },
    ),
    journal: Type.Optional(
      Type.Object(
        {
          path: Type.String({ minLength: 1 }),
          fsync: Type.Union([Type.Literal("always"), Type.Literal("batch"), Type.Literal("never")]),
          /** Write a snapshot of trading state after this many journaled records (0: only at a graceful stop). */
          snapshotEvery: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
    audit: Type.Optional(
      Type.Object(
        {
          /** Hash-chained audit log (default: beside the journal, `<journal>.audit.jsonl`). */
          path: Type.Optional(Type.String({ minLength: 1 })),
          /** Set false to write no audit log (default true whenever the session journals). */
          enabled: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    /** Start-up reconciliation with venues that report status (see runtime/session/reconcile). */
    reconcile: Type.Optional(
      Type.Object(
        {
          /** An order the journal holds open that the venue does not know (default cancel). */
          missing: Type.Optional(Type.Union([Type.Literal("resubmit"), Type.Literal("cancel"), Type.Literal("alert")])),
          /** An order working at the venue that the journal does not hold open (default cancel). */
          unknown: Type.Optional(Type.Union([Type.Literal("adopt"), Type.Literal("cancel"), Type.Literal("alert")])),
        },
        { additionalProperties: false },
      ),
    ),
    admin: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          port: Type.Integer({ minimum: 0, maximum: 65535 }),
          host: Type.Optional(Type.String()),
          /** Where HTTP and WebSocket work runs: a worker thread beside the loop (default) or the loop's own thread. */
          thread: Type.Optional(Type.Union([Type.Literal("worker"), Type.Literal("loop")], { description: "where HTTP and WebSocket work runs: a worker thread (default) or the trading loop's own thread" })),
        },
        { additionalProperties: false },
      ),
    ),
    data: Type.Optional(
      Type.Object(
        {
          /** A pause longer than this between two quotes of an instrument raises DATA_GAP, seconds. */
          gapSeconds: Type.Number({ exclusiveMinimum: 0, default: 300 }),
          /** A last quote older than this in a real-time session raises DATA_STALE_FEED, seconds. */
          staleSeconds: Type.Number({ exclusiveMinimum: 0, default: 30 }),
        },
        { additionalProperties: false },
      ),
    ),
    features: Type.Optional(
      Type.Object(
        {
          /**
           * Which instruments the feature kernels run on: those a strategy trades ("traded", the
           * default: no work for features nobody reads) or every instrument ("all", e.g. for the
           * correlation matrix or model context windows of the whole market).
           */
          instruments: Type.Union([Type.Literal("traded"), Type.Literal("all")], { default: "traded" }),
          backend: Type.Union([Type.Literal("auto"), Type.Literal("wasm"), Type.Literal("ts")], { default: "auto" }),
        },
        { additionalProperties: false },
      ),
    ),
    models: Type.Optional(
      Type.Object(
        {
          /** "sidecar": batched on the GPU sidecar (PyTorch), onnxruntime-node in-process as fallback; "in-process": onnxruntime-node only. */
          mode: Type.Union([Type.Literal("sidecar"), Type.Literal("in-process")], { default: "in-process" }),
          /** How often all instruments' context windows go to the model in one batch, kernel milliseconds. */
          everyMs: Type.Number({ exclusiveMinimum: 0, default: 100 }),
          /** Deadline of one batch, microseconds (default: the period). */
          timeoutUs: Type.Optional(Type.Integer({ minimum: 100 })),
          device: Type.Optional(Type.Union([Type.Literal("cuda"), Type.Literal("cpu")])),
          /** Model card (default models/signal-mlp.json). */
          card: Type.Optional(Type.String({ minLength: 1 })),
          /** A registered model, `<name>@<version>` or `<name>@latest` (kestrel model list); wins over `card`. */
          model: Type.Optional(Type.String({ pattern: "^[a-z0-9][a-z0-9-]*@[A-Za-z0-9._-]+$" })),
          /** Kernel ms without a fresh answer after which signals are withheld (NaN: strategies use their rules) and MODEL_STALE is raised. */
          staleAfterMs: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
          /**
           * A candidate model that runs beside the live one on the same windows: its signals are logged
           * and scored online against the live model's, never traded. An operator promotes it
           * (POST /api/v1/models/promote, kestrel model promote); the promotion is journaled.
           */
          shadow: Type.Optional(
            Type.Object(
              {
                /** A registered model, `<name>@<version>` (kestrel model list). */
                model: Type.String({ pattern: "^[a-z0-9][a-z0-9-]*@[A-Za-z0-9._-]+$" }),
                /** Where it runs (default: as the live model). */
                mode: Type.Optional(Type.Union([Type.Literal("sidecar"), Type.Literal("in-process")])),
                /** JSON-lines file of both models' signals each period (default: beside the journal, `<journal>.shadow.jsonl`; none without a journal). */
                log: Type.Optional(Type.String({ minLength: 1 })),
                /** Kernel ms between two lines of the shadow log (28 instruments every 100 ms would be ~2.6 GB a day). */
                logEveryMs: Type.Number({ exclusiveMinimum: 0, default: 1000 }),
                /** Forward window that scores a signal, kernel ms (the model's horizon). */
                horizonMs: Type.Number({ exclusiveMinimum: 0, default: 30000 }),
                /** |signal| from which a sample counts as a trade in the scores. */
                threshold: Type.Number({ minimum: 0, maximum: 1, default: 0 }),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    sidecars: Type.Optional(
      Type.Object(
        {
          /** The pre-trade risk gate in RTL, simulated by Verilator, or its software golden model. */
          fpga: Type.Optional(
            Type.Object(
              {
                mode: Type.Union([Type.Literal("sidecar"), Type.Literal("software")], { default: "sidecar" }),
                timeoutUs: Type.Integer({ minimum: 1, default: 200 }),
              },
              { additionalProperties: false },
            ),
          ),
          /** VaR of the live portfolio (Monte Carlo from the covariance, or historical bootstrap from the tick store): on the GPU sidecar (CPU when no GPU) or in-process. */
          gpu: Type.Optional(
            Type.Object(
              {
                mode: Type.Union([Type.Literal("sidecar"), Type.Literal("in-process")], { default: "sidecar" }),
                everySeconds: Type.Number({ exclusiveMinimum: 0, default: 10 }),
                confidence: Type.Number({ exclusiveMinimum: 0.5, exclusiveMaximum: 1, default: 0.99 }),
                horizonSeconds: Type.Number({ exclusiveMinimum: 0, default: 60 }),
                paths: Type.Integer({ minimum: 1000, default: 100_000 }),
                /** In-process Monte Carlo engine: "ts" (TypeScript) or "wasm" (the SIMD WebAssembly kernel, ~1.8x the paths per second; a different random stream, the same distribution). */
                engine: Type.Optional(Type.Union([Type.Literal("ts"), Type.Literal("wasm")], { default: "ts" })),
                /** "per-instrument" draws one normal per instrument and path; "exact-linear" one per path, exact only for a linear book with normal shocks (spot FX and crypto positions are). */
                sampler: Type.Optional(Type.Union([Type.Literal("per-instrument"), Type.Literal("exact-linear")], { default: "per-instrument" })),
                /** VaR (account currency) above which orders that add risk are refused. */
                maxVar: Type.Number({ exclusiveMinimum: 0 }),
                /** "monte-carlo": correlated normal returns from the feature engine's covariance; "bootstrap": steps drawn from the store's return history (falls back to Monte Carlo, with an alert, when the history cannot be loaded). */
                method: Type.Optional(Type.Union([Type.Literal("monte-carlo"), Type.Literal("bootstrap")], { default: "monte-carlo" })),
                /** Return history for the bootstrap, loaded once at start. */
                history: Type.Optional(
                  Type.Object(
                    {
                      /** DuckDB store file with the instruments' quotes (relative to the working directory). */
                      store: Type.String({ minLength: 1 }),
                      /** Length of one history step, seconds. */
                      stepSeconds: Type.Number({ exclusiveMinimum: 0, default: 1 }),
                      /** Most recent steps kept. */
                      maxSteps: Type.Optional(Type.Integer({ minimum: 1 })),
                    },
                    { additionalProperties: false },
                  ),
                ),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    store: Type.Optional(
      Type.Object(
        {
          /** DuckDB file the session records into (relative to the working directory). */
          path: Type.String({ minLength: 1 }),
          /** What happens when DuckDB falls behind: wait, spill to files, or drop with a counted loss. */
          policy: Type.Union([Type.Literal("block"), Type.Literal("spill"), Type.Literal("drop")], { default: "block" }),
          /** How often positions and P&L marks are recorded, seconds of market time. */
          marksEverySeconds: Type.Number({ exclusiveMinimum: 0, default: 10 }),
          /** Longest wall-clock wait, in milliseconds, before recorded rows are handed to DuckDB in a partial batch (0: full batches only). */
          flushMs: Type.Integer({ minimum: 0, default: 1000 }),
        },
        { additionalProperties: false },
      ),
    ),
    report: Type.Optional(
      Type.Object({ equitySampleSeconds: Type.Number({ exclusiveMinimum: 0 }) }, { additionalProperties: false }),
    ),
    /** Scale-out over NATS JetStream: servers, shard map, streams, global risk (runtime/cluster). */
    cluster: Type.Optional(ClusterConfig),
  },
  { additionalProperties: false },
);

/** A deployment as parsed and validated. */
export type DeploymentConfig = Static<typeof DeploymentConfig>;
/** A venue entry of `venues:`. */
export type VenueConfig = Static<typeof VenueConfig>;
/** An instrument entry of a deployment. */
export type InstrumentConfig = Static<typeof InstrumentConfig>;
