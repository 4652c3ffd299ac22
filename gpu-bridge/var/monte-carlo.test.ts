import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { cholesky } from "./cholesky.ts";
import { monteCarloVar, selectLargest, type VarRequest, type VarResult } from "./monte-carlo.ts";
import { book } from "./test-book.ts";

const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

function run(r: Partial<VarRequest> & Pick<VarRequest, "exposures" | "cov">): VarResult {
  const out = monteCarloVar({ covHorizonSeconds: 86_400, horizonSeconds: 86_400, confidence: 0.99, paths: 200_000, dist: "normal", seed: 42, ...r });
  if ("code" in out) throw new Error(`${out.code} ${out.context}`);
  return out;
}

describe("in-process Monte Carlo VaR", () => {
  test("normal VaR and ES match the closed form within sampling error", () => {
    const { exposures, cov, sigmaP } = book();
    const r = run({ exposures, cov });
    const z = 2.3263478740408408;
    expect(r.var / (z * sigmaP)).toBeCloseTo(1, 1);
    expect(Math.abs(r.var / (z * sigmaP) - 1)).toBeLessThan(0.02);
    expect(Math.abs(r.es / ((sigmaP * phi(z)) / 0.01) - 1)).toBeLessThan(0.025);
    expect(Math.abs(r.std / sigmaP - 1)).toBeLessThan(0.01);
  });

  test("Student-t VaR and ES (5 dof, unit covariance scaling) match the closed form within sampling error", () => {
    const { exposures, cov, sigmaP } = book();
    const r = run({ exposures, cov, dist: "student-t", dof: 5 });
    const nu = 5;
    const q = 3.3649299989072; // t_5 quantile at 0.99
    const s = sigmaP * Math.sqrt((nu - 2) / nu);
    const c = 2 / (Math.sqrt(nu * Math.PI) * 1.329340388179137); // Γ(3) / (√(5π) Γ(2.5))
    const pdf = c * (1 + (q * q) / nu) ** -3;
    expect(Math.abs(r.var / (s * q) - 1)).toBeLessThan(0.03);
    expect(Math.abs(r.es / (((s * pdf) / 0.01) * ((nu + q * q) / (nu - 1))) - 1)).toBeLessThan(0.05);
    expect(Math.abs(r.std / sigmaP - 1)).toBeLessThan(0.03);
  });

  test("the horizon scales VaR by the square root of time", () => {
    const { exposures, cov } = book(6);
    const day = run({ exposures, cov });
    const minute = run({ exposures, cov, horizonSeconds: 60 });
    expect(minute.var / day.var).toBeCloseTo(Math.sqrt(60 / 86_400), 6);
  });

  test("bad requests and covariances that are not positive definite are refused as values", () => {
    const { exposures, cov } = book(3);
    expect(monteCarloVar({ exposures, cov, covHorizonSeconds: 1, horizonSeconds: 0, confidence: 0.99, paths: 1000, dist: "normal" })).toMatchObject({ code: "VAR_REQUEST_INVALID" });
    expect(monteCarloVar({ exposures, cov, covHorizonSeconds: 1, horizonSeconds: 1, confidence: 0.99, paths: 1000, dist: "student-t", dof: 2 })).toMatchObject({ code: "VAR_REQUEST_INVALID" });
    const notPd = Float64Array.from([1, 2, 0, 2, 1, 0, 0, 0, 1]);
    expect(monteCarloVar({ exposures, cov: notPd, covHorizonSeconds: 1, horizonSeconds: 1, confidence: 0.99, paths: 1000, dist: "normal" })).toMatchObject({ code: "VAR_COVARIANCE_INVALID" });
  });

  test("the Cholesky factor reproduces the covariance", () => {
    const { cov } = book(10);
    const L = cholesky(cov, 10) as Float64Array;
    for (let i = 0; i < 10; i++)
      for (let j = 0; j < 10; j++) {
        let s = 0;
        for (let k = 0; k < 10; k++) s += L[i * 10 + k]! * L[j * 10 + k]!;
        expect(s).toBeCloseTo(cov[i * 10 + j]!, 15);
      }
  });

  test("selection puts exactly the k largest values first", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 300 }), fc.nat(), (xs, kk) => {
        const k = 1 + (kk % xs.length);
        const a = Float64Array.from(xs);
        selectLargest(a, k);
        // -0 and 0 are equal values (either may be among the k largest): compare them as one (x + 0 is +0 for both).
        const want = [...xs].sort((x, y) => y - x).slice(0, k).sort((x, y) => x - y).map((x) => x + 0);
        expect([...a.subarray(0, k)].sort((x, y) => x - y).map((x) => x + 0)).toEqual(want);
      }),
    );
  });
});
