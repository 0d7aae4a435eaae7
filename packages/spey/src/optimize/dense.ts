/**
 * The few dense helpers the minimiser needs (kept private to src/optimize on purpose). Matrices are
 * row-major with an explicit dimension `n` (row stride n), so a buffer sized for the largest system
 * can be reused for smaller ones.
 */
import { choleskySolve } from "../math/linalg.js";
import { isFiniteNumber, abs, max, min, sqrt, isNaNNumber } from "../core/describe.js";

/**
 * Σ_{k<len} v[p+k]·v[q+k] with four independent accumulators (breaks the floating-point add
 * latency chain; about 1.5× faster in V8 for n ≈ 50–200). The summation order is fixed, so the
 * result is deterministic.
 */
function dot(v: Float64Array, p: number, q: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += v[p + k]! * v[q + k]!;
    s1 += v[p + k + 1]! * v[q + k + 1]!;
    s2 += v[p + k + 2]! * v[q + k + 2]!;
    s3 += v[p + k + 3]! * v[q + k + 3]!;
  }
  for (; k < len; k++) s0 += v[p + k]! * v[q + k]!;
  return s0 + s1 + (s2 + s3);
}

/**
 * Cholesky factorisation of A + shift·I (only the lower triangle of `a` is read) into the lower
 * triangle of `l` (the strict upper triangle of `l` is left untouched). Golub & Van Loan,
 * "Matrix Computations", 4th ed., Alg. 4.2.2 (gaxpy Cholesky), computed two columns and two rows
 * at a time: for columns (j, j+1) and rows (i, i+1) the four inner products Σ_{k<j} l_ik l_jk
 * share their loads (2×2 register blocking, §1.5.4), which makes the factorisation ~1.8× faster
 * in V8 for n ≈ 30–250 than one dot product per entry; then
 *   l_ij = (a_ij − Σ_{k<j} l_ik l_jk) / l_jj,  l_i,j+1 = (a_i,j+1 − Σ_{k<j} l_ik l_j+1,k − l_ij l_j+1,j) / l_j+1,j+1.
 * The summation order is fixed, so the result is deterministic. Returns false when a pivot is not
 * positive, not finite, or below `pivotFloor` (numerically singular).
 *
 * With `first`, the matrix is taken to have a row profile (envelope): a_ik = 0 for k < first[i] ≤ i.
 * The factor keeps that profile (George & Liu, "Computer Solution of Large Sparse Positive Definite
 * Systems", 1981, §4.2: no fill outside the envelope), so every inner product starts at the larger
 * of the two rows' first columns; L is still written in full (zeros outside the profile). A matrix
 * whose small diagonal blocks are ordered first and whose dense rest comes last (block-arrow.ts)
 * costs O(n_A³/6 + n_D n_A²/2) this way instead of O(n³/6).
 */
export function choleskyShifted(
  a: Float64Array,
  n: number,
  shift: number,
  l: Float64Array,
  pivotFloor: number,
  first?: Int32Array,
): boolean {
  const f = (i: number) => (first ? first[i]! : 0);
  for (let j = 0; j < n; j += 2) {
    const rowJ = j * n;
    const fj = f(j);
    const d0 = a[rowJ + j]! + shift - dot(l, rowJ + fj, rowJ + fj, j - fj);
    if (!(d0 > pivotFloor) || !isFiniteNumber(d0)) return false;
    const l00 = sqrt(d0);
    l[rowJ + j] = l00;
    const inv0 = 1 / l00;
    if (j + 1 === n) break;
    // Column j+1 needs l_{j+1,j} and its pivot before the rows below are done in pairs.
    const rowJ1 = rowJ + n;
    const fj1 = f(j + 1);
    const k10 = max(fj, fj1);
    const l10 = (a[rowJ1 + j]! - dot(l, rowJ1 + k10, rowJ + k10, j - k10)) * inv0;
    l[rowJ1 + j] = l10;
    const d1 = a[rowJ1 + j + 1]! + shift - dot(l, rowJ1 + fj1, rowJ1 + fj1, j + 1 - fj1);
    if (!(d1 > pivotFloor) || !isFiniteNumber(d1)) return false;
    const l11 = sqrt(d1);
    l[rowJ1 + j + 1] = l11;
    const inv1 = 1 / l11;
    const fCols = min(fj, fj1);
    let i = j + 2;
    for (; i + 1 < n; i += 2) {
      const r0 = i * n;
      const r1 = r0 + n;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let k = max(fCols, min(f(i), f(i + 1))); k < j; k++) {
        const x0 = l[rowJ + k]!;
        const x1 = l[rowJ1 + k]!;
        const y0 = l[r0 + k]!;
        const y1 = l[r1 + k]!;
        s00 += y0 * x0;
        s01 += y0 * x1;
        s10 += y1 * x0;
        s11 += y1 * x1;
      }
      const v0 = (a[r0 + j]! - s00) * inv0;
      const v1 = (a[r1 + j]! - s10) * inv0;
      l[r0 + j] = v0;
      l[r1 + j] = v1;
      l[r0 + j + 1] = (a[r0 + j + 1]! - s01 - v0 * l10) * inv1;
      l[r1 + j + 1] = (a[r1 + j + 1]! - s11 - v1 * l10) * inv1;
    }
    if (i < n) {
      const r0 = i * n;
      const k0 = max(f(i), fj);
      const v0 = (a[r0 + j]! - dot(l, r0 + k0, rowJ + k0, j - k0)) * inv0;
      l[r0 + j] = v0;
      const k1 = max(f(i), fj1);
      l[r0 + j + 1] = (a[r0 + j + 1]! - dot(l, r0 + k1, rowJ1 + k1, j - k1) - v0 * l10) * inv1;
    }
  }
  return true;
}

/** Where {@link choleskyWithShift} starts its shift: see there. */
export type ShiftStart = "largest-diagonal" | "smallest-diagonal";

/**
 * Factor A + τI with the smallest τ of the sequence 0 (when every diagonal entry is positive),
 * β, 2β, 4β, … that makes the factorisation succeed: Nocedal & Wright, "Numerical Optimization",
 * 2nd ed., Alg. 3.3 (Cholesky with added multiple of the identity), β = 1e-3·max|a_ii|. With
 * `start` "smallest-diagonal", β = 1e-3·min a_ii over the positive diagonal entries (at least
 * 1e-10·max|a_ii|) and τ grows ×4 per attempt: for matrices whose diagonal spans orders of
 * magnitude a first shift of 1e-3 of the largest entry swamps the weakly curved directions.
 * Returns τ, or NaN when `maxAttempts` factorisations all failed (e.g. non-finite entries).
 * `first`: the row profile of `a`, see {@link choleskyShifted}.
 */
export function choleskyWithShift(
  a: Float64Array,
  n: number,
  l: Float64Array,
  maxAttempts: number,
  start: ShiftStart = "largest-diagonal",
  first?: Int32Array,
): number {
  return shiftSequence(
    (i) => a[i * n + i]!,
    n,
    maxAttempts,
    start,
    (tau, pivotFloor) => choleskyShifted(a, n, tau, l, pivotFloor, first),
  );
}

/**
 * The shift sequence of {@link choleskyWithShift} for a matrix whose diagonal entries are
 * `diag(0..m)`: calls `factor(τ, pivotFloor)` for each τ until it succeeds. Returns τ, or NaN when
 * `maxAttempts` calls all failed or the diagonal is not finite.
 */
export function shiftSequence(
  diag: (i: number) => number,
  m: number,
  maxAttempts: number,
  start: ShiftStart,
  factor: (tau: number, pivotFloor: number) => boolean,
): number {
  let minDiag = Number.POSITIVE_INFINITY;
  let minPositive = Number.POSITIVE_INFINITY;
  let maxAbsDiag = 0;
  for (let i = 0; i < m; i++) {
    const v = diag(i);
    if (v < minDiag) minDiag = v;
    if (v > 0 && v < minPositive) minPositive = v;
    const av = abs(v);
    if (av > maxAbsDiag) maxAbsDiag = av;
  }
  if (!isFiniteNumber(maxAbsDiag) || isNaNNumber(minDiag)) return Number.NaN;
  const scale = maxAbsDiag > 0 ? maxAbsDiag : 1;
  const fromSmallest = start === "smallest-diagonal";
  const beta = fromSmallest ? max(1e-3 * min(minPositive, scale), 1e-10 * scale) : 1e-3 * scale;
  const growth = fromSmallest ? 4 : 2;
  // A pivot this small relative to the diagonal means the matrix is singular to working precision.
  const pivotFloor = 1e-14 * scale;
  let tau = minDiag > 0 ? 0 : beta - minDiag;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    if (factor(tau, pivotFloor)) return tau;
    tau = max(growth * tau, beta);
  }
  return Number.NaN;
}

/** Solve L Lᵀ x = b in place (`x` holds b on entry), L the lower triangle of `l`. */
export function choleskySolveInPlace(l: Float64Array, n: number, x: Float64Array): void {
  choleskySolve(l, n, x, x);
}
