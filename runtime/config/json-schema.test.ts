/**
 * The published JSON Schema (configs/kestrel.schema.json): the committed file is what
 * `kestrel schema` generates now; Ajv (a standard JSON Schema validator, draft-07, strict) accepts
 * every shipped config; every broken config fails, either the schema (at the path of the mistake)
 * or, for what a schema cannot say, the loader's later checks; and every config carries the
 * yaml-language-server modeline pointing at the file.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import { deploymentJsonSchemaText, SCHEMA_FILE } from "./json-schema.ts";
import { loadConfig } from "./load.ts";
import { checkDeployment } from "../session/build.ts";

const CONFIGS = resolve(import.meta.dir, "../../configs");
const BROKEN = join(CONFIGS, "broken");
const yamls = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();

/**
 * What each broken config fails: the JSON Schema at this instance path, or (null) only the
 * loader's later checks — cross-field rules, files, instruments, plugins by name, synthetic params.
 */
const BROKEN_EXPECTED: Record<string, string | null | "yaml"> = {
  "bad-mode.yaml": "/mode",
  "bad-param-type.yaml": "/strategies/1/params/maxPosition",
  "bad-synthetic-param.yaml": null,
  "duplicate-strategy.yaml": null,
  "literal-secret.yaml": "/venue/params",
  "missing-env.yaml": "/venue/params",
  "negative-limit.yaml": "/risk/limits/maxPosition",
  "replay-missing-file.yaml": null,
  "unknown-instrument.yaml": null,
  "unknown-key.yaml": "/venue/params",
  "unknown-plugin.yaml": null,
  "yaml-syntax.yaml": "yaml",
};

const schema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Record<string, unknown>;
const validate = new Ajv({ strict: true, allErrors: true }).compile(schema);

describe("deployment JSON Schema", () => {
  test("the committed configs/kestrel.schema.json is current (run `kestrel schema` after changing the schema or a plugin's params)", async () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(await deploymentJsonSchemaText());
  });

  test("it carries the built-in plugins' params", () => {
    const text = JSON.stringify(schema);
    for (const name of ["obi-scalper", "avellaneda-stoikov", "sim", "fix44", "binance"]) expect(text).toContain(`{"const":"${name}"}`);
    expect(text).toContain('"entryImbalance"');
  });

  for (const name of yamls(CONFIGS)) {
    test(`shipped config ${name} validates with Ajv and starts with the schema modeline`, () => {
      const text = readFileSync(join(CONFIGS, name), "utf8");
      expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=./kestrel.schema.json");
      const ok = validate(parse(text));
      expect(ok ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
    });
  }

  test("the broken-config table names every file in configs/broken/", () => {
    expect(Object.keys(BROKEN_EXPECTED).sort()).toEqual(yamls(BROKEN));
  });

  for (const name of yamls(BROKEN)) {
    const expected = BROKEN_EXPECTED[name];
    test(`broken config ${name} fails ${expected === null ? "the loader's later checks" : expected === "yaml" ? "to parse" : `the schema at ${expected}`}`, async () => {
      const file = join(BROKEN, name);
      const text = readFileSync(file, "utf8");
      const modeline = /^# yaml-language-server: \$schema=(\S+)$/.exec(text.split("\n")[0]!)?.[1];
      expect(modeline).toBe("../kestrel.schema.json");
      expect(existsSync(resolve(dirname(file), modeline!))).toBe(true);
      if (expected === "yaml") {
        expect(() => parse(text)).toThrow();
        return;
      }
      const ok = validate(parse(text));
      if (expected === null) {
        expect(ok ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
        const loaded = loadConfig(file, {});
        const problems = loaded.ok ? (await checkDeployment(loaded.config, file)).map((p) => p.message) : loaded.problems;
        expect(problems.length).toBeGreaterThan(0);
      } else {
        expect(ok).toBe(false);
        expect(validate.errors!.map((e) => e.instancePath)).toContain(expected);
      }
    });
  }

  test("a number may be a whole ${env:NAME} reference, as the loader resolves it; any other string is refused", () => {
    const doc = parse(readFileSync(join(CONFIGS, "paper.yaml"), "utf8")) as { admin: { port: unknown } };
    doc.admin.port = "${env:KESTREL_PORT}";
    expect(validate(doc)).toBe(true);
    doc.admin.port = "8080 or so";
    expect(validate(doc)).toBe(false);
  });
});
