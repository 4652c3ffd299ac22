/**
 * The execution agent's metrics for `/metrics`: for every algorithm instance run by the
 * `rl-executor` plugin, the policy it serves (name@version from its card), its parents by status
 * and their mean implementation shortfall (the TCA's, bps); with online learning, the live
 * version's update number, versions by fate, and the last update's KL, entropy and reward.
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
  renderLearningMetrics(x, session);
}

/** Online learning's families (nothing when the session does not learn). */
function renderLearningMetrics(x: Exposition, session: Session): void {
  const l = session.learning;
  if (l === null) return;
  const labels = { algo: l.algo, policy: l.live.ref };
  x.family("kestrel_rl_learning_version", "gauge", "Update number of the live policy version (0: the deployment's).");
  x.sample("kestrel_rl_learning_version", l.live.n, labels);
  x.family("kestrel_rl_learning_versions_total", "counter", "Policy versions by fate: accepted, rejected (trust region, export), rolled back.");
  x.sample("kestrel_rl_learning_versions_total", l.counts.accepted, { algo: l.algo, status: "accepted" });
  x.sample("kestrel_rl_learning_versions_total", l.counts.rejected, { algo: l.algo, status: "rejected" });
  x.sample("kestrel_rl_learning_versions_total", l.counts.rolledBack, { algo: l.algo, status: "rolled-back" });
  x.family("kestrel_rl_learning_episodes_total", "counter", "Finished episodes the learning algorithm handed over.");
  x.sample("kestrel_rl_learning_episodes_total", l.counts.episodes, { algo: l.algo });
  const last = l.last;
  x.family("kestrel_rl_learning_kl", "gauge", "Mean KL(old || new) of the last update over its batch.");
  x.sample("kestrel_rl_learning_kl", last?.kl ?? Number.NaN, labels);
  x.family("kestrel_rl_learning_entropy", "gauge", "Mean policy entropy of the last update over its batch.");
  x.sample("kestrel_rl_learning_entropy", last?.entropy ?? Number.NaN, labels);
  x.family("kestrel_rl_learning_reward_bps", "gauge", "Mean episode reward of the last update's batch, bps.");
  x.sample("kestrel_rl_learning_reward_bps", last?.reward ?? Number.NaN, labels);
}
