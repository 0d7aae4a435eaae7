/**
 * Cholesky factorisation and solve for symmetric matrices with a block-arrow pattern: the
 * variables split into small groups ("blocks") that couple only to themselves and to the rest, and
 * the rest ("A"), which may couple to everything. Ordering the blocks first,
 *
 *   H = [ D   Bᵀ ]     D = diag(D₁, …, D_k) (small dense blocks),   B = [B₁ … B_k],
 *       [ B   A  ]
 *
 * and H = L Lᵀ with L_D = chol(D) blockwise, W_j = B_j L_jᵀ⁻¹ and the Schur complement
 * S = A − B D⁻¹ Bᵀ = A − Σ_j W_j W_jᵀ factored densely (Golub & Van Loan, "Matrix Computations",
 * 4th ed., §4.2.9 block Cholesky / §4.5 block-arrow systems). The pivots are exactly those of a
 * dense Cholesky of the symmetrically permuted matrix, so the factorisation succeeds exactly when
 * H is positive definite (to the same pivot floor). Cost O(n_A³/6 + n_D n_A²/2) instead of
 * O((n_A + n_D)³/6), n_D the number of variables in blocks.
 *
 * HistFactory Hessians have this pattern: parameters that act on one bin only (staterror and
 * shapesys γ's, shapefactors) couple only to the parameters acting on the same bin, and the
 * constraint terms are diagonal. When the blocks are too few to pay for the bookkeeping (estimated
 * cost above {@link DENSE_PREFERENCE} of the dense one) the factoriser works densely, exactly as
 * {@link choleskyWithShift} does.
 */
import { InvalidInput } from "../core/errors.js";
import { choleskyShifted, choleskySolveInPlace, factorWithShift, type ShiftStart } from "./dense.js";

/** The block path is taken when its estimated flop count is below this fraction of the dense one. */
const DENSE_PREFERENCE = 0.75;

function grow<T extends Float64Array | Int32Array>(a: T, length: number, make: (n: number) => T): T {
  return a.length >= length ? a : make(Math.max(length, 2 * a.length));
}

/**
 * Factors H[F, F] + τI for a subset F of the variables (row-major n×n H, the variables of F in
 * `idx[0..m)`) and solves with the factor. One object serves many factorisations (its work arrays
 * are kept); it is not re-entrant: one factor-then-solve at a time.
 */
export class BlockArrowCholesky {
  readonly n: number;
  /** Block of each variable, −1 for the dense rest. */
  private readonly blockOf: Int32Array;
  private readonly nBlocks: number;

  // ---- the partition of the current subset --------------------------------------------------
  private m = 0;
  private nA = 0;
  private nb = 0;
  private blocked = false;
  /** Subset positions of the A part, in subset order. */
  private readonly subA: Int32Array;
  /** Subset positions of the D part, grouped by block (blocks in order of their first member). */
  private readonly subD: Int32Array;
  /** Offsets of the current subset's non-empty blocks in subD (nb + 1 entries). */
  private readonly blockStart: Int32Array;
  /** Per block: count of subset members, then the slot of that block among the non-empty ones. */
  private readonly count: Int32Array;
  private readonly slotOf: Int32Array;

  // ---- the factor ---------------------------------------------------------------------------
  /** Per non-empty block j: its s_j × s_j Cholesky factor L_j at lStart[j] (row-major). */
  private readonly lStart: Int32Array;
  private lD = new Float64Array(0);
  /**
   * W = B L_D⁻ᵀ, n_A × n_D row-major (row a: A variable a; columns: the D variables in block
   * order). Rows of B that are zero stay zero; kept dense so that S = A − W Wᵀ is formed by
   * contiguous dot products (scattered sparse updates were measured slower than the dense Cholesky
   * they replace).
   */
  private wt = new Float64Array(0);
  /** Scratch: next free position per block while partitioning. */
  private readonly fill: Int32Array;
  private sMat = new Float64Array(0);
  private sL = new Float64Array(0);
  private dense = new Float64Array(0);
  private denseL = new Float64Array(0);
  private readonly yD: Float64Array;
  private readonly zA: Float64Array;

  /**
   * @param n number of variables of the matrices to be factored.
   * @param blocks disjoint groups of variable indices such that H[p][q] = 0 whenever p and q lie in
   *   different groups (variables in no group form the dense rest). Not checked against any matrix:
   *   a wrong pattern gives a wrong factor.
   */
  constructor(n: number, blocks: readonly ArrayLike<number>[]) {
    if (!Number.isInteger(n) || n < 0)
      throw new InvalidInput(`BlockArrowCholesky: n must be a non-negative integer; got ${n}.`);
    this.n = n;
    this.blockOf = new Int32Array(n).fill(-1);
    blocks.forEach((block, j) => {
      for (let t = 0; t < block.length; t++) {
        const p = block[t] as number;
        if (!Number.isInteger(p) || p < 0 || p >= n) {
          throw new InvalidInput(`BlockArrowCholesky: block ${j} holds ${p}, not a variable index in [0, ${n}).`);
        }
        if (this.blockOf[p] !== -1) {
          throw new InvalidInput(`BlockArrowCholesky: variable ${p} is in two blocks; blocks must be disjoint.`);
        }
        this.blockOf[p] = j;
      }
    });
    this.nBlocks = blocks.length;
    this.subA = new Int32Array(n);
    this.subD = new Int32Array(n);
    this.blockStart = new Int32Array(n + 1);
    this.count = new Int32Array(this.nBlocks);
    this.slotOf = new Int32Array(this.nBlocks);
    this.lStart = new Int32Array(n + 1);
    this.fill = new Int32Array(n + 1);
    this.yD = new Float64Array(n);
    this.zA = new Float64Array(n);
  }

  /** Whether the last factorisation used the block structure (false: dense). */
  get usedBlocks(): boolean {
    return this.blocked;
  }

  /** Splits idx[0..m) into the A part and the blocks; decides between the block and dense paths. */
  private partition(idx: ArrayLike<number>, m: number): void {
    const { blockOf, count, slotOf, subA, subD, blockStart } = this;
    this.m = m;
    count.fill(0);
    let nA = 0;
    let nb = 0;
    for (let a = 0; a < m; a++) {
      const b = blockOf[idx[a] as number] as number;
      if (b < 0) subA[nA++] = a;
      else if (count[b]!++ === 0) slotOf[b] = nb++;
    }
    // Block offsets in order of their slots, then the members in subset order.
    const sizes = this.lStart; // reused as scratch for the slot sizes here, rebuilt below
    for (let a = 0; a < m; a++) {
      const b = blockOf[idx[a] as number] as number;
      if (b >= 0) sizes[slotOf[b] as number] = count[b] as number;
    }
    blockStart[0] = 0;
    for (let j = 0; j < nb; j++) blockStart[j + 1] = (blockStart[j] as number) + (sizes[j] as number);
    const fill = this.fill;
    for (let j = 0; j < nb; j++) fill[j] = blockStart[j] as number;
    for (let a = 0; a < m; a++) {
      const b = blockOf[idx[a] as number] as number;
      if (b >= 0) subD[fill[slotOf[b] as number]!++] = a;
    }
    this.nA = nA;
    this.nb = nb;
    const nD = m - nA;
    let blockCost = 0;
    for (let j = 0; j < nb; j++) {
      const s = (blockStart[j + 1] as number) - (blockStart[j] as number);
      blockCost += (s * s * s) / 6 + (s * s * nA) / 2;
    }
    const arrowCost = blockCost + (nD * nA * nA) / 2 + (nA * nA * nA) / 6;
    this.blocked = nD > 0 && arrowCost < DENSE_PREFERENCE * ((m * m * m) / 6);
    if (this.blocked) {
      const lStart = this.lStart;
      lStart[0] = 0;
      for (let j = 0; j < nb; j++) {
        const s = (blockStart[j + 1] as number) - (blockStart[j] as number);
        lStart[j + 1] = (lStart[j] as number) + s * s;
      }
      this.lD = grow(this.lD, lStart[nb] as number, (k) => new Float64Array(k));
      this.wt = grow(this.wt, nA * nD, (k) => new Float64Array(k));
      this.sMat = grow(this.sMat, nA * nA, (k) => new Float64Array(k));
      this.sL = grow(this.sL, nA * nA, (k) => new Float64Array(k));
    } else {
      this.dense = grow(this.dense, m * m, (k) => new Float64Array(k));
      this.denseL = grow(this.denseL, m * m, (k) => new Float64Array(k));
    }
  }

  /**
   * Factor H[F, F] + shift·I, F = idx[0..m) (row-major n×n `h`; the lower triangle of H[F, F] and,
   * for the blocks, their rows are read). Returns false when a pivot is not positive, not finite,
   * or not above `pivotFloor` (then solving is not allowed).
   */
  factor(h: Float64Array, idx: ArrayLike<number>, m: number, shift: number, pivotFloor: number): boolean {
    const n = this.n;
    if (h.length !== n * n)
      throw new InvalidInput(`BlockArrowCholesky: the matrix has length ${h.length}, expected ${n * n}.`);
    this.partition(idx, m);
    if (!this.blocked) {
      const dense = this.dense;
      for (let a = 0; a < m; a++) {
        const row = (idx[a] as number) * n;
        for (let b = 0; b <= a; b++) dense[a * m + b] = h[row + (idx[b] as number)] as number;
      }
      return choleskyShifted(dense, m, shift, this.denseL, pivotFloor);
    }
    const { nA, nb, subA, subD, blockStart, lStart, wt } = this;
    const nD = m - nA;
    const lD = this.lD;
    for (let j = 0; j < nb; j++) {
      const start = blockStart[j] as number;
      const s = (blockStart[j + 1] as number) - start;
      const l = lStart[j] as number;
      // L_j: Cholesky of D_j + shift·I (s is small: plain loops).
      for (let c = 0; c < s; c++) {
        const pc = idx[subD[start + c] as number] as number;
        for (let r = c; r < s; r++) {
          const pr = idx[subD[start + r] as number] as number;
          let v = (h[pr * n + pc] as number) + (r === c ? shift : 0);
          for (let k = 0; k < c; k++) v -= (lD[l + r * s + k] as number) * (lD[l + c * s + k] as number);
          if (r === c) {
            if (!(v > pivotFloor) || !Number.isFinite(v)) return false;
            lD[l + c * s + c] = Math.sqrt(v);
          } else {
            lD[l + r * s + c] = v / (lD[l + c * s + c] as number);
          }
        }
      }
      // Columns start…start+s of W: row a solves L_j w = B_j[a, :]ᵀ (B read along the block's
      // own rows of H, which are contiguous).
      for (let t = 0; t < s; t++) {
        const row = (idx[subD[start + t] as number] as number) * n;
        for (let a = 0; a < nA; a++) wt[a * nD + start + t] = h[row + (idx[subA[a] as number] as number)] as number;
      }
      for (let t = 0; t < s; t++) {
        const pivot = lD[l + t * s + t] as number;
        for (let a = 0; a < nA; a++) {
          const w = a * nD + start;
          let v = wt[w + t] as number;
          for (let k = 0; k < t; k++) v -= (lD[l + t * s + k] as number) * (wt[w + k] as number);
          wt[w + t] = v / pivot;
        }
      }
    }
    // S = A + shift·I − W Wᵀ (lower triangle), two rows and two columns at a time (the four dot
    // products share their loads, as in choleskyShifted).
    const sMat = this.sMat;
    for (let a = 0; a < nA; a++) {
      const row = (idx[subA[a] as number] as number) * n;
      for (let b = 0; b <= a; b++) sMat[a * nA + b] = h[row + (idx[subA[b] as number] as number)] as number;
      sMat[a * nA + a]! += shift;
    }
    if (nD > 0) {
      let a = 0;
      for (; a + 1 < nA; a += 2) {
        const r0 = a * nD;
        const r1 = r0 + nD;
        for (let b = 0; b <= a; b += 2) {
          const c0 = b * nD;
          const c1 = c0 + nD;
          let s00 = 0;
          let s01 = 0;
          let s10 = 0;
          let s11 = 0;
          for (let k = 0; k < nD; k++) {
            const x0 = wt[r0 + k] as number;
            const x1 = wt[r1 + k] as number;
            const y0 = wt[c0 + k] as number;
            const y1 = wt[c1 + k] as number;
            s00 += x0 * y0;
            s01 += x0 * y1;
            s10 += x1 * y0;
            s11 += x1 * y1;
          }
          sMat[a * nA + b]! -= s00;
          sMat[(a + 1) * nA + b]! -= s10;
          sMat[(a + 1) * nA + b + 1]! -= s11;
          if (b + 1 <= a) sMat[a * nA + b + 1]! -= s01;
        }
      }
      if (a < nA) {
        const r0 = a * nD;
        for (let b = 0; b <= a; b++) {
          const c0 = b * nD;
          let s0 = 0;
          for (let k = 0; k < nD; k++) s0 += (wt[r0 + k] as number) * (wt[c0 + k] as number);
          sMat[a * nA + b]! -= s0;
        }
      }
    }
    return choleskyShifted(sMat, nA, 0, this.sL, pivotFloor);
  }

  /**
   * Factor H[F, F] + τI with the shift sequence of {@link choleskyWithShift} (same τ for the same
   * matrix); returns τ, or NaN when every attempt failed.
   */
  factorWithShift(
    h: Float64Array,
    idx: ArrayLike<number>,
    m: number,
    maxAttempts: number,
    start: ShiftStart = "largest-diagonal",
  ): number {
    const n = this.n;
    return factorWithShift(
      (i) => h[(idx[i] as number) * (n + 1)] as number,
      m,
      (tau, pivotFloor) => this.factor(h, idx, m, tau, pivotFloor),
      maxAttempts,
      start,
    );
  }

  /**
   * Solve (H[F, F] + τI) x = b in place with the last successful factorisation: `x` holds b in
   * subset order (x[a] ↔ variable idx[a]) on entry and the solution on return.
   */
  solveInPlace(x: Float64Array): void {
    const m = this.m;
    if (!this.blocked) {
      choleskySolveInPlace(this.denseL, m, x);
      return;
    }
    const { nA, nb, subA, subD, blockStart, lStart, lD, wt, yD, zA, sL } = this;
    const nD = m - nA;
    // y_j = L_j⁻¹ b_j.
    for (let j = 0; j < nb; j++) {
      const start = blockStart[j] as number;
      const s = (blockStart[j + 1] as number) - start;
      const l = lStart[j] as number;
      for (let t = 0; t < s; t++) {
        let v = x[subD[start + t] as number] as number;
        for (let k = 0; k < t; k++) v -= (lD[l + t * s + k] as number) * (yD[start + k] as number);
        yD[start + t] = v / (lD[l + t * s + t] as number);
      }
    }
    // S x_A = b_A − W y.
    for (let a = 0; a < nA; a++) {
      const w = a * nD;
      let dot = 0;
      for (let k = 0; k < nD; k++) dot += (wt[w + k] as number) * (yD[k] as number);
      zA[a] = (x[subA[a] as number] as number) - dot;
    }
    choleskySolveInPlace(sL, nA, zA);
    // x_j = L_j⁻ᵀ (y_j − W_jᵀ x_A).
    for (let a = 0; a < nA; a++) {
      const w = a * nD;
      const za = zA[a] as number;
      if (za === 0) continue;
      for (let k = 0; k < nD; k++) yD[k]! -= (wt[w + k] as number) * za;
    }
    for (let j = 0; j < nb; j++) {
      const start = blockStart[j] as number;
      const s = (blockStart[j + 1] as number) - start;
      const l = lStart[j] as number;
      for (let t = s - 1; t >= 0; t--) {
        let v = yD[start + t] as number;
        for (let k = t + 1; k < s; k++) v -= (lD[l + k * s + t] as number) * (yD[start + k] as number);
        yD[start + t] = v / (lD[l + t * s + t] as number);
      }
      for (let t = 0; t < s; t++) x[subD[start + t] as number] = yD[start + t] as number;
    }
    for (let a = 0; a < nA; a++) x[subA[a] as number] = zA[a] as number;
  }
}
