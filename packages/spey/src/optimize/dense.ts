/**
 * The few dense helpers the minimiser needs (kept private to src/optimize on purpose). Matrices are
 * row-major with an explicit dimension `n` (row stride n), so a buffer sized for the largest system
 * can be reused for smaller ones.
 */

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
 * "Matrix Computations", 4th ed., Alg. 4.2.2 (gaxpy Cholesky). Returns false when a pivot is not
 * positive, not finite, or below `pivotFloor` (numerically singular).
 */
export function choleskyShifted(
  a: Float64Array,
  n: number,
  shift: number,
  l: Float64Array,
  pivotFloor: number,
): boolean {
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    const d = a[rowJ + j]! + shift - dot(l, rowJ, rowJ, j);
    if (!(d > pivotFloor) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    l[rowJ + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      l[rowI + j] = (a[rowI + j]! - dot(l, rowI, rowJ, j)) * inv;
    }
  }
  return true;
}

/**
 * Factor A + τI with the smallest τ of the sequence 0 (when every diagonal entry is positive),
 * β, 2β, 4β, … that makes the factorisation succeed: Nocedal & Wright, "Numerical Optimization",
 * 2nd ed., Alg. 3.3 (Cholesky with added multiple of the identity), β = 1e-3·max|a_ii|.
 * Returns τ, or NaN when `maxAttempts` factorisations all failed (e.g. non-finite entries).
 */
export function choleskyWithShift(a: Float64Array, n: number, l: Float64Array, maxAttempts: number): number {
  let minDiag = Number.POSITIVE_INFINITY;
  let maxAbsDiag = 0;
  for (let i = 0; i < n; i++) {
    const v = a[i * n + i]!;
    if (v < minDiag) minDiag = v;
    const av = Math.abs(v);
    if (av > maxAbsDiag) maxAbsDiag = av;
  }
  if (!Number.isFinite(maxAbsDiag) || Number.isNaN(minDiag)) return Number.NaN;
  const scale = maxAbsDiag > 0 ? maxAbsDiag : 1;
  const beta = 1e-3 * scale;
  // A pivot this small relative to the diagonal means the matrix is singular to working precision.
  const pivotFloor = 1e-14 * scale;
  let tau = minDiag > 0 ? 0 : beta - minDiag;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    if (choleskyShifted(a, n, tau, l, pivotFloor)) return tau;
    tau = Math.max(2 * tau, beta);
  }
  return Number.NaN;
}

/** Solve L Lᵀ x = b in place (`x` holds b on entry), L the lower triangle of `l`. */
export function choleskySolveInPlace(l: Float64Array, n: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= l[row + k]! * x[k]!;
    x[i] = s / l[row + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
}
