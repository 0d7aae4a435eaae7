/**
 * Cholesky factorisation for symmetric matrices with a block-arrow pattern: the variables split
 * into small groups ("blocks") that couple only to themselves and to the rest, and the rest ("A"),
 * which may couple to everything. Ordered blocks first,
 *
 *   P H Pᵀ = [ D   Bᵀ ]     D = diag(D₁, …, D_k) (small dense blocks),
 *            [ B   A  ]
 *
 * each row of a block starts at its block's first column, and a profile (envelope) Cholesky of
 * P H Pᵀ (dense.ts `choleskyShifted` with `first`) never forms a product outside the profile: the
 * factor is L_D = chol(D) blockwise, W = B L_D⁻ᵀ, and the Cholesky factor of the Schur complement
 * S = A − B D⁻¹ Bᵀ = A − W Wᵀ (Golub & Van Loan, "Matrix Computations", 4th ed., §4.2 block
 * Cholesky), for O(n_A³/6 + n_D n_A²/2) instead of O((n_A + n_D)³/6). Its pivots are those of a
 * dense Cholesky of P H Pᵀ, so it succeeds exactly when H is positive definite.
 *
 * HistFactory Hessians have this pattern (HistFactoryModel.hessianBlocks): parameters that act on
 * one bin only (staterror and shapesys γ's, shapefactors) couple only to the parameters acting on
 * the same bin, and the constraint terms are diagonal.
 */
import { InvalidInput } from "../core/errors.js";
import { choleskyShifted, choleskySolveInPlace, choleskyWithShift, type ShiftStart } from "./dense.js";
import type { HessianFactoriser } from "./types.js";
import { isFiniteNumber, abs, isNaNNumber } from "../core/describe.js";
import { zeros } from "../core/arrays.js";

/**
 * Factors H[F, F] + τI for subsets F of the variables (the active-set reductions of projected
 * Newton) through the block-arrow pattern, and solves with the factor. The work arrays are kept
 * between calls: one factor-then-solve at a time.
 */
export class BlockArrowCholesky implements HessianFactoriser {
  /** Block of each variable, −1 for the rest. */
  readonly #blockOf: Int32Array;
  readonly #count: Int32Array;
  /** Position in the ordering → position in the subset; the profile's first column per position. */
  readonly #perm: Int32Array;
  readonly #first: Int32Array;
  #mat = zeros(0);
  #chol = zeros(0);
  readonly #rhs: Float64Array;
  #m = 0;
  /** Whether the last factorisation used the blocks (false: none of its variables is in one; dense). */
  usedBlocks = false;
  /**
   * The last successful factorisation: its subset and shift, and its smallest pivot (l_jj²). A
   * factorisation asked again for the same matrix entries, subset and shift (the fit's
   * positive-definiteness test, then the minimiser's Newton system at the same iterate) reuses it.
   */
  #lastIdx = new Int32Array(0);
  #lastShift = Number.NaN;
  #lastMinPivot = Number.NaN;

  declare readonly n: number;
  /**
   * @param n number of variables.
   * @param blocks disjoint groups of variable indices such that H[p][q] = 0 whenever p and q lie in
   *   different groups (variables in no group form the rest). Not checked against the matrices (a
   *   wrong pattern gives a wrong factor), nor their size: they must be n×n.
   */
  constructor(n: number, blocks: readonly ArrayLike<number>[]) {
    this.n = n;
    this.#blockOf = new Int32Array(n).fill(-1);
    blocks.forEach((block, j) => {
      for (let t = 0; t < block.length; t++) {
        const p = block[t] as number;
        if (!(p >= 0 && p < n && this.#blockOf[p] === -1)) {
          throw new InvalidInput(
            `BlockArrowCholesky: blocks must be disjoint indices in [0, ${n}); got ${p} twice or out of range.`,
          );
        }
        this.#blockOf[p] = j;
      }
    });
    this.#count = new Int32Array(blocks.length + 1);
    this.#perm = new Int32Array(n);
    this.#first = new Int32Array(n);
    this.#rhs = zeros(n);
  }

  /**
   * Orders the subset idx[0..m) — the blocks' members (blocks in index order, members in subset
   * order), then the rest — and writes the lower triangle of P H[F, F] Pᵀ into `mat`. Returns the
   * profile, or undefined (subset order, dense) when no variable of F lies in a block. Sets
   * {@link unchanged}: whether subset and entries equal those of the last successful factorisation.
   */
  #gather(h: Float64Array, idx: ArrayLike<number>, m: number): Int32Array | undefined {
    const { n } = this,
      blockOf = this.#blockOf,
      count = this.#count,
      perm = this.#perm,
      first = this.#first;
    const nBlocks = count.length - 1;
    count.fill(0);
    for (let a = 0; a < m; a++) {
      const b = blockOf[idx[a] as number] as number;
      count[b < 0 ? nBlocks : b]!++;
    }
    const nD = m - (count[nBlocks] as number);
    this.usedBlocks = nD > 0;
    // count → start position of each block (then of the rest), then place.
    let pos = 0;
    for (let b = 0; b <= nBlocks; b++) {
      const c = count[b] as number;
      count[b] = pos;
      pos += c;
    }
    for (let a = 0; a < m; a++) {
      const b = blockOf[idx[a] as number] as number;
      perm[count[b < 0 ? nBlocks : b]!++] = a;
    }
    // Profile: a block member's row starts at its block's first position; the rest's rows are full.
    for (let at = 0; at < m; at++) {
      const b = blockOf[idx[perm[at] as number] as number] as number;
      first[at] = at >= nD ? 0 : at > 0 && b === blockOf[idx[perm[at - 1] as number] as number] ? first[at - 1]! : at;
    }
    // The same subset as the last successful factorisation (same size and entries): then `mat`
    // still holds that matrix in the same layout, and an unchanged entry is one equal to it.
    let unchanged = !isNaNNumber(this.#lastShift) && this.#m === m && this.#lastIdx.length === m;
    for (let a = 0; a < m && unchanged; a++) unchanged = this.#lastIdx[a] === idx[a];
    this.#m = m;
    if (this.#mat.length < m * m) {
      this.#mat = zeros(m * m);
      this.#chol = zeros(m * m);
      unchanged = false;
    }
    const mat = this.#mat;
    for (let a = 0; a < m; a++) {
      const row = (idx[perm[a] as number] as number) * n;
      for (let b = 0; b <= a; b++) {
        const v = h[row + (idx[perm[b] as number] as number)] as number;
        // (Object.is: −0 and 0 factor alike, but NaN must never count as unchanged.)
        if (unchanged && !(mat[a * m + b] === v)) unchanged = false;
        mat[a * m + b] = v;
      }
    }
    this.#unchanged = unchanged;
    return nD > 0 ? first : undefined;
  }

  /** Set by {@link gather}: see there. */
  #unchanged = false;

  /**
   * Whether the last successful factorisation is that of the matrix just gathered with `shift`,
   * and `pivotFloor` would not have rejected it (a margin of 1e-12 covers the rounding of l_jj²
   * against the pivot it was taken from): then the factor in `chol` is the one a new
   * factorisation would compute, operation for operation.
   */
  #reusable(shift: number, pivotFloor: number): boolean {
    return this.#unchanged && this.#lastShift === shift && this.#lastMinPivot > pivotFloor * (1 + 1e-12);
  }

  /** Records a factorisation's outcome for {@link reusable}. */
  #record(ok: boolean, idx: ArrayLike<number>, m: number, shift: number): void {
    if (!ok) {
      this.#lastShift = Number.NaN;
      return;
    }
    if (this.#lastIdx.length !== m) this.#lastIdx = new Int32Array(m);
    for (let a = 0; a < m; a++) this.#lastIdx[a] = idx[a] as number;
    let minPivot = Number.POSITIVE_INFINITY;
    for (let j = 0; j < m; j++) {
      const l = this.#chol[j * m + j] as number;
      if (l * l < minPivot) minPivot = l * l;
    }
    this.#lastShift = shift;
    this.#lastMinPivot = minPivot;
  }

  /**
   * Factor H[F, F] + shift·I, F = idx[0..m) of row-major n×n `h` (dense.ts `choleskyShifted`):
   * false when a pivot is not positive, not finite or not above `pivotFloor`.
   */
  factor(h: Float64Array, idx: ArrayLike<number>, m: number, shift: number, pivotFloor: number): boolean {
    const profile = this.#gather(h, idx, m);
    if (this.#reusable(shift, pivotFloor)) return true;
    const ok = choleskyShifted(this.#mat, m, shift, this.#chol, pivotFloor, profile);
    this.#record(ok, idx, m, shift);
    return ok;
  }

  /** Factor H[F, F] + τI with the shift sequence of dense.ts `choleskyWithShift`; τ, or NaN. */
  factorWithShift(
    h: Float64Array,
    idx: ArrayLike<number>,
    m: number,
    maxAttempts: number,
    start: ShiftStart = "largest-diagonal",
  ): number {
    const profile = this.#gather(h, idx, m);
    // choleskyWithShift's first attempt is τ = 0 when every diagonal entry is positive, with the
    // pivot floor 1e-14·max|a_ii|: the last factorisation, when it is that one, is reused.
    if (this.#unchanged && this.#lastShift === 0 && maxAttempts > 0) {
      let minDiag = Number.POSITIVE_INFINITY;
      let maxAbsDiag = 0;
      for (let a = 0; a < m; a++) {
        const v = this.#mat[a * m + a] as number;
        if (v < minDiag) minDiag = v;
        if (abs(v) > maxAbsDiag) maxAbsDiag = abs(v);
      }
      if (minDiag > 0 && isFiniteNumber(maxAbsDiag) && this.#reusable(0, 1e-14 * maxAbsDiag)) return 0;
    }
    const tau = choleskyWithShift(this.#mat, m, this.#chol, maxAttempts, start, profile);
    this.#record(!isNaNNumber(tau), idx, m, tau);
    return tau;
  }

  /** Solve with the last successful factor in place: `x` holds b in subset order (x[a] ↔ idx[a]). */
  solveInPlace(x: Float64Array): void {
    const m = this.#m,
      perm = this.#perm,
      rhs = this.#rhs;
    for (let a = 0; a < m; a++) rhs[a] = x[perm[a] as number] as number;
    choleskySolveInPlace(this.#chol, m, rhs);
    for (let a = 0; a < m; a++) x[perm[a] as number] = rhs[a] as number;
  }
}
