/**
 * `kestrel model <dataset|train|eval|list>`: builds datasets through the session's kernels, trains
 * and exports the iTransformer (Python, Debian's python3 with torch), evaluates it against its
 * baselines, and lists the model registry.
 */
import { parseArgs } from "../cli/args.ts";
import { FINETUNE_VALUE_FLAGS } from "./finetune/cli.ts";

const HELP = `Usage: kestrel model <command> [options]

Commands:
  dataset <config>              build the config's dataset (rows, labels, splits) under dataset.out
  train <config> [--resume]     train, calibrate, export ONNX and register the model (python3 + torch)
  eval <name@version|card> [--data <config>] [--json] [--html <file>]
                                metrics with bootstrap 95% intervals against ewma, har, logistic, noSkill
  finetune --from <store> [--days 30] [--model vol-window@latest] [--beta 0.1] [--kl 0.1] [--epochs 20] [--counterfactual sim|touch] [--json]
                                DPO fine-tune of the direction head from a recorded session's trades (counterfactuals
                                reconstructed through the sim venue by default, or priced at the touches); the
                                new version is registered in shadow, promote=true only if it beats the
                                reference on the store's held-out later window
  list [--json]                 models in models/ (shipped) and var/models/ (trained here; shadow versions marked)
  live [--url <admin>] [--json] the running session's live and shadow models and their online scores
  promote [--expect <name@version>] [--url <admin>]
                                make the shadow model live (admin token in KESTREL_TOKEN; journaled)
  backtest <deployment> [--from <ISO>] [--json]
                                each strategy of a deployment alone, measured from --from (e.g. the test days)`;

/** Runs `kestrel model ...`; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h") {
    console.log(HELP);
    return sub === undefined ? 1 : 0;
  }
  let args;
  try {
    args = parseArgs(rest, new Set(["data", "html", "split", "reps", "from", "url", "expect", ...FINETUNE_VALUE_FLAGS]));
  } catch (err) {
    console.error(`kestrel model ${sub}: ${(err as Error).message}`);
    return 2;
  }
  try {
    if (sub === "dataset") {
      const file = args.positionals[0];
      if (file === undefined) return usage("dataset needs a model config");
      const { loadModelConfig } = await import("./config.ts");
      const { buildDataset } = await import("./dataset/build.ts");
      const s = await buildDataset(loadModelConfig(file), (l) => console.error(l));
      console.log(args.flags.has("json") ? JSON.stringify(s) : `dataset ${s.out}: events ${s.events.join("/")} (${s.instruments.join(", ")}); samples train ${s.samples.train}, validation ${s.samples.validation}, test ${s.samples.test}, left out ${s.samples.leftOut}; ${s.wallSeconds.toFixed(1)} s`);
      return 0;
    }
    if (sub === "train") {
      const file = args.positionals[0];
      if (file === undefined) return usage("train needs a model config");
      const { trainModel } = await import("./train.ts");
      return await trainModel(file, { resume: args.flags.has("resume") });
    }
    if (sub === "finetune") {
      const { runFinetune } = await import("./finetune/cli.ts");
      return await runFinetune(args.flags);
    }
    if (sub === "eval") {
      const { runEval } = await import("./eval/cli.ts");
      return await runEval(args.positionals, args.flags);
    }
    if (sub === "live" || sub === "promote") {
      const { runLive, runPromote } = await import("./promote-cli.ts");
      return sub === "live" ? await runLive(args.flags) : await runPromote(args.flags);
    }
    if (sub === "backtest") {
      const { runCompare } = await import("./backtest-compare.ts");
      return await runCompare(args.positionals, args.flags);
    }
    if (sub === "list") {
      const { listModels } = await import("./registry.ts");
      const models = listModels();
      if (args.flags.has("json")) console.log(JSON.stringify(models));
      else for (const m of models) console.log(`${m.name}@${m.version}\t${m.created}\t${m.path}${m.stage === "shadow" ? "\tshadow" : ""}`);
      return 0;
    }
  } catch (err) {
    const e = err as Error & { code?: string };
    console.error(`kestrel model ${sub}: ${e.message}`);
    return 1;
  }
  return usage(`unknown command "${sub}"`);
}

function usage(why: string): number {
  console.error(`kestrel model: ${why}\n\n${HELP}`);
  return 2;
}
