import { describe, expect, it } from "vitest";
import {
  computeThirdMoments,
  correlationToCovariance,
  covarianceToCorrelation,
  ensurePositiveDefinite,
  symmetriseMatrix,
  thirdMomentExpansion,
} from "../../../src/backends/simplified/index.js";
import { InvalidInput } from "../../../src/core/errors.js";
import { captureLogs } from "../../../src/core/logger.js";

function close(actual: number, expected: number, rtol: number, atol = 0): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(atol + rtol * Math.abs(expected));
}

describe("computeThirdMoments (closed form of spey's numerical integral, spey's `default_pdf.third_moment`, arXiv:1809.05548)", () => {
  it("reproduces spey's examples", () => {
    // spey's `default_pdf.third_moment`, arXiv:1809.05548 prints 12–15 significant digits of scipy quad: 1e-12 relative
    const m3 = computeThirdMoments([1, 2, 10, 13, 3], [0.5, 1.5, 15, 18, 3]);
    close(m3[0]!, 0.997355701004, 1e-12);
    close(m3[1]!, 4.986778505018, 1e-12);
    close(m3[2]!, -2593.124822609313, 1e-12);
    close(m3[3]!, -3933.57088475813, 1e-12);
    expect(m3[4]).toBe(0);
  });

  it("uses absolute values of the envelopes (spey's |upper|, |lower|) and checks lengths", () => {
    expect([...computeThirdMoments([-1], [-0.5])]).toEqual([...computeThirdMoments([1], [0.5])]);
    expect(() => computeThirdMoments([1, 2], [1])).toThrow(/lower/);
    expect(() => computeThirdMoments([1, Number.NaN], [1, 1])).toThrow(/upper\[1\]/);
  });
});

describe("covariance helpers (spey's `spey.helper_functions`, spey after PR #67)", () => {
  it("converts between correlation and covariance (spey's examples)", () => {
    const cov = correlationToCovariance(
      [
        [1, 0.3],
        [0.3, 1],
      ],
      [2, 4],
    );
    cov.flat().forEach((v, k) => close(v, [4, 2.4, 2.4, 16][k]!, 1e-15));
    covarianceToCorrelation(cov)
      .flat()
      .forEach((v, k) => close(v, [1, 0.3, 0.3, 1][k]!, 1e-15));
  });

  it("symmetrises asymmetric input with a warning and validates positive definiteness", () => {
    expect(
      symmetriseMatrix([
        [144, 13],
        [25, 256],
      ]),
    ).toEqual([
      [144, 19],
      [19, 256],
    ]);
    const { result, records } = captureLogs(() =>
      covarianceToCorrelation([
        [144, 13],
        [25, 256],
      ]),
    );
    expect(records.some((r) => r.level === "warning" && r.message.includes("covarianceMatrix is not symmetric"))).toBe(
      true,
    );
    close(result[0]![1]!, 19 / 192, 1e-15);
    expect(
      ensurePositiveDefinite([
        [4, 1],
        [1, 9],
      ]),
    ).toEqual([
      [4, 1],
      [1, 9],
    ]);
    expect(() =>
      ensurePositiveDefinite(
        [
          [1, 2],
          [2, 1],
        ],
        "rho",
      ),
    ).toThrow(/rho is not positive definite \(indefinite\): its smallest eigenvalue is -1/);
    expect(() =>
      correlationToCovariance(
        [
          [1, 1],
          [1, 1],
        ],
        [1, 2],
      ),
    ).toThrow(/singular/);
    expect(() => covarianceToCorrelation([[1, 0], [0]])).toThrow(InvalidInput);
    expect(() =>
      correlationToCovariance(
        [
          [1, 0],
          [0, 1],
        ],
        [1],
      ),
    ).toThrow(/standardDeviations/);
  });
});

describe("thirdMomentExpansion (arXiv:1809.05548, spey's `default_pdf.third_moment`, arXiv:1809.05548)", () => {
  it("reproduces spey's second reference (symmetric Σ, unchanged by the fixes)", () => {
    const r = thirdMomentExpansion(
      [1, 2],
      [
        [4, 1],
        [1, 9],
      ],
      [0.5, 0.5],
      { returnCorrelationMatrix: true },
    );
    // spey's `default_pdf.third_moment`, arXiv:1809.05548 prints 12 decimals; mpmath (50 digits) agrees with them to the last one
    [0.979165159299, 1.990740681937].forEach((v, i) => close(r.A[i]!, v, 0, 1e-12));
    [1.999782942928, 2.99997142154].forEach((v, i) => close(r.B[i]!, v, 0, 1e-12));
    [0.020834840701, 0.009259318063].forEach((v, i) => close(r.C[i]!, v, 0, 1e-12));
    const rho = r.correlationMatrix!;
    close(rho[0]![1]!, 0.166684554953, 0, 1e-12);
    expect(rho[1]![0]).toBe(rho[0]![1]);
    close(rho[0]![0]!, 0.999999791647, 0, 1e-12);
    // mpmath: 0.999999958826041 (spey's float64 evaluation printed …958828, a 2e-12 cancellation error)
    close(rho[1]![1]!, 0.999999958826041, 0, 1e-14);
  });

  it("builds ρ′ from the symmetrised covariance (README, Differences from spey fixed)", () => {
    const { result: r, records } = captureLogs(() =>
      thirdMomentExpansion(
        [50, 48],
        [
          [144, 13],
          [25, 256],
        ],
        [0.5, 0.8],
        { returnCorrelationMatrix: true },
      ),
    );
    expect(records.some((x) => x.level === "warning" && x.message.includes("not symmetric"))).toBe(true);
    // A, B, C only see the diagonal: spey's first reference (spey's `default_pdf.third_moment`, arXiv:1809.05548), 12 decimals
    [49.999421296295, 47.999479166666].forEach((v, i) => close(r.A[i]!, v, 0, 1e-12));
    [11.999999972092, 15.999999983046].forEach((v, i) => close(r.B[i]!, v, 0, 1e-12));
    [0.000578703705, 0.000520833334].forEach((v, i) => close(r.C[i]!, v, 0, 1e-12));
    // ρ′ from Σ₀₁ = 19 (symmetric part) instead of spey's lower-triangle 25; values in 50-digit
    // mpmath of spey's `default_pdf.third_moment`, arXiv:1809.05548's formula. spey's float64 evaluation of the diagonal loses ~2e-9 to
    // cancellation (it printed 0.999999997816 where the formula gives 0.99999999983786).
    const rho = r.correlationMatrix!;
    close(rho[0]![1]!, 0.098958333636461, 1e-13);
    close(rho[0]![0]!, 0.99999999983786, 0, 1e-15);
    close(rho[1]![1]!, 0.9999999999178385, 0, 1e-15);
  });

  it("returns A = m₁, B = √Σᵢᵢ, C = 0 for m₃ = 0 (spey's test, atol 1e-12)", () => {
    const r = thirdMomentExpansion(
      [10, 20],
      [
        [4, 0],
        [0, 9],
      ],
      [0, 0],
    );
    expect([...r.A]).toEqual([10, 20]);
    [2, 3].forEach((v, i) => close(r.B[i]!, v, 0, 1e-12));
    expect([...r.C]).toEqual([0, 0]);
    expect(r.correlationMatrix).toBeUndefined();
  });

  it("sets C = 0 with spey's two warnings when 8Σᵢᵢ³ < m₃²", () => {
    const { result, records } = captureLogs(() =>
      thirdMomentExpansion(
        [1, 2],
        [
          [1, 0],
          [0, 1],
        ],
        [3, 0.1],
      ),
    );
    const warnings = records.filter((r) => r.level === "warning").map((r) => r.message);
    expect(
      warnings.some((m) => m.startsWith("Third moments does not satisfy the following condition") && m.includes("[0]")),
    ).toBe(true);
    expect(warnings).toContain("The values that do not satisfy this condition will be set to zero.");
    expect(result.C[0]).toBe(0);
    expect(result.C[1]).toBeGreaterThan(0);
  });

  it("is accurate for tiny skews (no cancellation near 3π/2): C → m₃/(6Σᵢᵢ)", () => {
    const r = thirdMomentExpansion([5], [[4]], [1e-9]);
    // series of the exact formula: C = m₃/(6v)·(1 + O(m₃²/v³))
    close(r.C[0]!, 1e-9 / 24, 1e-12);
  });

  it("validates its inputs", () => {
    expect(() => thirdMomentExpansion([1, 2], [[1]], [0, 0])).toThrow(/covarianceMatrix/);
    expect(() =>
      thirdMomentExpansion(
        [1, 2],
        [
          [1, 0],
          [0, 1],
        ],
        [0],
      ),
    ).toThrow(/thirdMoment/);
    expect(() =>
      thirdMomentExpansion(
        [1, 2],
        [
          [1, 0],
          [0, -1],
        ],
        [0, 0],
      ),
    ).toThrow(/not positive definite/);
  });
});
