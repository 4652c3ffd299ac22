/**
 * Plugins as packages, as a plugin author meets them: `kestrel plugin new` scaffolds a package in a
 * scratch project, `plugin check` and `plugin test` pass, its backtest.yaml trades without a
 * quarantine, `plugin pack` makes a tarball that, unpacked into node_modules as npm does, is named
 * by a deployment as `demo@^0.1`; a version outside the range, a package that depends on the npm
 * package "kestrel", and a manifest that disagrees with package.json are each refused with one line.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { realFolder, scratchProject, type ScratchProject } from "../testing/scratch-project.ts";

const KESTREL = resolve(import.meta.dir, "../../bin/kestrel");

function kestrel(cwd: string, ...args: string[]): { code: number; out: string } {
  const r = Bun.spawnSync([KESTREL, ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode ?? -1, out: `${r.stdout}${r.stderr}` };
}

const DEPLOYMENT = (plugin: string) => `name: uses-package
mode: backtest
seed: 3
account: { currency: USD, capital: 1000000 }
market:
  source: synthetic
  synthetic: { pairs: [EURUSD], start: "2026-01-05T08:00:00Z", durationSeconds: 300 }
venue: { name: sim, plugin: sim }
strategies:
  - { name: from-npm, plugin: "${plugin}", instruments: [EURUSD] }
risk:
  limits: { maxPosition: 1000000, maxOrderNotional: 2000000, maxOrdersPerSecond: 50, priceCollarBps: 50, maxDailyLoss: 50000, maxDrawdown: 50000 }
`;

describe("plugin packages", () => {
  let scratch: ScratchProject;
  let tarball = "";
  beforeAll(() => {
    scratch = scratchProject();
  });
  afterAll(() => scratch?.remove());

  test("plugin new strategy scaffolds a package that passes check and its own tests", () => {
    const created = kestrel(scratch.dir, "plugin", "new", "strategy", "demo");
    expect(created.code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(scratch.dir, "demo", "package.json"), "utf8"));
    expect(pkg.kestrel).toEqual({ kind: "strategy", sdk: "^0.1.0", capabilities: ["orders"] });
    expect(pkg.dependencies?.kestrel).toBeUndefined();
    const checked = kestrel(scratch.dir, "plugin", "check", "demo");
    expect(checked.out).toContain("ok: demo@0.1.0 (strategy, sdk ^0.1.0, capabilities orders)");
    expect(checked.code).toBe(0);
    // As the "Done when" runs it: `kestrel plugin check` inside the package, no argument.
    const inside = kestrel(join(scratch.dir, "demo"), "plugin", "check");
    expect(inside.out).toContain("ok: demo@0.1.0 (strategy, sdk ^0.1.0, capabilities orders)");
    expect(inside.code).toBe(0);
    const tested = kestrel(scratch.dir, "plugin", "test", "demo");
    expect(tested.out).toMatch(/\b1 pass\b/);
    expect(tested.code).toBe(0);
    expect(kestrel(scratch.dir, "plugin", "new", "strategy", "demo").code).toBe(1);
  }, 240_000);

  test("the scaffolded backtest.yaml trades the package with no quarantine", () => {
    const r = kestrel(scratch.dir, "backtest", "demo/backtest.yaml", "--json", "--no-save");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out.slice(r.out.indexOf("{")));
    expect(report.orders).toBeGreaterThan(0);
    expect(report.quarantined).toEqual([]);
  }, 120_000);

  test("plugin pack makes a tarball; unpacked into node_modules it is named by demo@^0.1, and demo@^2 is refused", () => {
    const packed = kestrel(scratch.dir, "plugin", "pack", "demo");
    expect(packed.code).toBe(0);
    tarball = /packed (\S+\.tgz)/.exec(packed.out)![1]!;
    realFolder(scratch.dir, "node_modules");
    const into = join(scratch.dir, "node_modules", "demo");
    mkdirSync(into);
    // What npm install does with a package that has no dependencies: the tarball's package/ folder.
    expect(Bun.spawnSync(["tar", "-xzf", tarball, "-C", into, "--strip-components=1"]).exitCode).toBe(0);
    realFolder(scratch.dir, "configs");
    writeFileSync(join(scratch.dir, "configs", "npm-plugin.yaml"), DEPLOYMENT("demo@^0.1"));
    writeFileSync(join(scratch.dir, "configs", "npm-plugin-v2.yaml"), DEPLOYMENT("demo@^2"));
    writeFileSync(join(scratch.dir, "configs", "npm-missing.yaml"), DEPLOYMENT("kestrel-strategy-absent@^1"));
    const ok = kestrel(scratch.dir, "backtest", "configs/npm-plugin.yaml", "--json", "--no-save");
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.out.slice(ok.out.indexOf("{")));
    expect(report.orders).toBeGreaterThan(0);
    expect(report.quarantined).toEqual([]);
    const v2 = kestrel(scratch.dir, "check", "configs/npm-plugin-v2.yaml");
    expect(v2.code).toBe(1);
    expect(v2.out).toContain("package demo is at version 0.1.0, which does not satisfy ^2");
    const missing = kestrel(scratch.dir, "check", "configs/npm-missing.yaml");
    expect(missing.code).toBe(1);
    expect(missing.out).toContain("npm install kestrel-strategy-absent");
    expect(missing.out).not.toMatch(/^\s+at /m);
  }, 240_000);

  test("a package that depends on the npm package kestrel, or whose manifest disagrees with package.json, fails check", () => {
    const pkgPath = join(scratch.dir, "demo", "package.json");
    const pkg = JSON.parse(readFileSync(pkgPath, "utf8"));
    writeFileSync(pkgPath, JSON.stringify({ ...pkg, dependencies: { kestrel: "^1.0.0" } }));
    const dep = kestrel(scratch.dir, "plugin", "check", "demo");
    expect(dep.code).toBe(1);
    expect(dep.out).toContain(`"kestrel" on npm is not this project`);
    writeFileSync(pkgPath, JSON.stringify({ ...pkg, version: "0.2.0" }));
    const mismatch = kestrel(scratch.dir, "plugin", "check", "demo");
    expect(mismatch.code).toBe(1);
    expect(mismatch.out).toContain("manifest.version 0.1.0 differs from package.json version 0.2.0");
  }, 240_000);

  test("risk, venue and algo packages scaffold, pass check and their own tests", () => {
    for (const kind of ["risk", "venue", "algo"]) {
      expect(kestrel(scratch.dir, "plugin", "new", kind, `my-${kind}`).code).toBe(0);
      const r = kestrel(scratch.dir, "plugin", "check", `my-${kind}`);
      expect(r.out).toContain(`ok: my-${kind}@0.1.0 (${kind}`);
      expect(kestrel(scratch.dir, "plugin", "test", `my-${kind}`).code).toBe(0);
    }
    const algo = kestrel(scratch.dir, "backtest", "my-algo/backtest.yaml", "--json", "--no-save");
    expect(algo.code).toBe(0);
    const report = JSON.parse(algo.out.slice(algo.out.indexOf("{")));
    expect(report.parents.length).toBeGreaterThan(0);
    expect(report.quarantined).toEqual([]);
    expect(kestrel(scratch.dir, "plugin", "new", "widget", "my-widget").code).toBe(2);
  }, 300_000);
});
