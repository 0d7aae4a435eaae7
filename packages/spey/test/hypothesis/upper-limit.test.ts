import { describe, expect, it } from "vitest";
import { captureLogs } from "../../src/core/logger.js";
import { computeAsymptoticConfidenceLevel } from "../../src/inference/asymptotic-calculator.js";
import {
  type ClsEvaluation,
  expectedSqrtQmuATarget,
  findUpperLimitsByBracketing,
  solveUpperLimits,
} from "../../src/inference/upper-limit.js";
import { brentq } from "../../src/math/roots.js";
import { normCdf, normPpf } from "../../src/math/special.js";

const CL = 0.95;
const SETTINGS = {
  confidenceLevel: CL,
  relativeTolerance: 1e-6,
  absoluteTolerance: 2e-12,
  maxIterations: 10000,
  asimovTeststatTolerance: 1e-3,
};

/**
 * The asymptotic CLs of a Gaussian measurement of μ with σ and μ̂ (arXiv:1007.1727):
 * √q̃_{μ,A} = g(μ) and √q̃_μ = g(μ) − g(μ̂) for μ ≥ μ̂ ≥ 0, with g = μ/σ unless another g is given.
 */
function gaussianEvaluator(sigma: number, muhat: number, g: (mu: number) => number = (mu) => mu / sigma) {
  const calls: number[] = [];
  const evaluate =
    (observed: boolean) =>
    (mu: number): ClsEvaluation => {
      calls.push(mu);
      const sqrtQmuA = g(mu);
      const sqrtQmu = mu > muhat ? sqrtQmuA - g(muhat) : 0;
      const [obs, exp] = computeAsymptoticConfidenceLevel(sqrtQmuA, sqrtQmu - sqrtQmuA, "qtilde");
      return { oneMinusCls: (observed ? obs : exp).map((p) => 1 - p), sqrtQmuA };
    };
  return { calls, evaluate };
}

describe("expectedSqrtQmuATarget", () => {
  it("is the √q_{μ,A} where the asymptotic expected 1 − CLs of each band equals CL", () => {
    for (const cl of [0.68, 0.9, 0.95, 0.99]) {
      for (let slot = 0; slot < 5; slot++) {
        const t = expectedSqrtQmuATarget(slot, cl);
        const [, expected] = computeAsymptoticConfidenceLevel(t, 0, "qtilde");
        // Closed-form inverse of Φ(−t − n)/Φ(−n): exact up to the rounding of Φ and Φ⁻¹.
        expect(Math.abs(1 - (expected[slot] as number) - cl)).toBeLessThan(1e-13);
      }
    }
    // The median 95% target: Φ(−t)/½ = 0.05 ⇒ t = Φ⁻¹(0.975) = 1.959963984540054.
    expect(Math.abs(expectedSqrtQmuATarget(2, 0.95) - 1.959963984540054)).toBeLessThan(1e-12);
  });
});

describe("solveUpperLimits", () => {
  it("finds the closed-form asymptotic limits of a Gaussian measurement at every scale", () => {
    for (const sigma of [1e-6, 0.03, 1, 250]) {
      for (const muhatOverSigma of [0, 0.7, 2]) {
        const muhat = muhatOverSigma * sigma;
        const { evaluate } = gaussianEvaluator(sigma, muhat);
        const band = solveUpperLimits({
          ...SETTINGS,
          evaluate: evaluate(false),
          observed: false,
          expectedPvalue: "2sigma",
          validateLimit: true,
          onSqrtQmuA: true,
        });
        // g = μ/σ is linear: the limit of band k is t_k·σ; tolerance rtol = 1e-6 of the search.
        band.forEach((ul, k) => {
          expect(Math.abs(ul / (expectedSqrtQmuATarget(k, CL) * sigma) - 1)).toBeLessThan(1e-6);
        });
        const [observed] = solveUpperLimits({
          ...SETTINGS,
          evaluate: evaluate(true),
          observed: true,
          expectedPvalue: "nominal",
          validateLimit: true,
          onSqrtQmuA: false,
        });
        // Φ(−(μ − μ̂)/σ) = (1 − CL)·Φ(μ̂/σ) (CLs = p_{s+b}/p_b with √q = (μ − μ̂)/σ, √q_A = μ/σ).
        const exact = muhat + sigma * normPpf(1 - (1 - CL) * normCdf(muhat / sigma));
        expect(Math.abs((observed as number) / exact - 1)).toBeLessThan(1e-6);
      }
    }
  });

  it("agrees with bracketing + TOMS748 on a curved √q_{μ,A}, with fewer evaluations", () => {
    const sigma = 0.4;
    const curved = (mu: number) => Math.sqrt(mu * mu + 0.8 * mu ** 3) / sigma;
    for (const [observed, expectedPvalue] of [
      [true, "nominal"],
      [false, "2sigma"],
    ] as const) {
      const fresh = gaussianEvaluator(sigma, 0.1, curved);
      const old = gaussianEvaluator(sigma, 0.1, curved);
      const common = { ...SETTINGS, observed, expectedPvalue, validateLimit: true };
      const limits = solveUpperLimits({ ...common, evaluate: fresh.evaluate(observed), onSqrtQmuA: !observed });
      const reference = findUpperLimitsByBracketing({
        ...common,
        evaluate: old.evaluate(observed),
        lowInit: 1,
        higInit: 1,
      });
      limits.forEach((ul, j) => {
        // Both solve 1 − CLs = CL to rtol 1e-6: they agree to twice that.
        expect(Math.abs(ul / (reference[j] as number) - 1)).toBeLessThan(2e-6);
      });
      // The evaluations are the point: each one costs two profile fits in a real model.
      expect(new Set(fresh.calls).size).toBeLessThan(0.6 * new Set(old.calls).size);
    }
  });

  it("starts from the caller's prediction and solves an exactly predicted band in a few evaluations", () => {
    const sigma = 1.3;
    const { calls, evaluate } = gaussianEvaluator(sigma, 0);
    const band = solveUpperLimits({
      ...SETTINGS,
      evaluate: evaluate(false),
      observed: false,
      expectedPvalue: "2sigma",
      validateLimit: false,
      onSqrtQmuA: true,
      predict: (slot) => expectedSqrtQmuATarget(slot, CL) * sigma * 1.02,
      sigma,
    });
    expect(calls[0]).toBeCloseTo(expectedSqrtQmuATarget(2, CL) * sigma * 1.02, 12);
    band.forEach((ul, k) => expect(Math.abs(ul / (expectedSqrtQmuATarget(k, CL) * sigma) - 1)).toBeLessThan(1e-6));
    // Five roots of a linear function: at most three evaluations each (prediction, bracket, check).
    expect(calls.length).toBeLessThanOrEqual(15);
  });

  it("returns +Infinity with a warning when nothing is excluded below 1e5", () => {
    const { evaluate } = gaussianEvaluator(1, 0, () => 1e-9);
    const { result, records } = captureLogs(() =>
      solveUpperLimits({
        ...SETTINGS,
        evaluate: evaluate(true),
        observed: true,
        expectedPvalue: "nominal",
        validateLimit: true,
        onSqrtQmuA: false,
      }),
    );
    expect(result).toEqual([Number.POSITIVE_INFINITY]);
    expect(records.some((r) => r.message.includes("Can not find the roots"))).toBe(true);
    expect(records.some((r) => r.message.includes("low number of signal yields"))).toBe(true);
  });

  it("rejects a root where the exclusion does not persist (non-monotonic CLs)", () => {
    // √q_{μ,A} rises to 3 at μ = 2, then falls back towards 0.5: the 95% crossing near μ = 1.3
    // is not an upper limit.
    const bump = (mu: number) => 3 * Math.exp(-((mu - 2) ** 2)) * Math.min(1, mu / 2) + 0.5 * (mu > 2 ? 1 : mu / 2);
    const { evaluate } = gaussianEvaluator(1, 0, bump);
    const { result, records } = captureLogs(() =>
      solveUpperLimits({
        ...SETTINGS,
        evaluate: evaluate(false),
        observed: false,
        expectedPvalue: "nominal",
        validateLimit: true,
        onSqrtQmuA: true,
      }),
    );
    expect(result).toEqual([Number.POSITIVE_INFINITY]);
    expect(records.some((r) => r.message.includes("does not persist"))).toBe(true);
    // Without validation the crossing itself is returned: √q_{μ,A}(root) = t_median.
    const [root] = solveUpperLimits({
      ...SETTINGS,
      evaluate: evaluate(false),
      observed: false,
      expectedPvalue: "nominal",
      validateLimit: false,
      onSqrtQmuA: true,
    });
    const exact = brentq((mu) => bump(mu) - expectedSqrtQmuATarget(2, CL), 0.5, 2).root;
    expect(Math.abs((root as number) / exact - 1)).toBeLessThan(2e-6);
  });

  it("evaluates the caller's seeds first", () => {
    const { calls, evaluate } = gaussianEvaluator(0.5, 0.2);
    solveUpperLimits({
      ...SETTINGS,
      evaluate: evaluate(true),
      observed: true,
      expectedPvalue: "nominal",
      validateLimit: false,
      onSqrtQmuA: false,
      seeds: [0.3, 7],
    });
    expect(calls.slice(0, 2)).toEqual([0.3, 7]);
  });
});

describe("solveUpperLimits with slopes (Newton steps)", () => {
  const sigma = 0.4;
  const muhat = 0.1;
  const curved = (mu: number) => Math.sqrt(mu * mu + 0.8 * mu ** 3) / sigma;
  /**
   * The curved Gaussian evaluator of the tests above, reporting d√q_{μ,A}/dμ and d(1 − CLs)/dμ
   * scaled by `wrong` (1: the true slopes). The slopes are central differences of the closed
   * forms with h = 1e-6·μ (relative error ~1e-10, far below what the search needs).
   */
  function withSlopes(observed: boolean, wrong = 1) {
    const { calls, evaluate } = gaussianEvaluator(sigma, muhat, curved);
    const plain = evaluate(observed);
    const value = (mu: number) => {
      const e = plain(mu);
      calls.pop(); // only the search's own evaluations count
      return e;
    };
    const slopeOf = (f: (mu: number) => number, mu: number) => {
      const h = 1e-6 * mu;
      return (wrong * (f(mu + h) - f(mu - h))) / (2 * h);
    };
    return {
      calls,
      evaluate: (mu: number): ClsEvaluation => {
        const e = plain(mu);
        return {
          ...e,
          sqrtQmuASlope: slopeOf((m) => value(m).sqrtQmuA, mu),
          oneMinusClsSlope: e.oneMinusCls.map((_, slot) => slopeOf((m) => value(m).oneMinusCls[slot] as number, mu)),
        };
      },
    };
  }
  const cases = [
    [true, "nominal"],
    [false, "2sigma"],
  ] as const;
  const reference = (observed: boolean, expectedPvalue: "nominal" | "2sigma") =>
    findUpperLimitsByBracketing({
      ...SETTINGS,
      observed,
      expectedPvalue,
      validateLimit: true,
      evaluate: gaussianEvaluator(sigma, muhat, curved).evaluate(observed),
      lowInit: 1,
      higInit: 1,
    });

  it("finds the limits of the search without slopes in fewer evaluations", () => {
    for (const [observed, expectedPvalue] of cases) {
      const common = { ...SETTINGS, observed, expectedPvalue, validateLimit: true, onSqrtQmuA: !observed };
      const sloped = withSlopes(observed);
      const limits = solveUpperLimits({ ...common, evaluate: sloped.evaluate });
      const without = gaussianEvaluator(sigma, muhat, curved);
      const plain = solveUpperLimits({ ...common, evaluate: without.evaluate(observed) });
      const exact = reference(observed, expectedPvalue);
      limits.forEach((ul, j) => {
        // Both searches and the reference solve 1 − CLs = CL to rtol 1e-6: agreement to twice that.
        expect(Math.abs(ul / (exact[j] as number) - 1)).toBeLessThan(2e-6);
        expect(Math.abs(ul / (plain[j] as number) - 1)).toBeLessThan(2e-6);
      });
      expect(new Set(sloped.calls).size).toBeLessThan(new Set(without.calls).size);
    }
  });

  it("a slope off by up to a factor 2 still ends within the tolerance; a wrong sign or a far-off slope is not used", () => {
    for (const [observed, expectedPvalue] of cases) {
      const exact = reference(observed, expectedPvalue);
      for (const wrong of [1.9, 0.55, -1, 10, 0.01, Number.NaN]) {
        const limits = solveUpperLimits({
          ...SETTINGS,
          observed,
          expectedPvalue,
          validateLimit: true,
          onSqrtQmuA: !observed,
          evaluate: withSlopes(observed, wrong).evaluate,
        });
        limits.forEach((ul, j) => {
          // The Newton end test accepts a step below half the tolerance: a slope off by a factor
          // ≤ 2 moves the root by at most that half, so the limit stays within rtol 2e-6.
          expect(Math.abs(ul / (exact[j] as number) - 1)).toBeLessThan(2e-6);
        });
      }
    }
  });
});
