/**
 * The live deployment the FIX tests and chaos runs trade on: EURUSD from QuickFIX providers on
 * loopback (one venue `fix44` with a session per provider), the given strategies and generous limits.
 */

/** One FIX session of the deployment. */
export interface FixSessionSpec {
  readonly name: string;
  readonly port: number;
  /** The provider's CompID (ours is KESTREL). */
  readonly target: string;
  /** More flow-map entries of the session, e.g. `resetSeqNumOnLogon: true`. */
  readonly extra?: string;
}

/** What differs between the FIX deployments of the tests. */
export interface FixLiveSpec {
  readonly name: string;
  /** The venue's name (default lp). */
  readonly venue?: string;
  readonly sessions: readonly FixSessionSpec[];
  /** Strategy entries, each a YAML flow map `{ name: ..., plugin: ..., ... }`. */
  readonly strategies: readonly string[];
  /** The risk limits flow map (default: wide limits for a 1 M position). */
  readonly limits?: string;
  /** More top-level YAML lines (journal, reconcile...). */
  readonly extra?: string;
}

/** The deployment's YAML text. */
export function fixLiveYaml(spec: FixLiveSpec): string {
  const sessions = spec.sessions.map((s) => `      - { name: ${s.name}, port: ${s.port}, senderCompID: KESTREL, targetCompID: ${s.target}, heartBtIntSec: 5, symbols: [EURUSD]${s.extra ? `, ${s.extra}` : ""} }`);
  return `name: ${spec.name}
mode: live
seed: 1
account: { currency: USD }
instruments:
  - { symbol: EURUSD, base: EUR, quote: USD, priceDecimals: 5, lotSize: 1000, minSize: 1000 }
market: { source: venue }
venue:
  name: ${spec.venue ?? "lp"}
  plugin: fix44
  params:
    sessions:
${sessions.join("\n")}
strategies:
${spec.strategies.map((s) => `  - ${s}`).join("\n")}
risk:
  limits: ${spec.limits ?? "{ maxPosition: 1000000, maxOrderNotional: 5000000, maxOrdersPerSecond: 100, priceCollarBps: 100, maxDailyLoss: 100000, maxDrawdown: 100000 }"}
${spec.extra ?? ""}`;
}
