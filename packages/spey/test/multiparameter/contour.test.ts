import { describe, expect, it } from "vitest";
import { getBackend } from "../../src/model/get-backend.js";
import { chi2Ppf } from "../../src/math/special.js";
import { findContour } from "../../src/inference/contour.js";

describe("findContour (spey's `find_contour`)", () => {
  // A two-parameter Gaussian likelihood: MVN data with mean φ (μ fixed at 1, b = 0), so
  // 2ΔNLL(φ) = (φ − d)ᵀ Σ⁻¹ (φ − d) exactly and the 95% contour is an ellipse.
  const data = [3, -1];
  const cov = [
    [4, 1.2],
    [1.2, 1],
  ];
  const model = getBackend("default.multivariate_normal")({
    signalYields: (phi: Float64Array) => [phi[0] as number, phi[1] as number],
    nSignalParameters: 2,
    backgroundYields: [0, 0],
    data,
    covarianceMatrix: cov,
  });

  it("a two-parameter Gaussian likelihood gives the analytic ellipse", () => {
    const result = findContour(model, { confidenceLevel: 0.95, seed: 1 });
    const level = chi2Ppf(0.95, 2);
    expect(result.dof).toBe(2);
    expect(result.parameterNames).toEqual(["signal_par_0", "signal_par_1"]);
    expect(result.threshold - result.nllMin).toBeCloseTo(level / 2, 12);
    expect(result.thetaMle[0]).toBeCloseTo(3, 8);
    expect(result.points.length).toBeGreaterThanOrEqual(64);
    const det = 4 * 1 - 1.2 * 1.2;
    const inv = [1 / det, -1.2 / det, 4 / det];
    for (const [x, y] of result.points as [number, number][]) {
      const dx = x - 3;
      const dy = y + 1;
      const q = inv[0]! * dx * dx + 2 * inv[1]! * dx * dy + inv[2]! * dy * dy;
      // distance to the ellipse along the radius: |√(q/level) − 1|·r; the root finder's xtol is
      // 1e-12 and the likelihood is evaluated exactly, so points lie within 1e-6 of it.
      const r = Math.hypot(dx, dy);
      expect(Math.abs(Math.sqrt(q / level) - 1) * r).toBeLessThan(1e-6);
    }
    // deterministic: same seed, same points
    expect(findContour(model, { confidenceLevel: 0.95, seed: 1 }).points).toEqual(result.points);
  });

  it("reproduces spey's one-parameter example with spey's threshold NLL_min + χ²₁.ppf(0.95)", () => {
    const oneParameter = getBackend("default.multivariate_normal")({
      signalYields: (phi: Float64Array) => [12 * (1 + (phi[0] as number)), 15 * (1 + (phi[0] as number))],
      nSignalParameters: 1,
      backgroundYields: [50, 48],
      data: [36, 33],
      covarianceMatrix: [
        [144, 19],
        [19, 256],
      ],
    });
    const result = findContour(oneParameter, { threshold: "spey", seed: 1 });
    // NLL_min after spey's covariance symmetrisation (issue #4): a Newton fit of a quadratic.
    expect(result.nllMin).toBeCloseTo(7.097660696255552, 10);
    expect(result.delta).toBeCloseTo(3.841458820694124, 12);
    const roots = result.points.map((p) => p[0] as number).sort((a, b) => a - b);
    // spey's published contour points to its 6 printed decimals.
    expect(roots[0]).toBeCloseTo(-4.208881, 5);
    expect(roots[1]).toBeCloseTo(0.030296, 5);
    // the default threshold halves Δ: a narrower interval
    const narrow = findContour(oneParameter, { seed: 1 })
      .points.map((p) => p[0] as number)
      .sort((a, b) => a - b);
    expect(narrow[0]).toBeGreaterThan(roots[0] as number);
    expect(narrow[1]).toBeLessThan(roots[1] as number);
  });
});
