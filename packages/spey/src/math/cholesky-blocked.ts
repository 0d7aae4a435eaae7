/**
 * Cholesky factorisation of large symmetric positive-definite matrices (row-major
 * `Float64Array`), blocked for the cache: the right-looking block algorithm of Golub & Van Loan,
 * "Matrix Computations", 4th ed., §4.2.9 (Alg. 4.2.4 with a column panel of width
 * {@link PANEL_WIDTH}), with the trailing update done on a packed copy of the panel and 2×4
 * register blocking (§1.5.4).
 *
 * Bitwise the same as the unblocked Cholesky–Banachiewicz loop (linalg.ts): every entry
 * lᵢⱼ = (aᵢⱼ − Σ_{k<j} lᵢₖlⱼₖ)/lⱼⱼ is still computed as a running value from which the products are
 * subtracted one at a time in increasing k (the blocks only reorder *which entry* is updated
 * when, never the order of one entry's own operations), so the factor, and every result built on
 * it, is unchanged; only the memory traffic drops (each panel is read from cache instead of
 * streaming whole rows for every entry).
 *
 * Rows whose panel segment is zero are skipped in the trailing update (subtracting 0 leaves a
 * value unchanged): a banded or block-diagonal covariance costs only its envelope (George & Liu,
 * "Computer Solution of Large Sparse Positive Definite Systems", 1981, ch. 4).
 */
import { zeros } from "../core/arrays.js";
import { max, min, sqrt } from "../core/describe.js";

/** Panel width: 48 columns × 8 bytes = 384 bytes per packed row; 5,000 rows ≈ 1.9 MB. */
const PANEL_WIDTH = 48;

/**
 * Lower-triangular L with A = L·Lᵀ (only the lower triangle of `a` is read), or `null` when a
 * pivot is not strictly positive and finite (A not positive definite, or NaN/∞ entries).
 */
export function choleskyBlocked(a: Float64Array, n: number): Float64Array | null {
  const l = zeros(n * n);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j <= i; j++) l[row + j] = a[row + j]!;
  }
  // (rows below the first panel only: nothing for n ≤ PANEL_WIDTH)
  const panel = zeros(max(0, n - PANEL_WIDTH) * PANEL_WIDTH);
  const nonzero = new Uint8Array(n);
  for (let k0 = 0; k0 < n; k0 += PANEL_WIDTH) {
    const k1 = min(n, k0 + PANEL_WIDTH);
    const w = k1 - k0;
    // 1. The panel: columns k0…k1−1 of every row i ≥ k0 (their earlier columns' products are
    //    already subtracted), finished with the products of columns k0…j−1, in order.
    for (let i = k0; i < n; i++) {
      const rowI = i * n;
      const jEnd = min(k1, i + 1);
      if (i >= k1 && zeroSegment(l, rowI + k0, w)) continue; // its panel entries stay 0
      for (let j = k0; j < jEnd; j++) {
        const rowJ = j * n;
        let sum = l[rowI + j]!;
        for (let k = k0; k < j; k++) sum -= l[rowI + k]! * l[rowJ + k]!;
        if (i === j) {
          if (!(sum > 0) || sum === Number.POSITIVE_INFINITY) return null;
          l[rowI + i] = sqrt(sum);
        } else {
          l[rowI + j] = sum / l[rowJ + j]!;
        }
      }
    }
    if (k1 === n) break;
    // 2. Pack the panel rows below the block; flag the rows whose segment is zero.
    for (let i = k1; i < n; i++) {
      const src = i * n + k0;
      const dst = (i - k1) * w;
      let any = 0;
      for (let k = 0; k < w; k++) {
        const v = l[src + k]!;
        panel[dst + k] = v;
        if (v !== 0) any = 1;
      }
      nonzero[i] = any;
    }
    // 3. Trailing update lᵢⱼ −= Σ_{k in panel} lᵢₖlⱼₖ for k1 ≤ j ≤ i, two rows i at a time (a
    //    separate function, so that V8 optimises the kernel after a few calls instead of by
    //    on-stack replacement of one long loop).
    for (let i = k1; i < n; i += 2) updateRowPair(l, panel, nonzero, n, w, k1, i);
  }
  return l;
}

/**
 * The trailing update of rows i and i + 1 by one packed panel (width w, first row k1): for
 * k1 ≤ j ≤ i, lᵢⱼ −= Σₖ panelᵢₖ·panelⱼₖ in increasing k, two rows and four columns at a time
 * (2×4 register blocking, §1.5.4); row i + 1 also gets column i + 1.
 */
function updateRowPair(
  l: Float64Array,
  panel: Float64Array,
  nonzero: Uint8Array,
  n: number,
  w: number,
  k1: number,
  i: number,
): void {
  const two = i + 1 < n;
  const nz0 = nonzero[i] === 1;
  const nz1 = two && nonzero[i + 1] === 1;
  if (!nz0 && !nz1) return;
  const p0 = (i - k1) * w;
  const p1 = p0 + w;
  const r0 = i * n;
  const r1 = r0 + n;
  // columns j ≤ i are shared by both rows; column i + 1 only by row i + 1
  let j = k1;
  for (; j + 3 <= i; j += 4) {
    if (nonzero[j] === 0 && nonzero[j + 1] === 0 && nonzero[j + 2] === 0 && nonzero[j + 3] === 0) continue;
    const q0 = (j - k1) * w;
    const q1 = q0 + w;
    const q2 = q1 + w;
    const q3 = q2 + w;
    if (two) {
      let a00 = l[r0 + j]!;
      let a01 = l[r0 + j + 1]!;
      let a02 = l[r0 + j + 2]!;
      let a03 = l[r0 + j + 3]!;
      let a10 = l[r1 + j]!;
      let a11 = l[r1 + j + 1]!;
      let a12 = l[r1 + j + 2]!;
      let a13 = l[r1 + j + 3]!;
      for (let k = 0; k < w; k++) {
        const x0 = panel[p0 + k]!;
        const x1 = panel[p1 + k]!;
        const y0 = panel[q0 + k]!;
        const y1 = panel[q1 + k]!;
        const y2 = panel[q2 + k]!;
        const y3 = panel[q3 + k]!;
        a00 -= x0 * y0;
        a01 -= x0 * y1;
        a02 -= x0 * y2;
        a03 -= x0 * y3;
        a10 -= x1 * y0;
        a11 -= x1 * y1;
        a12 -= x1 * y2;
        a13 -= x1 * y3;
      }
      l[r0 + j] = a00;
      l[r0 + j + 1] = a01;
      l[r0 + j + 2] = a02;
      l[r0 + j + 3] = a03;
      l[r1 + j] = a10;
      l[r1 + j + 1] = a11;
      l[r1 + j + 2] = a12;
      l[r1 + j + 3] = a13;
    } else {
      let a00 = l[r0 + j]!;
      let a01 = l[r0 + j + 1]!;
      let a02 = l[r0 + j + 2]!;
      let a03 = l[r0 + j + 3]!;
      for (let k = 0; k < w; k++) {
        const x0 = panel[p0 + k]!;
        a00 -= x0 * panel[q0 + k]!;
        a01 -= x0 * panel[q1 + k]!;
        a02 -= x0 * panel[q2 + k]!;
        a03 -= x0 * panel[q3 + k]!;
      }
      l[r0 + j] = a00;
      l[r0 + j + 1] = a01;
      l[r0 + j + 2] = a02;
      l[r0 + j + 3] = a03;
    }
  }
  for (; j <= i; j++) {
    if (nonzero[j] === 0) continue;
    const q = (j - k1) * w;
    let a0 = l[r0 + j]!;
    for (let k = 0; k < w; k++) a0 -= panel[p0 + k]! * panel[q + k]!;
    l[r0 + j] = a0;
    if (two) {
      let a1 = l[r1 + j]!;
      for (let k = 0; k < w; k++) a1 -= panel[p1 + k]! * panel[q + k]!;
      l[r1 + j] = a1;
    }
  }
  if (two && nz1) {
    const q = (i + 1 - k1) * w;
    let a1 = l[r1 + i + 1]!;
    for (let k = 0; k < w; k++) a1 -= panel[p1 + k]! * panel[q + k]!;
    l[r1 + i + 1] = a1;
  }
}

/** Whether l[start … start + w) are all zero. */
function zeroSegment(l: Float64Array, start: number, w: number): boolean {
  for (let k = 0; k < w; k++) if (l[start + k] !== 0) return false;
  return true;
}
