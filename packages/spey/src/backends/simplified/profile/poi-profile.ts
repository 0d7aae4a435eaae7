/**
 * Exact profile likelihoods of a one-POI simplified model (plain signal array, no signal
 * modifiers, no signal parameters): the parameters are μ and θ only.
 *
 * - Conditional fit at μ: the global inner profile over θ (global-theta.ts).
 * - Free fit: a one-dimensional minimisation of the exact profile p(μ) over the POI bounds, as for
 *   `default.uncorrelated_background`: a safeguarded Newton iteration on p′(μ) inside a bracket
 *   with p′ < 0 at its left end and p′ > 0 at its right end. By the envelope theorem
 *   p′(μ) = Σᵢ sᵢ·∂P/∂cᵢ with ∂P/∂cᵢ = 1 − dᵢ/λ̂ᵢ for a bin off the floor, 0 on it, and
 *   −(∂G/∂θᵢ)/n′ᵢ(θ̂ᵢ) for a bin held on the floor boundary (the boundary moves with cᵢ = μsᵢ);
 *   p″ from the implicit-function theorem, p″ = sᵀWs − uᵀ(∂²F/∂θ∂θᵀ)⁻¹u, W = diag(dᵢ/λ̂ᵢ²),
 *   uᵢ = sᵢWᵢᵢn′ᵢ (bins on a face of their piece held fixed). The bracket keeps the iteration
 *   safe where p has corners (where the best θ basin changes with μ).
 */
import { cholesky, choleskySolve } from "../../../math/linalg.js";
import type { MinimizeOptions } from "../../../optimize/minimize.js";
import type { BackgroundModel } from "../backgrounds.js";
import type { GaussianBlock } from "../constraints.js";
import { GlobalThetaProfiler, type ThetaProfile } from "./global-theta.js";

/** Newton iterations of the free fit (bracketed; ~5–10 are used). */
const MAX_NEWTON_ITERATIONS = 100;

/** A profile point: μ, the inner profile, and (when asked for) p′ and p″. */
export interface PoiProfilePoint {
  readonly mu: number;
  readonly inner: ThetaProfile;
  readonly slope: number;
  readonly curvature: number;
}

/** The outcome of a fit: θ̂ (and μ̂), convergence, and why not. */
export interface PoiFit {
  readonly mu: number;
  readonly theta: Float64Array;
  readonly converged: boolean;
  readonly message: string;
}

export class PoiProfile {
  readonly profiler: GlobalThetaProfiler;
  private readonly c: Float64Array;
  private readonly gradient: Float64Array;

  constructor(
    background: BackgroundModel,
    constraint: GaussianBlock,
    private readonly signal: Float64Array,
  ) {
    this.profiler = new GlobalThetaProfiler(background, constraint);
    this.c = new Float64Array(constraint.n);
    this.gradient = new Float64Array(constraint.n);
  }

  /** The inner profile at μ. */
  at(
    mu: number,
    data: Float64Array,
    aux: Float64Array | undefined,
    start: Float64Array | undefined,
    optimiser: MinimizeOptions | undefined,
  ): ThetaProfile {
    const c = this.c;
    for (let i = 0; i < c.length; i++) c[i] = mu * this.signal[i]!;
    return this.profiler.profile(c, data, aux, { start, optimiser });
  }

  /**
   * p′(μ) at an inner profile (see the module comment) and the bins entering p″: those off the
   * floor and off their piece's faces, with uᵢ = sᵢWᵢᵢn′ᵢ; `diagonal` = Σ sᵢ²Wᵢᵢ.
   */
  private slopeAt(inner: ThetaProfile): { slope: number; free: number[]; u: number[]; diagonal: number } {
    const n = this.c.length;
    const objective = this.profiler.objective;
    const theta = inner.theta;
    objective.constraintGradient(theta, this.gradient);
    let slope = 0;
    let diagonal = 0;
    const free: number[] = [];
    const u: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = this.signal[i]!;
      const piece = inner.pieces[i]!;
      const t = theta[i]!;
      const onLower = t <= piece.lo;
      const onUpper = t >= piece.hi;
      if ((onLower && piece.kinkBelow) || (onUpper && piece.kinkAbove)) {
        const slopeN = objective.backgroundSlope(i, t);
        if (slopeN !== 0) slope -= (s * this.gradient[i]!) / slopeN;
        continue;
      }
      if (piece.floored) {
        if (!onLower && !onUpper) {
          free.push(i);
          u.push(0);
        }
        continue;
      }
      slope += s * objective.signalDerivative(i, t);
      const w = objective.poissonWeight(i, t);
      diagonal += s * s * w;
      if (!onLower && !onUpper) {
        free.push(i);
        u.push(s * w * objective.backgroundSlope(i, t));
      }
    }
    return { slope, free, u, diagonal };
  }

  /** p″(μ) = sᵀWs − uᵀ(∂²F/∂θ_F∂θ_Fᵀ)⁻¹u over the free bins F (NaN when that block is singular). */
  private curvatureAt(inner: ThetaProfile, free: number[], u: number[], diagonal: number): number {
    const n = this.c.length;
    const m = free.length;
    if (m === 0) return diagonal;
    const H = this.profiler.objective.hessianAt(inner.theta, inner.pieces);
    const sub = new Float64Array(m * m);
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) sub[a * m + b] = H[free[a]! * n + free[b]!]!;
    const L = cholesky(sub, m);
    if (!L) return Number.NaN;
    const x = choleskySolve(L, m, u);
    let curvature = diagonal;
    for (let a = 0; a < m; a++) curvature -= u[a]! * x[a]!;
    return curvature;
  }

  /** The inner profile at μ with p′, and p″ unless `withCurvature` is false (then NaN). */
  point(
    mu: number,
    data: Float64Array,
    aux: Float64Array | undefined,
    start: Float64Array | undefined,
    optimiser: MinimizeOptions | undefined,
    withCurvature = true,
  ): PoiProfilePoint {
    const inner = this.at(mu, data, aux, start, optimiser);
    const { slope, free, u, diagonal } = this.slopeAt(inner);
    const curvature = withCurvature ? this.curvatureAt(inner, free, u, diagonal) : Number.NaN;
    return { mu, inner, slope, curvature };
  }

  /**
   * μ̂ = argmin p(μ) on [lo, hi] (finite): a Newton iteration on p′ from `seed`, kept inside a
   * bracket [a, b] with p′(a) < 0 < p′(b) once both ends are known (bisection when a step leaves
   * it or p″ ≤ 0); a bound is evaluated when the iteration heads past it, and is the optimum when
   * p′ points outwards there.
   */
  minimise(
    lo: number,
    hi: number,
    seed: number,
    data: Float64Array,
    aux: Float64Array | undefined,
    start: Float64Array | undefined,
    optimiser: MinimizeOptions | undefined,
  ): PoiFit {
    let warm = start;
    let best: PoiProfilePoint | undefined;
    const evaluate = (mu: number): PoiProfilePoint => {
      const inner = this.at(mu, data, aux, warm, optimiser);
      const d = this.slopeAt(inner);
      const tolerance = (optimiser?.gradientTolerance ?? 1e-9) * Math.sqrt(Math.max(1, Math.abs(inner.value)));
      // p″ only when another Newton step will be taken
      const curvature = Math.abs(d.slope) <= tolerance ? Number.NaN : this.curvatureAt(inner, d.free, d.u, d.diagonal);
      const p = { mu, inner, slope: d.slope, curvature };
      warm = p.inner.theta;
      if (best === undefined || p.inner.value < best.inner.value) best = p;
      return p;
    };
    const finish = (converged: boolean, message: string): PoiFit => {
      const p = best as PoiProfilePoint;
      return {
        mu: p.mu,
        theta: p.inner.theta,
        converged: converged && p.inner.converged,
        message: p.inner.converged ? message : p.inner.message,
      };
    };
    let a = lo;
    let b = hi;
    let aKnown = false;
    let bKnown = false;
    let mu = Math.min(Math.max(seed, lo), hi);
    for (let iteration = 0; iteration < MAX_NEWTON_ITERATIONS; iteration++) {
      const p = evaluate(mu);
      // p′ is as accurate as the inner fit's gradient: the optimiser's own stopping rule
      const tolerance = (optimiser?.gradientTolerance ?? 1e-9) * Math.sqrt(Math.max(1, Math.abs(p.inner.value)));
      if (Math.abs(p.slope) <= tolerance) {
        return finish(true, `converged: |p′| = ${p.slope.toExponential(3)} ≤ ${tolerance.toExponential(3)}`);
      }
      if (p.slope < 0) {
        if (mu >= hi) return finish(true, "converged: p′ < 0 at the upper POI bound");
        a = mu;
        aKnown = true;
      } else {
        if (mu <= lo) return finish(true, "converged: p′ > 0 at the lower POI bound");
        b = mu;
        bKnown = true;
      }
      const scale = Math.max(1, Math.abs(mu));
      if (aKnown && bKnown && b - a <= 8 * Number.EPSILON * scale) {
        return finish(true, "converged: the bracket of p′ = 0 closed");
      }
      let next = p.curvature > 0 ? mu - p.slope / p.curvature : Number.NaN;
      if (!(next > a && next < b)) {
        if (aKnown && bKnown) next = 0.5 * (a + b);
        else if (p.slope < 0) next = Math.min(hi, mu + Math.max(1, Math.abs(mu)));
        else next = Math.max(lo, mu - Math.max(1, Math.abs(mu)));
      }
      if (Math.abs(next - mu) <= 1e-10 * scale) {
        evaluate(next);
        return finish(true, "converged: Newton step on p′ below 1e-10");
      }
      mu = next;
    }
    return finish(false, `the free fit of μ did not converge in ${MAX_NEWTON_ITERATIONS} Newton steps`);
  }
}
