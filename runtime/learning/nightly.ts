/**
 * `kestrel learn nightly <deployment> [--at HH:MM]`: the nightly learning job of a deployment:
 * dataset (the preference set from the deployment's session store, rebuilt through the dataset
 * path) -> finetune (DPO on the direction head of the deployment's model) -> eval (reference vs
 * candidate on the store's held-out later window, bootstrap intervals) -> shadow (the candidate is
 * registered in stage shadow). The live model is never changed: `@latest` skips shadow versions and
 * the deployment file is not written; the report says whether the candidate may be promoted.
 * With `--at HH:MM` it runs every day at that UTC time (a cron line does the same, see models/README.md).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfig } from "../config/load.ts";
import { parseArgs } from "../cli/args.ts";
import { describeFinetune, finetuneModel } from "./finetune/finetune.ts";
import { simParamsOf } from "./finetune/sim-outcomes.ts";

/** Options of one nightly run. */
export interface NightlyOptions {
  registryDir?: string;
  /** Where reports go (default var/learn). */
  reportDir?: string;
  days?: number;
  epochs?: number;
  reps?: number;
  log?: (line: string) => void;
  /** The run's time (names the version). */
  now?: Date;
}

/** One step of the job and what it produced. */
export interface NightlyStep {
  step: "dataset" | "finetune" | "eval" | "shadow";
  detail: Record<string, unknown>;
}

/** The report of one nightly run. */
export interface NightlyReport {
  deployment: string;
  store: string;
  parent: string;
  model: string;
  promote: boolean;
  steps: NightlyStep[];
  reportFile: string;
}

/** A deployment the nightly job cannot run for. */
export class NightlyConfigError extends Error {
  readonly code = "NIGHTLY_CONFIG_INVALID";
  constructor(file: string, why: string) {
    super(`NIGHTLY_CONFIG_INVALID: deployment=${file} ${why}`);
  }
}

/** Runs the nightly job once for a deployment. */
export async function runNightly(file: string, o: NightlyOptions = {}): Promise<NightlyReport> {
  const loaded = loadConfig(file);
  if (!loaded.ok) throw new NightlyConfigError(file, loaded.problems.join("; "));
  const cfg = loaded.config;
  if (cfg.store === undefined) throw new NightlyConfigError(file, "has no store: (the job learns from the session store the deployment records)");
  const store = resolve(cfg.store.path);
  const parent = cfg.models?.model ?? "vol-window@latest";
  const now = o.now ?? new Date();
  const version = `nightly-${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;
  const log = o.log ?? (() => {});
  const r = await finetuneModel({ store, model: parent, days: o.days ?? 30, epochs: o.epochs, reps: o.reps, version, registryDir: o.registryDir, progress: log, simParams: simParamsOf(cfg.venue) });
  for (const l of describeFinetune(r)) log(l);
  const { dir: _dir, ...set } = r.set;
  const steps: NightlyStep[] = [
    { step: "dataset", detail: set as unknown as Record<string, unknown> },
    { step: "finetune", detail: { parent: r.parent, pairs: r.pairs, beta: r.beta, klWeight: r.klWeight, klOnPairs: r.klOnPairs } },
    { step: "eval", detail: r.validation },
    { step: "shadow", detail: { model: r.model, stage: r.stage, promote: r.promote, card: r.card, live: "unchanged", config: `models.shadow.model: ${r.model}` } },
  ];
  const dir = resolve(o.reportDir ?? "var/learn", cfg.name);
  mkdirSync(dir, { recursive: true });
  const reportFile = join(dir, `${version}.json`);
  const report: NightlyReport = { deployment: resolve(file), store, parent: r.parent, model: r.model, promote: r.promote, steps, reportFile };
  writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/** Milliseconds from `now` to the next `HH:MM` UTC (a full day when it is that minute now). */
export function msUntil(hhmm: string, now: Date): number {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), h, m));
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  return next.getTime() - now.getTime();
}

const HELP = `Usage: kestrel learn nightly <deployment> [--at HH:MM] [--days 30] [--epochs 20] [--json]

Runs dataset -> finetune -> eval -> shadow from the deployment's session store (store.path) for its
model (models.model, default vol-window@latest). The candidate is registered in shadow; the live
model is never changed. --at HH:MM repeats it every day at that UTC time.`;

/** `kestrel learn ...`; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "nightly") {
    console.error(sub === undefined || sub === "--help" ? HELP : `kestrel learn: unknown command "${sub}"\n\n${HELP}`);
    return sub === "--help" ? 0 : 2;
  }
  let args;
  try {
    args = parseArgs(rest, new Set(["at", "days", "epochs"]));
  } catch (err) {
    console.error(`kestrel learn nightly: ${(err as Error).message}`);
    return 2;
  }
  const file = args.positionals[0];
  if (file === undefined) {
    console.error(`kestrel learn nightly: needs a deployment\n\n${HELP}`);
    return 2;
  }
  const num = (k: string): number | undefined | null => {
    const v = args.flags.get(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    return typeof v === "string" && Number.isInteger(n) && n > 0 ? n : null;
  };
  const days = num("days"), epochs = num("epochs");
  if (days === null || epochs === null) {
    console.error(`kestrel learn nightly: --${days === null ? "days" : "epochs"} expected a positive integer`);
    return 2;
  }
  const at = args.flags.get("at");
  if (at !== undefined && (typeof at !== "string" || !/^([01]\d|2[0-3]):[0-5]\d$/.test(at))) {
    console.error(`kestrel learn nightly: --at expected HH:MM (UTC), got "${at === true ? "" : at}"`);
    return 2;
  }
  const once = async (): Promise<boolean> => {
    try {
      const r = await runNightly(file, { days: days ?? undefined, epochs: epochs ?? undefined, log: (l) => console.error(l) });
      console.log(args.flags.has("json") ? JSON.stringify(r) : `nightly ${r.model}: shadow, promote ${r.promote}; report ${r.reportFile}`);
      return true;
    } catch (err) {
      console.error(`kestrel learn nightly: ${(err as Error).message}`);
      return false;
    }
  };
  if (at === undefined) return (await once()) ? 0 : 1;
  for (;;) {
    const wait = msUntil(at, new Date());
    console.error(`kestrel learn nightly: next run at ${new Date(Date.now() + wait).toISOString()}`);
    await Bun.sleep(wait);
    await once();
  }
}
