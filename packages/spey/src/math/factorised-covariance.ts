/**
 * A covariance (or correlation) matrix ρ = L·Lᵀ held as its Cholesky factor only, for models of
 * thousands of bins: ρ⁻¹v, ρv, ‖L⁻¹v‖² in O(n²) by triangular solves and products, never the
 * O(n³) inverse. Each row of L is used from its first non-zero column (the envelope of L equals
 * that of ρ, George & Liu 1981, ch. 4), so banded or block-diagonal matrices cost their envelope.
 * Triangular solves: Golub & Van Loan, "Matrix Computations", 4th ed., Alg. 3.1.1 (row-oriented
 * forward substitution) and Alg. 3.1.4 (column-oriented back substitution on Lᵀ, which reads L
 * by rows).
 */
import { zeros } from "../core/arrays.js";
/**
 * From this order on, models keep a covariance as its factor ({@link FactorisedCovariance}) and
 * their fits avoid dense n×n factorisations per step: below it a dense O(n³/6) factorisation is
 * cheaper than the O(n²) products an iterative solve needs.
 */
export const FACTORISED_MIN_ORDER = 256;

export class FactorisedCovariance {
  declare readonly n: number;
  /** Lower-triangular factor, row-major n×n. */
  readonly #lower: Float64Array;
  /** First non-zero column of each row of L. */
  readonly #first: Int32Array;
  readonly #scratch: Float64Array;
  readonly #scratch2: Float64Array;

  constructor(lower: Float64Array, n: number) {
    this.n = n;
    this.#lower = lower;
    const first = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const row = i * n;
      let k = 0;
      while (k < i && lower[row + k] === 0) k++;
      first[i] = k;
    }
    this.#first = first;
    this.#scratch = zeros(n);
    this.#scratch2 = zeros(n);
  }

  /** Solves L·y = b into `out` (may alias b). */
  #forward(b: Float64Array, out: Float64Array): Float64Array {
    const { n } = this,
      l = this.#lower,
      first = this.#first;
    for (let i = 0; i < n; i++) {
      const row = i * n;
      const start = first[i]!;
      let s0 = b[i]!;
      let s1 = 0;
      let k = start;
      for (; k + 1 < i; k += 2) {
        s0 -= l[row + k]! * out[k]!;
        s1 -= l[row + k + 1]! * out[k + 1]!;
      }
      for (; k < i; k++) s0 -= l[row + k]! * out[k]!;
      out[i] = (s0 + s1) / l[row + i]!;
    }
    return out;
  }

  /** Solves Lᵀ·x = y into `out` (may alias y): back substitution reading L by rows. */
  #backward(y: Float64Array, out: Float64Array): Float64Array {
    const { n } = this,
      l = this.#lower,
      first = this.#first;
    if (out !== y) out.set(y);
    for (let i = n - 1; i >= 0; i--) {
      const row = i * n;
      const xi = out[i]! / l[row + i]!;
      out[i] = xi;
      if (xi === 0) continue;
      for (let k = first[i]!; k < i; k++) out[k]! -= l[row + k]! * xi;
    }
    return out;
  }

  /** out = L·v (out must not alias v). */
  lowerTimes(v: Float64Array, out: Float64Array): Float64Array {
    const { n } = this,
      l = this.#lower,
      first = this.#first;
    for (let i = 0; i < n; i++) {
      const row = i * n;
      let s0 = 0;
      let s1 = 0;
      let k = first[i]!;
      for (; k + 1 <= i; k += 2) {
        s0 += l[row + k]! * v[k]!;
        s1 += l[row + k + 1]! * v[k + 1]!;
      }
      for (; k <= i; k++) s0 += l[row + k]! * v[k]!;
      out[i] = s0 + s1;
    }
    return out;
  }

  /** out = Lᵀ·v (out must not alias v). */
  upperTimes(v: Float64Array, out: Float64Array): Float64Array {
    const { n } = this,
      l = this.#lower,
      first = this.#first;
    out.fill(0);
    for (let i = 0; i < n; i++) {
      const vi = v[i]!;
      if (vi === 0) continue;
      const row = i * n;
      for (let k = first[i]!; k <= i; k++) out[k]! += l[row + k]! * vi;
    }
    return out;
  }

  /**
   * out = v + Lᵀ·diag(c)·L·v, the whitened form of ρ⁻¹ + diag(c) (θ = Lη), in one pass over L:
   * (Lv)ᵢ needs row i only, and row i's contribution to Lᵀ(c∘Lv) follows at once while the row is
   * in cache. out must not alias v.
   */
  whitenedProduct(v: Float64Array, c: Float64Array, out: Float64Array): Float64Array {
    const { n } = this,
      l = this.#lower,
      first = this.#first;
    out.set(v);
    for (let i = 0; i < n; i++) {
      const ci = c[i]!;
      if (ci === 0) continue;
      const row = i * n;
      const start = first[i]!;
      let s0 = 0;
      let s1 = 0;
      let k = start;
      for (; k + 1 <= i; k += 2) {
        s0 += l[row + k]! * v[k]!;
        s1 += l[row + k + 1]! * v[k + 1]!;
      }
      for (; k <= i; k++) s0 += l[row + k]! * v[k]!;
      const t = ci * (s0 + s1);
      if (t === 0) continue;
      for (let j = start; j <= i; j++) out[j]! += l[row + j]! * t;
    }
    return out;
  }

  /** out = ρ⁻¹·v = L⁻ᵀL⁻¹v (out may alias v). */
  precisionTimes(v: Float64Array, out: Float64Array): Float64Array {
    this.#forward(v, this.#scratch);
    return this.#backward(this.#scratch, out);
  }

  /** out = ρ·v = L·Lᵀv (out must not alias v). */
  covarianceTimes(v: Float64Array, out: Float64Array): Float64Array {
    this.upperTimes(v, this.#scratch2);
    return this.lowerTimes(this.#scratch2, out);
  }

  /**
   * rᵀρ⁻¹r = ‖L⁻¹r‖²; with `gradient`, ρ⁻¹r written into it (the gradient of ½rᵀρ⁻¹r).
   */
  quadratic(r: Float64Array, gradient?: Float64Array): number {
    const y = this.#forward(r, this.#scratch);
    let q = 0;
    for (let i = 0; i < this.n; i++) q += y[i]! * y[i]!;
    if (gradient) this.#backward(y, gradient);
    return q;
  }
}
