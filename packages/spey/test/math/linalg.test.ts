import { describe, expect, it } from "vitest";
import { InvalidInput } from "../../src/core/errors.js";
import {
  backSubstitute,
  cholesky,
  choleskyInverse,
  choleskyLogDet,
  choleskySolve,
  forwardSubstitute,
  fromFlat,
  isSymmetric,
  matVec,
  quadraticForm,
  solveLinear,
  symmetricEigenvalues,
  symmetrise,
  toFlat,
} from "../../src/math/linalg.js";
import { Random } from "../../src/math/random.js";

/** A = MᵀM + n·I with M standard normal: SPD with eigenvalues ≥ n, condition number ≲ 5. */
function randomSpd(n: number, seed: number): Float64Array {
  const rng = new Random(seed);
  const m = Float64Array.from({ length: n * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += m[k * n + i]! * m[k * n + j]!;
      a[i * n + j] = s;
    }
  }
  return a;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k]! * b[k * n + j]!;
      c[i * n + j] = s;
    }
  }
  return c;
}

function transpose(a: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j]!;
  return t;
}

const SIZES = [1, 2, 5, 20, 60];

describe("cholesky", () => {
  it("factors a known 2×2 exactly", () => {
    const l = cholesky(Float64Array.of(4, 2, 2, 3), 2)!;
    expect(Array.from(l)).toEqual([2, 0, 1, Math.SQRT2]);
  });

  it.each(SIZES)("L·Lᵀ reproduces a random SPD matrix of order %i", (n) => {
    const a = randomSpd(n, 100 + n);
    const l = cholesky(a, n);
    expect(l).not.toBeNull();
    for (let i = 0; i < n; i++) {
      expect(l![i * n + i]!).toBeGreaterThan(0);
      for (let j = i + 1; j < n; j++) expect(l![i * n + j]).toBe(0);
    }
    const llt = matMul(l!, transpose(l!, n), n);
    // Backward stability (Golub & Van Loan Thm 4.2.2): |LLᵀ − A| ≲ n·eps·|A|; 1e-12 relative to
    // max|A| is ~4500 eps, generous for n ≤ 60.
    let err = 0;
    for (let i = 0; i < n * n; i++) err = Math.max(err, Math.abs(llt[i]! - a[i]!));
    expect(err).toBeLessThanOrEqual(1e-12 * maxAbs(a));
  });

  it("detects matrices that are not positive definite", () => {
    expect(cholesky(Float64Array.of(1, 2, 2, 1), 2)).toBeNull(); // eigenvalues −1, 3
    expect(cholesky(Float64Array.of(1, 0, 0, 0), 2)).toBeNull(); // semi-definite
    expect(cholesky(Float64Array.of(-1), 1)).toBeNull();
    expect(cholesky(Float64Array.of(1, Number.NaN, Number.NaN, 1), 2)).toBeNull();
    expect(cholesky(Float64Array.of(Number.POSITIVE_INFINITY), 1)).toBeNull();
  });
});

describe("triangular and Cholesky solves", () => {
  it.each(SIZES)("choleskySolve solves A·x = b (order %i)", (n) => {
    const a = randomSpd(n, 200 + n);
    const l = cholesky(a, n)!;
    const rng = new Random(7 + n);
    const b = Float64Array.from({ length: n }, () => rng.normal());
    const x = choleskySolve(l, n, b);
    const r = matVec(a, n, x);
    // Residual of a backward-stable solve: ‖Ax − b‖ ≲ n·eps·‖A‖·‖x‖; 1e-12 is a wide margin.
    let err = 0;
    for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(r[i]! - b[i]!));
    expect(err).toBeLessThanOrEqual(1e-12 * maxAbs(a) * maxAbs(x));
  });

  it("works in place", () => {
    const a = randomSpd(6, 3);
    const l = cholesky(a, 6)!;
    const b = Float64Array.of(1, -2, 3, 0.5, 0, 4);
    const expected = choleskySolve(l, 6, b);
    const inPlace = Float64Array.from(b);
    expect(choleskySolve(l, 6, inPlace, inPlace)).toBe(inPlace);
    expect(Array.from(inPlace)).toEqual(Array.from(expected));
  });

  it("forward and back substitution invert L and Lᵀ", () => {
    const l = Float64Array.of(2, 0, 0, 1, 3, 0, -1, 0.5, 4);
    // L·[1, 2, 1]ᵀ = [2, 1 + 6, −1 + 1 + 4] = [2, 7, 4]; exact in binary arithmetic.
    const y = forwardSubstitute(l, 3, [2, 7, 4]);
    expect(Array.from(y)).toEqual([1, 2, 1]);
    const x = backSubstitute(l, 3, [1, 2, 3]);
    const lt = transpose(l, 3);
    const back = matVec(lt, 3, x);
    // Three divisions and a few products: within 1e-14 absolute of [1, 2, 3].
    for (let i = 0; i < 3; i++) expect(Math.abs(back[i]! - [1, 2, 3][i]!)).toBeLessThanOrEqual(1e-14);
  });
});

describe("choleskyLogDet and choleskyInverse", () => {
  it("logdet of a known 2×2", () => {
    // det [[4, 2], [2, 3]] = 8; L = [[2, 0], [1, √2]], so 2·(log 2 + log √2) to 1 ulp-ish: 1e-15 absolute.
    expect(Math.abs(choleskyLogDet(cholesky(Float64Array.of(4, 2, 2, 3), 2)!, 2) - Math.log(8))).toBeLessThanOrEqual(
      1e-15,
    );
  });

  it("logdet matches numpy on a fixed 4×4", () => {
    const a = Float64Array.of(4, 1, -2, 0.5, 1, 3, 0, 1, -2, 0, 5, -1, 0.5, 1, -1, 2);
    // reference: numpy 2.4.6 numpy.linalg.slogdet(A)[1]; 1e-14 relative: a few ulp of a sum of 4 logs.
    const logdet = choleskyLogDet(cholesky(a, 4)!, 4);
    expect(Math.abs(logdet - 4.1311585353448175)).toBeLessThanOrEqual(1e-14 * 4.1311585353448175);
  });

  it.each(SIZES)("logdet equals the sum of log-eigenvalues (order %i)", (n) => {
    const a = randomSpd(n, 300 + n);
    const logdet = choleskyLogDet(cholesky(a, n)!, n);
    const eig = symmetricEigenvalues(a, n);
    let sum = 0;
    for (const v of eig) sum += Math.log(v);
    // Both are backward stable; each log carries ~eps·cond relative error: 1e-12 relative.
    expect(Math.abs(logdet - sum)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(sum)));
  });

  it.each(SIZES)("A·A⁻¹ = I (order %i)", (n) => {
    const a = randomSpd(n, 400 + n);
    const inv = choleskyInverse(cholesky(a, n)!, n);
    expect(isSymmetric(inv, n, 0)).toBe(true);
    const prod = matMul(a, inv, n);
    // cond(A) ≲ 5 by construction, so the error of I is ~n·eps·cond: 1e-12 is a wide margin.
    let err = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) err = Math.max(err, Math.abs(prod[i * n + j]! - (i === j ? 1 : 0)));
    }
    expect(err).toBeLessThanOrEqual(1e-12);
  });
});

describe("symmetricEigenvalues", () => {
  it("returns a diagonal's entries in ascending order", () => {
    expect(Array.from(symmetricEigenvalues(Float64Array.of(3, 0, 0, 0, -1, 0, 0, 0, 2), 3))).toEqual([-1, 2, 3]);
  });

  it("finds the negative eigenvalue of an indefinite 2×2", () => {
    const eig = symmetricEigenvalues(Float64Array.of(1, 2, 2, 1), 2);
    // Exact answer −1, 3; one Jacobi rotation, a few ulp of rounding: 1e-14 absolute.
    expect(Math.abs(eig[0]! + 1)).toBeLessThanOrEqual(1e-14);
    expect(Math.abs(eig[1]! - 3)).toBeLessThanOrEqual(1e-14);
  });

  it("matches numpy on a fixed 4×4", () => {
    const a = Float64Array.of(4, 1, -2, 0.5, 1, 3, 0, 1, -2, 0, 5, -1, 0.5, 1, -1, 2);
    // reference: numpy 2.4.6 numpy.linalg.eigvalsh(A)
    const expected = [1.0471386409290866, 2.3609454269745447, 3.602574400339762, 6.9893415317566046];
    const eig = symmetricEigenvalues(a, 4);
    // Jacobi is accurate to ~eps·‖A‖ absolute per eigenvalue (‖A‖ ≈ 7): 1e-14 absolute.
    for (let i = 0; i < 4; i++) expect(Math.abs(eig[i]! - expected[i]!)).toBeLessThanOrEqual(1e-14);
  });

  it("trace and determinant agree for a random 30×30", () => {
    const n = 30;
    const a = randomSpd(n, 31);
    const eig = symmetricEigenvalues(a, n);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i]!;
    let sum = 0;
    for (const v of eig) sum += v;
    // Orthogonal similarity preserves the trace to ~n·eps·‖A‖: 1e-12 relative.
    expect(Math.abs(sum - trace)).toBeLessThanOrEqual(1e-12 * trace);
    for (let i = 1; i < n; i++) expect(eig[i]!).toBeGreaterThanOrEqual(eig[i - 1]!);
    expect(eig[0]!).toBeGreaterThanOrEqual(n * (1 - 1e-12)); // A = MᵀM + n·I has λ ≥ n
  });
});

describe("symmetry helpers and products", () => {
  it("isSymmetric uses a tolerance relative to the largest entry", () => {
    const a = Float64Array.of(1, 2, 2, 5);
    expect(isSymmetric(a, 2)).toBe(true);
    expect(isSymmetric(Float64Array.of(1, 2, 2 + 1e-14, 5), 2, 1e-12)).toBe(true);
    expect(isSymmetric(Float64Array.of(1, 2, 2.001, 5), 2, 1e-12)).toBe(false);
    expect(isSymmetric(Float64Array.of(1, Number.NaN, Number.NaN, 1), 2)).toBe(false);
  });

  it("symmetrise averages A and Aᵀ", () => {
    expect(Array.from(symmetrise(Float64Array.of(1, 2, 4, 5), 2))).toEqual([1, 3, 3, 5]);
  });

  it("matVec and quadraticForm", () => {
    const a = Float64Array.of(1, 2, 3, 4);
    expect(Array.from(matVec(a, 2, [1, -1]))).toEqual([-1, -1]);
    // [1, -1]·[[1, 2], [3, 4]]·[1, -1]ᵀ = 1 − 2 − 3 + 4 = 0
    expect(quadraticForm(a, 2, [1, -1])).toBe(0);
    expect(quadraticForm(a, 2, [2, 1])).toBe(4 + 4 + 6 + 4);
  });
});

describe("toFlat / fromFlat", () => {
  it("round-trips a square matrix", () => {
    const m = [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ];
    const { data, n } = toFlat(m, "covariance");
    expect(n).toBe(3);
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(fromFlat(data, n)).toEqual(m);
  });

  it("accepts the empty matrix", () => {
    expect(toFlat([], "covariance").n).toBe(0);
  });

  it("throws InvalidInput naming the argument when not square", () => {
    expect(() => toFlat([[1, 2, 3]], "covariance_matrix")).toThrow(InvalidInput);
    expect(() =>
      toFlat(
        [
          [1, 2],
          [3, 4, 5],
        ],
        "covariance_matrix",
      ),
    ).toThrow(/covariance_matrix.*row 1 has 3 entries/);
    expect(() => toFlat([[1], 5 as unknown as number[]], "third_moment")).toThrow(/third_moment/);
  });
});

describe("solveLinear", () => {
  it("solves a non-symmetric system needing pivoting", () => {
    // reference: numpy 2.4.6 numpy.linalg.solve([[2, 1, -1], [-3, -1, 2], [-2, 1, 2]], [8, -11, -3]) = [2, 3, -1]
    const x = solveLinear(Float64Array.of(2, 1, -1, -3, -1, 2, -2, 1, 2), 3, [8, -11, -3])!;
    // Well conditioned (cond ≈ 20): 1e-14 absolute.
    for (let i = 0; i < 3; i++) expect(Math.abs(x[i]! - [2, 3, -1][i]!)).toBeLessThanOrEqual(1e-14);
    expect(Array.from(solveLinear(Float64Array.of(0, 1, 1, 0), 2, [2, 3])!)).toEqual([3, 2]);
  });

  it("matches numpy with a tiny leading pivot", () => {
    // reference: numpy 2.4.6 numpy.linalg.solve([[1e-3, 2, 3], [4, 5, 6], [7, 8, 10]], [1, 2, 3])
    const expected = [-0.2000800320128053, 0.7999199679871956, -0.19987995198079275];
    const x = solveLinear(Float64Array.of(1e-3, 2, 3, 4, 5, 6, 7, 8, 10), 3, [1, 2, 3])!;
    // cond ≈ 100, so ~1e-14 relative; 1e-13 allows for different pivot arithmetic order.
    for (let i = 0; i < 3; i++) expect(Math.abs(x[i]! - expected[i]!)).toBeLessThanOrEqual(1e-13);
  });

  it("returns null for a singular matrix and leaves its inputs alone", () => {
    const a = Float64Array.of(1, 2, 2, 4);
    const b = Float64Array.of(1, 2);
    expect(solveLinear(a, 2, b)).toBeNull();
    expect(Array.from(a)).toEqual([1, 2, 2, 4]);
    expect(Array.from(b)).toEqual([1, 2]);
    expect(solveLinear(new Float64Array(4), 2, [1, 1])).toBeNull();
  });

  it("solves a random 40×40 general system", () => {
    const n = 40;
    const rng = new Random(99);
    const a = Float64Array.from({ length: n * n }, () => rng.normal());
    const b = Float64Array.from({ length: n }, () => rng.normal());
    const x = solveLinear(a, n, b)!;
    const r = matVec(a, n, x);
    // Partial pivoting is backward stable in practice (growth factor small for random matrices):
    // residual ≲ n·eps·‖A‖·‖x‖, bounded here with a 1e-12 factor.
    let err = 0;
    for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(r[i]! - b[i]!));
    expect(err).toBeLessThanOrEqual(1e-12 * maxAbs(a) * maxAbs(x) * n);
  });
});
