/**
 * Dense linear algebra on row-major `Float64Array`s: an n×n matrix A is stored with A[i][j] at
 * index `i * n + j`. Small, allocation-conscious routines for covariance matrices and Hessians of
 * a few hundred parameters at most: Cholesky factorisation and solves, LU with partial pivoting,
 * and Jacobi eigenvalues for diagnostics.
 */
import { InvalidInput } from "../core/errors.js";
import { isArrayLike, isFiniteNumber, abs, max, min, sqrt, isNaNNumber, ln, sign } from "../core/describe.js";
import { choleskyBlocked } from "./cholesky-blocked.js";
import { zeros, copyOf } from "../core/arrays.js";

/** A square matrix flattened row-major, with its order. */
export interface FlatMatrix {
  /** Entries, A[i][j] at `i * n + j`. */
  data: Float64Array;
  /** Order of the matrix. */
  n: number;
}

/**
 * Cholesky factor of a symmetric positive-definite matrix: lower-triangular L with A = L·Lᵀ
 * (Cholesky–Banachiewicz row-by-row order; Golub & Van Loan, "Matrix Computations", 4th ed.,
 * Algorithm 4.2.1). Only the lower triangle of `a` is read. Returns a new array whose strict upper
 * triangle is zero, or `null` if a pivot is not strictly positive and finite (A not positive
 * definite, or contains NaN/∞).
 */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  // The blocked loop computes every entry with the same operations in the same order (bitwise the
  // same factor), with far less memory traffic for large n.
  return choleskyBlocked(a, n);
}

/**
 * Solves L·y = b for lower-triangular L by forward substitution (Golub & Van Loan Algorithm 3.1.1).
 * `out` may be `b` itself (in-place); otherwise a new array is returned.
 */
export function forwardSubstitute(l: Float64Array, n: number, b: ArrayLike<number>, out?: Float64Array): Float64Array {
  const y = out ?? zeros(n);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[row + k]! * y[k]!;
    y[i] = sum / l[row + i]!;
  }
  return y;
}

/**
 * Solves Lᵀ·x = y for lower-triangular L (i.e. an upper-triangular system given by its transpose)
 * by back substitution (Golub & Van Loan Algorithm 3.1.2). `out` may be `y` itself.
 */
export function backSubstitute(l: Float64Array, n: number, y: ArrayLike<number>, out?: Float64Array): Float64Array {
  const x = out ?? zeros(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  return x;
}

/**
 * Solves A·x = b given the Cholesky factor L of A (A = L·Lᵀ): forward then back substitution.
 * `out` may be `b` itself.
 */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>, out?: Float64Array): Float64Array {
  const x = forwardSubstitute(l, n, b, out);
  return backSubstitute(l, n, x, x);
}

/** The rows and columns `index` of the n×n matrix `a`, times `sign` (±1): a new m×m matrix, m = index.length. */
export function subMatrix(a: ArrayLike<number>, n: number, index: ArrayLike<number>, sign = 1): Float64Array {
  const m = index.length;
  const out = zeros(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[i * m + j] = sign * a[index[i]! * n + index[j]!]!;
  return out;
}

/** log det A = 2·Σ log Lᵢᵢ from the Cholesky factor L of A. */
export function choleskyLogDet(l: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += ln(l[i * n + i]!);
  return 2 * sum;
}

/**
 * A⁻¹ = L⁻ᵀ·L⁻¹ from the Cholesky factor L of A (LAPACK `dpotri` approach: invert the triangular
 * factor, then form the product). The result is exactly symmetric.
 */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  // M = L⁻¹, lower triangular, column by column: L·m_j = e_j.
  const m = zeros(n * n);
  for (let j = 0; j < n; j++) {
    m[j * n + j] = 1 / l[j * n + j]!;
    for (let i = j + 1; i < n; i++) {
      let sum = 0;
      for (let k = j; k < i; k++) sum -= l[i * n + k]! * m[k * n + j]!;
      m[i * n + j] = sum / l[i * n + i]!;
    }
  }
  // (A⁻¹)ᵢⱼ = Σ_{k ≥ max(i,j)} M_ki·M_kj.
  const inv = zeros(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let k = i; k < n; k++) sum += m[k * n + i]! * m[k * n + j]!;
      inv[i * n + j] = sum;
      inv[j * n + i] = sum;
    }
  }
  return inv;
}

/** Sweep cap of {@link symmetricEigenvalues}; cyclic Jacobi converges quadratically, ~6–10 sweeps. */
const JACOBI_MAX_SWEEPS = 100;

/**
 * Eigenvalues of a symmetric matrix, ascending, by the cyclic Jacobi method with Rutishauser's
 * stable rotation formulas (Golub & Van Loan §8.5.3; Rutishauser, "The Jacobi method for real
 * symmetric matrices", Numer. Math. 9 (1966) 1–10). Reads the upper triangle. Stops when the
 * off-diagonal mass is negligible against the diagonal (to ~eps relative) or after 100 sweeps.
 * Intended for diagnostics (naming the negative eigenvalue of a non-positive-definite covariance),
 * not for hot paths: O(n³) per sweep.
 */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const w = zeros(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = a[i * n + j]!;
      w[i * n + j] = v;
      w[j * n + i] = v;
    }
  }
  for (let sweep = 0; sweep < JACOBI_MAX_SWEEPS; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += w[i * n + i]! ** 2;
      for (let j = i + 1; j < n; j++) off += w[i * n + j]! ** 2;
    }
    if (!(off > Number.EPSILON * Number.EPSILON * 1e-2 * diag) || !isFiniteNumber(off)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = w[p * n + q]!;
        if (apq === 0) continue;
        const app = w[p * n + p]!;
        const aqq = w[q * n + q]!;
        // tan of the rotation angle, smaller root of t² + 2θt − 1 = 0 with θ = (a_qq − a_pp)/(2a_pq).
        const theta = (aqq - app) / (2 * apq);
        const t = sign(theta || 1) / (abs(theta) + Math.hypot(theta, 1));
        const c = 1 / sqrt(t * t + 1);
        const s = t * c;
        const tau = s / (1 + c);
        w[p * n + p] = app - t * apq;
        w[q * n + q] = aqq + t * apq;
        w[p * n + q] = 0;
        w[q * n + p] = 0;
        for (let r = 0; r < n; r++) {
          if (r === p || r === q) continue;
          const arp = w[r * n + p]!;
          const arq = w[r * n + q]!;
          const newRp = arp - s * (arq + tau * arp);
          const newRq = arq + s * (arp - tau * arq);
          w[r * n + p] = newRp;
          w[p * n + r] = newRp;
          w[r * n + q] = newRq;
          w[q * n + r] = newRq;
        }
      }
    }
  }
  const values = zeros(n);
  for (let i = 0; i < n; i++) values[i] = w[i * n + i]!;
  return values.sort();
}

/**
 * Whether A equals Aᵀ to within `rtol` relative to the largest entry:
 * |Aᵢⱼ − Aⱼᵢ| ≤ rtol·maxₖₗ|Aₖₗ| for all i, j (norm-wise, so tiny entries of a well-scaled matrix
 * do not fail on rounding). Any NaN makes the result false.
 */
export function isSymmetric(a: Float64Array, n: number, rtol = 1e-12): boolean {
  let scale = 0;
  for (let i = 0; i < n * n; i++) {
    const v = abs(a[i]!);
    if (isNaNNumber(v)) return false;
    if (v > scale) scale = v;
  }
  const tol = rtol * scale;
  // 64×64 tiles: the transposed entries are read from a few cache lines, not one line per entry
  const T = 64;
  for (let i0 = 0; i0 < n; i0 += T) {
    const i1 = min(n, i0 + T);
    for (let j0 = i0; j0 < n; j0 += T) {
      const j1 = min(n, j0 + T);
      for (let i = i0; i < i1; i++) {
        for (let j = max(j0, i + 1); j < j1; j++) {
          if (!(abs(a[i * n + j]! - a[j * n + i]!) <= tol)) return false;
        }
      }
    }
  }
  return true;
}

/** (A + Aᵀ)/2 as a new array. */
export function symmetrise(a: Float64Array, n: number): Float64Array {
  const out = zeros(n * n);
  for (let i = 0; i < n; i++) {
    out[i * n + i] = a[i * n + i]!;
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (a[i * n + j]! + a[j * n + i]!);
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
  }
  return out;
}

/** y = A·x for n×n A. `out` must not alias `x`. */
export function matVec(a: Float64Array, n: number, x: ArrayLike<number>, out?: Float64Array): Float64Array {
  const y = out ?? zeros(n);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += a[row + j]! * x[j]!;
    y[i] = sum;
  }
  return y;
}

/** xᵀ·A·x for n×n A, without allocating. */
export function quadraticForm(a: Float64Array, n: number, x: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += a[row + j]! * x[j]!;
    total += x[i]! * sum;
  }
  return total;
}

/**
 * Flattens a square nested matrix (`number[][]`, array of typed arrays…) row-major.
 * @param argument name of the user-facing argument, used in the error message.
 * @throws InvalidInput naming `argument` if the rows are not all of length equal to the row count.
 */
export function toFlat(matrix: ArrayLike<ArrayLike<number>>, argument: string): FlatMatrix {
  const n = matrix.length;
  const data = zeros(n * n);
  for (let i = 0; i < n; i++) {
    const row = matrix[i];
    if (!isArrayLike(row)) {
      throw new InvalidInput(`${argument} must be a square matrix (array of ${n} rows); row ${i} is not an array`);
    }
    if (row.length !== n) {
      throw new InvalidInput(
        `${argument} must be a square matrix: it has ${n} rows but row ${i} has ${row.length} entries`,
      );
    }
    for (let j = 0; j < n; j++) data[i * n + j] = row[j]!;
  }
  return { data, n };
}

/** Nested `number[][]` copy of a row-major n×n matrix. */
export function fromFlat(a: Float64Array, n: number): number[][] {
  const out: number[][] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = Array.from(a.subarray(i * n, (i + 1) * n));
  return out;
}

/**
 * Solves A·x = b for a general square A by LU factorisation with partial (row) pivoting
 * (Golub & Van Loan Algorithm 3.4.1, then two triangular solves), for systems that need not be
 * symmetric positive definite (e.g. Hessians). Does not modify its arguments.
 * Returns `null` if A is singular to working precision — a pivot |uₖₖ| ≤ n·eps·maxᵢⱼ|Aᵢⱼ| — or the
 * solution is not finite.
 */
export function solveLinear(a: Float64Array, n: number, b: ArrayLike<number>): Float64Array | null {
  const lu = copyOf(a.subarray(0, n * n));
  const x = Float64Array.from({ length: n }, (_, i) => b[i]!);
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = max(scale, abs(lu[i]!));
  const tiny = n * Number.EPSILON * scale;
  for (let k = 0; k < n; k++) {
    let pivotRow = k;
    let pivotAbs = abs(lu[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = abs(lu[i * n + k]!);
      if (v > pivotAbs) {
        pivotAbs = v;
        pivotRow = i;
      }
    }
    if (!(pivotAbs > tiny)) return null;
    if (pivotRow !== k) {
      for (let j = 0; j < n; j++) {
        const t = lu[k * n + j]!;
        lu[k * n + j] = lu[pivotRow * n + j]!;
        lu[pivotRow * n + j] = t;
      }
      const t = x[k]!;
      x[k] = x[pivotRow]!;
      x[pivotRow] = t;
    }
    const pivot = lu[k * n + k]!;
    for (let i = k + 1; i < n; i++) {
      const factor = lu[i * n + k]! / pivot;
      if (factor === 0) continue;
      for (let j = k + 1; j < n; j++) lu[i * n + j] = lu[i * n + j]! - factor * lu[k * n + j]!;
      x[i] = x[i]! - factor * x[k]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i]!;
    for (let j = i + 1; j < n; j++) sum -= lu[i * n + j]! * x[j]!;
    x[i] = sum / lu[i * n + i]!;
  }
  for (let i = 0; i < n; i++) if (!isFiniteNumber(x[i]!)) return null;
  return x;
}
