import { beforeAll, describe, expect, test } from "bun:test";
import { monteCarloVar, simulateLosses, type VarRequest, type VarResult } from "./monte-carlo.ts";
import { book } from "./test-book.ts";
import { prepareVarMc } from "./wasm-module.ts";

beforeAll(() => prepareVarMc(), 120_000);

const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
const Z99 = 2.3263478740408408;

type Options = Partial<VarRequest> & Pick<VarRequest, "exposures" | "cov">;
const request = (r: Options): VarRequest => ({ covHorizonSeconds: 86_400, horizonSeconds: 86_400, confidence: 0.99, paths: 200_000, dist: "normal", seed: 42, ...r });

function run(r: Options): VarResult {
  const out = monteCarloVar(request(r));
  if ("code" in out) throw new Error(`${out.code} ${out.context}`);
  return out;
}

function losses(r: Options): Float64Array {
  const out = simulateLosses(request(r));
  if ("code" in out) throw new Error(`${out.code} ${out.context}`);
  return out;
}

/** Two-sample Kolmogorov–Smirnov statistic sup |F₁ − F₂|. */
function ks(a: Float64Array, b: Float64Array): number {
  const x = a.slice().sort();
  const y = b.slice().sort();
  let i = 0, j = 0, d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/** KS critical value at significance 0.001 for samples of sizes n and m. */
const ksCritical = (n: number, m: number) => 1.949 * Math.sqrt((n + m) / (n * m));

const engines = [
  { engine: "wasm", sampler: "per-instrument" },
  { engine: "wasm", sampler: "exact-linear" },
  { engine: "ts", sampler: "exact-linear" },
] as const;

describe("VaR engines and samplers", () => {
  for (const e of engines) {
    test(`${e.engine}/${e.sampler}: normal VaR, ES and σ match the closed form within sampling error`, () => {
      const { exposures, cov, sigmaP } = book();
      const r = run({ exposures, cov, ...e });
      expect(Math.abs(r.var / (Z99 * sigmaP) - 1)).toBeLessThan(0.02);
      expect(Math.abs(r.es / ((sigmaP * phi(Z99)) / 0.01) - 1)).toBeLessThan(0.025);
      expect(Math.abs(r.std / sigmaP - 1)).toBeLessThan(0.01);
      expect(Math.abs(r.mean / sigmaP)).toBeLessThan(0.01);
    });

    test(`${e.engine}/${e.sampler}: Student-t (5 dof) VaR and ES match the closed form within sampling error`, () => {
      const { exposures, cov, sigmaP } = book();
      const r = run({ exposures, cov, dist: "student-t", dof: 5, ...e });
      const nu = 5;
      const q = 3.3649299989072;
      const s = sigmaP * Math.sqrt((nu - 2) / nu);
      const pdf = (2 / (Math.sqrt(nu * Math.PI) * 1.329340388179137)) * (1 + (q * q) / nu) ** -3;
      expect(Math.abs(r.var / (s * q) - 1)).toBeLessThan(0.03);
      expect(Math.abs(r.es / (((s * pdf) / 0.01) * ((nu + q * q) / (nu - 1))) - 1)).toBeLessThan(0.05);
      expect(Math.abs(r.std / sigmaP - 1)).toBeLessThan(0.03);
    });

    test(`${e.engine}/${e.sampler}: the same seed gives the same result, another seed another one`, () => {
      const { exposures, cov } = book();
      const a = run({ exposures, cov, paths: 20_000, seed: 9, ...e });
      run({ exposures, cov, paths: 50_000, seed: 10, dist: "student-t", dof: 4, ...e });
      expect(run({ exposures, cov, paths: 20_000, seed: 9, ...e })).toEqual(a);
      expect(run({ exposures, cov, paths: 20_000, seed: 10, ...e }).var).not.toBe(a.var);
      expect(losses({ exposures, cov, paths: 5_000, seed: 3, ...e })).toEqual(losses({ exposures, cov, paths: 5_000, seed: 3, ...e }));
    });
  }

  test("wasm: the horizon scales VaR by the square root of time; an odd instrument count is padded with zero exposures", () => {
    const { exposures, cov, sigmaP } = book(5);
    const day = run({ exposures, cov, engine: "wasm" });
    const minute = run({ exposures, cov, engine: "wasm", horizonSeconds: 60 });
    expect(minute.var / day.var).toBeCloseTo(Math.sqrt(60 / 86_400), 6);
    expect(Math.abs(day.var / (Z99 * sigmaP) - 1)).toBeLessThan(0.02);
  });

  test("the wasm engine's P&L has the TypeScript engine's law (two-sample KS, α = 0.001), normal and Student-t", () => {
    const { exposures, cov } = book();
    const n = 50_000;
    for (const dist of ["normal", "student-t"] as const) {
      const ts = losses({ exposures, cov, dist, dof: 5, paths: n, seed: 1 });
      const wasm = losses({ exposures, cov, dist, dof: 5, paths: n, seed: 2, engine: "wasm" });
      expect(ks(ts, wasm)).toBeLessThan(ksCritical(n, n));
    }
  });

  test("the exact-linear sampler's P&L has the per-instrument sampler's law (KS), normal and Student-t, both engines", () => {
    const { exposures, cov } = book();
    const n = 50_000;
    for (const dist of ["normal", "student-t"] as const)
      for (const engine of ["ts", "wasm"] as const) {
        const full = losses({ exposures, cov, dist, dof: 5, paths: n, seed: 3, engine });
        const one = losses({ exposures, cov, dist, dof: 5, paths: n, seed: 4, engine, sampler: "exact-linear" });
        expect(ks(full, one)).toBeLessThan(ksCritical(n, n));
      }
  });

  test("the KS check has power: it rejects a 10% larger book and a Student-t against a normal of the same σ", () => {
    const { exposures, cov } = book();
    const n = 50_000;
    const base = losses({ exposures, cov, paths: n, seed: 5, engine: "wasm" });
    const bigger = losses({ exposures: exposures.map((x) => x * 1.1), cov, paths: n, seed: 6, engine: "wasm" });
    const fat = losses({ exposures, cov, dist: "student-t", dof: 3, paths: n, seed: 7, engine: "wasm", sampler: "exact-linear" });
    expect(ks(base, bigger)).toBeGreaterThan(ksCritical(n, n));
    expect(ks(base, fat)).toBeGreaterThan(ksCritical(n, n));
  });

  test("an unknown engine or sampler, or more paths than the wasm memory holds, is refused as a value", () => {
    const { exposures, cov } = book(3);
    const bad = (r: object) => monteCarloVar({ ...request({ exposures, cov, paths: 1000 }), ...r } as VarRequest);
    expect(bad({ engine: "gpu" })).toEqual({ code: "VAR_REQUEST_INVALID", context: "engine=gpu expected=ts|wasm" });
    expect(bad({ engine: "wasm", paths: 600_000_000 })).toEqual({ code: "VAR_REQUEST_INVALID", context: "paths=600000000 exceeds the wasm engine's memory" });
    expect(bad({ sampler: "antithetic" })).toEqual({ code: "VAR_REQUEST_INVALID", context: "sampler=antithetic expected=per-instrument|exact-linear" });
  });
});
