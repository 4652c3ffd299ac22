/**
 * Volatility-scaled position limits: each instrument's limit is `maxPosition` times the scale of its
 * realised-volatility bucket (the same throttle the directional strategies use,
 * strategies/shared/vol-buckets.ts: realised volatility of bar returns ranked against its own recent
 * history), or `warmupScale` before the history can rank. An order is refused
 * (`VOL_POSITION_LIMIT`) when the position plus working orders on its side plus the order would
 * exceed the scaled limit, unless the order only reduces the position (a flip past the limit is
 * refused). Every change of an instrument's limit is journaled as a limit change (control record
 * `rule-limit`: instrument, `maxPosition`, from, to, bucket and realised volatility; the audit log's
 * `limit-change`) and logged. No allocation per quote between changes.
 */
import { defineRisk } from "../../sdk/index.ts";
import { BarSampler } from "../../strategies/shared/bars.ts";
import { VolBuckets } from "../../strategies/shared/vol-buckets.ts";
import { VolScaledLimitsParams } from "./params.ts";

export default defineRisk({
  manifest: {
    name: "vol-scaled-limits",
    version: "0.1.0",
    kind: "risk",
    sdk: "^0.1.0",
    description: "Position limits that shrink with the realised-volatility bucket of each instrument.",
    params: VolScaledLimitsParams,
    capabilities: [],
  },
  create(ctx) {
    const p = ctx.params;
    const n = ctx.instruments.length;
    const bars = ctx.instruments.map(() => new BarSampler(p.barSeconds * 1e6));
    const vol = ctx.instruments.map(() => new VolBuckets(p.vol, "vol-scaled-limits"));
    const limit = new Float64Array(n).fill(Math.floor(p.maxPosition * p.warmupScale));

    return {
      onQuote(_c, q) {
        const b = bars[q.instrument];
        if (b === undefined || !(q.ask >= q.bid && q.bid > 0)) return;
        if (!b.push(q.ts, (q.bid + q.ask) / 2)) return;
        const v = vol[q.instrument]!;
        const bucket = v.update(b.close);
        const next = Math.floor(p.maxPosition * (bucket < 0 ? p.warmupScale : p.vol.scales[bucket]!));
        if (next === limit[q.instrument]) return;
        const symbol = ctx.instruments[q.instrument]!.symbol, from = limit[q.instrument]!;
        ctx.log("limit change", { instrument: symbol, bucket, rv: v.rv, from, to: next, ts: q.ts });
        ctx.journalLimitChange({ instrument: symbol, limit: "maxPosition", from, to: next, why: `bucket=${bucket} rv=${v.rv}` });
        limit[q.instrument] = next;
      },
      status() {
        return { limits: Object.fromEntries(ctx.instruments.map((i) => [i.symbol, { maxPosition: limit[i.id]!, bucket: vol[i.id]!.bucket }])) };
      },
      check(_c, o) {
        const k = o.instrument.id, side = o.intent.side;
        const after = o.position + side * (o.workingSameSide + o.intent.size);
        const projected = Math.abs(after);
        const lim = limit[k]!;
        // A pure reduction (same sign or flat, smaller) always passes; a flip past the limit does not.
        const reduces = projected <= Math.abs(o.position) && (after === 0 || Math.sign(after) === Math.sign(o.position));
        if (projected > lim && !reduces) {
          return { code: "VOL_POSITION_LIMIT", reason: `projected=${projected} limit=${lim} bucket=${vol[k]!.bucket} max=${p.maxPosition} instrument=${o.instrument.symbol}` };
        }
        return null;
      },
    };
  },
});

export { VolScaledLimitsParams };
