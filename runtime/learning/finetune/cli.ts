/**
 * `kestrel model finetune --from <store> [--days 30] [--model <name@version>] [--beta b] [--kl w]
 * [--epochs n] [--seed s] [--version v] [--counterfactual sim|touch] [--json]`: preference fine-tuning from a recorded session.
 */
import { describeFinetune, finetuneModel, type FinetuneOptions } from "./finetune.ts";

const NUMBERS = { days: "days", beta: "beta", kl: "klWeight", epochs: "epochs", lr: "lr", seed: "seed", reps: "reps", validation: "validationFraction" } as const;

/** Flags that take a value. */
export const FINETUNE_VALUE_FLAGS = ["from", "days", "model", "beta", "kl", "epochs", "lr", "seed", "reps", "validation", "version", "counterfactual"];

/** Reads the finetune flags into options; returns a one-line problem instead when one is bad. */
export function finetuneOptions(flags: Map<string, string | true>): FinetuneOptions | string {
  const from = flags.get("from");
  if (typeof from !== "string") return "finetune needs --from <session store (DuckDB file)>";
  const o: FinetuneOptions = { store: from };
  const model = flags.get("model");
  if (model !== undefined) {
    if (typeof model !== "string") return "--model needs a value (name@version)";
    o.model = model;
  }
  const version = flags.get("version");
  if (typeof version === "string") {
    if (!/^[A-Za-z0-9._-]{1,40}$/.test(version)) return `--version expected letters, digits, '.', '_' or '-', got "${version}"`;
    o.version = version;
  }
  const cf = flags.get("counterfactual");
  if (cf !== undefined) {
    if (cf !== "sim" && cf !== "touch") return `--counterfactual expected sim or touch, got "${cf === true ? "" : cf}"`;
    o.counterfactual = cf;
  }
  for (const [flag, key] of Object.entries(NUMBERS)) {
    const v = flags.get(flag);
    if (v === undefined) continue;
    const n = Number(v);
    const integer = flag === "days" || flag === "epochs" || flag === "seed" || flag === "reps";
    if (typeof v !== "string" || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0 || (flag !== "seed" && n === 0) || (flag === "validation" && n >= 1)) {
      return `--${flag} expected ${integer ? "a positive integer" : flag === "validation" ? "a fraction in (0, 1)" : "a positive number"}, got "${v === true ? "" : v}"`;
    }
    (o as unknown as Record<string, number>)[key] = n;
  }
  return o;
}

/** Runs `kestrel model finetune`; returns the exit code. */
export async function runFinetune(flags: Map<string, string | true>): Promise<number> {
  const o = finetuneOptions(flags);
  if (typeof o === "string") {
    console.error(`kestrel model finetune: ${o}`);
    return 2;
  }
  const json = flags.has("json");
  const r = await finetuneModel({ ...o, progress: (l) => console.error(l) });
  if (json) {
    const { set, ...rest } = r;
    console.log(JSON.stringify({ ...rest, set: { ...set, dir: undefined } }));
  } else for (const l of describeFinetune(r)) console.log(l);
  return 0;
}
