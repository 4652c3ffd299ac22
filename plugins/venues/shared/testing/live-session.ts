/**
 * Set-up shared by the crypto venues' session tests (runtime/session/{binance,coinbase}-venue.test.ts):
 * a live deployment's YAML on a venue plugin pointed at its exchange double, a session built from
 * a shipped config with its URLs from the environment, and the restart scenario both venues pass —
 * orders resting at the double, the process dying without a word to the exchange, fills made
 * while it is down, and a restart that finds its orders by client order id and applies each fill once.
 */
import { expect } from "bun:test";
import { resolve } from "node:path";
import { loadConfig } from "../../../../runtime/config/load.ts";
import { readJournal } from "../../../../runtime/journal/journal-file.ts";
import { buildSession, type Session } from "../../../../runtime/session/build.ts";
import { startRealtime } from "../../../../runtime/session/realtime.ts";
import { REPO_ROOT, sessionFromYaml } from "../../../../runtime/session/test-session.ts";
import type { DoubleMatching } from "../../binance/testing/matching.ts";
import { until } from "../../binance/testing/venue-context.ts";

/** What a live deployment on an exchange double needs said. */
export interface LiveYaml {
  readonly name: string;
  readonly currency: string;
  /** The instrument as a flow mapping, e.g. `{ symbol: BTCUSDT, base: BTC, ... }`. */
  readonly instrument: string;
  readonly plugin: "binance" | "coinbase";
  /** The venue's params as a flow mapping. */
  readonly params: string;
  /** Params of the round-trip test strategy as a flow mapping. */
  readonly rt: string;
  /** Risk limits as a flow mapping (permissive defaults). */
  readonly limits?: string;
  /** More top-level YAML (journal, reconcile). */
  readonly extra?: string;
}

/** A live deployment's YAML: one instrument on the venue, the round-trip test strategy on it. */
export function liveYaml(o: LiveYaml): string {
  const symbol = /symbol: ([^,}\s]+)/.exec(o.instrument)?.[1] ?? "";
  return `name: ${o.name}
mode: live
seed: 1
account: { currency: ${o.currency}, capital: 100000 }
instruments:
  - ${o.instrument}
market: { source: venue }
venue:
  name: ${o.plugin}
  plugin: ${o.plugin}
  params: ${o.params}
strategies:
  - { name: rt, plugin: ${resolve(REPO_ROOT, "plugins/venues/binance/testing/round-trip-strategy.ts")}, instruments: [${symbol}], params: ${o.rt} }
risk:
  limits: ${o.limits ?? "{ maxPosition: 10000000, maxOrderNotional: 1000, maxOrdersPerSecond: 50, priceCollarBps: 100, maxDailyLoss: 100000, maxDrawdown: 100000 }"}
${o.extra ?? ""}`;
}

/** A session built from a shipped config, its `${env:...}` values from `env`, without journal or store. */
export async function sessionFromConfig(config: string, env: Record<string, string>): Promise<Session> {
  const file = resolve(REPO_ROOT, config);
  const loaded = loadConfig(file, { ...process.env, ...env });
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  return buildSession(loaded.config, file, { journalPath: "", store: false, log: () => {} });
}

/** An exchange double as the restart scenario drives it. */
export interface RestartDouble {
  readonly matching: DoubleMatching;
  inject(f: { kind: "fill"; clientOrderId: string; qty?: number }): void;
  netPosition?(): number;
}

/** The venue adapter as the restart scenario reads it. */
interface RestartVenue {
  readonly ready: Promise<void>;
  readonly orders: { readonly connected: boolean } | null;
}

/**
 * The restart scenario: three orders rest at the double (one filled in part live), the process
 * dies (no cancels on the way out), the double fills the rest of one and all of another, and a
 * restart on the same journal must apply exactly those two missed fills, take the working orders
 * back (a later fill and a cancel reach them) and end with every trade at the double one fill in
 * the journal.
 */
export async function restartFindsOrders(o: { dir: string; yaml: string; journal: string; double: RestartDouble; synced: (s: Session) => boolean }): Promise<void> {
  const { double } = o;
  const clientId = (id: number) => [...double.matching.byClientId.keys()].find((k) => new RegExp(`^(K|k[0-9a-z]+-)${id}$`).test(k))!;
  const a = await sessionFromYaml(o.dir, o.yaml);
  const va = a.core.venue as unknown as RestartVenue;
  await va.ready;
  const runA = startRealtime(a, { forUs: 600_000_000 });
  await until(() => o.synced(a) && a.core.books.books[0]!.valid, "book in sync", 60_000);
  const { bid, ask } = a.core.books.books[0]!;
  // Resting orders well away from the touch: only the injected fills touch them.
  const partly = a.core.submit("manual", { instrument: 0, side: 1, type: "limit", price: bid - 20_000, size: 300_000, tif: "GTC" });
  const filled = a.core.submit("manual", { instrument: 0, side: 1, type: "limit", price: bid - 30_000, size: 200_000, tif: "GTC" });
  const untouched = a.core.submit("manual", { instrument: 0, side: -1, type: "limit", price: ask + 30_000, size: 200_000, tif: "GTC" });
  expect(Math.min(partly, filled, untouched)).toBeGreaterThan(0);
  await until(() => [partly, filled, untouched].every((id) => a.core.oms.get(id)!.status === "working"), "three orders working");
  double.inject({ kind: "fill", clientOrderId: clientId(partly), qty: 100_000 });
  await until(() => a.core.portfolio.position(0) === 100_000, "a fill reported live");
  // The process dies: nothing more is sent (no cancels on the way out), the journal holds what it had.
  (a.core as { cancelAll: unknown }).cancelAll = () => 0;
  runA.stop();
  await runA.done;
  // While it is down the market trades through two of its orders.
  double.inject({ kind: "fill", clientOrderId: clientId(partly), qty: 100_000 });
  double.inject({ kind: "fill", clientOrderId: clientId(filled) });

  const b = await sessionFromYaml(o.dir, o.yaml);
  const vb = b.core.venue as unknown as RestartVenue;
  expect(b.reconciled).not.toBeNull();
  expect(b.reconciled!.missedFills).toBe(2);
  expect(b.reconciled!.unknown).toBe(0);
  expect(b.reconciled!.missing).toBe(0);
  expect(b.core.portfolio.position(0)).toBe(400_000);
  expect(b.core.oms.get(filled)!.status).toBe("filled");
  expect(b.core.oms.get(partly)!.status).toBe("partially-filled");
  expect(b.core.oms.get(untouched)!.status).toBe("working");
  // Taken back: a later fill of the partly filled order and a cancel of the untouched one reach them, once.
  const runB = startRealtime(b, { forUs: 600_000_000 });
  await until(() => vb.orders!.connected, "user stream up");
  double.inject({ kind: "fill", clientOrderId: clientId(partly) });
  await until(() => b.core.oms.get(partly)!.status === "filled", "the rest of the partly filled order");
  b.core.cancel(null, untouched);
  await until(() => b.core.oms.get(untouched)!.status === "canceled", "cancel after the restart");
  expect(double.matching.byClientId.get(clientId(untouched))!.status).toBe("CANCELED");
  runB.stop();
  await runB.done;
  expect(b.core.omsErrors).toBe(0);
  expect(b.core.alerts.all().filter((x) => x.code.endsWith("_UNKNOWN_ORDER"))).toEqual([]);
  // Every trade at the double is exactly one fill in the journal, and the position is theirs.
  const fills = readJournal(o.journal).records.filter((r) => r.t === "report" && r.report.kind === "fill");
  expect(fills.length).toBe(double.matching.trades.length);
  expect(b.core.portfolio.position(0)).toBe(500_000);
  await b.close();
}

/** The end of a paper session on a venue's market: a two-sided, uncrossed book and no order at the exchange double (paper trading stays in the sim venue). */
export async function expectPaperEnd(s: Session, double: { readonly matching: DoubleMatching }): Promise<void> {
  const book = s.core.books.books[0]!;
  expect(book.valid).toBe(true);
  expect(book.ask).toBeGreaterThan(book.bid);
  expect(double.matching.orders.size).toBe(0);
  await s.close();
}
