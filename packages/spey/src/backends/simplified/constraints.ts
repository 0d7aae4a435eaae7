/**
 * Gaussian constraint terms of the simplified likelihoods (addendum §1): the auxiliary
 * measurement a of a block of nuisances θ is N(a | θ, 1) per component (uncorrelated) or
 * MVN(a | θ, ρ) (correlated), with nominal auxiliary data a = 0. The precision ρ⁻¹ and ln|ρ| come
 * from one Cholesky factorisation when the block is built, never per evaluation.
 */
import { choleskyInverse, choleskyLogDet } from "../../math/linalg.js";
import type { RandomSource } from "../../math/random.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** A Gaussian measurement of n nuisance parameters with unit variances and correlation ρ. */
export class GaussianBlock {
  readonly n: number;
  /** ρ⁻¹ row-major, or null for ρ = 1 (independent components). */
  readonly precision: Float64Array | null;
  /** Cholesky factor of ρ (for sampling), or null for ρ = 1. */
  readonly lower: Float64Array | null;
  /** ½(n ln 2π + ln|ρ|): the normalisation of −ln N. */
  readonly halfLogNorm: number;

  private constructor(n: number, precision: Float64Array | null, lower: Float64Array | null, logDet: number) {
    this.n = n;
    this.precision = precision;
    this.lower = lower;
    this.halfLogNorm = 0.5 * (n * LOG_2PI + logDet);
  }

  /** n independent N(aᵢ | θᵢ, 1). */
  static independent(n: number): GaussianBlock {
    return new GaussianBlock(n, null, null, 0);
  }

  /** MVN(a | θ, ρ), given ρ's lower Cholesky factor (ρ validated, symmetric positive definite). */
  static correlated(lower: Float64Array, n: number): GaussianBlock {
    return new GaussianBlock(n, choleskyInverse(lower, n), lower, choleskyLogDet(lower, n));
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
