/**
 * `kestrel rl eval <policy> [--data <rl config>] [--days d1,d2] [--episodes N] [--json] [--html f]`:
 * resolves the policy in the registry, rebuilds its environment from the RL config (the card's own
 * unless --data names another), refuses days the policy trained on, evaluates against the
 * baselines, prints the result (one JSON object with --json) and writes an HTML report.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { resolveModel } from "../registry.ts";
import { loadRlConfig } from "./config.ts";
import { evaluatePolicy, type RlEvalSummary } from "./eval.ts";
import { renderRlReport } from "./eval-report.ts";
import { recordTape } from "./tape.ts";
import { resolveCardPath } from "./train.ts";

/** `kestrel rl eval`; returns the exit code. */
export async function runRlEval(positionals: string[], flags: Map<string, string | true>): Promise<number> {
  const ref = positionals[0];
  if (ref === undefined) {
    console.error("kestrel rl eval: needs a policy (name@version, name@latest or a card path)");
    return 2;
  }
  const str = (k: string) => (typeof flags.get(k) === "string" ? (flags.get(k) as string) : undefined);
  const model = resolveModel(ref);
  const card = JSON.parse(readFileSync(model.path, "utf8"));
  if (card.kind !== "rl-policy") throw new Error(`RL_NOT_A_POLICY: model=${ref} kind=${card.kind ?? "model"}`);
  const lc = loadRlConfig(str("data") ?? resolveCardPath(card.config as string));
  const days = str("days")?.split(",") ?? lc.config.env.evalDays;
  if (days.length === 0) throw new Error(`RL_NO_EVAL_DAYS: config=${lc.file} has no env.evalDays and no --days was given`);
  const trained = days.filter((d) => (card.trainDays as string[]).includes(d));
  if (trained.length > 0) throw new Error(`RL_EVAL_ON_TRAINING_DAY: days=${trained.join(",")} policy=${model.name}@${model.version} trained on them`);
  const episodes = str("episodes") !== undefined ? Number(str("episodes")) : 200;
  if (!Number.isInteger(episodes) || episodes < 1) throw new Error(`RL_EVAL_INVALID: --episodes expected a positive integer, got ${str("episodes")}`);
  const tape = await recordTape(lc.deployment, lc.config.env.instrument);
  for (const d of days) if (!tape.days.has(d)) throw new Error(`RL_UNKNOWN_DAY: day=${d} not in deployment=${lc.deployment}`);
  // The policy's own episode definition (window, steps, bounds) with the config's reward.
  const spec = { ...lc.spec, ...card.env };
  const name = `${model.name}@${model.version}`;
  const detail = evaluatePolicy(name, model.path, tape, spec, lc.venue, days, { episodes, seed: Number(str("seed") ?? 2014), offsetTicks: 0, reps: 1000 });
  const html = resolve(str("html") ?? join("var/evals", `rl-${model.name}-${model.version}.html`));
  mkdirSync(dirname(html), { recursive: true });
  writeFileSync(html, renderRlReport(detail));
  const r = detail.result;
  if (flags.has("json")) console.log(JSON.stringify(r));
  else {
    const line = (k: string, s: RlEvalSummary) =>
      `  ${k.padEnd(12)} shortfall ${s.shortfallBps.toFixed(3)} bps [${s.shortfallBpsCi.map((x) => x.toFixed(3)).join(", ")}]  pnl ${s.pnl.toFixed(2)}  fill rate ${s.fillRate.toFixed(3)}  max drawdown ${s.maxDrawdown.toFixed(2)}`;
    console.log(`${r.policy} on ${days.join(", ")} (${r.episodes} episodes; money in ${tape.instrument.quote})`);
    console.log(line("agent", r.agent));
    for (const [k, s] of Object.entries(r.baselines)) console.log(line(k, s));
    console.log(`  agent - take shortfall ${detail.agentMinusTake.mean.toFixed(3)} bps [${detail.agentMinusTake.ci.map((x) => x.toFixed(3)).join(", ")}] (paired)`);
  }
  console.error(`report: ${html}`);
  return 0;
}
