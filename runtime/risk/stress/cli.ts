/**
 * `kestrel risk stress <deployment.yaml> [--scenario <name>] [--json] [--journal <file>]`: applies
 * the historical and hypothetical stress scenarios (the built-ins and the custom ones of the
 * deployment's `stress-limit` rules) to the portfolio in the deployment's journal, marked at each
 * instrument's last fill price, and prints each scenario's P&L worst first. A running session's
 * live portfolio at live mids is at the admin API (`GET /api/v1/risk/stress`). Exit codes: 0
 * printed, 1 failed, 2 bad usage.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "../../cli/args.ts";
import { loadConfig } from "../../config/load.ts";
import { readJournal } from "../../journal/journal-file.ts";
import { deploymentInstruments } from "../../session/build.ts";
import { journalPortfolio } from "./journal-portfolio.ts";
import { deploymentScenarios, pickScenarios, stressReport, type StressReport } from "./report.ts";

/** Where the command writes. */
export interface RiskCommandIo {
  out(line: string): void;
  err(line: string): void;
}

const STD_IO: RiskCommandIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** Help of the command. */
export const RISK_HELP = `Usage: kestrel risk stress <deployment.yaml> [--scenario <name>] [--json] [--journal <file>]

Applies stress scenarios to the deployment's journaled portfolio (positions from the journal's
fills, each marked at its last fill price, valued in the account currency) and prints each
scenario's P&L, worst first, with the P&L per instrument. Scenarios: the historical shocks
chf-depeg-2015 (SNB floor removal), gbp-flash-2016 (pound flash crash), jpy-flash-2019 (yen flash
rally), the hypothetical usd-up-5 and risk-off, and the custom scenarios of the deployment's
stress-limit rules. A running session's live portfolio: GET /api/v1/risk/stress on its admin API.

  --scenario <name>  only this scenario
  --json             print the report as one JSON object
  --journal <file>   journal to read (default: the deployment's journal.path)`;

/** Runs the command; returns the exit code. */
export async function runRiskCommand(argv: readonly string[], io: RiskCommandIo = STD_IO): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, new Set(["scenario", "journal"]));
  } catch (err) {
    io.err(`kestrel risk: ${(err as Error).message}`);
    return 2;
  }
  if (args.flags.has("help")) {
    io.out(RISK_HELP);
    return 0;
  }
  const [sub, target] = args.positionals;
  if (sub !== "stress" || target === undefined) {
    io.err(`kestrel risk: ${sub !== "stress" && sub !== undefined ? `unknown subcommand "${sub}"` : sub === undefined ? "missing subcommand" : "missing <deployment.yaml>"}\n\n${RISK_HELP}`);
    return 2;
  }
  const scenarioFlag = args.flags.get("scenario");
  if (scenarioFlag === true) {
    io.err(`kestrel risk stress: --scenario needs a name\n\n${RISK_HELP}`);
    return 2;
  }
  if (!existsSync(resolve(target))) {
    io.err(`kestrel risk stress: CONFIG_NOT_FOUND: file=${target}`);
    return 1;
  }
  const loaded = loadConfig(resolve(target));
  if (!loaded.ok) {
    io.err(`kestrel risk stress: CONFIG_INVALID: ${target} is not valid:\n  ${loaded.problems.join("\n  ")}`);
    return 1;
  }
  const config = loaded.config;
  const journalFlag = args.flags.get("journal");
  const journal = typeof journalFlag === "string" ? resolve(journalFlag) : config.journal ? resolve(config.journal.path) : null;
  if (journal === null) {
    io.err(`kestrel risk stress: STRESS_NO_JOURNAL: deployment=${target} reason=no journal.path and no --journal`);
    return 1;
  }
  if (!existsSync(journal)) {
    io.err(`kestrel risk stress: STRESS_NO_JOURNAL: journal=${journal} reason=no such file`);
    return 1;
  }
  let report: StressReport;
  try {
    const scenarios = pickScenarios(deploymentScenarios(config.risk.plugins), scenarioFlag);
    const portfolio = journalPortfolio(deploymentInstruments(config), config.account.currency, readJournal(journal).records);
    report = stressReport(portfolio, scenarios);
  } catch (err) {
    io.err(`kestrel risk stress: ${(err as Error).message}`);
    return 1;
  }
  if (args.flags.has("json")) io.out(JSON.stringify(report));
  else io.out(formatStress(config.name, report));
  return 0;
}

/** The report as text. */
export function formatStress(deployment: string, r: StressReport): string {
  const money = (x: number) => `${x < 0 ? "-" : ""}${Math.abs(x).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${r.accountCurrency}`;
  const lines = [`Stress of ${deployment} (${r.marks === "live" ? "live mids" : "marked at last fills"}, as of ${r.asOf === 0 ? "–" : new Date(r.asOf / 1000).toISOString()})`];
  if (r.positions.length === 0) lines.push("  no open position: every scenario is 0");
  for (const p of r.positions) lines.push(`  ${p.instrument.padEnd(10)} position ${String(p.position).padStart(12)}  exposure ${p.exposure === null ? "not valued" : money(p.exposure)}`);
  if (r.unvalued.length > 0) lines.push(`  not valued (no mark or rate): ${r.unvalued.join(", ")}`);
  lines.push("");
  for (const s of r.scenarios) {
    lines.push(`  ${s.scenario.padEnd(16)} ${money(s.pnl).padStart(18)}  ${s.byInstrument.filter((b) => b.movePercent !== 0).map((b) => `${b.instrument} ${b.movePercent}% ${money(b.pnl)}`).join("; ")}`);
  }
  if (r.worst !== null) lines.push("", `  worst: ${r.worst.scenario} ${money(r.worst.pnl)}`);
  return lines.join("\n");
}
