/**
 * The TypeScript twin of the feature kernels: the FeatureKernels interface over plain typed
 * arrays. Reference for the WebAssembly backend's tests and fallback where WebAssembly is
 * unavailable.
 */
import type { FeatureKernels, QuoteBatch } from "../api.ts";
import type { FeatureKernelsConfig } from "../config.ts";
import { validateConfig } from "../config.ts";
import { ContextViews, pushContextRow } from "../context.ts";
import { featureLayout, featureSlots } from "../layout.ts";
import { CorrelationState } from "./correlation.ts";
import { InstrumentState } from "./instrument.ts";

/** Creates the TypeScript-twin feature kernels for `config`. */
export function createTwinKernels(config: FeatureKernelsConfig): FeatureKernels {
  const c = validateConfig(config);
  const slots = featureSlots(c);
  const layout = featureLayout(c);
  const width = slots.width, n = c.instruments, L = c.contextLength;
  const rate = (h: number) => Math.LN2 / h;
  const params = {
    slots, capacity: c.ringCapacity,
    spreadWindow: c.spreadWindowUs, rvolWindows: c.realisedVolWindowsUs, zscoreWindow: c.zscoreWindowUs,
    donchianWindow: c.donchianWindowUs, vwapWindows: c.vwapWindowsUs, pressureWindow: c.pressureWindowUs,
    volumeZWindow: c.volumeZWindowUs, ewmaRates: c.ewmaHalfLivesUs.map(rate),
    emaFastRate: rate(c.emaFastUs), emaSlowRate: rate(c.emaSlowUs),
    rsiPeriod: c.rsiPeriod, imbalanceLevels: c.imbalanceLevels,
  };
  const featureBuffer = new Float64Array(n * width);
  const states = Array.from({ length: n }, (_, i) =>
    new InstrumentState(params, featureBuffer.subarray(i * width, (i + 1) * width)));
  const contextBuffer = new Float32Array(n * 2 * L * width);
  const contextPos = new Int32Array(n);
  const contextBuffers = Array.from({ length: n }, (_, i) => contextBuffer.subarray(i * 2 * L * width, (i + 1) * 2 * L * width));
  const contextViews = contextBuffers.map((b) => new ContextViews(b, L, width));
  const corr = new CorrelationState(n, c.correlationHalfLifeUs, c.correlationSampleUs);
  const correlated = n > 1;

  const push = (i: number) => {
    contextPos[i] = pushContextRow(contextBuffers[i], L, width, contextPos[i], states[i].out);
  };

  let rejected = 0;
  // Out-of-range instruments are dropped and counted, as the WebAssembly module does.
  const known = (i: number) => (i >>> 0 === i && i < n) || (rejected++, false);

  const onQuote = (i: number, ts: number, bid: number, ask: number, bidSize: number, askSize: number) => {
    if (!known(i)) return;
    const st = states[i];
    st.quote(ts, bid, ask, bidSize, askSize);
    if (correlated && st.hasLog) corr.update(i, st.lastTs, st.logMid);
    push(i);
  };

  return {
    backend: "ts",
    layout,
    onQuote,
    onTrade(i, ts, price, size, side) {
      if (!known(i)) return;
      states[i].trade(ts, price, size, side);
      push(i);
    },
    onBook(i, ts, _bidPrices, bidSizes, _askPrices, askSizes, levels) {
      if (!known(i)) return;
      states[i].book(ts, bidSizes, askSizes, levels);
      push(i);
    },
    onQuoteBatch(b: QuoteBatch) {
      for (let k = 0; k < b.count; k++) onQuote(b.instrument[k], b.ts[k], b.bid[k], b.ask[k], b.bidSize[k], b.askSize[k]);
    },
    features: (i) => states[i].out,
    correlation: () => corr.correlation(),
    context: (i) => contextViews[i].at(contextPos[i]),
    evictions: (i) => states[i].evicted,
    rejected: () => rejected,
    reset() {
      for (const st of states) st.reset();
      contextBuffer.fill(0);
      contextPos.fill(0);
      corr.reset();
      rejected = 0;
    },
  };
}
