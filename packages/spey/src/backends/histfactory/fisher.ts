/**
 * Newton systems with the expected (Fisher) information of a HistFactory model without forming it:
 * I = Vᵀ V + diag(d) (LikelihoodEvaluator.fisherFactors), V with one row per main bin. A model
 * with far fewer bins than free parameters (the HEPData-style analyses: 20 bins, 120 parameters)
 * has a low-rank-plus-diagonal Fisher information, and the systems of the cold fits' Fisher
 * scoring steps are solved through the capacitance matrix K = I_B + V E Vᵀ, E = (D + τ)⁻¹
 * (Sherman–Morrison–Woodbury; Golub & Van Loan, "Matrix Computations", 4th ed., §2.1.4), in
 * O(B² m) instead of forming the m×m matrix (O(B m²)) and factoring it (O(m³/6)). Parameters
 * without a constraint term (normfactors, shapefactors, a free μ) have d = 0: they are eliminated
 * last, through the Schur complement S = I_UU − I_UC I_CC⁻¹ I_CU, whose Cholesky factorisation
 * decides definiteness (with the pivot floor of dense.ts `choleskyWithShift`).
 */
import { choleskyShifted, choleskySolveInPlace, shiftSequence } from "../../optimize/dense.js";
import type { HessianFactoriser } from "../../optimize/types.js";
import { zeros } from "../../core/arrays.js";

/**
 * Factors I[F, F] + τI (I = Vᵀ V + diag(d) loaded by {@link load}) with the shift sequence of
 * dense.ts `choleskyWithShift`, and solves with it. One load-factor-solve at a time.
 */
export class FisherFactoriser implements HessianFactoriser {
  /** V, row-major rows × n (filled by the evaluator through {@link load}). */
  declare readonly v: Float64Array;
  /** The constraint terms d. */
  declare readonly d: Float64Array;
  // The current factorisation: subset, shift, the constrained (C) and unconstrained (U) positions.
  #idx = new Int32Array(0);
  readonly #cPos: Int32Array;
  readonly #uPos: Int32Array;
  #nC = 0;
  #nU = 0;
  /** E = 1/(d + τ) per constrained position; Q = V_C E (rows × nC). */
  readonly #e: Float64Array;
  readonly #q: Float64Array;
  /** The capacitance matrix K = I + Q V_Cᵀ and its factor; Z = I_CC⁻¹ I_CU (nC × nU); S's factor. */
  readonly #kMat: Float64Array;
  readonly #kChol: Float64Array;
  #z = zeros(0);
  /** I_CU = V_Cᵀ V_U (nC × nU). */
  #icu = zeros(0);
  #r = zeros(0);
  #sMat = zeros(0);
  #sChol = zeros(0);
  readonly #t: Float64Array;
  readonly #y: Float64Array;
  /** V_C and V_U gathered (rows × n, row stride n), and a work vector. */
  readonly #vc: Float64Array;
  readonly #vu: Float64Array;
  readonly #back: Float64Array;

  declare readonly n: number;
  declare readonly rows: number;
  constructor(n: number, rows: number) {
    this.n = n;
    this.rows = rows;
    this.v = zeros(rows * n);
    this.d = zeros(n);
    this.#cPos = new Int32Array(n);
    this.#uPos = new Int32Array(n);
    this.#e = zeros(n);
    this.#q = zeros(rows * n);
    this.#kMat = zeros(rows * rows);
    this.#kChol = zeros(rows * rows);
    this.#t = zeros(rows);
    this.#y = zeros(n);
    this.#vc = zeros(rows * n);
    this.#vu = zeros(rows * n);
    this.#back = zeros(n);
  }

  /**
   * Writes the diagonal of I into the n×n `h` (the minimiser reads it for its scaled gradient
   * steps; the off-diagonal entries of `h` are left as they are: this factoriser never reads them).
   */
  writeDiagonal(h: Float64Array): void {
    const { n, rows, v, d } = this;
    for (let i = 0; i < n; i++) {
      let s = d[i] as number;
      for (let b = 0; b < rows; b++) s += (v[b * n + i] as number) * (v[b * n + i] as number);
      h[i * n + i] = s;
    }
  }

  /** I[F, F] + τI = (V_Fᵀ V_F + D_F + τ): Cholesky-equivalent success and the factors. */
  #factor(idx: ArrayLike<number>, m: number, tau: number, pivotFloor: number): boolean {
    const { n, rows, v, d } = this,
      cPos = this.#cPos,
      uPos = this.#uPos,
      e = this.#e,
      q = this.#q,
      kMat = this.#kMat,
      kChol = this.#kChol;
    let nC = 0;
    let nU = 0;
    for (let a = 0; a < m; a++) {
      const p = idx[a] as number;
      const dp = (d[p] as number) + tau;
      if (dp > pivotFloor) {
        e[nC] = 1 / dp;
        cPos[nC++] = a;
      } else uPos[nU++] = a;
    }
    this.#nC = nC;
    this.#nU = nU;
    // V_C and V_U gathered into contiguous rows, Q = V_C E, K = I + Q V_Cᵀ.
    const vc = this.#vc,
      vu = this.#vu;
    for (let b = 0; b < rows; b++) {
      const row = b * n;
      for (let c = 0; c < nC; c++) {
        const x = v[row + (idx[cPos[c] as number] as number)] as number;
        vc[row + c] = x;
        q[row + c] = x * (e[c] as number);
      }
      for (let u = 0; u < nU; u++) vu[row + u] = v[row + (idx[uPos[u] as number] as number)] as number;
    }
    for (let b = 0; b < rows; b++) {
      const rq = b * n;
      for (let b2 = 0; b2 <= b; b2++) {
        const rv = b2 * n;
        let s = 0;
        for (let c = 0; c < nC; c++) s += (q[rq + c] as number) * (vc[rv + c] as number);
        kMat[b * rows + b2] = s + (b === b2 ? 1 : 0);
        kMat[b2 * rows + b] = kMat[b * rows + b2] as number;
      }
    }
    if (!choleskyShifted(kMat, rows, 0, kChol, 0)) return false;
    if (nU === 0) return true;
    // I_CU, Z = I_CC⁻¹ I_CU column by column, then S = V_Uᵀ V_U + τ − I_CUᵀ Z.
    if (this.#z.length < nC * nU) {
      this.#z = zeros(nC * nU);
      this.#icu = zeros(nC * nU);
    }
    if (this.#sMat.length < nU * nU) {
      this.#sMat = zeros(nU * nU);
      this.#sChol = zeros(nU * nU);
      this.#r = zeros(nU);
    }
    const z = this.#z,
      icu = this.#icu,
      sMat = this.#sMat,
      y = this.#y;
    for (let u = 0; u < nU; u++) {
      for (let c = 0; c < nC; c++) y[c] = 0;
      for (let b = 0; b < rows; b++) {
        const row = b * n;
        const x = vu[row + u] as number;
        if (x !== 0) for (let c = 0; c < nC; c++) y[c]! += (vc[row + c] as number) * x;
      }
      for (let c = 0; c < nC; c++) icu[c * nU + u] = y[c] as number;
      this.#applyInverseC(y);
      for (let c = 0; c < nC; c++) z[c * nU + u] = y[c] as number;
    }
    for (let u = 0; u < nU; u++) {
      for (let w = 0; w <= u; w++) {
        let s = u === w ? tau : 0;
        for (let b = 0; b < rows; b++) s += (vu[b * n + u] as number) * (vu[b * n + w] as number);
        for (let c = 0; c < nC; c++) s -= (icu[c * nU + u] as number) * (z[c * nU + w] as number);
        sMat[u * nU + w] = s;
        sMat[w * nU + u] = s;
      }
    }
    return choleskyShifted(sMat, nU, 0, this.#sChol, pivotFloor);
  }

  /** y_C ← I_CC⁻¹ y_C = E y − E V_Cᵀ K⁻¹ V_C E y (Woodbury), in place on the first nC entries. */
  #applyInverseC(y: Float64Array): void {
    const { n, rows } = this,
      q = this.#q,
      e = this.#e,
      t = this.#t,
      kChol = this.#kChol,
      nC = this.#nC,
      vc = this.#vc,
      back = this.#back;
    for (let b = 0; b < rows; b++) {
      let s = 0;
      const rq = b * n;
      for (let c = 0; c < nC; c++) s += (q[rq + c] as number) * (y[c] as number);
      t[b] = s;
    }
    choleskySolveInPlace(kChol, rows, t);
    for (let c = 0; c < nC; c++) back[c] = 0;
    for (let b = 0; b < rows; b++) {
      const row = b * n;
      const tb = t[b] as number;
      for (let c = 0; c < nC; c++) back[c]! += (vc[row + c] as number) * tb;
    }
    for (let c = 0; c < nC; c++) y[c] = (e[c] as number) * ((y[c] as number) - (back[c] as number));
  }

  /**
   * Factor I[F, F] + τI, F = idx[0..m), with the smallest τ of dense.ts `choleskyWithShift`'s
   * sequence (from the diagonal written by {@link writeDiagonal} into `h`) that succeeds; τ, or NaN.
   */
  factorWithShift(
    h: Float64Array,
    idx: ArrayLike<number>,
    m: number,
    maxAttempts: number,
    start: "largest-diagonal" | "smallest-diagonal" = "largest-diagonal",
  ): number {
    const n = this.n;
    if (this.#idx.length < m) this.#idx = new Int32Array(m);
    for (let a = 0; a < m; a++) this.#idx[a] = idx[a] as number;
    return shiftSequence(
      (a) => h[(idx[a] as number) * (n + 1)] as number,
      m,
      maxAttempts,
      start,
      (tau, pivotFloor) => this.#factor(this.#idx, m, tau, pivotFloor),
    );
  }

  /** Solve (I[F, F] + τI) x = b in place with the last factorisation (`x` in subset order). */
  solveInPlace(x: Float64Array): void {
    const nC = this.#nC,
      nU = this.#nU,
      cPos = this.#cPos,
      uPos = this.#uPos,
      y = this.#y,
      z = this.#z,
      sChol = this.#sChol;
    for (let c = 0; c < nC; c++) y[c] = x[cPos[c] as number] as number;
    this.#applyInverseC(y); // y = I_CC⁻¹ b_C
    if (nU > 0) {
      // x_U = S⁻¹ (b_U − I_UC y), then x_C = y − Z x_U.
      const icu = this.#icu,
        r = this.#r;
      for (let u = 0; u < nU; u++) {
        let s = x[uPos[u] as number] as number;
        for (let c = 0; c < nC; c++) s -= (icu[c * nU + u] as number) * (y[c] as number);
        r[u] = s;
      }
      choleskySolveInPlace(sChol, nU, r);
      for (let u = 0; u < nU; u++) x[uPos[u] as number] = r[u] as number;
      for (let c = 0; c < nC; c++) {
        let s = y[c] as number;
        for (let u = 0; u < nU; u++) s -= (z[c * nU + u] as number) * (r[u] as number);
        y[c] = s;
      }
    }
    for (let c = 0; c < nC; c++) x[cPos[c] as number] = y[c] as number;
  }
}
