/**
 * Grants: a strategy's manifest asks for what it needs beyond its context (network, files, ...);
 * `kestrel check` refuses a deployment that does not grant it (the strategy's `capabilities:`), with one line naming the strategy,
 * the plugin and the capability; an isolated plugin then gets only what it asked for and was
 * granted, not everything the deployment lists.
 */
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runBacktest } from "../session/backtest.ts";
import { sessionFromYaml, syntheticYaml, tempDir } from "../session/test-session.ts";

const KESTREL = resolve(import.meta.dir, "../../bin/kestrel");
const WANTS = resolve(import.meta.dir, "isolate/fixtures/wants-network.ts");
const dir = tempDir("kestrel-grants-");
afterAll(() => dir.dispose());

const strategy = (capabilities: string) => `  - { name: net, plugin: ${JSON.stringify(WANTS)}, instruments: [EURUSD]${capabilities} }`;

function check(yaml: string): { code: number; out: string; err: string } {
  const file = join(dir.path, "d.yaml");
  writeFileSync(file, yaml);
  const r = Bun.spawnSync([KESTREL, "check", file], { stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

test("kestrel check refuses a strategy whose manifest requests a capability the deployment does not grant", () => {
  const refused = check(syntheticYaml(strategy(""), { seconds: 10 }));
  expect(refused.code).toBe(1);
  const lines = refused.err.trim().split("\n").slice(1).map((l) => l.trim());
  expect(lines).toEqual([expect.stringMatching(/d\.yaml:\d+: strategies\[0\]\.capabilities: strategy "net" \(plugin wants-network\) requests capability "network", which the deployment does not grant \(add it to this strategy's capabilities:\)$/)]);

  const other = check(syntheticYaml(strategy(", capabilities: [files]"), { seconds: 10 }));
  expect(other.code).toBe(1);
  expect(other.err).toContain('requests capability "network"');

  const granted = check(syntheticYaml(strategy(", capabilities: [network]"), { seconds: 10 }));
  expect(granted.err).toBe("");
  expect(granted.code).toBe(0);
  expect(granted.out).toStartWith("ok: ");
}, 60_000);

test("the old key grants: is refused with one line naming the new key capabilities:", () => {
  const old = check(syntheticYaml(strategy(", grants: [network]"), { seconds: 10 }));
  expect(old.code).toBe(1);
  const lines = old.err.trim().split("\n").slice(1).map((l) => l.trim());
  expect(lines).toEqual([expect.stringMatching(/d\.yaml:\d+: strategies\[0\]\.grants: renamed to capabilities \(write capabilities: \[network\]\)$/)]);
}, 60_000);

test("an isolated plugin gets what it requested and was granted, not every grant of the deployment", async () => {
  const lines: Record<string, unknown>[] = [];
  const s = await sessionFromYaml(dir.path, syntheticYaml(strategy(", capabilities: [network, files]"), { seconds: 5 }), {
    log: (line) => {
      const l = JSON.parse(line) as Record<string, unknown>;
      if (l.who === "net") lines.push(l);
    },
  });
  runBacktest(s);
  await s.close();
  expect(lines.map((l) => [l.msg, l.network, l.files])).toEqual([["reach", "ok", "denied"]]);
}, 60_000);
