/**
 * The venues of a deployment, normalised: a one-venue deployment (`venue:`) and a several-venue
 * one (`venues:`) read the same way. With several venues every (venue, symbol) pair is an
 * instrument of its own, named `SYMBOL@venue`, so books, positions and limits are per venue by
 * construction; the consolidated view and the totals group them back by symbol.
 */
import type { Instrument } from "../../../plugins/sdk/instrument.ts";
import type { DeploymentConfig, InstrumentConfig } from "../../config/schema.ts";
import type { RiskLimitsConfig } from "../../risk/limits.ts";

/** One venue of a deployment as the session builds it. */
export interface DeploymentVenue {
  readonly name: string;
  readonly plugin: string;
  readonly params: unknown;
  /** YAML path of its entry (["venue"] or ["venues", i]). */
  readonly path: readonly (string | number)[];
  /** Symbols it lists (null: every declared instrument). */
  readonly symbols: readonly string[] | null;
  readonly limits: Partial<RiskLimitsConfig>;
  readonly routing: { takerFeePpm?: number; makerFeePpm?: number; latencyUs?: number };
}

/** True when the deployment declares `venues:` (several-venue mode, instruments per venue). */
export function isMultiVenue(config: DeploymentConfig): boolean {
  return config.venues !== undefined;
}

/** The deployment's venues in declaration order (one for `venue:`). */
export function deploymentVenues(config: DeploymentConfig): DeploymentVenue[] {
  if (config.venues !== undefined) {
    return config.venues.map((v, i) => ({
      name: v.name,
      plugin: v.plugin,
      params: v.params,
      path: ["venues", i],
      symbols: v.instruments ?? null,
      limits: v.limits ?? {},
      routing: v.routing ?? {},
    }));
  }
  if (config.venue === undefined) return [];
  return [{ name: config.venue.name, plugin: config.venue.plugin, params: config.venue.params, path: ["venue"], symbols: null, limits: {}, routing: {} }];
}

/** Name of the first venue (what one-venue code paths call "the venue"). */
export function primaryVenueName(config: DeploymentConfig): string {
  return deploymentVenues(config)[0]?.name ?? "";
}

/** Problems of the venue declarations themselves (exactly one of venue/venues, unique names, known symbols). */
export function venueProblems(config: DeploymentConfig): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  if (config.venue !== undefined && config.venues !== undefined) out.push({ path: ["venues"], message: "venues: give either venue (one) or venues (several), not both" });
  if (config.venue === undefined && config.venues === undefined) out.push({ path: ["venue"], message: "venue: expected a venue (or a venues list), got none" });
  if (config.venues === undefined) return out;
  if (config.market.source !== "replay") out.push({ path: ["market", "source"], message: `market.source: several venues need "replay" (one replay source per venue), got "${config.market.source}"` });
  const declared = new Set((config.instruments ?? []).map((i) => i.symbol));
  const seen = new Set<string>();
  config.venues.forEach((v, i) => {
    if (seen.has(v.name)) out.push({ path: ["venues", i, "name"], message: `venues[${i}].name: "${v.name}" is used twice` });
    seen.add(v.name);
    v.instruments?.forEach((s, j) => {
      if (!declared.has(s)) out.push({ path: ["venues", i, "instruments", j], message: `venues[${i}].instruments[${j}]: expected a declared instrument, got "${s}"` });
    });
  });
  config.market.replay?.files.forEach((f, i) => {
    if (f.venue === undefined) out.push({ path: ["market", "replay", "files", i, "venue"], message: `market.replay.files[${i}].venue: expected one of ${[...seen].join(", ")} (several venues: each file is one venue's feed), got none` });
    else if (!seen.has(f.venue)) out.push({ path: ["market", "replay", "files", i, "venue"], message: `market.replay.files[${i}].venue: expected one of ${[...seen].join(", ")}, got "${f.venue}"` });
  });
  return out;
}

/** Instruments of a several-venue deployment: one per (venue, listed symbol), in venue order. */
export function multiVenueInstruments(config: DeploymentConfig): Instrument[] {
  const declared = config.instruments ?? [];
  const out: Instrument[] = [];
  for (const v of deploymentVenues(config)) {
    const listed: InstrumentConfig[] = v.symbols === null ? declared : declared.filter((d) => v.symbols!.includes(d.symbol));
    for (const c of listed) {
      out.push({
        id: out.length,
        symbol: `${c.symbol}@${v.name}`,
        venue: v.name,
        base: c.base,
        quote: c.quote,
        priceDecimals: c.priceDecimals,
        sizeDecimals: c.sizeDecimals,
        lotSize: c.lotSize,
        minSize: c.minSize,
      });
    }
  }
  return out;
}

/** The symbol of an instrument without its `@venue` suffix. */
export function baseSymbol(symbol: string): string {
  const at = symbol.indexOf("@");
  return at < 0 ? symbol : symbol.slice(0, at);
}

/**
 * Instrument ids a deployment symbol names: `EURUSD@fxcm` one, `EURUSD` every venue's EURUSD
 * (or the one instrument of a one-venue deployment). Empty when unknown.
 */
export function instrumentsNamed(instruments: readonly Instrument[], symbol: string): number[] {
  const exact = instruments.filter((i) => i.symbol === symbol);
  if (exact.length > 0) return exact.map((i) => i.id);
  if (symbol.includes("@")) return [];
  return instruments.filter((i) => baseSymbol(i.symbol) === symbol).map((i) => i.id);
}

/** Per-instrument limit overrides: each venue's limits under the deployment's per-symbol ones. */
export function venueLimitOverrides(config: DeploymentConfig, instruments: readonly Instrument[]): Record<string, Partial<RiskLimitsConfig>> {
  const explicit = config.risk.instruments ?? {};
  if (!isMultiVenue(config)) return explicit;
  const byVenue = new Map(deploymentVenues(config).map((v) => [v.name, v.limits]));
  const out: Record<string, Partial<RiskLimitsConfig>> = {};
  for (const inst of instruments) {
    out[inst.symbol] = { ...(explicit[baseSymbol(inst.symbol)] ?? {}), ...(byVenue.get(inst.venue) ?? {}), ...(explicit[inst.symbol] ?? {}) };
  }
  return out;
}
