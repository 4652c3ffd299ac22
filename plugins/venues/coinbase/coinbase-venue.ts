/**
 * The `coinbase` venue: Coinbase Advanced Trade market data (level2 books with sequence checks,
 * market trades, ticker, heartbeats) and order entry (JWT-authenticated REST, user channel, REST
 * fills and reconciliation) behind the SDK's venue interface. With `execution: sim` the market
 * still comes from Coinbase but orders are matched by the sim venue against it (paper).
 */
import type { VenueContext } from "../../sdk/venue.ts";
import { CryptoVenue } from "../shared/crypto-venue.ts";
import { paperSim } from "../shared/paper.ts";
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
export class CoinbaseVenue extends CryptoVenue<CoinbaseOrders> {
  readonly rest: CoinbaseRest;
  readonly market: CoinbaseMarketData;

  constructor(ctx: VenueContext, p: CoinbaseParams, opts: CoinbaseVenueOptions = {}) {
    super(ctx, "replace (cancel and submit instead)");
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
    if (p.execution === "sim") this.sim = paperSim(ctx, { makerFeePpm: 4000, takerFeePpm: 6000 }, p.sim);
    else {
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

  protected stopMarket(): void {
    this.market.stop();
  }
}
