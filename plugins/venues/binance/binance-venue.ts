/**
 * The `binance` venue: Binance spot market data (books kept in sync from depth diffs and REST
 * snapshots, bookTicker, trades) and order entry (signed REST, user data stream, reconciliation)
 * behind the SDK's venue interface. With `execution: sim` the market still comes from Binance but
 * orders are matched by the sim venue against it (a paper session on the real feed).
 */
import type { VenueContext } from "../../sdk/venue.ts";
import { CryptoVenue } from "../shared/crypto-venue.ts";
import { paperSim } from "../shared/paper.ts";
import { BinanceMarketData } from "./market-data.ts";
import { BinanceOrders } from "./orders.ts";
import type { BinanceParams } from "./params.ts";
import { BinanceRest } from "./rest/client.ts";
import { BinanceWsApi } from "./rest/ws-api.ts";
import { ed25519Signer, hmacSigner, type Signer } from "./wire/sign.ts";

/** Test and tooling hooks that a deployment never sets. */
export interface BinanceVenueOptions {
  /** Environment to read the keys from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Wall clock in ms used for request timestamps (default Date.now). */
  wallMs?: () => number;
}

/** SDK venue adapter over Binance spot. */
export class BinanceVenue extends CryptoVenue<BinanceOrders> {
  readonly rest: BinanceRest;
  readonly market: BinanceMarketData;
  /** The WebSocket API connection when orders go that way. */
  readonly wsApi: BinanceWsApi | null = null;
  /** USD-M futures (fapi): market data, orders (REST or the WebSocket API), reduce-only and hedge mode, funding payments. */
  readonly futures: boolean;

  constructor(ctx: VenueContext, p: BinanceParams, opts: BinanceVenueOptions = {}) {
    super(ctx, "replace (Binance has cancel-replace as two orders; cancel and submit instead)");
    const env = opts.env ?? process.env;
    const apiKey = env[p.apiKeyEnv] ?? "";
    const secret = env[p.secretKeyEnv] ?? "";
    let sign: Signer = hmacSigner(secret);
    if (p.keyType === "ed25519" && secret !== "") {
      try {
        sign = ed25519Signer(secret);
      } catch (err) {
        ctx.alert("BINANCE_NO_KEYS", `${p.secretKeyEnv}: ${(err as Error).message}; orders will be refused by the exchange`);
      }
    }
    this.rest = new BinanceRest({
      baseUrl: p.restUrl.replace(/\/$/, ""),
      apiKey,
      sign,
      recvWindowMs: p.recvWindowMs,
      wallMs: opts.wallMs ?? Date.now,
      onEvent: (code, message) => ctx.alert(code, message),
      timePath: p.market === "usdm" ? "/fapi/v1/time" : "/api/v3/time",
    });
    const wsUrl = p.wsUrl.replace(/\/$/, "");
    this.market = new BinanceMarketData(ctx, this.rest, { wsUrl, snapshotLimit: p.snapshotLimit, depthSpeed: p.depthSpeed, reconnectMinMs: p.reconnectMinMs, reconnectMaxMs: p.reconnectMaxMs, futures: p.market === "usdm" });
    this.futures = p.market === "usdm";
    if (p.execution === "sim") this.sim = paperSim(ctx, { makerFeePpm: 1000, takerFeePpm: 1000 }, p.sim);
    else {
      if (apiKey === "" || secret === "") ctx.alert("BINANCE_NO_KEYS", `environment variables ${p.apiKeyEnv}/${p.secretKeyEnv} are not set; orders will be refused by the exchange`);
      if (p.orderTransport === "ws-api") {
        this.wsApi = new BinanceWsApi(
          { url: p.wsApiUrl ?? `${wsUrl}${p.market === "usdm" ? "/ws-fapi/v1" : "/ws-api/v3"}`, apiKey, sign, recvWindowMs: p.recvWindowMs, wallMs: opts.wallMs ?? Date.now, reconnectMinMs: p.reconnectMinMs, reconnectMaxMs: p.reconnectMaxMs, onEvent: (code, message) => ctx.alert(code, message) },
          this.rest,
        );
      }
      this.orders = new BinanceOrders(ctx, this.rest, { wsUrl, keepAliveMs: p.keepAliveMs, reconnectMinMs: p.reconnectMinMs, reconnectMaxMs: p.reconnectMaxMs, touch: (i) => this.market.touch(i), wsApi: this.wsApi, futures: p.market === "usdm", hedge: p.market === "usdm" && p.positionMode === "hedge" });
    }
    this.market.start();
    this.ready = this.start(ctx);
  }

  private async start(ctx: VenueContext): Promise<void> {
    if (this.orders === null) return;
    const t = await this.rest.syncTime();
    if (!t.ok) ctx.alert("BINANCE_START_FAILED", `server time: status=${t.status} code=${t.code} msg=${t.msg}`);
    if (this.wsApi !== null) {
      const api = this.wsApi;
      api.start();
      const end = Date.now() + 5_000;
      while (!api.connected && Date.now() < end) await Bun.sleep(5);
    }
    await this.orders.start();
  }

  protected stopMarket(): void {
    this.market.stop();
    this.wsApi?.stop();
  }
}
