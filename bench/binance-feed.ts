/**
 * Binance feed benchmark: (1) WebSocket messages per second decoded into book updates, the plugin's
 * market data over a real loopback WebSocket from the exchange double, against a bare WebSocket
 * client that only counts the same frames (same run, same double); (2) the same decode in process
 * against JSON.parse alone; (3) depth update to order: from a depth frame's text to a signed new-order
 * request ready to send (decode, book update, quote, a taker decision, query + HMAC-SHA256),
 * per frame, against JSON.parse of the same frame.
 *
 * Run: bun bench/binance-feed.ts
 */
import type { VenueContext } from "../plugins/sdk/venue.ts";
import { BinanceMarketData } from "../plugins/venues/binance/market-data.ts";
import { BinanceRest } from "../plugins/venues/binance/rest/client.ts";
import { formatDecimal } from "../plugins/venues/binance/wire/decimal.ts";
import { queryString, signQuery } from "../plugins/venues/binance/wire/sign.ts";
import { SPOT_FILES, loadCapture } from "../plugins/venues/binance/testing/capture.ts";
import { BinanceDouble } from "../plugins/venues/binance/testing/exchange-double.ts";
import { BTCUSDT, recordingContext, until } from "../plugins/venues/binance/testing/venue-context.ts";

const files = SPOT_FILES.slice(0, 1);
const capture = loadCapture(files, 2, 8);
const frames = capture.frames;
const depthFrames = frames.filter((f) => f.diff !== null);

function marketData(ctx: VenueContext, d: BinanceDouble | null): BinanceMarketData {
  const rest = new BinanceRest({ baseUrl: d?.restUrl ?? "http://127.0.0.1:9", apiKey: "", sign: () => "", recvWindowMs: 5000, wallMs: Date.now, onEvent: () => {} });
  return new BinanceMarketData(ctx, rest, { wsUrl: d?.wsUrl ?? "ws://127.0.0.1:9", snapshotLimit: 5000, depthSpeed: "100ms", reconnectMinMs: 20, reconnectMaxMs: 500 });
}

// (1) Over the socket: plugin vs a bare counting client, each on a fresh double.
async function overSocket(plugin: boolean): Promise<number> {
  const d = BinanceDouble.start({ files });
  let received = 0;
  let stop = () => {};
  if (plugin) {
    const { ctx } = recordingContext({});
    const md = marketData(ctx, d);
    md.start();
    await until(() => md.syncs[0]!.state === "synced", "sync");
    received = -md.counters.frames;
    stop = () => md.stop();
    const t0 = performance.now();
    d.step(frames.length);
    await until(() => md.counters.frames + received === d.counters.sentFrames, "all frames", 60_000);
    const s = (performance.now() - t0) / 1000;
    stop();
    await d.stop();
    return d.counters.sentFrames / s;
  }
  const ws = new WebSocket(`${d.wsUrl}/stream?streams=btcusdt@depth@100ms/btcusdt@bookTicker/btcusdt@trade`);
  ws.onmessage = () => received++;
  await new Promise((r) => (ws.onopen = r));
  await until(() => d.marketClients === 1, "client");
  const t0 = performance.now();
  d.step(frames.length);
  await until(() => received === d.counters.sentFrames, "all frames", 60_000);
  const s = (performance.now() - t0) / 1000;
  ws.close();
  await d.stop();
  return d.counters.sentFrames / s;
}

const socketPlugin = await overSocket(true);
const socketBare = await overSocket(false);

// (2) In process: the plugin's frame handler vs JSON.parse alone, over the same texts.
function inProcess(): { plugin: number; parse: number } {
  const { ctx } = recordingContext({});
  const md = marketData(ctx, null);
  md.syncs[0]!.onSnapshot({ lastUpdateId: capture.snapshot.lastId, bids: capture.snapshot.bids.flat(), asks: capture.snapshot.asks.flat() });
  let t0 = performance.now();
  for (const f of frames) md.onFrame(f.text);
  const plugin = frames.length / ((performance.now() - t0) / 1000);
  let sink = 0;
  t0 = performance.now();
  for (const f of frames) sink += JSON.parse(f.text).stream.length;
  const parse = frames.length / ((performance.now() - t0) / 1000);
  if (sink === 0) throw new Error("unreachable");
  return { plugin, parse };
}
inProcess(); // warm-up
const inproc = inProcess();

// (3) Depth frame to a signed order request, per frame.
function depthToOrder(): { full: number[]; parse: number[] } {
  let signed = "";
  const ctx = {
    ...recordingContext({}).ctx,
    quote: (_i: number, bid: number, ask: number) => {
      // A taker decision: buy 0.001 at the ask when the spread is one tick, else sell at the bid.
      const buy = ask - bid === 1;
      const q = queryString({ symbol: "BTCUSDT", side: buy ? "BUY" : "SELL", type: "LIMIT", timeInForce: "IOC", quantity: formatDecimal(100_000, BTCUSDT.sizeDecimals), price: formatDecimal(buy ? ask : bid, BTCUSDT.priceDecimals), newClientOrderId: "K1", newOrderRespType: "ACK", recvWindow: 5000, timestamp: 1_723_161_254_000 });
      signed = signQuery(q, "bench-secret");
      return true;
    },
  } as unknown as VenueContext;
  const md = marketData(ctx, null);
  md.syncs[0]!.onSnapshot({ lastUpdateId: capture.snapshot.lastId, bids: capture.snapshot.bids.flat(), asks: capture.snapshot.asks.flat() });
  const full: number[] = [];
  const parse: number[] = [];
  for (const f of depthFrames) {
    signed = "";
    const t0 = Bun.nanoseconds();
    md.onFrame(f.text);
    const t1 = Bun.nanoseconds();
    if (signed !== "") full.push(t1 - t0);
    const t2 = Bun.nanoseconds();
    JSON.parse(f.text);
    parse.push(Bun.nanoseconds() - t2);
  }
  return { full, parse };
}
depthToOrder(); // warm-up
const lat = depthToOrder();
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

const f0 = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(`frames: ${frames.length.toLocaleString("en-US")} (${depthFrames.length.toLocaleString("en-US")} depth) of ${files.join(", ")}`);
console.log("| measure | plugin | baseline | plugin/baseline |");
console.log("| --- | ---: | ---: | ---: |");
console.log(`| WebSocket msgs/s decoded into book updates (vs bare counting client) | ${f0(socketPlugin)} | ${f0(socketBare)} | ${(socketPlugin / socketBare).toFixed(3)} |`);
console.log(`| in-process msgs/s decoded (vs JSON.parse only) | ${f0(inproc.plugin)} | ${f0(inproc.parse)} | ${(inproc.plugin / inproc.parse).toFixed(3)} |`);
console.log(`| depth frame to signed order, p50 ns (vs JSON.parse p50) | ${f0(pct(lat.full, 0.5))} | ${f0(pct(lat.parse, 0.5))} | ${(pct(lat.full, 0.5) / pct(lat.parse, 0.5)).toFixed(2)} |`);
console.log(`| depth frame to signed order, p99 ns (vs JSON.parse p99) | ${f0(pct(lat.full, 0.99))} | ${f0(pct(lat.parse, 0.99))} | ${(pct(lat.full, 0.99) / pct(lat.parse, 0.99)).toFixed(2)} |`);
console.log(`headline: ${f0(socketPlugin)} WebSocket msgs/s decoded into book updates = ${(socketPlugin / socketBare).toFixed(3)} of a bare client on the same socket; depth-to-signed-order p50 ${f0(pct(lat.full, 0.5))} ns`);
