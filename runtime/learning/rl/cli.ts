/**
 * `kestrel rl <train|eval>`: trains the execution agent (PPO, SAC or TD3) in the simulator and evaluates a
 * policy against the take / limitOffset / twap baselines on held-out days.
 */
import { parseArgs } from "../../cli/args.ts";

const HELP = `Usage: kestrel rl <command> [options]

Commands:
  train <config> [--resume]     PPO (or SAC, TD3) in the vectorised sim environment (python3 + torch learner);
                                progress per iteration, checkpoints, ONNX export, registered as <name>@<version>
  eval <policy> [--data <rl config>] [--days d1,d2] [--episodes N] [--json] [--html <file>]
                                agent against take, limitOffset and twap on the config's evalDays
                                (policy: <name>@<version|latest> or a card path)`;

/** Runs `kestrel rl ...`; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h") {
    console.log(HELP);
    return sub === undefined ? 1 : 0;
  }
  let args;
  try {
    args = parseArgs(rest, new Set(["data", "days", "episodes", "html", "seed"]));
  } catch (err) {
    console.error(`kestrel rl ${sub}: ${(err as Error).message}`);
    return 2;
  }
  try {
    if (sub === "train") {
      const file = args.positionals[0];
      if (file === undefined) return usage("train needs an RL config");
      const { trainPolicy } = await import("./train.ts");
      const r = await trainPolicy(file, { resume: args.flags.has("resume") });
      const last = r.history.at(-1) as Record<string, number> | undefined;
      console.log(`trained ${r.card.split("/").at(-1)?.replace(/\.json$/, "")}@${r.version} in ${r.seconds.toFixed(1)} s (${r.iterations} iterations; last episode reward ${last?.episodeReward?.toFixed(3) ?? "n/a"} bps); ONNX = PyTorch within ${r.parity.onnxVsTorch.toExponential(1)}, TypeScript within ${r.parity.tsVsTorch.toExponential(1)}; card ${r.card}`);
      return 0;
    }
    if (sub === "eval") {
      const { runRlEval } = await import("./eval-cli.ts");
      return await runRlEval(args.positionals, args.flags);
    }
  } catch (err) {
    console.error(`kestrel rl ${sub}: ${(err as Error).message}`);
    return 1;
  }
  return usage(`unknown command "${sub}"`);
}

function usage(why: string): number {
  console.error(`kestrel rl: ${why}\n\n${HELP}`);
  return 2;
}
