/**
 * The large-model path of the exact profiles (thousands of correlated bins, see
 * constraints.ts LARGE_MODEL_BINS): the Hessian of the inner objective F(θ) is
 * ∂²F/∂θ∂θᵀ = ρ⁻¹ + D with D diagonal (each bin's Poisson term depends on its own θᵢ), so with
 * ρ = LLᵀ factorised once per model a product costs two triangular solves (O(n²)) and the
 * Newton systems are solved by preconditioned conjugate gradients (optimize/newton-cg.ts) with
 * ρ as the preconditioner: in whitened coordinates θ = Lη the preconditioned matrix is
 * I + LᵀDL, whose spectrum is 1 plus that of D^{1/2}ρD^{1/2} (clustered at 1 when the Poisson
 * curvature is small against the constraint, a few outliers for the leading correlation modes).
 *
 * Nothing else changes: the same pieces, leaves, branch and bound and stopping rules as the
 * dense path (global-theta.ts, poi-profile.ts), so the optimum is the same to the optimiser's
 * tolerances. What differs: Newton steps are inexact (the outer stopping rule is on the exact
 * projected gradient), p″ of the free fit is solved to a relative residual of 1e-10 (it only
 * steers the bracketed Newton iteration on μ), and the strong-convexity constant of the branch
 * and bound's bounds is Gershgorin's (valid, possibly weaker: fewer pieces pruned, none wrongly).
 */
import type { FactorisedCovariance } from "../../../math/factorised-covariance.js";
import { cgWork, conjugateGradient, type HessianOperator } from "../../../optimize/newton-cg.js";
import type { GaussianBlock } from "../constraints.js";
import type { ThetaObjective } from "./theta-objective.js";
import { isFiniteNumber, min, sqrt } from "../../../core/describe.js";
import { zeros } from "../../../core/arrays.js";

/** Iteration bound of the conjugate-gradient solve for p″ (uᵀH_FF⁻¹u). */
const CURVATURE_CG_ITERATIONS = 500;
/** Relative residual of that solve. */
const CURVATURE_CG_TOLERANCE = 1e-10;

/** ∂²F/∂θ∂θᵀ = ρ⁻¹ + diag(hᵢ″) by products, preconditioned by ρ. */
export class ThetaHessianOperator implements HessianOperator {
  readonly #curvature: Float64Array;
  readonly #rhoDiagonal: Float64Array;
  readonly #whitened: {
    b: Float64Array;
    w: Float64Array;
    r: Float64Array;
    p: Float64Array;
    ap: Float64Array;
  };

  readonly #objective: ThetaObjective;
  readonly #factor: FactorisedCovariance;
  constructor(objective: ThetaObjective, factor: FactorisedCovariance, constraint: GaussianBlock) {
    this.#objective = objective;
    this.#factor = factor;
    const n = factor.n;
    this.#curvature = zeros(n);
    const rho = constraint.covariance();
    this.#rhoDiagonal = zeros(n);
    for (let i = 0; i < n; i++) this.#rhoDiagonal[i] = rho[i * n + i]!;
    const vector = () => zeros(n);
    this.#whitened = { b: vector(), w: vector(), r: vector(), p: vector(), ap: vector() };
  }

  prepare(x: Float64Array): void {
    this.#objective.poissonCurvature(x, this.#curvature);
  }

  apply(v: Float64Array, out: Float64Array): void {
    this.#factor.precisionTimes(v, out);
    const c = this.#curvature;
    for (let i = 0; i < out.length; i++) out[i]! += c[i]! * v[i]!;
  }

  /** 1/ρᵢᵢ + hᵢ″: (ρ⁻¹)ᵢᵢ ≥ 1/ρᵢᵢ, a positive scale for the scaled gradient step. */
  diagonal(i: number): number {
    return 1 / this.#rhoDiagonal[i]! + this.#curvature[i]!;
  }

  precondition(r: Float64Array, out: Float64Array): void {
    this.#factor.covarianceTimes(r, out);
  }

  /**
   * H·out = rhs with every variable free, by CG in whitened coordinates: out = L·w with
   * (I + LᵀDL)·w = Lᵀ·rhs, one fused pass over L per product (the same iterates as CG on H
   * preconditioned by ρ, at half the passes). At a first direction of non-positive curvature
   * out = ρ·rhs (a descent direction for rhs = −∇F).
   */
  solveAll(
    rhs: Float64Array,
    out: Float64Array,
    forcing: number,
    maxIterations: number,
  ): { iterations: number; negativeCurvature: boolean } {
    const f = this.#factor;
    const n = f.n;
    const { b, w, r, p, ap } = this.#whitened;
    f.upperTimes(rhs, b);
    let rr = 0;
    for (let i = 0; i < n; i++) rr += b[i]! * b[i]!;
    const tolerance = forcing * sqrt(rr);
    w.fill(0);
    r.set(b);
    p.set(b);
    let iterations = 0;
    let negativeCurvature = false;
    if (rr > 0) {
      for (; iterations < maxIterations; iterations++) {
        f.whitenedProduct(p, this.#curvature, ap);
        let pAp = 0;
        for (let i = 0; i < n; i++) pAp += p[i]! * ap[i]!;
        if (!isFiniteNumber(pAp)) return { iterations: -1, negativeCurvature: false };
        if (!(pAp > 0)) {
          if (iterations === 0) w.set(b);
          negativeCurvature = true;
          break;
        }
        const alpha = rr / pAp;
        let rrNew = 0;
        for (let i = 0; i < n; i++) {
          w[i]! += alpha * p[i]!;
          const ri = r[i]! - alpha * ap[i]!;
          r[i] = ri;
          rrNew += ri * ri;
        }
        if (sqrt(rrNew) <= tolerance) {
          iterations++;
          break;
        }
        const beta = rrNew / rr;
        rr = rrNew;
        for (let i = 0; i < n; i++) p[i] = r[i]! + beta * p[i]!;
      }
    }
    f.lowerTimes(w, out);
    return { iterations, negativeCurvature };
  }
}

/**
 * p″(μ) of poi-profile.ts's curvatureAt for a factorised block: with v = ρ⁻¹κ′ (κ′ on the
 * floor-boundary bins K, zero elsewhere), κ′ᵀ(ρ⁻¹)_KKκ′ = Σ_K κ′ᵢvᵢ and ((ρ⁻¹)_FKκ′)ⱼ = vⱼ; the term
 * uᵀ(∂²F/∂θ_F∂θ_Fᵀ)⁻¹u by conjugate gradients on the F block. NaN when the F block shows
 * non-positive curvature (where the dense path's Cholesky fails).
 */
export function factorisedCurvature(
  operator: ThetaHessianOperator,
  factor: FactorisedCovariance,
  objective: ThetaObjective,
  inner: { readonly theta: Float64Array; readonly pieces: readonly { floored: boolean; lo: number; hi: number }[] },
  signal: Float64Array,
  gradient: Float64Array,
  d: { free: number[]; kink: number[]; kappa1: number[]; kappa2: number[]; diagonal: number },
): number {
  const n = factor.n;
  let curvature = d.diagonal;
  const v = zeros(n);
  if (d.kink.length > 0) {
    const k = zeros(n);
    for (let a = 0; a < d.kink.length; a++) k[d.kink[a]!] = d.kappa1[a]!;
    factor.precisionTimes(k, v);
    for (let a = 0; a < d.kink.length; a++) {
      curvature += gradient[d.kink[a]!]! * d.kappa2[a]!;
      curvature += d.kappa1[a]! * v[d.kink[a]!]!;
    }
  }
  const m = d.free.length;
  if (m === 0) return curvature;
  const u = zeros(n);
  const mask = new Uint8Array(n);
  let uNorm2 = 0;
  for (let a = 0; a < m; a++) {
    const j = d.free[a]!;
    const piece = inner.pieces[j]!;
    const t = inner.theta[j]!;
    let value = v[j]!;
    if (!piece.floored) value += signal[j]! * objective.poissonWeight(j, t) * objective.backgroundSlope(j, t);
    u[j] = value;
    mask[j] = 1;
    uNorm2 += value * value;
  }
  if (uNorm2 === 0) return curvature;
  objective.usePieces(inner.pieces);
  operator.prepare(inner.theta);
  const x = zeros(n);
  if (m === n) {
    const all = operator.solveAll(u, x, CURVATURE_CG_TOLERANCE, CURVATURE_CG_ITERATIONS);
    if (all.iterations < 0 || all.negativeCurvature) return Number.NaN;
    for (let j = 0; j < n; j++) curvature -= u[j]! * x[j]!;
    return curvature;
  }
  const result = conjugateGradient(
    operator,
    u,
    mask,
    x,
    CURVATURE_CG_TOLERANCE * sqrt(uNorm2),
    min(CURVATURE_CG_ITERATIONS, m + 5),
    cgWork(n),
  );
  if (result.iterations < 0 || result.negativeCurvature) return Number.NaN;
  for (let a = 0; a < m; a++) curvature -= u[d.free[a]!]! * x[d.free[a]!]!;
  return curvature;
}
