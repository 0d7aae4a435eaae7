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

/**
 * Factors H[F, F] + τI for subsets F of the variables (the active-set reductions of projected
 * Newton) through the block-arrow pattern, and solves with the factor. The work arrays are kept
 * between calls: one factor-then-solve at a time.
 */
export class BlockArrowCholesky implements HessianFactoriser {
  /** Block of each variable, −1 for the rest. */
  private readonly blockOf: Int32Array;
  private readonly count: Int32Array;
  /** Position in the ordering → position in the subset; the profile's first column per position. */
  private readonly perm: Int32Array;
  private readonly first: Int32Array;
  private mat = new Float64Array(0);
  private chol = new Float64Array(0);
  private readonly rhs: Float64Array;
  private m = 0;
  /** Whether the last factorisation used the blocks (false: a dense one in subset order). */
  usedBlocks = false;

  /**
   * @param n number of variables.
   * @param blocks disjoint groups of variable indices such that H[p][q] = 0 whenever p and q lie in
   *   different groups (variables in no group form the rest). Not checked against the matrices: a
   *   wrong pattern gives a wrong factor.
   */
  constructor(
    readonly n: number,
    blocks: readonly ArrayLike<number>[],
  ) {
    this.blockOf = new Int32Array(n).fill(-1);
    blocks.forEach((block, j) => {
      for (let t = 0; t < block.length; t++) {
        const p = block[t] as number;
        if (!(p >= 0 && p < n && this.blockOf[p] === -1)) {
          throw new InvalidInput(
            `BlockArrowCholesky: blocks must be disjoint variable indices in [0, ${n}); got ${p} in block ${j}.`,
          );
        }
        this.blockOf[p] = j;
      }
    });
    this.count = new Int32Array(blocks.length + 1);
    this.perm = new Int32Array(n);
    this.first = new Int32Array(n);
    this.rhs = new Float64Array(n);
  }

  /**
   * Orders the subset idx[0..m): the blocks' members (blocks in index order, members in subset
   * order), then the rest; or the subset order with an empty profile when the blocks would not
   * pay (estimated flops above 3/4 of the dense factorisation's).
   */
  private order(idx: ArrayLike<number>, m: number): void {
    const { blockOf, count, perm, first } = this;
    const nBlocks = count.length - 1;
    count.fill(0);
    for (let a = 0; a < m; a++) {
      const b = blockOf[idx[a] as number] as number;
      count[b < 0 ? nBlocks : b]!++;
    }
    const nA = count[nBlocks] as number;
    const nD = m - nA;
    this.usedBlocks = nD > 0 && (nA * nA * nA) / 6 + (nD * nA * nA) / 2 < 0.75 * ((m * m * m) / 6);
    if (this.usedBlocks) {
      // count → start position of each block (then of the rest), then place.
      let pos = 0;
      for (let b = 0; b <= nBlocks; b++) {
        const c = count[b] as number;
        count[b] = pos;
        pos += c;
      }
      for (let a = 0; a < m; a++) {
        const b = blockOf[idx[a] as number] as number;
        const k = b < 0 ? nBlocks : b;
        perm[count[k]!++] = a;
      }
      // Profile: a block member's row starts at its block's first position; the rest's rows are full.
      for (let at = 0; at < nD; at++) {
        const b = blockOf[idx[perm[at] as number] as number] as number;
        const prev = at > 0 ? (blockOf[idx[perm[at - 1] as number] as number] as number) : -2;
        first[at] = b === prev ? (first[at - 1] as number) : at;
      }
      for (let at = nD; at < m; at++) first[at] = 0;
    } else {
      for (let a = 0; a < m; a++) perm[a] = a;
    }
    this.m = m;
    if (this.mat.length < m * m) {
      this.mat = new Float64Array(m * m);
      this.chol = new Float64Array(m * m);
    }
  }

  /** The lower triangle of P H[F, F] Pᵀ into `mat`. */
  private gather(h: Float64Array, idx: ArrayLike<number>, m: number): void {
    const { n, perm, mat } = this;
    if (h.length !== n * n)
      throw new InvalidInput(`BlockArrowCholesky: the matrix has length ${h.length}, expected ${n * n}.`);
    for (let a = 0; a < m; a++) {
      const row = (idx[perm[a] as number] as number) * n;
      for (let b = 0; b <= a; b++) mat[a * m + b] = h[row + (idx[perm[b] as number] as number)] as number;
    }
  }

  /**
   * Factor H[F, F] + shift·I, F = idx[0..m) of row-major n×n `h` (dense.ts `choleskyShifted`):
   * false when a pivot is not positive, not finite or not above `pivotFloor`.
   */
  factor(h: Float64Array, idx: ArrayLike<number>, m: number, shift: number, pivotFloor: number): boolean {
    this.order(idx, m);
    this.gather(h, idx, m);
    return choleskyShifted(this.mat, m, shift, this.chol, pivotFloor, this.usedBlocks ? this.first : undefined);
  }

  /** Factor H[F, F] + τI with the shift sequence of dense.ts `choleskyWithShift`; τ, or NaN. */
  factorWithShift(
    h: Float64Array,
    idx: ArrayLike<number>,
    m: number,
    maxAttempts: number,
    start: ShiftStart = "largest-diagonal",
  ): number {
    this.order(idx, m);
    this.gather(h, idx, m);
    return choleskyWithShift(this.mat, m, this.chol, maxAttempts, start, this.usedBlocks ? this.first : undefined);
  }

  /** Solve with the last successful factor in place: `x` holds b in subset order (x[a] ↔ idx[a]). */
  solveInPlace(x: Float64Array): void {
    const { m, perm, rhs } = this;
    for (let a = 0; a < m; a++) rhs[a] = x[perm[a] as number] as number;
    choleskySolveInPlace(this.chol, m, rhs);
    for (let a = 0; a < m; a++) x[perm[a] as number] = rhs[a] as number;
  }
}
