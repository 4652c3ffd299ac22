/**
 * `kestrel schema`: writes the deployment's JSON Schema (`configs/kestrel.schema.json`) for editors,
 * prints it, or checks that the committed file is current.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { deploymentJsonSchemaText, SCHEMA_FILE } from "./json-schema.ts";

const HELP = `Usage: kestrel schema [--out <file>] [--check] [--stdout]

Generates the JSON Schema of a deployment (the loader's schema plus the params of every built-in
plugin) so editors complete and check the YAML; configs carry the modeline
  # yaml-language-server: $schema=./kestrel.schema.json

  --out <file>  where to write it (default configs/kestrel.schema.json)
  --check       exit 1 if the file differs from what would be written (CI)
  --stdout      print it instead of writing`;

/** Runs the subcommand; returns the exit code. */
export async function runSchemaCommand(args: readonly string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const outAt = args.indexOf("--out");
  const file = outAt >= 0 && args[outAt + 1] !== undefined ? resolve(args[outAt + 1]!) : SCHEMA_FILE;
  const text = await deploymentJsonSchemaText();
  if (args.includes("--stdout")) {
    process.stdout.write(text);
    return 0;
  }
  if (args.includes("--check")) {
    const current = existsSync(file) ? readFileSync(file, "utf8") : "";
    if (current === text) {
      console.log(`ok: ${file} is current`);
      return 0;
    }
    console.error(`kestrel schema: ${file} is out of date; run 'kestrel schema' and commit it`);
    return 1;
  }
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
  return 0;
}
