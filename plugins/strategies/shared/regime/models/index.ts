/**
 * The regime models shipped with the strategy library, by name. A model is bundled with the code
 * (imported, not read from disk at run time), so a strategy that uses one needs no file capability.
 * Each was written by fit.ts; its README section says on what and how it was measured.
 */
import type { RegimeModelFile } from "../fit-model.ts";
import eurusdFxcm1m from "./eurusd-fxcm-1m.json" with { type: "json" };

/** Shipped regime models by name. */
export const REGIME_MODELS: Readonly<Record<string, RegimeModelFile>> = {
  "eurusd-fxcm-1m": eurusdFxcm1m as RegimeModelFile,
};
