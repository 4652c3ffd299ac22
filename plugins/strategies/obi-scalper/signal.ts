/**
 * The scalper's signal: L1 order-book imbalance and the microprice, read from the feature engine
 * when it computes them and from the book otherwise. Pure functions of numbers; no allocation.
 */

/** L1 imbalance (bidSize - askSize) / (bidSize + askSize) in [-1, 1]; 0 for an empty book. */
export function l1Imbalance(bidSize: number, askSize: number): number {
  const depth = bidSize + askSize;
  return depth > 0 ? (bidSize - askSize) / depth : 0;
}

/** Size-weighted microprice in ticks: (bid * askSize + ask * bidSize) / (bidSize + askSize); the mid for an empty book. */
export function microprice(bid: number, ask: number, bidSize: number, askSize: number): number {
  const depth = bidSize + askSize;
  return depth > 0 ? (bid * askSize + ask * bidSize) / depth : (bid + ask) / 2;
}

/** Returns `feature` when the engine gave a finite value, else `fallback`. */
export function featureOr(feature: number, fallback: number): number {
  return Number.isFinite(feature) ? feature : fallback;
}
