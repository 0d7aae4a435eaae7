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
import { cholesky, choleskySolve, subMatrix } from "../../../math/linalg.js";
import { safeguardedNewton } from "../../../math/safeguarded-newton.js";
import type { MinimizeOptions } from "../../../optimize/minimize.js";
import { type BackgroundModel, LinearBackground } from "../backgrounds.js";
import type { GaussianBlock } from "../constraints.js";
import { GlobalThetaProfiler, type ThetaLimits, type ThetaProfile } from "./global-theta.js";
import { factorisedCurvature } from "./large-model.js";
import { sameEntries, zeros } from "../../../core/arrays.js";
import { isFiniteNumber, abs, max, min, sqrt, isNaNNumber } from "../../../core/describe.js";

/** Newton iterations of the free fit (bracketed; ~5–10 are used). */
const MAX_NEWTON_ITERATIONS = 100;

/**
 * Inner profiles kept for {@link PoiProfile.smoothCurvature}: a free fit's Newton steps take ~5–10,
 * and the point that generated the Asimov data must outlive the Asimov free fit's.
 */
const RECENT_INNER = 16;

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
  declare readonly profiler: GlobalThetaProfiler;
  readonly #c: Float64Array;
  readonly #gradient: Float64Array;
  /** −log L is jointly convex in (μ, θ): a linear background (CMS-NOTE-2017-001's likelihoods). */
  readonly #convexProfile: boolean;
  /**
   * The last {@link RECENT_INNER} inner profiles with their μ and data, newest last
   * ({@link smoothCurvature}): a combiner asks for p″ at its own Newton points and at the points
   * that generated the Asimov data, which later fits (the Asimov free fit) have passed since.
   */
  readonly #recent: { mu: number; data: Float64Array; aux: Float64Array | undefined; inner: ThetaProfile }[] = [];

  readonly #signal: Float64Array;
  constructor(background: BackgroundModel, constraint: GaussianBlock, signal: Float64Array) {
    this.#signal = signal;
    this.profiler = new GlobalThetaProfiler(background, constraint);
    this.#c = zeros(constraint.n);
    this.#gradient = zeros(constraint.n);
    this.#convexProfile = background instanceof LinearBackground;
  }

  /** The inner profile at μ. */
  at(
    mu: number,
    data: Float64Array,
    aux: Float64Array | undefined,
    start: Float64Array | undefined,
    optimiser: MinimizeOptions | undefined,
    limits?: ThetaLimits,
  ): ThetaProfile {
    const c = this.#c;
    for (let i = 0; i < c.length; i++) c[i] = mu * this.#signal[i]!;
    const inner = this.profiler.profile(c, data, aux, { start, optimiser, limits });
    const recent = this.#recent;
    if (recent.length === RECENT_INNER) recent.shift();
    recent.push({ mu, data, aux, inner });
    return inner;
  }

  /**
   * p″(μ) when p is twice continuously differentiable around μ, from the newest of the recent inner
   * profiles at μ on these data, compared by value with the arrays {@link at} was given (which
   * must not change afterwards: the simplified backends pass their evaluators' copies; undefined
   * otherwise): one θ leaf searched and certified, one
   * minimum from every start, every θ̂ᵢ strictly inside its piece (no face, no floor), F's θ-Hessian
   * positive definite (p″ finite). θ̂ is then the unique nondegenerate global minimiser, θ̂(μ) is C¹
   * near μ (implicit-function theorem), and p″ is {@link curvatureAt}'s Schur complement. (The
   * search's own standard: a free fit with one such leaf at μ̂ is a local minimum of p.)
   */
  smoothCurvature(mu: number, data: Float64Array, aux: Float64Array | undefined): number | undefined {
    let inner: ThetaProfile | undefined;
    for (let k = this.#recent.length - 1; k >= 0 && !inner; k--) {
      const r = this.#recent[k]!;
      if (r.mu === mu && sameEntries(r.data, data) && sameEntries(r.aux, aux)) inner = r.inner;
    }
    if (!inner) return undefined;
    if (hasCompetitors(inner) || !inner.converged) return undefined;
    // the objective's problem of this inner profile (another may have been set since)
    const c = this.#c;
    for (let i = 0; i < c.length; i++) c[i] = mu * this.#signal[i]!;
    const objective = this.profiler.objective;
    objective.setProblem(c, data, aux);
    for (let i = 0; i < inner.theta.length; i++) {
      const t = inner.theta[i]!;
      const piece = inner.pieces[i]!;
      // inside the piece, and the rate clear of the floor (a fit next to its kink stops within
      // ~1e-10 of it, as smoothInPoiAt reads it)
      const lambda = objective.lambdaAt(i, t);
      if (piece.floored || !(t > piece.lo && t < piece.hi) || !(lambda > 1e-8 * max(1, lambda - c[i]!)))
        return undefined;
    }
    const curvature = this.#curvatureAt(inner, this.#slopeAt(inner));
    return isFiniteNumber(curvature) ? curvature : undefined;
  }

  /**
   * p′(μ) at an inner profile (see the module comment) and what p″ needs: the bins off the floor
   * and off their piece's faces (F), those held on the floor boundary (K) with
   * κ′ᵢ = dθᵢ/dμ = −sᵢ/n′ᵢ and κ″ᵢ = −n″ᵢκ′ᵢ²/n′ᵢ (from nᵢ(κᵢ) = 1e-20 − μsᵢ), and
   * `diagonal` = Σ sᵢ²Wᵢᵢ over the bins off the floor.
   */
  #slopeAt(inner: ThetaProfile): {
    slope: number;
    free: number[];
    kink: number[];
    kappa1: number[];
    kappa2: number[];
    diagonal: number;
  } {
    const n = this.#c.length;
    const objective = this.profiler.objective;
    const theta = inner.theta;
    objective.constraintGradient(theta, this.#gradient);
    let slope = 0;
    let diagonal = 0;
    const free: number[] = [];
    const kink: number[] = [];
    const kappa1: number[] = [];
    const kappa2: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = this.#signal[i]!;
      const piece = inner.pieces[i]!;
      const t = theta[i]!;
      const onLower = t <= piece.lo;
      const onUpper = t >= piece.hi;
      if ((onLower && piece.kinkBelow) || (onUpper && piece.kinkAbove)) {
        const [d1, d2] = objective.backgroundDerivatives(i, t);
        if (d1 !== 0) {
          const k1 = -s / d1;
          slope += this.#gradient[i]! * k1;
          kink.push(i);
          kappa1.push(k1);
          kappa2.push((-d2 * k1 * k1) / d1);
        }
        continue;
      }
      if (!onLower && !onUpper) free.push(i);
      if (piece.floored) continue;
      slope += s * objective.signalDerivative(i, t);
      diagonal += s * s * objective.poissonWeight(i, t);
    }
    return { slope, free, kink, kappa1, kappa2, diagonal };
  }

  /**
   * p″(μ) by the implicit-function theorem with the floor-boundary bins K moving along their
   * boundary: with G = −ln p(a | θ) (Hessian ρ⁻¹, gradient g),
   * p″ = Σ sᵢ²Wᵢᵢ + κ′ᵀ(ρ⁻¹)_KK κ′ + Σ_K gᵢκ″ᵢ − uᵀ(∂²F/∂θ_F∂θ_Fᵀ)⁻¹u,
   * uⱼ = sⱼWⱼⱼn′ⱼ + ((ρ⁻¹)_FK κ′)ⱼ (NaN when the F block is singular).
   */
  #curvatureAt(
    inner: ThetaProfile,
    d: { free: number[]; kink: number[]; kappa1: number[]; kappa2: number[]; diagonal: number },
  ): number {
    const n = this.#c.length;
    const objective = this.profiler.objective;
    const factor = this.profiler.constraint.factorised;
    const operator = this.profiler.largeModelHessian;
    if (factor && operator) {
      return factorisedCurvature(operator, factor, objective, inner, this.#signal, this.#gradient, d);
    }
    const P = this.profiler.constraint.precision;
    const precision = (i: number, j: number) => (P === null ? (i === j ? 1 : 0) : P[i * n + j]!);
    let curvature = d.diagonal;
    for (let a = 0; a < d.kink.length; a++) {
      curvature += this.#gradient[d.kink[a]!]! * d.kappa2[a]!;
      for (let b = 0; b < d.kink.length; b++) {
        curvature += d.kappa1[a]! * precision(d.kink[a]!, d.kink[b]!) * d.kappa1[b]!;
      }
    }
    const m = d.free.length;
    if (m === 0) return curvature;
    const u = zeros(m);
    for (let a = 0; a < m; a++) {
      const j = d.free[a]!;
      const piece = inner.pieces[j]!;
      const t = inner.theta[j]!;
      let v = 0;
      if (!piece.floored) v = this.#signal[j]! * objective.poissonWeight(j, t) * objective.backgroundSlope(j, t);
      for (let b = 0; b < d.kink.length; b++) v += precision(j, d.kink[b]!) * d.kappa1[b]!;
      u[a] = v;
    }
    const H = objective.hessianAt(inner.theta, inner.pieces);
    const L = cholesky(subMatrix(H, n, d.free), m);
    if (!L) return Number.NaN;
    const x = choleskySolve(L, m, u);
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
    limits?: ThetaLimits,
  ): PoiProfilePoint {
    const inner = this.at(mu, data, aux, start, optimiser, limits);
    const d = this.#slopeAt(inner);
    const curvature = withCurvature ? this.#curvatureAt(inner, d) : Number.NaN;
    return { mu, inner, slope: d.slope, curvature };
  }

  /**
   * μ̂ = argmin p(μ) on [lo, hi] (finite): the local minimum from `seed` ({@link localMinimum}).
   * For a linear background the profile is convex (−log L is jointly convex in μ and θ), and that
   * is the answer. Otherwise p is the lower envelope of the profiles of several θ basins and can
   * have several local minima: when the inner profile at the minimum had competitors (more than
   * one leaf searched, or distinct minima from the starts of a leaf where hᵢ is not convex), p′ is also scanned on 16 intervals of
   * ±5σ around it (σ = 1/√p″) and every other sign change from − to + is refined; the lowest wins.
   */
  minimise(
    lo: number,
    hi: number,
    seed: number,
    data: Float64Array,
    aux: Float64Array | undefined,
    start: Float64Array | undefined,
    optimiser: MinimizeOptions | undefined,
    limits?: ThetaLimits,
  ): PoiFit {
    const first = this.#localMinimum(lo, hi, seed, data, aux, start, optimiser, limits);
    const inner = first.point.inner;
    if (this.#convexProfile || !hasCompetitors(inner)) return first;
    let curvature = first.point.curvature;
    if (isNaNNumber(curvature)) curvature = this.#curvatureAt(inner, this.#slopeAt(inner));
    const sigma = curvature > 0 ? 1 / sqrt(curvature) : 1;
    const a = max(lo, first.mu - 5 * sigma);
    const b = min(hi, first.mu + 5 * sigma);
    const steps = 16;
    const grid: { mu: number; slope: number; value: number }[] = [];
    for (let k = 0; k <= steps; k++) {
      const mu = a + ((b - a) * k) / steps;
      const p = this.at(mu, data, aux, first.theta, optimiser, limits);
      grid.push({ mu, slope: this.#slopeAt(p).slope, value: p.value });
    }
    let best: PoiFit = first;
    let bestValue = inner.value;
    const consider = (fit: PoiFit, value: number) => {
      if ((fit.converged && !best.converged) || (fit.converged === best.converged && value < bestValue)) {
        best = fit;
        bestValue = value;
      }
    };
    for (let k = 0; k < steps; k++) {
      const left = grid[k]!;
      const right = grid[k + 1]!;
      if (first.mu >= left.mu && first.mu <= right.mu) continue;
      if (left.slope < 0 && right.slope > 0) {
        const local = this.#localMinimum(
          left.mu,
          right.mu,
          0.5 * (left.mu + right.mu),
          data,
          aux,
          first.theta,
          optimiser,
          limits,
        );
        consider(local, local.point.inner.value);
      }
    }
    // a bound of μ inside the scan with p′ pointing outwards is a minimum as well
    for (const end of [grid[0]!, grid[steps]!]) {
      if ((end.mu === lo && end.slope > 0) || (end.mu === hi && end.slope < 0)) {
        const p = this.at(end.mu, data, aux, first.theta, optimiser, limits);
        consider({ mu: end.mu, theta: p.theta, converged: p.converged, message: p.message }, p.value);
      }
    }
    return best;
  }

  /**
   * A local minimum of p(μ) on [lo, hi] (finite): a Newton iteration on p′ from `seed`, kept inside a
   * bracket [a, b] with p′(a) < 0 < p′(b) once both ends are known (bisection when a step leaves
   * it, does not halve the previous step or p″ ≤ 0); a bound is evaluated when the iteration heads
   * past it, and is the optimum when p′ points outwards there — the closed mode of
   * {@link safeguardedNewton}.
   */
  #localMinimum(
    lo: number,
    hi: number,
    seed: number,
    data: Float64Array,
    aux: Float64Array | undefined,
    start: Float64Array | undefined,
    optimiser: MinimizeOptions | undefined,
    limits?: ThetaLimits,
  ): PoiFit & { readonly point: PoiProfilePoint } {
    // p′ is as accurate as the inner fit's gradient: the optimiser's own stopping rule
    const slopeTolerance = (inner: ThetaProfile) =>
      (optimiser?.gradientTolerance ?? 1e-9) * sqrt(max(1, abs(inner.value)));
    let warm = start;
    let best: PoiProfilePoint | undefined;
    const evaluate = (mu: number): PoiProfilePoint => {
      const inner = this.at(mu, data, aux, warm, optimiser, limits);
      const d = this.#slopeAt(inner);
      // p″ only when another Newton step will be taken
      const curvature = abs(d.slope) <= slopeTolerance(inner) ? Number.NaN : this.#curvatureAt(inner, d);
      const p = { mu, inner, slope: d.slope, curvature };
      warm = p.inner.theta;
      if (best === undefined || p.inner.value < best.inner.value) best = p;
      return p;
    };
    const finish = (converged: boolean, message: string): PoiFit & { readonly point: PoiProfilePoint } => {
      const p = best as PoiProfilePoint;
      return {
        mu: p.mu,
        theta: p.inner.theta,
        converged: converged && p.inner.converged,
        message: p.inner.converged ? message : p.inner.message,
        point: p,
      };
    };
    let last: PoiProfilePoint | undefined;
    const result = safeguardedNewton(
      (mu, out) => {
        last = evaluate(mu);
        out[0] = last.slope;
        out[1] = last.curvature;
      },
      lo,
      hi,
      min(max(seed, lo), hi),
      {
        maxIterations: MAX_NEWTON_ITERATIONS,
        stepTolerance: 1e-10,
        bracketTolerance: 8 * Number.EPSILON,
        closed: true,
        // no bracket on the downhill side yet: a step of max(1, |μ|) towards it
        expand: (mu, direction) => (direction > 0 ? min(hi, mu + max(1, abs(mu))) : max(lo, mu - max(1, abs(mu)))),
        // rtsafe's safeguard: bisect when a Newton step does not halve the previous one (p″ off,
        // e.g. where the active set changes)
        requireHalving: true,
        isRoot: (_mu, slope) => abs(slope) <= slopeTolerance((last as PoiProfilePoint).inner),
      },
    );
    const p = last as PoiProfilePoint;
    switch (result.reason) {
      case "root":
        return finish(
          true,
          `converged: |p′| = ${p.slope.toExponential(3)} ≤ ${slopeTolerance(p.inner).toExponential(3)}`,
        );
      case "bound":
        return finish(
          true,
          p.slope < 0 ? "converged: p′ < 0 at the upper POI bound" : "converged: p′ > 0 at the lower POI bound",
        );
      case "bracket":
        return finish(true, "converged: the bracket of p′ = 0 closed");
      case "step":
        evaluate(result.x);
        return finish(true, "converged: Newton step on p′ below 1e-10");
      case "nan":
        return finish(false, `the free fit of μ stopped: p′ is NaN at μ = ${p.mu}`);
    }
    return finish(false, `the free fit of μ did not converge in ${MAX_NEWTON_ITERATIONS} Newton steps`);
  }
}

/**
 * Whether an inner profile had competing θ basins: more than one leaf searched, an uncertified
 * search, or a leaf whose starts ended in distinct minima (a leaf where hᵢ is not convex but every
 * start reached the same minimum has shown no competitor).
 */
function hasCompetitors(inner: ThetaProfile): boolean {
  return inner.leaves > 1 || !inner.certified || inner.multimodal;
}
