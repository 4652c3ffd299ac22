/**
 * Runs the Coinbase exchange double on 127.0.0.1 for a session or by hand:
 *   bun plugins/venues/coinbase/testing/serve.ts [--port 18090] [--speed 1]
 * It replays the spot BTCUSDT capture (both files) as BTC-USD at the given speed and prints its
 * URLs, its API key name and the private key a client signs with.
 */
import { SPOT_FILES } from "../../binance/testing/capture.ts";
import { CoinbaseDouble } from "./exchange-double.ts";

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) {
    console.error(`--${name}: expected a non-negative number, got "${args[i + 1]}"`);
    process.exit(2);
  }
  return v;
};
const double = CoinbaseDouble.start({ files: SPOT_FILES, speed: arg("speed", 1) || 1, port: arg("port", 0) });
console.log(JSON.stringify({ restUrl: double.restUrl, wsUrl: double.wsUrl, wsUserUrl: double.wsUserUrl, port: double.port, apiKey: double.keyName, privateKey: double.privateKeyPem, frames: double.frames.length }));
process.on("SIGINT", () => void double.stop().then(() => process.exit(0)));
process.on("SIGTERM", () => void double.stop().then(() => process.exit(0)));
