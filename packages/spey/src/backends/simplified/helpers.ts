/**
 * Matrix and moment helpers of the simplified likelihoods (spey's `spey.helper_functions` and
 * `third_moment.compute_third_moments`, spey's `default_pdf.third_moment`, arXiv:1809.05548, spey after PR #67). Every matrix given by a
 * user is validated: square, finite, symmetrised with a warning when asymmetric, and positive
 * definite (a Cholesky factorisation exists), with an error naming the offending eigenvalue.
 */
import { InvalidInput } from "../../core/errors.js";
import { validateCovariance } from "../../math/covariance.js";
import { logWarning } from "../../core/logger.js";
import { fromFlat, isSymmetric, symmetrise } from "../../math/linalg.js";
import { toFiniteMatrix, toFiniteVector } from "../inputs.js";
import { describeValue, isArrayLike, abs, sqrt } from "../../core/describe.js";
import { zeros } from "../../core/arrays.js";

/** A square matrix as users write it: an array of rows. */
export type MatrixInput = ArrayLike<ArrayLike<number>>;

/** Read a user matrix into a row-major array, checking it is square and finite. */
export function readSquareMatrix(matrix: unknown, argument: string): { data: Float64Array; n: number } {
  if (!isArrayLike(matrix)) {
    throw new InvalidInput(`${argument} must be a square matrix (an array of rows); got ${describeValue(matrix)}.`);
  }
  const n = (matrix as ArrayLike<unknown>).length;
  if (n === 0) throw new InvalidInput(`${argument} must not be empty.`);
  return { data: toFiniteMatrix(matrix, argument, n), n };
}

/**
 * The symmetric part (M + Mᵀ)/2 of a square matrix: the closest symmetric matrix in the Frobenius
 * norm. A Gaussian only sees this part of its quadratic form (spey after PR #67). Warns when the input
 * was not symmetric (the result then differs from it).
 */
export function symmetriseMatrix(matrix: MatrixInput): number[][] {
  const { data, n } = readSquareMatrix(matrix, "matrix");
  if (!isSymmetric(data, n, 0)) {
    logWarning("symmetriseMatrix: the matrix is not symmetric; returning its symmetric part (M + Mᵀ)/2.");
  }
  return fromFlat(symmetrise(data, n), n);
}

/**
 * Validate a covariance or correlation matrix (spey after PR #67) and return the matrix that is used:
 * square and finite, else `InvalidInput`; an asymmetric matrix is replaced by (M + Mᵀ)/2 with a
 * warning; it must then be positive definite, else `InvalidInput` naming the smallest eigenvalue
 * (singular or indefinite). Ill-conditioned positive-definite matrices are accepted.
 */
export function ensurePositiveDefinite(matrix: MatrixInput, argument = "matrix"): number[][] {
  const { data, n } = readSquareMatrix(matrix, argument);
  return fromFlat(validateCovariance(data, n, argument).matrix, n);
}

/**
 * ρ = D⁻¹ Σ D⁻¹ with D = diag(√Σᵢᵢ) (spey's `covariance_to_correlation`, spey's `spey.helper_functions`). Σ is validated
 * first (symmetrised with a warning if needed, positive definite).
 *
 * @example covarianceToCorrelation([[4, 2.4], [2.4, 16]]) // [[1, 0.3], [0.3, 1]]
 */
export function covarianceToCorrelation(covarianceMatrix: MatrixInput): number[][] {
  const { data, n } = readSquareMatrix(covarianceMatrix, "covarianceMatrix");
  const sigma = validateCovariance(data, n, "covarianceMatrix").matrix;
  return fromFlat(correlationFromCovariance(sigma, n).rho, n);
}

/**
 * Σ = diag(σ) ρ diag(σ) (spey's `correlation_to_covariance`, spey's `spey.helper_functions`). ρ is validated first
 * (symmetrised with a warning if needed, positive definite); σ must be finite and ≥ 0 with one
 * entry per row of ρ.
 *
 * @example correlationToCovariance([[1, 0.3], [0.3, 1]], [2, 4]) // [[4, 2.4], [2.4, 16]]
 */
export function correlationToCovariance(
  correlationMatrix: MatrixInput,
  standardDeviations: ArrayLike<number>,
): number[][] {
  const { data, n } = readSquareMatrix(correlationMatrix, "correlationMatrix");
  const rho = validateCovariance(data, n, "correlationMatrix").matrix;
  const sigma = toFiniteVector(standardDeviations, "standardDeviations", {
    length: n,
    lengthArgument: "correlationMatrix",
  });
  const out = zeros(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = sigma[i]! * rho[i * n + j]! * sigma[j]!;
  }
  return fromFlat(out, n);
}

/** σᵢ = √Σᵢᵢ and ρ = D⁻¹ΣD⁻¹ of a validated (symmetric positive-definite) covariance. */
export function correlationFromCovariance(sigma: Float64Array, n: number): { std: Float64Array; rho: Float64Array } {
  const std = zeros(n);
  for (let i = 0; i < n; i++) std[i] = sqrt(sigma[i * n + i]!);
  const rho = zeros(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) rho[i * n + j] = i === j ? 1 : sigma[i * n + j]! / (std[i]! * std[j]!);
  }
  return { std, rho };
}

/** 2√(2/π). */
const TWO_SQRT_TWO_OVER_PI = 2 * sqrt(2 / Math.PI);

/**
 * Third moments of bifurcated Gaussians, one per bin (spey's `compute_third_moments`, spey's `default_pdf.third_moment`, arXiv:1809.05548):
 * the density is u/(u+d)·2N(x|0,u) for x ≥ 0 and d/(u+d)·2N(x|0,d) for x < 0, with u = |upper|,
 * d = |lower|, and its third moment about 0 is, in closed form (spey integrates it numerically),
 * m₃ = 4(u⁴ − d⁴)/((u + d)√(2π)) = 2√(2/π)·(u − d)(u² + d²).
 *
 * @example computeThirdMoments([1, 10], [0.5, 15]) // [0.997355701004, −2593.124822609313]
 */
export function computeThirdMoments(upper: ArrayLike<number>, lower: ArrayLike<number>): Float64Array {
  const up = toFiniteVector(upper, "upper", { allowNegative: true });
  const down = toFiniteVector(lower, "lower", { allowNegative: true, length: up.length, lengthArgument: "upper" });
  const out = zeros(up.length);
  for (let i = 0; i < up.length; i++) {
    const u = abs(up[i]!);
    const d = abs(down[i]!);
    out[i] = TWO_SQRT_TWO_OVER_PI * (u - d) * (u * u + d * d);
  }
  return out;
}
