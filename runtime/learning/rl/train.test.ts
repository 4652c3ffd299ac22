/**
 * `kestrel rl train` end to end at toy size (a 300 s synthetic market, 4 environments, 3 PPO
 * iterations): progress lines carry episode reward, entropy, KL and value loss; the exported ONNX
 * policy agrees with PyTorch and the TypeScript forward pass; the card is in the registry; a run
 * stopped after 2 iterations and resumed ends where an uninterrupted run ends, bit for bit.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { needsTools } from "../../testing/system-tools.ts";
import { syntheticYaml, tempDir } from "../../session/test-session.ts";
import { resolveModel } from "../registry.ts";
import { recordTape, type MarketTape } from "./tape.ts";
import { trainPolicy } from "./train.ts";

const dir = tempDir("kestrel-rl-train-");
let tape: MarketTape;
const config = (version: string, iterations: number, extra = "") => `name: executor-test
env:
  deployment: market.yaml
  instrument: EURUSD
  trainDays: ["2024-01-08"]
  quantity: 300000
  windowSeconds: 30
  steps: 6
learner:
  seed: 3
  envs: 4
  rolloutSteps: 12
  iterations: ${iterations}
  epochs: 2
  minibatch: 16
  hidden: 16
  checkpointEvery: 1
  out: ${join(dir.path, "out")}
  version: ${version}
${extra}`;

beforeAll(async () => {
  writeFileSync(join(dir.path, "market.yaml"), syntheticYaml("", { pairs: "EURUSD", seconds: 300 }).replace("strategies:\n", "strategies: []\n"));
  tape = await recordTape(join(dir.path, "market.yaml"), "EURUSD");
}, 60_000);
afterAll(() => dir.dispose());

describe.if(needsTools("rl train", "torch"))("rl train", () => {
  test("trains, reports progress, exports a matching ONNX policy and registers it; a resumed run equals an uninterrupted one", async () => {
    const a = join(dir.path, "a.yaml");
    writeFileSync(a, config("a", 3));
    const lines: string[] = [];
    const ra = await trainPolicy(a, { tape, progress: (l) => lines.push(l) });
    expect(lines.length).toBe(3);
    for (const l of lines) expect(l).toMatch(/episode reward -?\d+\.\d+ bps \(\d+ episodes\) \| entropy \d+\.\d+ \| KL -?\d+\.\d+ \| value loss \d+\.\d+/);
    expect(ra.iterations).toBe(3);
    expect(ra.parity.onnxVsTorch).toBeLessThan(1e-4);
    expect(ra.parity.tsVsTorch).toBeLessThan(1e-4);
    const card = JSON.parse(readFileSync(ra.card, "utf8"));
    expect(card.env.steps).toBe(6);
    expect(card.featureNames.length + 9).toBe(card.obsDim);
    expect(existsSync(join(dir.path, "out", "a", "rollouts", "rollout-00002", "obs.npy"))).toBe(true);
    expect(resolveModel("executor-test@a", join(dir.path, "out"), join(dir.path, "none")).path).toBe(ra.card);

    const b = join(dir.path, "b.yaml");
    writeFileSync(b, config("b", 2));
    await trainPolicy(b, { tape, progress: () => {} });
    writeFileSync(b, config("b", 3));
    const resumed: string[] = [];
    const rb = await trainPolicy(b, { tape, resume: true, progress: (l) => resumed.push(l) });
    expect(resumed[0]).toContain("resumed executor-test@b at iteration 2");
    expect(rb.history).toEqual(ra.history);
    const cb = JSON.parse(readFileSync(rb.card, "utf8"));
    expect(cb.layers).toEqual(card.layers);
  }, 120_000);

  test("SAC and TD3 are selectable: they train, export a matching policy (tanh actions), and SAC resumes with its replay buffer exactly", async () => {
    const off = (algo: string) => `  algorithm: ${algo}\n  bufferSize: 500\n  updatesPerIteration: 4\n`;
    for (const algo of ["sac", "td3"]) {
      const file = join(dir.path, `${algo}.yaml`);
      writeFileSync(file, config(algo, 2, off(algo)));
      const lines: string[] = [];
      const r = await trainPolicy(file, { tape, progress: (l) => lines.push(l) });
      expect(lines.length).toBe(2);
      for (const l of lines) expect(l).toMatch(/entropy -?\d+\.\d+ \| KL -?\d+\.\d+ \| value loss \d+\.\d+/);
      expect(Math.max(r.parity.onnxVsTorch, r.parity.tsVsTorch)).toBeLessThan(1e-4);
      const card = JSON.parse(readFileSync(r.card, "utf8"));
      expect(card.algorithm).toBe(algo);
      expect(card.layers.at(-1).act).toBe("tanh");
      expect(card.history.at(-1).buffer).toBe(2 * 4 * 12);
      if (algo === "sac") {
        const b = join(dir.path, "sac-b.yaml");
        writeFileSync(b, config("sac-b", 1, off("sac")));
        await trainPolicy(b, { tape, progress: () => {} });
        writeFileSync(b, config("sac-b", 2, off("sac")));
        const rb = await trainPolicy(b, { tape, resume: true, progress: () => {} });
        expect(rb.history).toEqual(r.history);
      }
    }
  }, 180_000);
});
