import { InvalidInput } from "../core/errors.js";
import { logWarning } from "../core/logger.js";
import { cholesky, isSymmetric, symmetricEigenvalues, symmetrise } from "./linalg.js";
import { abs, max, sqrt } from "../core/describe.js";

/**
 * Validate a covariance (or correlation) matrix (spey after PR #67): an asymmetric matrix is
 * replaced by its symmetric part (Σ + Σᵀ)/2 with a warning; it must then be positive definite
 * (a Cholesky factorisation exists). On failure the eigenvalues name the offending direction.
 * Returns the (symmetrised) matrix and its lower Cholesky factor.
 */
export function validateCovariance(
  matrix: Float64Array,
  n: number,
  argument: string,
): { matrix: Float64Array; lower: Float64Array } {
  let m = matrix;
  if (!isSymmetric(m, n, 1e-12)) {
    logWarning(`${argument} is not symmetric; using its symmetric part (Σ + Σᵀ)/2.`);
    m = symmetrise(m, n);
  }
  const lower = cholesky(m, n);
  if (!lower) {
    const eigen = symmetricEigenvalues(m, n);
    const smallest = eigen[0] as number;
    const largest = max(...Array.from(eigen, Math.abs));
    if (isSingularEigenvalue(smallest, largest)) {
      throw new InvalidInput(
        `${argument} is not positive definite (singular): its smallest eigenvalue is ${smallest}, zero to working precision against the largest ${largest}, so some bins are fully (anti)correlated or a variance is zero. Merge fully correlated bins with mergeCorrelatedBins, or drop the degenerate bins.`,
      );
    }
    throw new InvalidInput(
      `${argument} is not positive definite (indefinite): its smallest eigenvalue is ${smallest} (largest ${largest}). Check the matrix (a covariance must be symmetric with positive variances and |correlations| < 1).`,
    );
  }
  return { matrix: m, lower };
}

/**
 * Whether an eigenvalue λ that stopped a Cholesky factorisation is zero to working precision:
 * |λ| ≤ √ε·λ_max (√ε ≈ 1.5e-8). A matrix assembled from rounded inputs (correlations printed to a
 * few digits, sums of squares) carries eigenvalue errors far above ε·λ_max, so a slightly negative
 * λ at that level means a singular matrix, not an indefinite one.
 */
export function isSingularEigenvalue(lambda: number, largest: number): boolean {
  return abs(lambda) <= sqrt(Number.EPSILON) * max(abs(largest), Number.MIN_VALUE);
}
