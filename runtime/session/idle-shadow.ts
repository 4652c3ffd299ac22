/**
 * The idle shadow: a second copy of the deployment — same strategies, risk chain, OMS and feature
 * kernels, its own state, a simulated venue and a market of its own — that a spinning real-time
 * loop drives one event at a time while nothing is due. On a shared VM a core left idle for a
 * hundred microseconds loses the pipeline's code and data from its private caches (issue 13: the
 * backtest loop with 110 µs gaps and no real-time code is 8× slower per order than back to back),
 * and the session's next event pays for it; running the same code on the shadow's state keeps the
 * instructions, branch history and the runtime's shared structures warm. The shadow never touches
 * the session: it has no journal, no store, no admin, and its orders go to its own simulated
 * venue. Deployments it cannot copy safely (a venue's own feed, isolated plugins, models,
 * sidecars, online learning) get no shadow, with the reason.
 */
import type { DeploymentConfig } from "../config/schema.ts";
import { buildSession, type Session } from "./build.ts";

/** A running shadow of a deployment. */
export interface IdleShadow {
  /** Processes the shadow's next event (starting its market over when it ran out). */
  step(): void;
  /** Shadow events processed so far. */
  readonly events: number;
  /** Times the shadow's market ran out and it started over. */
  readonly restarts: number;
  /** Stops the shadow's session. */
  close(): Promise<void>;
}

/** Why a deployment gets no shadow. */
export interface NoShadow {
  unsupported: string;
}

/** Market seconds of the shadow's market before it starts over. */
const SHADOW_MARKET_SECONDS = 7 * 86_400;

/** The shadow's deployment: the same pipeline, backtest mode, nothing that reaches outside the process. */
export function shadowConfig(config: DeploymentConfig, marketSeconds = SHADOW_MARKET_SECONDS): DeploymentConfig | NoShadow {
  if (config.market.source === "venue") return { unsupported: "the market is the venue's own feed (the shadow needs a market of its own)" };
  if (config.venues !== undefined) return { unsupported: "several venues" };
  if (config.models !== undefined) return { unsupported: "models (the shadow would run a second inference engine)" };
  if (config.sidecars !== undefined) return { unsupported: "sidecars" };
  if (config.learning !== undefined && config.learning !== "off") return { unsupported: "online learning" };
  const isolated = config.strategies.find((s) => s.isolate === true || s.onOverrun === "isolate");
  if (isolated !== undefined) return { unsupported: `strategy ${isolated.name} runs (or may run) in an isolate` };
  const shadow = structuredClone(config);
  shadow.mode = "backtest";
  delete shadow.journal;
  delete shadow.store;
  delete shadow.admin;
  delete shadow.audit;
  delete shadow.reconcile;
  if (shadow.venue !== undefined && shadow.venue.plugin !== "sim") shadow.venue = { name: shadow.venue.name, plugin: "sim" };
  if (shadow.market.source === "synthetic") {
    // A fixed past week: the shadow's market never depends on the session's clock.
    shadow.market.synthetic = { ...shadow.market.synthetic, start: "2024-01-08T00:00:00Z", durationSeconds: marketSeconds };
  }
  return shadow;
}

/** Builds and starts the shadow of `config` (read from `configFile`), or says why it has none; `marketSeconds` is how long a synthetic market runs before it starts over. */
export async function startIdleShadow(config: DeploymentConfig, configFile: string, marketSeconds = SHADOW_MARKET_SECONDS): Promise<IdleShadow | NoShadow> {
  const shadowed = shadowConfig(config, marketSeconds);
  if ("unsupported" in shadowed) return shadowed;
  const build = async (): Promise<Session> => {
    const s = await buildSession(shadowed, configFile, { mode: "backtest", journalPath: "", store: false, log: () => {} });
    // Timed as the session is, so that the same branches run.
    s.core.measureLatency = true;
    s.core.host.start();
    return s;
  };
  let session: Session | null = await build();
  let next: Promise<void> | null = null;
  let events = 0;
  let restarts = 0;
  let closed = false;
  const restart = () => {
    restarts++;
    const old = session!;
    session = null;
    next = (async () => {
      await old.close();
      if (!closed) session = await build();
      next = null;
    })();
  };
  return {
    step() {
      const s = session;
      if (s === null) return;
      if (s.loop.exhausted) return restart();
      events += s.loop.runUntil(Infinity, 1);
    },
    get events() {
      return events;
    },
    get restarts() {
      return restarts;
    },
    async close() {
      closed = true;
      if (next !== null) await next;
      await session?.close();
      session = null;
    },
  };
}
