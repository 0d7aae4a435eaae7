/**
 * Background expectations of the simplified likelihoods as functions of their nuisance
 * parameters, bin by bin: nᵢ(θᵢ) with its first two derivatives, and the interval of θᵢ where
 * nᵢ(θᵢ) ≥ 0 (spey's positivity constraints, which are elementwise in θ, spey's `DefaultPDFBase`).
 */
import type { Bound } from "../../config/model-config.js";
import { ConvergenceError } from "../../core/errors.js";
import { logWarning } from "../../core/logger.js";
import { safeguardedNewton } from "../../math/safeguarded-newton.js";
import { isFiniteNumber, max, min, sqrt, isNaNNumber, sign } from "../../core/describe.js";
import { zeros } from "../../core/arrays.js";

const UNBOUNDED: Bound = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];

/** A per-bin background model nᵢ(θᵢ). */
export interface BackgroundModel {
  /**
   * Writes nᵢ(θᵢ) into `value`, ∂nᵢ/∂θᵢ into `d1` and ∂²nᵢ/∂θᵢ² into `d2` (when given) for
   * θᵢ = pars[offset + i].
   */
  evaluate(
    pars: Float64Array,
    offset: number,
    value: Float64Array,
    d1: Float64Array | null,
    d2: Float64Array | null,
  ): void;
  /** The connected interval of θᵢ around the nominal θᵢ = 0 on which nᵢ(θᵢ) ≥ 0. */
  domain(i: number): Bound;
  /**
   * Every θᵢ with nᵢ(θᵢ) ≥ 0 (spey's positivity constraint, taken literally): sorted, disjoint
   * closed intervals. For a quadratic with C > 0 and real roots this is two intervals.
   */
  feasibleSet(i: number): Bound[];
  /**
   * Points where nᵢ changes monotonicity or loses smoothness (the vertex −B/2C of a quadratic,
   * the clip and turning points of the effective σ), sorted. Between them nᵢ is smooth and monotone.
   */
  breakpoints(i: number): number[];
  /** nᵢ(t) with its first two derivatives, written into `out` ([value, d1, d2]). */
  bin(i: number, t: number, out: Float64Array): void;
  /**
   * The θ ∈ (lo, hi) with nᵢ(θ) = target, given that nᵢ is continuous and monotone on [lo, hi]
   * (ends may be infinite); NaN when nᵢ − target does not change sign strictly inside.
   */
  solve(i: number, target: number, lo: number, hi: number): number;
}

/**
 * Root of the continuous monotone g(t) = n(t) − target in (lo, hi): a bracket (infinite ends are
 * replaced by doubling steps from a finite point), then `safeguardedNewton` (Newton steps with n′,
 * bisection whenever a step leaves the bracket: Numerical Recipes' rtsafe); NaN when g does not change sign strictly
 * inside. `n` writes [value, n′] into its scratch argument.
 */
function solveMonotone(n: (t: number, out: Float64Array) => void, target: number, lo: number, hi: number): number {
  const scratch = zeros(3);
  const g = (t: number): number => {
    n(t, scratch);
    return scratch[0]! - target;
  };
  let a = lo;
  let b = hi;
  const finitePoint = isFiniteNumber(a) ? (isFiniteNumber(b) ? 0.5 * (a + b) : a + 1) : isFiniteNumber(b) ? b - 1 : 0;
  // monotone: towards an infinite end |g| only grows when g and its slope there agree in sign
  if (!isFiniteNumber(a) || !isFiniteNumber(b)) {
    n(finitePoint, scratch);
    const v = scratch[0]! - target;
    const slope = scratch[1]!;
    if (!isFiniteNumber(b) && isFiniteNumber(a) && v * slope > 0 && g(a) * v > 0) return Number.NaN;
    if (!isFiniteNumber(a) && isFiniteNumber(b) && v * slope < 0 && g(b) * v > 0) return Number.NaN;
  }
  if (!isFiniteNumber(a)) {
    let step = 1;
    a = finitePoint - step;
    const ref = sign(g(finitePoint));
    for (let k = 0; k < 200 && sign(g(a)) === ref && ref !== 0; k++) {
      step *= 2;
      a = finitePoint - step;
    }
  }
  if (!isFiniteNumber(b)) {
    let step = 1;
    b = max(a, finitePoint) + step;
    const ref = sign(g(a));
    for (let k = 0; k < 200 && sign(g(b)) === ref && ref !== 0; k++) {
      step *= 2;
      b = max(a, finitePoint) + step;
    }
  }
  const ga = g(a);
  const gb = g(b);
  if (!(ga * gb < 0)) return Number.NaN;
  // oriented so that it rises across the bracket
  const orientation = ga < 0 ? 1 : -1;
  const { x: t } = safeguardedNewton(
    (x, out) => {
      n(x, scratch);
      out[0] = orientation * (scratch[0]! - target);
      out[1] = orientation * scratch[1]!;
    },
    a,
    b,
    0.5 * (a + b),
    { maxIterations: 200, stepTolerance: 4 * Number.EPSILON },
  );
  return t > lo && t < hi ? t : Number.NaN;
}

/** nᵢ = bᵢ + σᵢθᵢ (CMS-NOTE-2017-001 linear simplified likelihood). */
export class LinearBackground implements BackgroundModel {
  declare readonly background: Float64Array;
  declare readonly sigma: Float64Array;
  constructor(background: Float64Array, sigma: Float64Array) {
    this.background = background;
    this.sigma = sigma;
  }

  evaluate(
    pars: Float64Array,
    offset: number,
    value: Float64Array,
    d1: Float64Array | null,
    d2: Float64Array | null,
  ): void {
    const b = this.background;
    const s = this.sigma;
    for (let i = 0; i < b.length; i++) value[i] = b[i]! + s[i]! * pars[offset + i]!;
    if (d1) d1.set(s);
    if (d2) d2.fill(0);
  }

  /** θᵢ ≥ −bᵢ/σᵢ (unbounded when σᵢ = 0). */
  domain(i: number): Bound {
    const s = this.sigma[i]!;
    return s > 0 ? [-this.background[i]! / s, Number.POSITIVE_INFINITY] : UNBOUNDED;
  }

  feasibleSet(i: number): Bound[] {
    return [this.domain(i)];
  }

  breakpoints(): number[] {
    return [];
  }

  bin(i: number, t: number, out: Float64Array): void {
    out[0] = this.background[i]! + this.sigma[i]! * t;
    out[1] = this.sigma[i]!;
    out[2] = 0;
  }

  solve(i: number, target: number, lo: number, hi: number): number {
    const s = this.sigma[i]!;
    if (s === 0) return Number.NaN;
    const t = (target - this.background[i]!) / s;
    return t > lo && t < hi ? t : Number.NaN;
  }
}

/** nᵢ = Aᵢ + Bᵢθᵢ + Cᵢθᵢ² (arXiv:1809.05548 §2, the quadratic simplified likelihood). */
export class QuadraticBackground implements BackgroundModel {
  declare readonly A: Float64Array;
  declare readonly B: Float64Array;
  declare readonly C: Float64Array;
  constructor(A: Float64Array, B: Float64Array, C: Float64Array) {
    this.A = A;
    this.B = B;
    this.C = C;
  }

  evaluate(
    pars: Float64Array,
    offset: number,
    value: Float64Array,
    d1: Float64Array | null,
    d2: Float64Array | null,
  ): void {
    const { A, B, C } = this;
    for (let i = 0; i < A.length; i++) {
      const t = pars[offset + i]!;
      const c = C[i]!;
      value[i] = A[i]! + (B[i]! + c * t) * t;
      if (d1) d1[i] = B[i]! + 2 * c * t;
      if (d2) d2[i] = 2 * c;
    }
  }

  /**
   * The root interval of Aᵢ + Bᵢθ + Cᵢθ² ≥ 0 on the increasing branch (Bᵢ ≥ 0): [r₊, ∞) for
   * C > 0, [r₋, r₊] for C < 0, [−A/B, ∞) for C = 0; unbounded if the quadratic never vanishes.
   */
  domain(i: number): Bound {
    const a = this.A[i]!;
    const b = this.B[i]!;
    const c = this.C[i]!;
    if (c === 0) return b > 0 ? [-a / b, Number.POSITIVE_INFINITY] : UNBOUNDED;
    const disc = b * b - 4 * a * c;
    if (disc < 0) {
      if (c < 0) {
        logWarning(
          `third moment expansion: the background of bin ${i} is negative for every θ (A=${a}, B=${b}, C=${c}).`,
        );
      }
      return UNBOUNDED;
    }
    // Stable roots (Numerical Recipes §5.6): q = −½(B + √disc), roots q/C and A/q.
    const q = -0.5 * (b + sqrt(disc));
    const r1 = q / c;
    const r2 = q !== 0 ? a / q : -b / c - r1;
    const lo = min(r1, r2);
    const hi = max(r1, r2);
    return c > 0 ? [hi, Number.POSITIVE_INFINITY] : [lo, hi];
  }

  /**
   * {θ : Aᵢ + Bᵢθ + Cᵢθ² ≥ 0}: for C > 0 with real roots r₋ ≤ r₊ the union (−∞, r₋] ∪ [r₊, ∞) —
   * the branch below the vertex is as positive as the one above; otherwise as {@link domain}.
   */
  feasibleSet(i: number): Bound[] {
    const c = this.C[i]!;
    if (c > 0) {
      const roots = this.#roots(i);
      if (roots)
        return [
          [Number.NEGATIVE_INFINITY, roots[0]],
          [roots[1], Number.POSITIVE_INFINITY],
        ];
    }
    return [this.domain(i)];
  }

  /** The real roots r₋ ≤ r₊ of Aᵢ + Bᵢθ + Cᵢθ² (Cᵢ ≠ 0), stable form (Numerical Recipes §5.6). */
  #roots(i: number): [number, number] | undefined {
    const a = this.A[i]!;
    const b = this.B[i]!;
    const c = this.C[i]!;
    const disc = b * b - 4 * a * c;
    if (disc < 0 || c === 0) return undefined;
    const q = -0.5 * (b + (b >= 0 ? 1 : -1) * sqrt(disc));
    const r1 = q / c;
    const r2 = q !== 0 ? a / q : -b / c - r1;
    return [min(r1, r2), max(r1, r2)];
  }

  /** The vertex −Bᵢ/(2Cᵢ) when Cᵢ ≠ 0. */
  breakpoints(i: number): number[] {
    const c = this.C[i]!;
    return c === 0 ? [] : [-this.B[i]! / (2 * c)];
  }

  bin(i: number, t: number, out: Float64Array): void {
    const b = this.B[i]!;
    const c = this.C[i]!;
    out[0] = this.A[i]! + (b + c * t) * t;
    out[1] = b + 2 * c * t;
    out[2] = 2 * c;
  }

  /** The root of Aᵢ − target + Bᵢθ + Cᵢθ² in (lo, hi) (stable formula, one Newton polish). */
  solve(i: number, target: number, lo: number, hi: number): number {
    const a = this.A[i]! - target;
    const b = this.B[i]!;
    const c = this.C[i]!;
    let r1: number;
    let r2 = Number.NaN;
    if (c === 0) {
      if (b === 0) return Number.NaN;
      r1 = -a / b;
    } else {
      const disc = b * b - 4 * a * c;
      if (disc < 0) return Number.NaN;
      const q = -0.5 * (b + (b >= 0 ? 1 : -1) * sqrt(disc));
      if (q !== 0) {
        r1 = q / c;
        r2 = a / q;
      } else r1 = 0;
    }
    const polish = (root: number): number => {
      const d = b + 2 * c * root;
      return d !== 0 ? root - (a + (b + c * root) * root) / d : root;
    };
    const p1 = polish(r1);
    if (p1 > lo && p1 < hi) return p1;
    if (!isNaNNumber(r2)) {
      const p2 = polish(r2);
      if (p2 > lo && p2 < hi) return p2;
    }
    return Number.NaN;
  }
}

/** spey's clip of the effective-σ radicand (derivatives vanish where it clips). */
const EFFECTIVE_SIGMA_FLOOR = 1e-10;
const SQRT_FLOOR = sqrt(EFFECTIVE_SIGMA_FLOOR);
/** Doublings from the smallest positive double (5e-324) to beyond the largest (1.8e308). */
const MAX_DOUBLINGS = 2100;

/**
 * nᵢ = bᵢ + σ_eff,ᵢ(θᵢ)·θᵢ with the variable-width Gaussian of Barlow, "Asymmetric errors",
 * arXiv:physics/0406120 eqs. 18–19, in spey's form (kept, spey after PR #67):
 * σ_eff(θ) = √max(σ⁺σ⁻ + (σ⁺ − σ⁻)(θ − b), 1e-10), where the background yield b enters the
 * nuisance's difference (a spey quirk kept for parity, see README, Differences from spey; the paper has the shift of the measured quantity).
 */
export class EffectiveSigmaBackground implements BackgroundModel {
  declare readonly background: Float64Array;
  declare readonly sigmaPlus: Float64Array;
  declare readonly sigmaMinus: Float64Array;
  constructor(background: Float64Array, sigmaPlus: Float64Array, sigmaMinus: Float64Array) {
    this.background = background;
    this.sigmaPlus = sigmaPlus;
    this.sigmaMinus = sigmaMinus;
  }

  evaluate(
    pars: Float64Array,
    offset: number,
    value: Float64Array,
    d1: Float64Array | null,
    d2: Float64Array | null,
  ): void {
    const bkg = this.background;
    for (let i = 0; i < bkg.length; i++) {
      const t = pars[offset + i]!;
      const b = bkg[i]!;
      const sp = this.sigmaPlus[i]!;
      const sm = this.sigmaMinus[i]!;
      const delta = sp - sm;
      const g = sp * sm + delta * (t - b);
      if (g > EFFECTIVE_SIGMA_FLOOR) {
        const r = sqrt(g);
        value[i] = b + r * t;
        if (d1) d1[i] = r + (t * delta) / (2 * r);
        if (d2) d2[i] = delta / r - (t * delta * delta) / (4 * g * r);
      } else {
        value[i] = b + SQRT_FLOOR * t;
        if (d1) d1[i] = SQRT_FLOOR;
        if (d2) d2[i] = 0;
      }
    }
  }

  /** [θ*, ∞) with θ* ≤ 0 the largest root of b + σ_eff(θ)θ (for θ ≥ 0 the background is ≥ b). */
  domain(i: number): Bound {
    const b = this.background[i]!;
    if (b <= 0) return [0, Number.POSITIVE_INFINITY];
    const sp = this.sigmaPlus[i]!;
    const sm = this.sigmaMinus[i]!;
    const delta = sp - sm;
    const k = sp * sm - delta * b;
    // h(u) = b − u·σ_eff(−u) for u = −θ ≥ 0; g(u) = k − δu.
    const h = (u: number): number => {
      const g = k - delta * u;
      return b - u * (g > EFFECTIVE_SIGMA_FLOOR ? sqrt(g) : SQRT_FLOOR);
    };
    let hi: number;
    if (delta > 0) {
      // g decreases with u: h is convex on the unclipped part [0, u_c) with its minimum at
      // u* = 2k/(3δ); beyond u_c the background is b − 1e-5·u.
      const uStar = k > EFFECTIVE_SIGMA_FLOOR ? (2 * k) / (3 * delta) : 0;
      if (uStar > 0 && h(uStar) <= 0) hi = uStar;
      else return [-b / SQRT_FLOOR, Number.POSITIVE_INFINITY];
    } else {
      // g is non-decreasing in u: h strictly decreases, and h(u) ≤ b − 1e-5·u, so the root lies
      // below b/1e-5. Bracket by doubling from a positive start (b/√k underflows to 0 for a tiny
      // b and a wide envelope, and 0 never doubles); at most ~2,100 doublings span the doubles.
      hi = max(b / max(sqrt(max(k, EFFECTIVE_SIGMA_FLOOR)), SQRT_FLOOR), Number.MIN_VALUE);
      for (let doublings = 0; h(hi) > 0; doublings++) {
        if (doublings >= MAX_DOUBLINGS || !isFiniteNumber(hi)) {
          throw new ConvergenceError(
            `default.effective_sigma: no lower bound found for the background nuisance of bin ${i} (background ${b}, envelope [${sp}, ${sm}]).`,
          );
        }
        hi *= 2;
      }
    }
    let lo = 0;
    for (let iter = 0; iter < 2000; iter++) {
      const mid = 0.5 * (lo + hi);
      if (mid <= lo || mid >= hi) break;
      if (h(mid) > 0) lo = mid;
      else hi = mid;
    }
    // lo is the last point with a positive background: the domain stays strictly feasible.
    return [-lo, Number.POSITIVE_INFINITY];
  }

  /** The connected {@link domain} (the model's other positive pieces lie ~1e5·b away, at θ ≪ 0). */
  feasibleSet(i: number): Bound[] {
    return [this.domain(i)];
  }

  /**
   * The clip point of the radicand (σ⁺σ⁻ + δ(θ − b) = 1e-10) and the turning point
   * θ* = −2(σ⁺σ⁻ − δb)/(3δ) of b + σ_eff(θ)θ, δ = σ⁺ − σ⁻ ≠ 0.
   */
  breakpoints(i: number): number[] {
    const b = this.background[i]!;
    const sp = this.sigmaPlus[i]!;
    const sm = this.sigmaMinus[i]!;
    const delta = sp - sm;
    if (delta === 0) return [];
    const clip = b + (EFFECTIVE_SIGMA_FLOOR - sp * sm) / delta;
    const turning = (-2 * (sp * sm - delta * b)) / (3 * delta);
    const g = sp * sm + delta * (turning - b);
    const out = g > EFFECTIVE_SIGMA_FLOOR ? [clip, turning] : [clip];
    return out.sort((x, y) => x - y);
  }

  /**
   * The θ where n″ changes sign on the unclipped part: with g = σ⁺σ⁻ + δ(θ − b) = k + δθ,
   * n″ = δ(4k + 3δθ)/(4g^{3/2}), zero at θ = −4k/(3δ) (NaN for δ = 0).
   */
  curvatureSignChange(i: number): number {
    const b = this.background[i]!;
    const sp = this.sigmaPlus[i]!;
    const sm = this.sigmaMinus[i]!;
    const delta = sp - sm;
    if (delta === 0) return Number.NaN;
    return (-4 * (sp * sm - delta * b)) / (3 * delta);
  }

  bin(i: number, t: number, out: Float64Array): void {
    const b = this.background[i]!;
    const sp = this.sigmaPlus[i]!;
    const sm = this.sigmaMinus[i]!;
    const delta = sp - sm;
    const g = sp * sm + delta * (t - b);
    if (g > EFFECTIVE_SIGMA_FLOOR) {
      const r = sqrt(g);
      out[0] = b + r * t;
      out[1] = r + (t * delta) / (2 * r);
      out[2] = delta / r - (t * delta * delta) / (4 * g * r);
    } else {
      out[0] = b + SQRT_FLOOR * t;
      out[1] = SQRT_FLOOR;
      out[2] = 0;
    }
  }

  solve(i: number, target: number, lo: number, hi: number): number {
    return solveMonotone((t, out) => this.bin(i, t, out), target, lo, hi);
  }
}
