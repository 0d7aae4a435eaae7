/**
 * The third-moment ("quadratic") expansion of the simplified likelihood v2: Buckley, Citron,
 * Fichet, Kraml, Waltenberger, Wardle, "The Simplified Likelihood Framework", JHEP 04 (2019) 064,
 * arXiv:1809.05548, §2 (spey's `third_moment_expansion`, spey's `default_pdf.third_moment`, arXiv:1809.05548).
 */
import { InvalidInput } from "../../core/errors.js";
import { logWarning } from "../../core/logger.js";
import { validateCovariance } from "../../math/covariance.js";
import { fromFlat } from "../../math/linalg.js";
import { toFiniteVector } from "../inputs.js";
import { type MatrixInput, readSquareMatrix } from "./helpers.js";
import { zeros } from "../../core/arrays.js";
import { abs, max, sqrt, sign } from "../../core/describe.js";

/** spey's regularisation of cᵢ in ρ′ (keeps the division finite when m₃ = 0). */
const CORRELATION_EPSILON = 1e-5;

/** The coefficients of nᵢ(θ) = Aᵢ + Bᵢθᵢ + Cᵢθᵢ² and, when requested, the correlation ρ′ of θ. */
export interface ThirdMomentCoefficients {
  readonly A: Float64Array;
  readonly B: Float64Array;
  readonly C: Float64Array;
  /** ρ′ (only with `returnCorrelationMatrix: true`). */
  readonly correlationMatrix?: number[][];
}

/** Flat-array form used by the backend (Σ already validated and symmetric). */
export interface ThirdMomentFlat {
  readonly A: Float64Array;
  readonly B: Float64Array;
  readonly C: Float64Array;
  /** ρ′, row-major n×n, or null when not requested. */
  readonly rho: Float64Array | null;
  /** Bins that violate 8Σᵢᵢ³ ≥ m₃ᵢ² (their Cᵢ is 0). */
  readonly violations: number[];
}

/**
 * Coefficients from a validated symmetric covariance (no input checks): for each bin, with
 * vᵢ = Σᵢᵢ, arXiv:1809.05548 gives
 *
 *   Cᵢ = −sign(m₃ᵢ)·√(2vᵢ)·cos(4π/3 + ⅓·arctan √(8vᵢ³/m₃ᵢ² − 1)),
 *   Bᵢ = √(vᵢ − 2Cᵢ²),   Aᵢ = m₁ᵢ − Cᵢ,
 *   ρ′ᵢⱼ = (√((BᵢBⱼ)² + 8cᵢcⱼΣᵢⱼ) − BᵢBⱼ) / (4cᵢcⱼ),
 *
 * with cᵢ = Cᵢ ± 1e-5 (spey's regularisation, sign of Cᵢ). Cᵢ is evaluated through the identity
 * cos(4π/3 + ⅓ arctan x) = −sin(⅓ arctan(1/x)), i.e. Cᵢ = sign(m₃ᵢ)·√(2vᵢ)·sin(⅓·atan2(|m₃ᵢ|,
 * √(8vᵢ³ − m₃ᵢ²))), which is the same number without the cancellation near 3π/2 for small m₃; and
 * ρ′ᵢⱼ through the equal form 2Σᵢⱼ / (BᵢBⱼ + √((BᵢBⱼ)² + 8cᵢcⱼΣᵢⱼ)), which does not lose digits
 * when cᵢcⱼ is small (it tends to Σᵢⱼ/(BᵢBⱼ) as m₃ → 0). When the radicand is negative spey takes
 * its absolute value; that branch keeps spey's form. Bins violating 8vᵢ³ ≥ m₃ᵢ² get Cᵢ = 0.
 */
export function thirdMomentCoefficients(
  m1: Float64Array,
  sigma: Float64Array,
  n: number,
  m3: Float64Array,
  withCorrelation: boolean,
): ThirdMomentFlat {
  const A = zeros(n);
  const B = zeros(n);
  const C = zeros(n);
  const violations: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = sigma[i * n + i]!;
    const m = m3[i]!;
    const radicand = 8 * v * v * v - m * m;
    let c = 0;
    if (m !== 0) {
      if (radicand >= 0) {
        c = sign(m) * sqrt(2 * v) * Math.sin(Math.atan2(abs(m), sqrt(radicand)) / 3);
      } else {
        violations.push(i);
      }
    }
    C[i] = c;
    B[i] = sqrt(max(0, v - 2 * c * c));
    A[i] = m1[i]! - c;
  }
  let rho: Float64Array | null = null;
  if (withCorrelation) {
    rho = zeros(n * n);
    const creg = zeros(n);
    for (let i = 0; i < n; i++) creg[i] = C[i]! >= 0 ? C[i]! + CORRELATION_EPSILON : C[i]! - CORRELATION_EPSILON;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const bb = B[i]! * B[j]!;
        const cc = creg[i]! * creg[j]!;
        const s = sigma[i * n + j]!;
        // spey's (√((BᵢBⱼ)² + 8cᵢcⱼΣᵢⱼ) − BᵢBⱼ)/(4cᵢcⱼ) in cancellation-free form: spey's float64
        // evaluation loses up to ~4 digits when a bin has C = 0 (c = ±1e-5) and can even make ρ′
        // indefinite for nearly singular Σ (README, differences from spey).
        const radicand = bb * bb + 8 * cc * s;
        const value = radicand >= 0 ? (2 * s) / (bb + sqrt(radicand)) : (sqrt(-radicand) - bb) / (4 * cc);
        rho[i * n + j] = value;
        rho[j * n + i] = value;
      }
    }
  }
  return { A, B, C, rho, violations };
}

/** The two warnings spey logs when 8Σᵢᵢ³ ≥ m₃ᵢ² fails (spey's `default_pdf.third_moment`, arXiv:1809.05548 step 1), naming the bins. */
export function warnThirdMomentViolations(violations: readonly number[], argument = "thirdMoment"): void {
  if (violations.length === 0) return;
  logWarning(
    `Third moments does not satisfy the following condition: 8Σᵢᵢ³ ≥ (m₃ᵢ)² (${argument} at bins [${violations.join(", ")}]).`,
  );
  logWarning("The values that do not satisfy this condition will be set to zero.");
}

/**
 * Third-moment expansion of a background model (spey's `third_moment_expansion`, spey's `default_pdf.third_moment`, arXiv:1809.05548;
 * arXiv:1809.05548 §2): given the background mean m₁, its covariance Σ and the diagonal third
 * moments m₃, the coefficients A, B, C of nᵢ(θ) = Aᵢ + Bᵢθᵢ + Cᵢθᵢ² with θ ~ N(0, ρ′) reproduce the
 * first three moments, and (with `returnCorrelationMatrix`) ρ′.
 *
 * Σ is validated (square, finite, symmetrised with a warning if asymmetric — ρ′ is then built from
 * the symmetric part, where spey read the lower triangle — and positive definite). Bins violating
 * 8Σᵢᵢ³ ≥ m₃ᵢ² are warned about and get Cᵢ = 0, as in spey.
 *
 * @example
 * thirdMomentExpansion([1, 2], [[4, 1], [1, 9]], [0.5, 0.5], { returnCorrelationMatrix: true })
 * // A ≈ [0.979165, 1.990741], B ≈ [1.999783, 2.999971], C ≈ [0.020835, 0.009259], ρ′₀₁ ≈ 0.166685
 */
export function thirdMomentExpansion(
  expectationValue: ArrayLike<number>,
  covarianceMatrix: MatrixInput,
  thirdMoment: ArrayLike<number>,
  options: { returnCorrelationMatrix?: boolean } = {},
): ThirdMomentCoefficients {
  const m1 = toFiniteVector(expectationValue, "expectationValue", { allowNegative: true });
  const n = m1.length;
  const { data, n: rows } = readSquareMatrix(covarianceMatrix, "covarianceMatrix");
  if (rows !== n) {
    throw new InvalidInput(
      `covarianceMatrix is ${rows}×${rows} but expectationValue has ${n} entries; they must agree.`,
    );
  }
  const m3 = toFiniteVector(thirdMoment, "thirdMoment", {
    allowNegative: true,
    length: n,
    lengthArgument: "expectationValue",
  });
  const sigma = validateCovariance(data, n, "covarianceMatrix").matrix;
  const flat = thirdMomentCoefficients(m1, sigma, n, m3, options.returnCorrelationMatrix === true);
  warnThirdMomentViolations(flat.violations);
  return {
    A: flat.A,
    B: flat.B,
    C: flat.C,
    ...(flat.rho ? { correlationMatrix: fromFlat(flat.rho, n) } : {}),
  };
}
