import { describe, expect, it } from "vitest";
import { choleskyBlocked } from "../../src/math/cholesky-blocked.js";
import { FactorisedCovariance } from "../../src/math/factorised-covariance.js";
import { choleskyInverse, matVec } from "../../src/math/linalg.js";
import { Random } from "../../src/math/random.js";

/** The unblocked Cholesky–Banachiewicz loop (Golub & Van Loan Alg. 4.2.1), the reference order. */
function referenceCholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(sum > 0) || sum === Number.POSITIVE_INFINITY) return null;
        l[i * n + i] = Math.sqrt(sum);
      } else l[i * n + j] = sum / l[j * n + j]!;
    }
  }
  return l;
}

/** A = BBᵀ/n + δI from uniform B (dense, well-conditioned enough for δ = 0.1). */
function randomSpd(n: number, seed: number, blocks = 0): Float64Array {
  const rng = new Random(seed);
  const b = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) b[i] = rng.uniform() - 0.5;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      if (blocks > 0 && Math.floor(i / blocks) !== Math.floor(j / blocks)) continue;
      let s = 0;
      for (let k = 0; k < n; k++) s += b[i * n + k]! * b[j * n + k]!;
      a[i * n + j] = s / n + (i === j ? 0.1 : 0);
      a[j * n + i] = a[i * n + j]!;
    }
  }
  return a;
}

describe("blocked Cholesky", () => {
  it("is bitwise the unblocked factor (panel edges, odd orders, block-diagonal envelopes)", () => {
    for (const [n, blocks] of [
      [1, 0],
      [7, 0],
      [49, 0],
      [97, 0],
      [150, 0],
      [131, 10],
      [100, 1],
    ] as const) {
      const a = randomSpd(n, 11 + n, blocks);
      const fast = choleskyBlocked(a, n) as Float64Array;
      const slow = referenceCholesky(a, n) as Float64Array;
      // exact equality: same operations in the same order per entry
      expect(Array.from(fast)).toEqual(Array.from(slow));
    }
  });

  it("returns null exactly when the unblocked loop does (indefinite, NaN)", () => {
    const a = randomSpd(60, 3);
    a[55 * 60 + 55] = -1;
    expect(choleskyBlocked(a, 60)).toBeNull();
    expect(referenceCholesky(a, 60)).toBeNull();
    const b = randomSpd(60, 4);
    b[59 * 60 + 1] = Number.NaN;
    expect(choleskyBlocked(b, 60)).toBeNull();
  });
});

describe("FactorisedCovariance", () => {
  it("ρ⁻¹v, ρv and vᵀρ⁻¹v agree with the dense inverse and product", () => {
    for (const blocks of [0, 7]) {
      const n = 90;
      const a = randomSpd(n, 5, blocks);
      const l = choleskyBlocked(a, n) as Float64Array;
      const f = new FactorisedCovariance(l, n);
      const inverse = choleskyInverse(l, n);
      const rng = new Random(9);
      const v = Float64Array.from({ length: n }, () => rng.uniform() - 0.5);
      const p = f.precisionTimes(v, new Float64Array(n));
      const pDense = matVec(inverse, n, v);
      const c = f.covarianceTimes(v, new Float64Array(n));
      const cDense = matVec(a, n, v);
      const g = new Float64Array(n);
      const q = f.quadratic(v, g);
      let qDense = 0;
      for (let i = 0; i < n; i++) qDense += v[i]! * pDense[i]!;
      // both are backward-stable O(n²) computations of the same quantities: agreement to ~1e-12
      // relative (κ(A) ≲ 1e2 here)
      for (let i = 0; i < n; i++) {
        expect(p[i]).toBeCloseTo(pDense[i]!, 10);
        expect(g[i]).toBeCloseTo(pDense[i]!, 10);
        expect(c[i]).toBeCloseTo(cDense[i]!, 12);
      }
      expect(Math.abs(q - qDense)).toBeLessThan(1e-10 * Math.abs(qDense));
    }
  });
});
