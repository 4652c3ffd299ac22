/**
 * `kestrel model live` and `kestrel model promote`: the running session's live and shadow models
 * with their online comparison, and promotion of the shadow, through the admin API (KESTREL_TOKEN:
 * an analyst token to read, an admin token to promote).
 */

/** Calls the admin API; prints one line and returns 1 on any failure. */
async function adminCall(what: string, method: string, path: string, url: string, body?: unknown): Promise<{ ok: true; json: any } | { ok: false; code: number }> {
  const token = process.env.KESTREL_TOKEN ?? "";
  if (token === "") {
    console.error(`kestrel model ${what}: AUTH_MISSING: set KESTREL_TOKEN to a token (kestrel token --role ${method === "GET" ? "analyst" : "admin"})`);
    return { ok: false, code: 2 };
  }
  const target = new URL(path, url);
  let res: Response;
  try {
    res = await fetch(target, { method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    console.error(`kestrel model ${what}: ADMIN_UNREACHABLE: url=${target.origin} ${(err as Error).message}`);
    return { ok: false, code: 1 };
  }
  const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!res.ok) {
    console.error(`kestrel model ${what}: ${json.error?.code ?? `HTTP_${res.status}`}: ${json.error?.message ?? res.statusText}`);
    return { ok: false, code: 1 };
  }
  return { ok: true, json };
}

const fmt = (x: number | null | undefined, digits: number) => (typeof x === "number" ? x.toFixed(digits) : "-");

/** One line per model: ref, role, source, batches, fallback, and its online score. */
export function describeModels(m: any): string[] {
  if (m.live === null) return ["no model runs in this session"];
  const out: string[] = [];
  for (const v of [m.live, m.shadow]) {
    if (v === null) continue;
    const s = m.comparison?.models?.[v.ref];
    const score = s === undefined ? "" : ` scored=${s.scored} ic=${fmt(s.ic, 3)} hit=${fmt(s.hitRate, 3)} edge_bps=${fmt(s.edgeBps, 2)} traded=${s.traded}`;
    out.push(`${v.role}\t${v.ref}\tsource=${v.source} batches=${v.batches} errors=${v.errors} fallback=${v.fallback}${score}`);
  }
  if (m.comparison) out.push(`agreement\tboth=${m.comparison.agreement.both} same_sign=${m.comparison.agreement.sameSign} same_decision=${m.comparison.agreement.sameDecision} horizon_us=${m.comparison.horizonUs} threshold=${m.comparison.threshold}`);
  for (const p of m.promotions ?? []) out.push(`promoted\t${p.from} -> ${p.to} by=${p.by} ts=${p.ts}`);
  return out;
}

/** `kestrel model live [--url] [--json]`. */
export async function runLive(flags: Map<string, string | true>): Promise<number> {
  const url = typeof flags.get("url") === "string" ? (flags.get("url") as string) : "http://127.0.0.1:8787";
  const r = await adminCall("live", "GET", "/api/v1/models", url);
  if (!r.ok) return r.code;
  console.log(flags.has("json") ? JSON.stringify(r.json) : describeModels(r.json).join("\n"));
  return 0;
}

/** `kestrel model promote [--expect <name@version>] [--url]`. */
export async function runPromote(flags: Map<string, string | true>): Promise<number> {
  const url = typeof flags.get("url") === "string" ? (flags.get("url") as string) : "http://127.0.0.1:8787";
  const expect = flags.get("expect");
  const r = await adminCall("promote", "POST", "/api/v1/models/promote", url, typeof expect === "string" ? { expect } : {});
  if (!r.ok) return r.code;
  console.log(`promoted: ${r.json.promoted.to} is live (was ${r.json.promoted.from}, now the shadow) by=${r.json.promoted.by}`);
  return 0;
}
