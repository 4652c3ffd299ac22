/**
 * Model configs: a model may use fewer context rows than its dataset was sampled with (the sweep's
 * points share one dataset), never more; the shipped sweep configs load and name one dataset.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadModelConfig, ModelConfigError } from "./config.ts";

const SWEEP = fileURLToPath(new URL("../../models/configs/sweep", import.meta.url));

describe("model config rows", () => {
  test("a model shorter than its dataset's context loads; a longer one is refused naming both", () => {
    const dir = mkdtempSync(join(tmpdir(), "kestrel-model-config-"));
    try {
      const text = readFileSync(join(SWEEP, "r64-d24-l1.yaml"), "utf8").replace("../../../configs/dataset-fx.yaml", "deployment.yaml");
      writeFileSync(join(dir, "short.yaml"), text);
      const ok = loadModelConfig(join(dir, "short.yaml"));
      expect([ok.config.model.rows, ok.config.dataset.rows]).toEqual([64, 512]);
      writeFileSync(join(dir, "long.yaml"), text.replace("rows: 512", "rows: 32"));
      let err: unknown;
      try {
        loadModelConfig(join(dir, "long.yaml"));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ModelConfigError);
      expect((err as Error).message).toContain("model.rows=64 exceeds dataset.rows=32");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("every sweep point reads the same dataset and differs only in the model", () => {
    const files = readdirSync(SWEEP).filter((f) => f.endsWith(".yaml"));
    expect(files.length).toBeGreaterThanOrEqual(4);
    const loaded = files.map((f) => loadModelConfig(join(SWEEP, f)).config);
    for (const c of loaded) {
      expect(c.dataset).toEqual(loaded[0]!.dataset);
      expect(c.train).toEqual({ ...loaded[0]!.train, version: c.train.version });
      expect(c.model.rows).toBeLessThanOrEqual(c.dataset.rows);
    }
    expect(new Set(loaded.map((c) => c.model.rows))).toEqual(new Set([64, 128, 256, 512]));
  });
});
