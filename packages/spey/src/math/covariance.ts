import { InvalidInput } from "../core/errors.js";
import { log } from "../core/logger.js";
import { cholesky, isSymmetric, symmetricEigenvalues, symmetrise } from "./linalg.js";

/**
 * Validate a covariance (or correlation) matrix (spec addendum §2): an asymmetric matrix is
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
    log.warning(`${argument} is not symmetric; using its symmetric part (Σ + Σᵀ)/2.`);
    m = symmetrise(m, n);
  }
  const lower = cholesky(m, n);
  if (!lower) {
    const eigen = symmetricEigenvalues(m, n);
    const smallest = eigen[0] as number;
    const kind =
      Math.abs(smallest) <= 1e-12 * Math.max(1, Math.abs(eigen[n - 1] as number)) ? "singular" : "indefinite";
    throw new InvalidInput(
      `${argument} is not positive definite (${kind}): its smallest eigenvalue is ${smallest}. Check the matrix (a covariance must be symmetric with positive variances and |correlations| < 1).`,
    );
  }
  return { matrix: m, lower };
}
