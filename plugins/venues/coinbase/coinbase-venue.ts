/**
 * The `coinbase` venue: Coinbase Advanced Trade market data (level2 books with sequence checks,
 * market trades, ticker, heartbeats) and order entry (JWT-authenticated REST, user channel, REST
 * fills and reconciliation) behind the SDK's venue interface. With `execution: sim` the market
 * still comes from Coinbase but orders are matched by the sim venue against it (paper).
 */
import type { Quote, Trade } from "../../sdk/market.ts";
import type { VenueAdapter, VenueContext, VenueOrder, VenueStatus } from "../../sdk/venue.ts";
import { SimVenue } from "../sim/sim-venue.ts";
import { CoinbaseMarketData } from "./market-data.ts";
import { CoinbaseOrders } from "./orders.ts";
import type { CoinbaseParams } from "./params.ts";
import { CoinbaseRest } from "./rest/client.ts";
import { loadKey, type CoinbaseKey } from "./wire/jwt.ts";

/** Test and tooling hooks that a deployment never sets. */
export interface CoinbaseVenueOptions {
  /** Environment to read the keys from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Wall clock in ms used for token times (default Date.now). */
  wallMs?: () => number;
  /** Prefix of client order ids (default: one per session, from the start time). */
  clientIdPrefix?: string;
}

/** SDK venue adapter over Coinbase Advanced Trade. */
export class CoinbaseVenue implements VenueAdapter {
  readonly rest: CoinbaseRest;
  readonly market: CoinbaseMarketData;
  readonly orders: CoinbaseOrders | null;
  readonly sim: SimVenue | null;
  /** Resolves when start-up (clock offset, products, user channel) has been attempted. */
  readonly ready: Promise<void>;

  constructor(
    private readonly ctx: VenueContext,
    p: CoinbaseParams,
    opts: CoinbaseVenueOptions = {},
  ) {
    const env = opts.env ?? process.env;
    const name = env[p.apiKeyEnv] ?? "";
    const pem = env[p.privateKeyEnv] ?? "";
    let key: CoinbaseKey | null = null;
    if (name !== "" && pem !== "") {
      try {
        key = loadKey(name, pem);
      } catch (err) {
        ctx.alert("COINBASE_NO_KEYS", `${p.privateKeyEnv}: ${(err as Error).message}; orders will be refused by the exchange`);
      }
    } else if (p.execution === "coinbase") ctx.alert("COINBASE_NO_KEYS", `environment variables ${p.apiKeyEnv}/${p.privateKeyEnv} are not set; orders will be refused by the exchange`);
    this.rest = new CoinbaseRest({ baseUrl: p.restUrl.replace(/\/$/, ""), key, wallMs: opts.wallMs ?? Date.now, onEvent: (code, message) => ctx.alert(code, message) });
    this.market = new CoinbaseMarketData(ctx, { wsUrl: p.wsUrl, reconnectMinMs: p.reconnectMinMs, reconnectMaxMs: p.reconnectMaxMs, staleMs: p.staleMs });
    if (p.execution === "sim") {
      this.sim = new SimVenue(ctx, { orderLatencyUs: 150, reportLatencyUs: 150, jitterUs: 0, feedDelayUs: 0, makerFeePpm: 4000, takerFeePpm: 6000, dayEndHourUtc: 0, ...(p.sim ?? {}) });
      this.orders = null;
    } else {
      this.sim = null;
      this.orders = new CoinbaseOrders(ctx, this.rest, {
        wsUserUrl: p.wsUserUrl ?? p.wsUrl,
        reconnectMinMs: p.reconnectMinMs,
        reconnectMaxMs: p.reconnectMaxMs,
        clientIdPrefix: opts.clientIdPrefix ?? `k${Date.now().toString(36)}-`,
        touch: (i) => this.market.touch(i),
      });
    }
    this.market.start();
    this.ready = this.start();
  }

  private async start(): Promise<void> {
    if (this.orders === null) return;
    const t = await this.rest.syncTime();
    if (!t.ok) this.ctx.alert("COINBASE_START_FAILED", `server time: status=${t.status} error=${t.code} msg=${t.msg}`);
    await this.orders.start();
  }

  submit(order: VenueOrder): void {
    if (this.sim !== null) this.sim.submit(order);
    else this.orders!.submit(order);
  }

  cancel(orderId: number): void {
    if (this.sim !== null) this.sim.cancel(orderId);
    else this.orders!.cancel(orderId);
  }

  replace(orderId: number, price: number, size: number): void {
    if (this.sim !== null) this.sim.replace(orderId, price, size);
    else this.ctx.report({ kind: "cancel-rejected", orderId, ts: this.ctx.now(), reason: "UNSUPPORTED: replace (cancel and submit instead)" });
  }

  /** Start-up reconciliation: the exchange's view of our orders by client id (after start-up); the sim venue's with `execution: sim`. */
  async status(orderIds: readonly number[], afterId: number): Promise<VenueStatus | null> {
    if (this.sim !== null) return this.sim.status(orderIds, afterId);
    await this.ready;
    return this.orders!.status(orderIds, afterId);
  }

  onQuote(q: Quote): void {
    this.sim?.onQuote(q);
  }

  onTrade(t: Trade): void {
    this.sim?.onTrade(t);
  }

  stop(): void {
    this.market.stop();
    this.orders?.stop();
  }
}
