/**
 * Regressions of issue #12 outside the combiners and the pyhf layout: spey's default Asimov
 * tolerance of `computeTestStatistics`, the warning of `symmetriseMatrix`, the singular-covariance
 * message and the singular/indefinite call at round-off level.
 */
import { describe, expect, it } from "vitest";
import { CorrelatedBackground } from "../../src/backends/simplified/correlated-background.js";
import { ensurePositiveDefinite, symmetriseMatrix } from "../../src/backends/simplified/helpers.js";
import { AsimovTestStatZero, InvalidInput } from "../../src/core/errors.js";
import { captureLogs } from "../../src/core/logger.js";
import { ASIMOV_TESTSTAT_TOLERANCE, computeTestStatistics } from "../../src/inference/test-statistics.js";

describe("computeTestStatistics defaults to spey's Asimov tolerance 1e-3", () => {
  it("raises AsimovTestStatZero for √q_A = 1e-4 without an explicit tolerance", () => {
    expect(ASIMOV_TESTSTAT_TOLERANCE).toBe(1e-3);
    const asimov = (mu: number) => (mu === 1 ? -0.5 * 1e-8 : 0); // √q_A = 1e-4 < 1e-3
    const call = () => computeTestStatistics(1, { muhat: 0, nll: 0 }, () => -2, { muhat: 0, nll: 0 }, asimov, "qtilde");
    expect(call).toThrow(AsimovTestStatZero);
  });
});

describe("symmetriseMatrix", () => {
  it("warns when it changes the input, and not when the input is symmetric", () => {
    const changed = captureLogs(() =>
      symmetriseMatrix([
        [144, 13],
        [25, 256],
      ]),
    );
    expect(changed.result).toEqual([
      [144, 19],
      [19, 256],
    ]);
    expect(changed.records.some((r) => r.level === "warning" && r.message.includes("not symmetric"))).toBe(true);
    const same = captureLogs(() =>
      symmetriseMatrix([
        [4, 1],
        [1, 9],
      ]),
    );
    expect(same.records.filter((r) => r.level === "warning")).toEqual([]);
  });
});

describe("non-positive-definite covariances", () => {
  const S2 = { signalYields: [12, 15], backgroundYields: [50, 48], data: [36, 33] };

  it("a singular covariance (fully correlated bins) suggests mergeCorrelatedBins", () => {
    const build = () =>
      new CorrelatedBackground({
        ...S2,
        covarianceMatrix: [
          [100, 100],
          [100, 100],
        ],
      });
    expect(build).toThrow(InvalidInput);
    expect(build).toThrow(/\(singular\).*mergeCorrelatedBins/);
  });

  it("an eigenvalue of −1e-9 against 200 is round-off: singular, not indefinite", () => {
    // Eigenvalues ≈ 200 and −1e-9: positive semi-definite up to rounding of the inputs.
    const matrix = [
      [100, 100],
      [100, 100 - 2e-9],
    ];
    expect(() => ensurePositiveDefinite(matrix, "covarianceMatrix")).toThrow(
      /covarianceMatrix is not positive definite \(singular\)/,
    );
    // A clearly negative eigenvalue (−1 against 3) stays indefinite.
    expect(() =>
      ensurePositiveDefinite(
        [
          [1, 2],
          [2, 1],
        ],
        "rho",
      ),
    ).toThrow(/\(indefinite\)/);
  });
});
