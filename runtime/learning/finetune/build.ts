/**
 * The fine-tuning set of a session store: the store's quotes are replayed (format `store`) through
 * the dataset code path (`datasetSession` + `recordDecisions`: the session's readers, books and
 * WASM feature kernels), so every decision's window is exactly what the live model engine gathered.
 * Preference pairs come from the store's filled orders before a time cut; the held-out later window
 * (after the cut) is the model's decision grid labelled as the dataset labels it, for validation.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { datasetSession, recordDecisions } from "../dataset/build.ts";
import { DIRECTION, firstAtOrAfter, labelDecision } from "../dataset/labels.ts";
import { NpyRowWriter, writeNpy } from "../dataset/npy.ts";
import { outcomes, pairsOf, quoteAt, readStoreTrades, type PreferencePair, type StoreInstrument } from "./pairs.ts";
import { DEFAULT_SIM_PARAMS, simOutcomes, simulateLegs } from "./sim-outcomes.ts";
import type { SimVenueParams } from "../../../plugins/venues/sim/sim-venue.ts";

/** How counterfactual outcomes are priced: through the sim venue, or at the recorded touches. */
export type CounterfactualMode = "sim" | "touch";

/** How the fine-tuning set is cut and labelled (from the parent model's card and the command). */
export interface FinetuneSetOptions {
  /** Context rows of the model. */
  rows: number;
  /** Label and outcome horizon H, seconds. */
  horizonSeconds: number;
  /** Validation decision grid, kernel ms. */
  sampleEveryMs: number;
  deadBandBps: number;
  /** Only the store's last `days` days are used. */
  days: number;
  /** Share of the used span, at its end, held out for validation. */
  validationFraction: number;
  /** Counterfactual pricing (default sim). */
  counterfactual?: CounterfactualMode;
  /** Sim venue parameters of the reconstruction (default DEFAULT_SIM_PARAMS). */
  simParams?: SimVenueParams;
}

/** What the set holds. */
export interface FinetuneSet {
  dir: string;
  instruments: string[];
  /** Filled orders read, and those with a full window and horizon. */
  orders: number;
  decisions: number;
  pairs: number;
  pairsByCounterfactual: { flat: number; opposite: number };
  /** Share of decisions where the taken trade beat both counterfactuals. */
  takenBestShare: number;
  validation: number;
  /** Time cut (µs): pairs end before it, validation decisions start after it. */
  cutUs: number;
  spanUs: [number, number];
  /** How the counterfactuals were priced, and the sim venue parameters when through the sim. */
  counterfactual: CounterfactualMode;
  simParams?: SimVenueParams;
  /** Opposite-side entries the sim did not fill (outcome 0, not taken); sim mode only. */
  oppositeUnfilled?: number;
}

/** A store that gives nothing to learn from. */
export class FinetuneDataError extends Error {
  readonly code = "FINETUNE_NO_DATA";
  constructor(readonly store: string, why: string) {
    super(`FINETUNE_NO_DATA: store=${store} ${why}`);
  }
}

/** A replay deployment (no strategy) over the quotes a store recorded for `xs`. */
export function storeReplayYaml(store: string, xs: StoreInstrument[]): string {
  return `name: finetune-replay\nmode: backtest\nseed: 1\naccount: { currency: USD, capital: 1000000 }
instruments:
${xs.map((x) => `  - { symbol: ${x.symbol}, base: ${x.base}, quote: ${x.quote}, priceDecimals: ${x.priceDecimals}, sizeDecimals: ${x.sizeDecimals}, lotSize: ${x.lotSize}, minSize: ${x.minSize} }`).join("\n")}
market:
  source: replay
  replay:
    files:
${xs.map((x) => `      - { path: ${JSON.stringify(store)}, instrument: ${x.symbol}, format: store }`).join("\n")}
venue: { name: sim, plugin: sim, params: { orderLatencyUs: 150, reportLatencyUs: 150, takerFeePpm: 20, assumedQuoteSize: 1000000 } }
strategies: []
features: { instruments: all }
risk:
  limits: { maxPosition: 1000000, maxOrderNotional: 2000000, maxOrdersPerSecond: 50, priceCollarBps: 50, maxDailyLoss: 50000, maxDrawdown: 50000 }
`;
}

/** Builds the fine-tuning set of `store` into `dir` (rows-<i>.npy, pairs.*.npy, val.*.npy, set.json). */
export async function buildFinetuneSet(store: string, dir: string, o: FinetuneSetOptions): Promise<FinetuneSet> {
  const all = await readStoreTrades(store);
  if (all.instruments.length === 0) throw new FinetuneDataError(store, "has no quotes");
  const lastTs = Math.max(...all.instruments.map((x) => x.ts[x.ts.length - 1]!));
  const firstTs = Math.min(...all.instruments.map((x) => x.ts[0]!));
  const from = Math.max(firstTs, lastTs - o.days * 86_400e6);
  const cut = from + (1 - o.validationFraction) * (lastTs - from);
  const horizonUs = o.horizonSeconds * 1e6;
  mkdirSync(dir, { recursive: true });
  const deployment = join(dir, "replay.yaml");
  writeFileSync(deployment, storeReplayYaml(store, all.instruments));

  // The dataset code path over the store's quotes.
  const session = await datasetSession(deployment);
  const symbols = session.instruments.map((x) => x.symbol);
  const storeIndex = symbols.map((s) => all.instruments.findIndex((x) => x.symbol === s));
  const width = session.core.features.kernels.layout.width;
  const writers = symbols.map((_, i) => new NpyRowWriter(join(dir, `rows-${i}.npy`), width));
  const rec = recordDecisions(session, o.sampleEveryMs * 1000, o.rows, 60e6, (i, row, at) => writers[i]!.push(row, at));
  const { loop } = session;
  while (!loop.exhausted) loop.runUntil(Infinity, 1_000_000);
  loop.close();
  for (const w of writers) w.close();

  // Pairs: filled orders inside [from, cut - H], each with its full window.
  const pairs: PreferencePair[] = [];
  const pairRow: number[] = [];
  let decisions = 0, takenBest = 0, oppositeUnfilled = 0;
  const mode = o.counterfactual ?? "sim";
  const simParams = o.simParams ?? DEFAULT_SIM_PARAMS;
  // One replay of the store's quotes through the sim venue for every decision's counterfactual legs.
  const legs = mode === "sim" ? simulateLegs(all.instruments, all.orders, horizonUs, simParams) : null;
  const bySession = new Map(storeIndex.map((s, i) => [s, i]));
  all.orders.forEach((ord, k) => {
    if (ord.t < from || ord.lastFillTs + horizonUs > cut) return;
    const i = bySession.get(ord.inst);
    if (i === undefined) return;
    const last = firstAtOrAfter(rec.ts[i]!.view(), rec.ts[i]!.n, ord.t) - 1;
    if (last < o.rows - 1) return;
    const x = all.instruments[ord.inst]!;
    const touch = outcomes(x, ord, horizonUs);
    if (touch === null) return;
    let out = touch;
    if (legs !== null) {
      const ex = quoteAt(x, ord.lastFillTs + horizonUs);
      out = simOutcomes(ord, legs[k]!, x.bid[ex]!, x.ask[ex]!);
      if (legs[k]!.entry.size === 0) oppositeUnfilled++;
    }
    decisions++;
    if (out.byClass.every((v) => out.taken >= v)) takenBest++;
    for (const p of pairsOf(k, { ...ord, inst: i }, out)) {
      pairs.push(p);
      pairRow.push(last);
    }
  });

  // Validation: the decision grid after the cut, labelled by the dataset's labeller.
  const dec = rec.decisions;
  const val = { inst: [] as number[], row: [] as number[], t: [] as number[], direction: [] as number[] };
  for (let s = 0; s < dec.t.n; s++) {
    const i = dec.inst.data[s]!, t = dec.t.data[s]!, last = dec.row.data[s]!;
    const tsI = rec.ts[i]!;
    if (t < cut + horizonUs || tsI.data[tsI.n - 1]! < t + horizonUs) continue;
    val.inst.push(i), val.row.push(last), val.t.push(t);
    val.direction.push(labelDecision(tsI.view(), rec.mid[i]!.view(), tsI.n, last, t, horizonUs, o.deadBandBps).direction);
  }

  const n = pairs.length, m = val.t.length;
  writeNpy(join(dir, "pairs.instrument.npy"), "<i4", [n], Int32Array.from(pairs, (p) => p.inst));
  writeNpy(join(dir, "pairs.row.npy"), "<i8", [n], BigInt64Array.from(pairRow, (r) => BigInt(r)));
  writeNpy(join(dir, "pairs.t.npy"), "<f8", [n], Float64Array.from(pairs, (p) => p.t));
  writeNpy(join(dir, "pairs.chosen.npy"), "|i1", [n], Int8Array.from(pairs, (p) => p.chosen));
  writeNpy(join(dir, "pairs.rejected.npy"), "|i1", [n], Int8Array.from(pairs, (p) => p.rejected));
  writeNpy(join(dir, "val.instrument.npy"), "<i4", [m], Int32Array.from(val.inst));
  writeNpy(join(dir, "val.row.npy"), "<i8", [m], BigInt64Array.from(val.row, (r) => BigInt(r)));
  writeNpy(join(dir, "val.t.npy"), "<f8", [m], Float64Array.from(val.t));
  writeNpy(join(dir, "val.direction.npy"), "|i1", [m], Int8Array.from(val.direction));
  const summary: FinetuneSet = {
    dir, instruments: symbols, orders: all.orders.length, decisions, pairs: n,
    pairsByCounterfactual: { flat: pairs.filter((p) => p.against === "flat").length, opposite: pairs.filter((p) => p.against === "opposite").length },
    takenBestShare: decisions > 0 ? takenBest / decisions : 0, validation: m, cutUs: cut, spanUs: [from, lastTs],
    counterfactual: mode, ...(mode === "sim" ? { simParams, oppositeUnfilled } : {}),
  };
  writeFileSync(join(dir, "set.json"), `${JSON.stringify({ ...summary, layout: session.core.features.kernels.layout, directionClasses: DIRECTION }, null, 2)}\n`);
  if (n === 0) throw new FinetuneDataError(store, `gives no preference pairs (filled orders=${all.orders.length}, usable decisions=${decisions} before the validation cut)`);
  if (m === 0) throw new FinetuneDataError(store, "leaves no validation decisions after the cut");
  return summary;
}
