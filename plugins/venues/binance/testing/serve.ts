/**
 * Runs the Binance exchange double on 127.0.0.1 for a paper session or by hand:
 *   bun plugins/venues/binance/testing/serve.ts [--port 18080] [--speed 1]
 * It replays the spot BTCUSDT capture (both files) at the given speed and prints its URLs and keys.
 */
import { SPOT_FILES } from "./capture.ts";
import { BinanceDouble } from "./exchange-double.ts";

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
const double = BinanceDouble.start({ files: SPOT_FILES, speed: arg("speed", 1) || 1, port: arg("port", 0) });
console.log(JSON.stringify({ restUrl: double.restUrl, wsUrl: double.wsUrl, port: double.port, apiKey: double.apiKey, secretKey: double.secret, frames: double.frameCount }));
process.on("SIGINT", () => void double.stop().then(() => process.exit(0)));
process.on("SIGTERM", () => void double.stop().then(() => process.exit(0)));
