import { describe, expect, it } from "vitest";
import { choleskyShifted, choleskySolveInPlace, choleskyWithShift } from "../../src/optimize/dense.js";
import { Random } from "../../src/math/random.js";

/** A random symmetric positive-definite n×n matrix M Mᵀ + c I (row-major, both triangles). */
function randomSpd(rng: Random, n: number, ridge: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < m.length; i++) m[i] = rng.uniform() - 0.5;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (m[i * n + k] as number) * (m[j * n + k] as number);
      a[i * n + j] = s + (i === j ? ridge : 0);
    }
  }
  return a;
}

/** The textbook unblocked Cholesky–Banachiewicz factorisation (Golub & Van Loan Alg. 4.2.1), as reference. */
function referenceCholesky(a: Float64Array, n: number, shift: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = (a[i * n + j] as number) + (i === j ? shift : 0);
      for (let k = 0; k < j; k++) s -= (l[i * n + k] as number) * (l[j * n + k] as number);
      if (i === j) {
        if (!(s > 0)) return undefined;
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / (l[j * n + j] as number);
      }
    }
  }
  return l;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

describe("blocked Cholesky factorisation (optimize/dense.ts)", () => {
  // Odd and even sizes: the 2×2 blocking has a leftover row and a leftover column for odd n.
  const sizes = [1, 2, 3, 4, 5, 7, 8, 16, 31, 32, 33, 64, 121];

  it("matches the unblocked factorisation and reproduces A + shift·I on random SPD matrices", () => {
    const rng = new Random(11);
    for (const n of sizes) {
      for (const shift of [0, 0.25]) {
        const a = randomSpd(rng, n, 0.5);
        const l = new Float64Array(n * n);
        expect(choleskyShifted(a, n, shift, l, 0)).toBe(true);
        const ref = referenceCholesky(a, n, shift) as Float64Array;
        const scale = maxAbs(a) + shift;
        // Both are backward stable: entries agree to a few hundred ulps of the matrix scale
        // (different summation orders; the factors are O(√scale)).
        let entryError = 0;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j <= i; j++) {
            entryError = Math.max(entryError, Math.abs((l[i * n + j] as number) - (ref[i * n + j] as number)));
          }
        }
        expect(entryError).toBeLessThan(1e-12 * scale);
        // L Lᵀ = A + shift·I to rounding (Golub & Van Loan Thm. 4.2.6: |ΔA| ≤ c n ε |L||Lᵀ|).
        let residual = 0;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j <= i; j++) {
            let s = 0;
            for (let k = 0; k <= j; k++) s += (l[i * n + k] as number) * (l[j * n + k] as number);
            const target = (a[i * n + j] as number) + (i === j ? shift : 0);
            residual = Math.max(residual, Math.abs(s - target));
          }
        }
        expect(residual).toBeLessThan(1e-13 * n * scale);
      }
    }
  });

  it("leaves the strict upper triangle of the output untouched and reads only the lower triangle of A", () => {
    const rng = new Random(3);
    const n = 9;
    const a = randomSpd(rng, n, 1);
    const garbled = Float64Array.from(a);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) garbled[i * n + j] = Number.NaN;
    const l = new Float64Array(n * n).fill(7);
    expect(choleskyShifted(garbled, n, 0, l, 0)).toBe(true);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(7);
    const ref = referenceCholesky(a, n, 0) as Float64Array;
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) expect(l[i * n + j]).toBeCloseTo(ref[i * n + j] as number, 12);
  });

  it("refuses indefinite matrices at the first bad pivot, in either column of a block", () => {
    for (const n of [4, 5, 6]) {
      for (let bad = 0; bad < n; bad++) {
        // Identity with one negative diagonal entry: the pivot of column `bad` is −1.
        const a = new Float64Array(n * n);
        for (let i = 0; i < n; i++) a[i * n + i] = i === bad ? -1 : 1;
        expect(choleskyShifted(a, n, 0, new Float64Array(n * n), 0)).toBe(false);
        // A shift of 2 makes it positive definite.
        expect(choleskyShifted(a, n, 2, new Float64Array(n * n), 0)).toBe(true);
      }
    }
    // Singular to working precision: a pivot below the floor is refused.
    const singular = Float64Array.from([1, 1, 1, 1]);
    expect(choleskyShifted(singular, 2, 0, new Float64Array(4), 1e-14)).toBe(false);
  });

  it("solves A x = b through the factor, and choleskyWithShift finds the first shift that works", () => {
    const rng = new Random(5);
    for (const n of [3, 10, 33]) {
      const a = randomSpd(rng, n, 0.3);
      const xTrue = Float64Array.from({ length: n }, () => rng.uniform() - 0.5);
      const b = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) b[i]! += (a[i * n + k] as number) * (xTrue[k] as number);
      const l = new Float64Array(n * n);
      expect(choleskyWithShift(a, n, l, 80)).toBe(0);
      choleskySolveInPlace(l, n, b);
      // Condition numbers of these matrices are ≲ 1e4: the solution is accurate to ~1e-12.
      for (let i = 0; i < n; i++) expect(b[i]).toBeCloseTo(xTrue[i] as number, 10);
    }
    // diag(1, −1): the shift sequence β, 2β, … (β = 1e-3·max|a_ii|) starts at β − min a_ii = 1.001,
    // which already succeeds.
    const l = new Float64Array(4);
    expect(choleskyWithShift(Float64Array.from([1, 0, 0, -1]), 2, l, 80)).toBeCloseTo(1.001, 12);
  });

  it('"smallest-diagonal" starts the shift at 1e-3 of the smallest positive diagonal entry and grows it ×4', () => {
    // [[1e4, 0, 0], [0, 1, 1.01], [0, 1.01, 1]]: eigenvalues 1e4 and 1 ± 1.01, i.e. one at −0.01.
    // The default's first shift is 1e-3·1e4 = 10 (1000× what is needed); from the small end the
    // sequence 1e-3·4^k first passes 0.01 at k = 2 (0.016).
    const a = Float64Array.from([1e4, 0, 0, 0, 1, 1.01, 0, 1.01, 1]);
    const l = new Float64Array(9);
    expect(choleskyWithShift(a, 3, l, 80)).toBe(10);
    const tau = choleskyWithShift(a, 3, l, 80, "smallest-diagonal");
    expect(tau).toBeCloseTo(0.016, 14);
    // The factor is that of A + τI: L Lᵀ reproduces it (rounding of entries ~1e4: 1e-11 absolute).
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k <= j; k++) s += (l[i * 3 + k] as number) * (l[j * 3 + k] as number);
        expect(Math.abs(s - ((a[i * 3 + j] as number) + (i === j ? tau : 0)))).toBeLessThan(1e-11);
      }
    }
    // Positive definite already: no shift either way.
    expect(choleskyWithShift(Float64Array.from([1e4, 0, 0, 1]), 2, new Float64Array(4), 80, "smallest-diagonal")).toBe(
      0,
    );
  });
});
