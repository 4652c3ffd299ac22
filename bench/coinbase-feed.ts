/**
 * Coinbase feed benchmark: (1) WebSocket messages per second decoded into book updates, the
 * plugin's market data over a real loopback WebSocket from its exchange double, against a bare
 * WebSocket client that subscribes to the same channels and only counts the frames (same run,
 * same double settings); (2) the same decode in process (the frames the bare client received)
 * against JSON.parse alone; (3) level2 message to order: from an l2_data frame's text to a new-order
 * request ready to send (decode, book update, quote, a taker decision, JSON body and its ES256 JWT),
 * per frame, against JSON.parse of the same frame.
 *
 * Run: bun bench/coinbase-feed.ts
 */
import type { Instrument } from "../plugins/sdk/instrument.ts";
import type { VenueContext } from "../plugins/sdk/venue.ts";
import { formatDecimal } from "../plugins/venues/binance/wire/decimal.ts";
import { SPOT_FILES } from "../plugins/venues/binance/testing/capture.ts";
import { recordingContext, until } from "../plugins/venues/binance/testing/venue-context.ts";
import { CoinbaseMarketData } from "../plugins/venues/coinbase/market-data.ts";
import { CoinbaseDouble } from "../plugins/venues/coinbase/testing/exchange-double.ts";
import { buildJwt, jwtUri, loadKey } from "../plugins/venues/coinbase/wire/jwt.ts";

const files = SPOT_FILES.slice(0, 1);
const BTCUSD: Instrument = { id: 0, symbol: "BTC-USD", venue: "coinbase", base: "BTC", quote: "USD", priceDecimals: 2, sizeDecimals: 8, lotSize: 1, minSize: 1 };
const CHANNELS = ["heartbeats", "level2", "market_trades", "ticker"];

function marketData(ctx: VenueContext, wsUrl: string): CoinbaseMarketData {
  return new CoinbaseMarketData(ctx, { wsUrl, reconnectMinMs: 20, reconnectMaxMs: 500, staleMs: 60_000 });
}

// (1) Over the socket: plugin vs a bare client that subscribes alike and counts, each on a fresh double.
async function overSocket(plugin: boolean, texts: string[]): Promise<number> {
  const d = CoinbaseDouble.start({ files, heartbeatMs: 60_000 });
  let received = 0;
  let t0 = 0;
  if (plugin) {
    const { ctx } = recordingContext({}, [BTCUSD]);
    const md = marketData(ctx, d.wsUrl);
    md.start();
    await until(() => md.synced[0] === true, "sync");
    received = -md.counters.frames;
    const sentBefore = d.counters.sentFrames;
    t0 = performance.now();
    d.step(d.frames.length);
    await until(() => md.counters.frames + received === d.counters.sentFrames - sentBefore, "all frames", 120_000);
    const s = (performance.now() - t0) / 1000;
    md.stop();
    await d.stop();
    return (d.counters.sentFrames - sentBefore) / s;
  }
  const ws = new WebSocket(d.wsUrl);
  ws.onmessage = (ev) => {
    received++;
    texts.push(String(ev.data));
  };
  await new Promise((r) => (ws.onopen = r));
  for (const channel of CHANNELS) ws.send(JSON.stringify({ type: "subscribe", channel, product_ids: ["BTC-USD"] }));
  await until(() => d.counters.subscribes === CHANNELS.length && received === d.counters.sentFrames, "subscribed");
  const sentBefore = d.counters.sentFrames;
  received = 0;
  t0 = performance.now();
  d.step(d.frames.length);
  await until(() => received === d.counters.sentFrames - sentBefore, "all frames", 120_000);
  const s = (performance.now() - t0) / 1000;
  ws.close();
  await d.stop();
  return (d.counters.sentFrames - sentBefore) / s;
}

const texts: string[] = [];
const socketBare = await overSocket(false, texts);
const socketPlugin = await overSocket(true, []);
const l2Texts = texts.filter((t) => t.startsWith('{"channel":"l2_data"') && t.includes('"type":"update"'));

// (2) In process: the plugin's frame handler vs JSON.parse alone, over the same texts.
function inProcess(): { plugin: number; parse: number } {
  const { ctx } = recordingContext({}, [BTCUSD]);
  const md = marketData(ctx, "ws://127.0.0.1:9");
  let t0 = performance.now();
  for (const t of texts) md.onFrame(t);
  const plugin = texts.length / ((performance.now() - t0) / 1000);
  if (md.counters.gaps !== 0 || md.synced[0] !== true) throw new Error(`bench frames out of sequence: gaps=${md.counters.gaps}`);
  let sink = 0;
  t0 = performance.now();
  for (const t of texts) sink += JSON.parse(t).sequence_num;
  const parse = texts.length / ((performance.now() - t0) / 1000);
  if (sink < 0) throw new Error("unreachable");
  return { plugin, parse };
}
inProcess(); // warm-up
const inproc = inProcess();

// (3) An l2_data update to a JWT-signed order request, per frame.
const { privateKey } = await import("node:crypto").then((c) => c.generateKeyPairSync("ec", { namedCurve: "prime256v1" }));
const key = loadKey("organizations/bench/apiKeys/bench", privateKey.export({ type: "sec1", format: "pem" }).toString());
const orderUrl = new URL("https://api.coinbase.com/api/v3/brokerage/orders");
function l2ToOrder(): { full: number[]; parse: number[] } {
  let request = "";
  let n = 0;
  const ctx = {
    ...recordingContext({}, [BTCUSD]).ctx,
    quote: (_i: number, bid: number, ask: number) => {
      // A taker decision: buy 0.001 at the ask when the spread is one tick, else sell at the bid.
      const buy = ask - bid === 1;
      const body = JSON.stringify({ client_order_id: `k-${++n}`, product_id: "BTC-USD", side: buy ? "BUY" : "SELL", order_configuration: { sor_limit_ioc: { base_size: formatDecimal(100_000, 8), limit_price: formatDecimal(buy ? ask : bid, 2) } } });
      request = `${buildJwt(key, 1_723_161_254, jwtUri("POST", orderUrl))}\n${body}`;
      return true;
    },
  } as unknown as VenueContext;
  const md = marketData(ctx, "ws://127.0.0.1:9");
  // Everything but the level2 updates first (the snapshot among them); sequence checks off, since
  // the updates are left out here and timed one by one below.
  for (const t of texts) {
    if (t.includes('"type":"update"') && t.startsWith('{"channel":"l2_data"')) continue;
    md.expectedSeq = -1;
    md.onFrame(t);
  }
  md.expectedSeq = -1;
  if (md.synced[0] !== true) throw new Error("bench book not synced");
  const full: number[] = [];
  const parse: number[] = [];
  for (const t of l2Texts) {
    request = "";
    const t0 = Bun.nanoseconds();
    md.onFrame(t);
    const t1 = Bun.nanoseconds();
    md.expectedSeq = -1;
    if (request !== "") full.push(t1 - t0);
    const t2 = Bun.nanoseconds();
    JSON.parse(t);
    parse.push(Bun.nanoseconds() - t2);
  }
  return { full, parse };
}
l2ToOrder(); // warm-up
const lat = l2ToOrder();
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

const f0 = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(`frames: ${texts.length.toLocaleString("en-US")} (${l2Texts.length.toLocaleString("en-US")} level2 updates, ${lat.full.length.toLocaleString("en-US")} of them moved the top) of ${files.join(", ")} as Coinbase messages`);
console.log("| measure | plugin | baseline | plugin/baseline |");
console.log("| --- | ---: | ---: | ---: |");
console.log(`| WebSocket msgs/s decoded into book updates (vs bare counting client) | ${f0(socketPlugin)} | ${f0(socketBare)} | ${(socketPlugin / socketBare).toFixed(3)} |`);
console.log(`| in-process msgs/s decoded (vs JSON.parse only) | ${f0(inproc.plugin)} | ${f0(inproc.parse)} | ${(inproc.plugin / inproc.parse).toFixed(3)} |`);
console.log(`| level2 message to JWT-signed order, p50 ns (vs JSON.parse p50) | ${f0(pct(lat.full, 0.5))} | ${f0(pct(lat.parse, 0.5))} | ${(pct(lat.full, 0.5) / pct(lat.parse, 0.5)).toFixed(2)} |`);
console.log(`| level2 message to JWT-signed order, p99 ns (vs JSON.parse p99) | ${f0(pct(lat.full, 0.99))} | ${f0(pct(lat.parse, 0.99))} | ${(pct(lat.full, 0.99) / pct(lat.parse, 0.99)).toFixed(2)} |`);
console.log(`headline: ${f0(socketPlugin)} WebSocket msgs/s decoded into book updates = ${(socketPlugin / socketBare).toFixed(3)} of a bare client on the same socket; level2-to-signed-order p50 ${f0(pct(lat.full, 0.5))} ns`);
