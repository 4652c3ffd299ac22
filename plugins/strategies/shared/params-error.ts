/**
 * The error a strategy of this library throws from `create` when its params pass the schema but
 * not a rule that spans several of them (slowBars > fastBars, exitZ < entryZ < stopZ, edges and
 * scales of the throttle): the catalogue's PLUGIN_PARAMS_INVALID code with key=value context.
 */

/** Params that are individually valid but inconsistent together. */
export class StrategyParamsError extends Error {
  readonly code = "PLUGIN_PARAMS_INVALID";
  constructor(plugin: string, problems: readonly string[]) {
    super(`PLUGIN_PARAMS_INVALID: plugin=${plugin}, ${problems.join("; ")}`);
  }
}
