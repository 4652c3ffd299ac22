/**
 * The execution agent's metrics for `/metrics`: for every algorithm instance run by the
 * `rl-executor` plugin, the policy it serves (name@version from its card), its parents by status
 * and their mean implementation shortfall (the TCA's, bps).
 */
import { readFileSync } from "node:fs";
import type { Session } from "../../session/build.ts";
import type { Exposition } from "./exposition.ts";

const versions = new Map<string, string>();

/** name@version of a policy card ("unknown" when it cannot be read). */
function policyOf(path: unknown): string {
  if (typeof path !== "string") return "replay";
  let v = versions.get(path);
  if (v === undefined) {
    try {
      const c = JSON.parse(readFileSync(path, "utf8"));
      v = `${c.name}@${c.registryVersion}`;
    } catch {
      v = "unknown";
    }
    versions.set(path, v);
  }
  return v;
}

/** Adds the RL executor families to `x` (nothing when the session runs no rl-executor). */
export function renderRlMetrics(x: Exposition, session: Session): void {
  const host = session.algos;
  if (host === null || host === undefined) return;
  const defs = [...host.deps.algos.values()].filter((d) => d.plugin.manifest.name === "rl-executor");
  if (defs.length === 0) return;
  x.family("kestrel_rl_policy_info", "gauge", "1 for the policy each rl-executor algorithm serves.");
  for (const d of defs) x.sample("kestrel_rl_policy_info", 1, { algo: d.name, policy: policyOf(d.defaults.policy) });
  const parents = [...host.parents.all()];
  const rows = defs.map((d) => {
    const mine = parents.filter((p) => p.spec.algo === d.name);
    const byStatus = new Map<string, number>();
    for (const p of mine) byStatus.set(p.status, (byStatus.get(p.status) ?? 0) + 1);
    const sf = mine.map((p) => host.tca(p.id)).filter((t) => t !== undefined && t.filled > 0).map((t) => t!.shortfallBps);
    return { algo: d.name, policy: policyOf(d.defaults.policy), byStatus, shortfall: sf.length === 0 ? Number.NaN : sf.reduce((a, b) => a + b, 0) / sf.length };
  });
  x.family("kestrel_rl_parents", "gauge", "Parents worked by an rl-executor algorithm, by status.");
  for (const r of rows) for (const [status, n] of r.byStatus) x.sample("kestrel_rl_parents", n, { algo: r.algo, policy: r.policy, status });
  x.family("kestrel_rl_shortfall_bps", "gauge", "Mean implementation shortfall of an rl-executor algorithm's entered parents, bps.");
  for (const r of rows) x.sample("kestrel_rl_shortfall_bps", r.shortfall, { algo: r.algo, policy: r.policy });
}
