/**
 * Gaussian constraint terms of the simplified likelihoods (spey after PR #67): the auxiliary
 * measurement a of a block of nuisances θ is N(a | θ, 1) per component (uncorrelated) or
 * MVN(a | θ, ρ) (correlated), with nominal auxiliary data a = 0. The precision ρ⁻¹ and ln|ρ| come
 * from one Cholesky factorisation when the block is built, never per evaluation.
 */
import { FACTORISED_MIN_ORDER, FactorisedCovariance } from "../../math/factorised-covariance.js";
import { cholesky, choleskyInverse, choleskyLogDet } from "../../math/linalg.js";
import type { RandomSource } from "../../math/random.js";
import { zeros, copyOf } from "../../core/arrays.js";
import { abs, max, sqrt, ln } from "../../core/describe.js";

const LOG_2PI = ln(2 * Math.PI);
/**
 * From this many correlated nuisances on, the block works from the Cholesky factor alone
 * ({@link GaussianBlock.factorised}: O(n²) products and solves, no O(n³) inverse) and the profile
 * fits take truncated-Newton steps (profile/large-model.ts) instead of factorising a dense Hessian
 * per step. Below it the dense path is cheaper (a factorisation of n³/6 against ~2n² per CG product).
 */
export const LARGE_MODEL_BINS = FACTORISED_MIN_ORDER;

/** Options of {@link GaussianBlock.correlated}. */
export interface CorrelatedBlockOptions {
  /** ρ itself, row-major (kept instead of being rebuilt from the factor). */
  readonly correlation?: Float64Array;
  /** Work from the factor alone (default: n ≥ {@link LARGE_MODEL_BINS}). */
  readonly factorised?: boolean;
}

/** A Gaussian measurement of n nuisance parameters with unit variances and correlation ρ. */
export class GaussianBlock {
  declare readonly n: number;
  /** Cholesky factor of ρ (for sampling), or null for ρ = 1. */
  declare readonly lower: Float64Array | null;
  /** ½(n ln 2π + ln|ρ|): the normalisation of −ln N. */
  declare readonly halfLogNorm: number;
  /**
   * ρ by its factor alone (large models, see {@link LARGE_MODEL_BINS}): −ln p(a | θ) and its
   * gradient by triangular solves; null for small or independent blocks.
   */
  declare readonly factorised: FactorisedCovariance | null;
  #inverse: Float64Array | undefined;

  private constructor(
    n: number,
    lower: Float64Array | null,
    logDet: number,
    correlation: Float64Array | undefined,
    factorised: boolean,
  ) {
    this.n = n;
    this.lower = lower;
    this.halfLogNorm = 0.5 * (n * LOG_2PI + logDet);
    this.#rho = correlation;
    this.factorised = lower !== null && factorised ? new FactorisedCovariance(lower, n) : null;
  }

  /** n independent N(aᵢ | θᵢ, 1). */
  static independent(n: number): GaussianBlock {
    return new GaussianBlock(n, null, 0, undefined, false);
  }

  /** MVN(a | θ, ρ), given ρ's lower Cholesky factor (ρ validated, symmetric positive definite). */
  static correlated(lower: Float64Array, n: number, options: CorrelatedBlockOptions = {}): GaussianBlock {
    const factorised = options.factorised ?? n >= LARGE_MODEL_BINS;
    return new GaussianBlock(n, lower, choleskyLogDet(lower, n), options.correlation, factorised);
  }

  /** ρ⁻¹ row-major (computed on first use, O(n³)), or null for ρ = 1 (independent components). */
  get precision(): Float64Array | null {
    if (this.lower === null) return null;
    this.#inverse ??= choleskyInverse(this.lower, this.n);
    return this.#inverse;
  }

  /**
   * −ln p(a | θ) for θ = pars[offset …] and a = aux[auxOffset …] (zeros when aux is undefined).
   * With `grad`, writes ∂/∂θ = ρ⁻¹(θ − a) into grad[offset …]; `r` is an n-long scratch buffer.
   */
  nll(
    pars: Float64Array,
    offset: number,
    aux: Float64Array | undefined,
    auxOffset: number,
    r: Float64Array,
    grad?: Float64Array,
  ): number {
    const n = this.n;
    if (aux) for (let i = 0; i < n; i++) r[i] = pars[offset + i]! - aux[auxOffset + i]!;
    else for (let i = 0; i < n; i++) r[i] = pars[offset + i]!;
    if (this.factorised !== null) {
      const q = this.factorised.quadratic(r, grad?.subarray(offset, offset + n));
      return 0.5 * q + this.halfLogNorm;
    }
    const P = this.precision;
    let q = 0;
    if (P === null) {
      for (let i = 0; i < n; i++) {
        const ri = r[i]!;
        q += ri * ri;
        if (grad) grad[offset + i] = ri;
      }
    } else {
      // u = ρ⁻¹r row by row, four independent accumulators (breaks the add-latency chain)
      const n4 = n - (n % 4);
      for (let i = 0; i < n; i++) {
        const row = i * n;
        let u0 = 0;
        let u1 = 0;
        let u2 = 0;
        let u3 = 0;
        for (let j = 0; j < n4; j += 4) {
          u0 += P[row + j]! * r[j]!;
          u1 += P[row + j + 1]! * r[j + 1]!;
          u2 += P[row + j + 2]! * r[j + 2]!;
          u3 += P[row + j + 3]! * r[j + 3]!;
        }
        for (let j = n4; j < n; j++) u0 += P[row + j]! * r[j]!;
        const u = u0 + u1 + (u2 + u3);
        q += r[i]! * u;
        if (grad) grad[offset + i] = u;
      }
    }
    return 0.5 * q + this.halfLogNorm;
  }

  #rho: Float64Array | undefined;
  #floor: number | undefined;

  /** ρ row-major (the identity for independent components), computed once. */
  covariance(): Float64Array {
    if (this.#rho) return this.#rho;
    const n = this.n;
    const rho = zeros(n * n);
    const L = this.lower;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        if (L === null) s = i === j ? 1 : 0;
        else for (let k = 0; k <= j; k++) s += L[i * n + k]! * L[j * n + k]!;
        rho[i * n + j] = s;
        rho[j * n + i] = s;
      }
    }
    this.#rho = rho;
    return rho;
  }

  /**
   * A certified m > 0 with ρ⁻¹ ⪰ m·I (so −ln p(a | θ) is m-strongly convex), i.e. m ≤ 1/λ_max(ρ).
   * Gershgorin's bound λ_max ≤ maxᵢ Σⱼ|ρᵢⱼ| gives a valid m at once; when a power-iteration
   * estimate of λ_max is smaller, m = 1/(1.01·estimate) is used if the Cholesky factorisation of
   * ρ⁻¹ − m·I confirms it. Computed once.
   */
  strongConvexity(): number {
    if (this.#floor !== undefined) return this.#floor;
    const n = this.n;
    if (this.lower === null) {
      this.#floor = 1;
      return 1;
    }
    const rho = this.covariance();
    let gershgorin = 0;
    for (let i = 0; i < n; i++) {
      let row = 0;
      for (let j = 0; j < n; j++) row += abs(rho[i * n + j]!);
      gershgorin = max(gershgorin, row);
    }
    let m = 1 / gershgorin;
    if (this.factorised !== null) {
      // large blocks: Gershgorin's bound only (its refinement needs an O(n³) factorisation of ρ⁻¹ − m·I)
      this.#floor = m;
      return m;
    }
    const P = this.precision as Float64Array;
    // power iteration from the all-ones vector (deterministic)
    let v = zeros(n).fill(1 / sqrt(n));
    let w = zeros(n);
    let estimate = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let norm = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += rho[i * n + j]! * v[j]!;
        w[i] = s;
        norm += s * s;
      }
      norm = sqrt(norm);
      if (!(norm > 0)) break;
      const previous = estimate;
      estimate = norm;
      for (let i = 0; i < n; i++) w[i] = w[i]! / norm;
      [v, w] = [w, v];
      if (abs(estimate - previous) <= 1e-6 * estimate) break;
    }
    const candidate = 1 / (1.01 * estimate);
    if (candidate > m) {
      const shifted = copyOf(P);
      for (let i = 0; i < n; i++) shifted[i * n + i]! -= candidate;
      if (cholesky(shifted, n)) m = candidate;
    }
    this.#floor = m;
    return m;
  }

  /** Adds ∂²(−ln p)/∂θ∂θᵀ = ρ⁻¹ to the p×p matrix H at rows/columns offset …. */
  addHessian(H: Float64Array, p: number, offset: number): void {
    const n = this.n;
    const P = this.precision;
    for (let i = 0; i < n; i++) {
      const row = (offset + i) * p + offset;
      if (P === null) H[row + i]! += 1;
      else for (let j = 0; j < n; j++) H[row + j]! += P[i * n + j]!;
    }
  }

  /** Draws a ~ p(a | θ) for θ = pars[offset …] into out[outOffset …] (z drawn in index order). */
  sample(
    rng: RandomSource,
    pars: Float64Array,
    offset: number,
    out: Float64Array,
    outOffset: number,
    z: Float64Array,
  ): void {
    const n = this.n;
    const L = this.lower;
    if (L === null) {
      for (let i = 0; i < n; i++) out[outOffset + i] = pars[offset + i]! + rng.normal();
      return;
    }
    for (let i = 0; i < n; i++) z[i] = rng.normal();
    for (let i = 0; i < n; i++) {
      let v = pars[offset + i]!;
      for (let j = 0; j <= i; j++) v += L[i * n + j]! * z[j]!;
      out[outOffset + i] = v;
    }
  }
}
