import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfig } from "./load.ts";
import { checkDeployment } from "../session/build.ts";

const CONFIGS = resolve(import.meta.dir, "../../configs");
const BROKEN = join(CONFIGS, "broken");

/** Every problem kestrel check would print for a file. */
async function problemsOf(file: string): Promise<string[]> {
  const loaded = loadConfig(file, {});
  if (!loaded.ok) return loaded.problems;
  return (await checkDeployment(loaded.config, file)).map((p) => p.message);
}

for (const name of readdirSync(BROKEN).filter((f) => f.endsWith(".yaml"))) {
  const file = join(BROKEN, name);
  const expected = /^# expect: (.*)$/m.exec(readFileSync(file, "utf8"))?.[1];
  test(`broken config ${name} gives one precise error`, async () => {
    expect(expected).toBeDefined();
    const problems = await problemsOf(file);
    // A YAML syntax error may be reported once per unclosed bracket; everything else exactly once.
    if (!name.startsWith("yaml-syntax")) expect(problems.length).toBe(1);
    expect(problems[0]).toContain(expected!);
  });
}

for (const name of ["paper.yaml", "backtest.yaml"]) {
  test(`shipped config ${name} passes every check`, async () => {
    expect(await problemsOf(join(CONFIGS, name))).toEqual([]);
  });
}

test("problems are collected over the whole file, not just the first", async () => {
  const dir = (await import("node:fs")).mkdtempSync(join((await import("node:os")).tmpdir(), "kestrel-cfg-"));
  const file = join(dir, "many.yaml");
  (await import("node:fs")).writeFileSync(
    file,
    readFileSync(join(BROKEN, "bad-param-type.yaml"), "utf8").replace("maxOrdersPerSecond: 50", "maxOrdersPerSecond: many").replace("seed: 1", "seed: -1"),
  );
  const problems = await problemsOf(file);
  expect(problems.some((p) => p.includes("seed: expected integer >= 0 and <= 4294967295, got -1"))).toBe(true);
  expect(problems.some((p) => p.includes("risk.limits.maxOrdersPerSecond: expected integer >= 0, got \"many\""))).toBe(true);
  (await import("node:fs")).rmSync(dir, { recursive: true, force: true });
});
