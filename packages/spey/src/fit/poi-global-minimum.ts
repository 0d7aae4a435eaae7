/**
 * The global minimum of a one-dimensional profile NLL over the POI, P(μ) = Σ_k p_k(μ), each p_k
 * the conditional profile of one independent member (spey's `UnCorrStatisticsCombiner`, whose
 * `maximize_likelihood` minimises Σ_k NLL_k(μ, θ̂̂_k(μ)) over μ): Newton steps on the summed slopes
 * (the members' slopes by the envelope theorem), certificates of the global minimum (tangents of
 * convex sums, value checks, a pruned scan for other local minima, issue #9's rules: a test
 * statistic needs the global minimum) and Brent's bounded method where slopes are missing.
 * Works on closures only: the combiners build the profiles from their members.
 */
import { acceptFit } from "./convergence.js";
import { safeguardedNewton } from "../math/safeguarded-newton.js";
import { minimizeScalarBounded } from "../optimize/minimize-scalar.js";
import type { MinimizeOptions } from "../optimize/types.js";
import { isFiniteNumber, abs, max, min, sqrt, isNaNNumber, sign } from "../core/describe.js";

/** Tolerance of the one-dimensional fit of μ by Brent's bounded method. */
const MU_XATOL = 1e-10;
/**
 * Relative tolerance of the Newton steps on the summed slopes: the slopes come from fits whose own
 * tolerance leaves them uncertain at ~1e-8, below which the steps only follow that noise (an error
 * δ in μ̂ changes the minimum NLL by ~δ²/2σ², far below any test statistic's precision).
 */
const MU_NEWTON_RTOL = 1e-8;

/** Σ_k of the members' profile NLLs in μ, their slopes when every member has them, and Σ 1/σ_k². */
export interface SummedProfile {
  readonly nll: (mu: number) => number;
  readonly slope: ((mu: number) => number) | undefined;
  /** Σ_k 1/σ_A,k² (the curvature of the sum near its minimum), NaN when a member has no σ_A. */
  readonly information: () => number;
  /**
   * The curvature of the sum at μ (the first Newton step's): each member's own p_k″(μ) where it
   * certifies one (`localCurvatures`), else its secant between μ and its own free fit μ̂_k (where
   * its slope vanishes when μ̂_k is inside μ's bounds), else 1/σ_A,k²; undefined without slopes.
   * The secant is exact for Gaussian members and a better first step than the Asimov information,
   * which belongs to the Asimov data; the exact p_k″ leaves the step an error of second order in
   * its length.
   */
  readonly curvatureAt?: (mu: number) => number;
  /**
   * Each member's p_k″(μ) when every member certifies its profile twice differentiable at μ,
   * undefined otherwise. With H = Σ p_k″ > 0, P(y) = P(μ) + P′(μ)(y − μ) + H(y − μ)²/2 + o((y − μ)²),
   * which makes a point of a vanishing Newton decrement a local minimum ({@link smoothMinimum}).
   */
  readonly localCurvatures?: (mu: number) => number[] | undefined;
  /** The members' own μ̂ on these data and their σ_A (NaN without one): the scan of {@link globalMinimum}. */
  readonly anchors: () => number[];
  readonly sigmas: () => number[];
  /** Every member's profile is convex in μ (their backends' `profileConvexInPoi`), so is the sum. */
  readonly convex: boolean;
  /** Whether every member's slope at μ is a subgradient of its convex profile (`slopeIsSubgradient`). */
  readonly subgradientAt?: (mu: number) => boolean;
  /** The split of the sum into certified convex members and the rest on the fit's [lower, upper] ({@link globalMinimum}'s pruning). */
  readonly split?: (lower: number, upper: number, sigmas: readonly number[]) => ConvexSplit | undefined;
}

/**
 * P(μ) = C(μ) + N(μ): C the sum of the members whose profiles are certified convex
 * (`profileConvexInPoi`), N the sum of the others. Each of those is ≥ its own free fit's minimum
 * (global, issue #9) wherever μ lies within that fit's bounds, so P ≥ C + `floor` on the combined
 * fit's bounds when they lie within those (else `floor` is NaN): the rigorous lower bound by which
 * {@link globalMinimum} prunes its scan.
 */
export interface ConvexSplit {
  /** C(μ), NaN when a member's evaluation fails. */
  readonly convexNll: (mu: number) => number;
  /** Σ of the non-convex members' free-fit minima. */
  readonly floor: number;
  /** Σ 1/σ_A,k² of the convex members (their curvature near the minimum), NaN without σ. */
  readonly curvature: number;
}

/** Predicted decrease of the summed NLL below which the Newton iteration stops (NLL units). */
const NLL_DECREASE_TOL = 1e-10;

/** Newton steps of the combined fit before it is reported unconverged. */
const MU_NEWTON_ITERATIONS = 200;

/**
 * Minimum of a one-dimensional profile NLL on [lower, upper] from `start`, by Newton steps on its
 * slope (curvature from the secant of the last two slopes, first `curvature`), kept inside the
 * bracket of the minimum that the slopes' signs establish and bisected when a step leaves it: the
 * closed mode of {@link safeguardedNewton}. A step beyond a bound of μ tries the bound itself, once:
 * the minimum often lies there (μ̂ = 0 of q̃μ under a downward fluctuation), where bisection would
 * take ~30 halvings to arrive. Returns undefined when an evaluation fails (NaN), so that the caller
 * can fall back to Brent.
 *
 * With `overshoot` (a convex sum that {@link certifyByTangents} will certify), each Newton step is
 * lengthened by η = min(½√(tol/h), ½·TANGENT_GAP_TOL/|g|) ({@link overshootOf}): when the step's
 * own error is below η, the new point lies just beyond the minimum, so that the iteration's last
 * two points bracket it and their tangents certify it without the certificate's extra evaluation
 * (its value exceeds the minimum by ≤ hη²/2 ≤ tol/8; their tangents' gap is ≤ hη(η + |g|/h)/2 ≤
 * TANGENT_GAP_TOL/4 + tol/8). Otherwise the iteration goes on as without it.
 */
function minimizeBySlope(
  f: (mu: number) => number,
  df: (mu: number) => number,
  lower: number,
  upper: number,
  start: number,
  curvature: number | ((x: number) => number),
  overshoot = false,
): { x: number; fun: number; slope: number; converged: boolean } | undefined {
  // the last evaluated point, and the curvature estimate there
  let x = Number.NaN;
  let fx = Number.NaN;
  let g = Number.NaN;
  let h = Number.NaN;
  const evaluate = (mu: number, out: Float64Array): void => {
    const fNext = f(mu);
    const gNext = df(mu);
    if (isNaNNumber(x)) {
      const h0 = typeof curvature === "function" ? curvature(mu) : curvature;
      h = h0 > 0 && isFiniteNumber(h0) ? h0 : Number.NaN;
    } else if (gNext !== g) {
      const secant = (gNext - g) / (mu - x);
      if (secant > 0) h = secant;
    }
    x = mu;
    fx = fNext;
    g = gNext;
    out[0] = isFiniteNumber(fx) && isFiniteNumber(g) ? g : Number.NaN;
    // the step −g/out[1] lengthened by η: g/h + sign(g)·η = g/(h·|g|/(|g| + ηh))
    out[1] = overshoot && h > 0 && g !== 0 ? (h * abs(g)) / (abs(g) + overshootOf(g, h) * h) : h;
  };
  const result = safeguardedNewton(evaluate, lower, upper, min(max(isFiniteNumber(start) ? start : 0, lower), upper), {
    maxIterations: MU_NEWTON_ITERATIONS,
    stepTolerance: MU_NEWTON_RTOL,
    closed: true,
    // without a curvature yet, a small downhill step gives one (secant of the slopes)
    withoutDerivative: (at, slope) => at - sign(slope) * 1e-3 * max(1, abs(at)),
    // a Newton step that would lower the sum by less than NLL_DECREASE_TOL (g²/2h, μ within
    // √(2·tol/h) of the minimum): x is the minimum to the fits' own precision (h the curvature
    // estimate itself, not the one that lengthens an overshooting step)
    isNegligibleNewtonStep: (slope) => (slope * slope) / (2 * h) <= NLL_DECREASE_TOL,
  });
  if (result.reason === "nan") return undefined;
  return { x, fun: fx, slope: g, converged: result.converged };
}

/**
 * Largest gap (NLL units) between a convex summed profile's value at the fit and the lower bound of
 * its minimum from tangent lines that certifies the fit without value checks: the members' own fits
 * are exact to ~1e-9, below which the bound only follows their noise.
 */
const TANGENT_GAP_TOL = 1e-9;
/** Most extra evaluations (each one conditional fit per member) of the tangent certificate. */
const TANGENT_MAX_STEPS = 3;

/**
 * How far {@link minimizeBySlope} carries a Newton step with slope g and curvature h beyond the
 * minimum it predicts: ½√(NLL_DECREASE_TOL/h), so that the point it reaches lies within the
 * iteration's own tolerance of the minimum (hη²/2 ≤ tol/8), and at most ½·TANGENT_GAP_TOL/|g|,
 * so that the tangents there and at the point the step starts from (|g|/h before the minimum)
 * leave a gap hη(η + |g|/h)/2 ≤ tol/8 + TANGENT_GAP_TOL/4 (see {@link TANGENT_GAP_TOL}).
 */
function overshootOf(g: number, h: number): number {
  return min(0.5 * sqrt(NLL_DECREASE_TOL / h), (0.5 * TANGENT_GAP_TOL) / abs(g));
}

/** A point of a convex function with a subgradient there: f(y) ≥ fun + slope·(y − x) for all y. */
interface Tangent {
  readonly x: number;
  readonly fun: number;
  readonly slope: number;
}

/**
 * min over y in [lower, upper] of max_j (fun_j + slope_j (y − x_j)): a lower bound of a convex
 * function on [lower, upper] from its tangents (Kelley's cutting planes), with the y where it is
 * attained. The maximum of lines is convex and piecewise linear, so its minimum lies at a bound or
 * where a rising line crosses a falling one.
 */
function tangentLowerBound(tangents: readonly Tangent[], lower: number, upper: number): { bound: number; at: number } {
  const envelope = (y: number): number => {
    let m = Number.NEGATIVE_INFINITY;
    for (const t of tangents) m = max(m, t.fun + t.slope * (y - t.x));
    return m;
  };
  const candidates: number[] = [];
  if (isFiniteNumber(lower)) candidates.push(lower);
  if (isFiniteNumber(upper)) candidates.push(upper);
  for (const r of tangents) {
    if (!(r.slope > 0)) continue;
    for (const f of tangents) {
      if (!(f.slope < 0)) continue;
      // r.fun + r.slope (y − r.x) = f.fun + f.slope (y − f.x)
      const y = (f.fun - r.fun + r.slope * r.x - f.slope * f.x) / (r.slope - f.slope);
      if (y >= lower && y <= upper) candidates.push(y);
    }
  }
  for (const t of tangents) if (t.slope === 0 && t.x >= lower && t.x <= upper) candidates.push(t.x);
  let best = { bound: Number.NEGATIVE_INFINITY, at: Number.NaN };
  let first = true;
  for (const y of candidates) {
    const v = envelope(y);
    if (first || v < best.bound) best = { bound: v, at: y };
    first = false;
  }
  return best;
}

/**
 * Certifies the minimum of a convex summed profile on [lower, upper] by tangents: with every
 * member's slope a subgradient at the evaluated points (`subgradientAt`), P(y) ≥ P(x) + P′(x)(y − x)
 * for all y, so min P ≥ the lowest point of the tangents' upper envelope; the best evaluated point
 * is accepted once its value is within {@link TANGENT_GAP_TOL} of that bound. While it is not, P is
 * evaluated where the envelope is lowest, pulled towards the best point (a cutting-plane step:
 * each adds a tangent), at most `maxSteps` times. Returns undefined when a point
 * lacks the certificate or the gap does not close (the caller then checks by values).
 */
function certifyByTangents(
  f: (mu: number) => number,
  df: (mu: number) => number,
  subgradientAt: (mu: number) => boolean,
  lower: number,
  upper: number,
  evaluated: readonly Tangent[],
  maxSteps = TANGENT_MAX_STEPS,
): { x: number; fun: number; converged: boolean } | undefined {
  const tangents: Tangent[] = [];
  for (const t of evaluated) {
    if (!(isFiniteNumber(t.fun) && isFiniteNumber(t.slope)) || !subgradientAt(t.x)) return undefined;
    tangents.push(t);
  }
  if (tangents.length === 0) return undefined;
  for (let step = 0; ; step++) {
    let best = tangents[0] as Tangent;
    for (const t of tangents) if (t.fun < best.fun) best = t;
    const { bound, at } = tangentLowerBound(tangents, lower, upper);
    if (best.fun - bound <= TANGENT_GAP_TOL) return { x: best.x, fun: best.fun, converged: true };
    if (step >= maxSteps || !isFiniteNumber(at)) return undefined;
    // Twice the Newton step from the best point (curvature from the secant of its slope and the
    // nearest other one's): a tangent about as far beyond the minimum as the best point is before it
    // closes the gap to ~slope²/curvature; without a curvature, halfway to the envelope's lowest point.
    let h = Number.NaN;
    let nearest = Number.POSITIVE_INFINITY;
    for (const t of tangents) {
      const d = abs(t.x - best.x);
      if (t.x !== best.x && d < nearest) {
        nearest = d;
        h = (t.slope - best.slope) / (t.x - best.x);
      }
    }
    const target = h > 0 && isFiniteNumber(h) ? best.x - (2 * best.slope) / h : 0.5 * (at + best.x);
    const y = min(max(target, lower), upper);
    if (tangents.some((t) => t.x === y)) return undefined;
    const fun = f(y);
    const slope = df(y);
    if (!(isFiniteNumber(fun) && isFiniteNumber(slope)) || !subgradientAt(y)) return undefined;
    tangents.push({ x: y, fun, slope });
  }
}

/**
 * `f` and `df` that also record every (value, slope) pair evaluated at the same μ (value first, as
 * {@link minimizeBySlope} asks): the tangents for {@link certifyByTangents}.
 */
function recordTangents(
  f: (mu: number) => number,
  df: (mu: number) => number,
): { nll: (mu: number) => number; slope: (mu: number) => number; evaluated: Tangent[] } {
  const values = new Map<number, number>();
  const evaluated: Tangent[] = [];
  return {
    nll: (mu) => {
      const v = f(mu);
      values.set(mu, v);
      return v;
    },
    slope: (mu) => {
      const g = df(mu);
      const v = values.get(mu);
      if (v !== undefined) evaluated.push({ x: mu, fun: v, slope: g });
      return g;
    },
    evaluated,
  };
}

/** Fewest and most intervals of the scan that looks for other local minima of a summed profile. */
const SCAN_MIN_INTERVALS = 4;
const SCAN_MAX_INTERVALS = 12;
/** The scan reaches this many of the largest member σ beyond the members' μ̂ and the local minimum. */
const SCAN_SIGMAS = 1;

/** Relative step (in units of σ_min) of the value check of a local minimum. */
const CONFIRM_STEP = 1e-4;

/** Whether P(μ ± δ) ≥ P(μ) at a local minimum (a side beyond a bound of μ counts as rising). */
function confirmedByValues(
  f: (mu: number) => number,
  local: { x: number; fun: number },
  lower: number,
  upper: number,
  sigma: number,
): boolean {
  const delta = CONFIRM_STEP * (isFiniteNumber(sigma) && sigma > 0 ? sigma : max(1, abs(local.x)));
  for (const x of [local.x - delta, local.x + delta]) {
    if (x < lower || x > upper) continue;
    if (!(f(x) >= local.fun)) return false;
  }
  return true;
}

/**
 * Whether a point x with slope g of P is a local minimum by the members' certificates
 * ({@link SummedProfile.localCurvatures}, H their sum): with H > 0, P(y) = P(x) + g·t + H·t²/2 (t =
 * y − x, to second order) falls below P(x) by at most the Newton decrement on [lower, upper], which
 * must be within the iteration's own tolerance (where a member's profile has a kink, e.g. a fit on a
 * Poisson floor boundary, there is no certificate: the caller then checks values beside x).
 */
function smoothMinimum(local: { x: number; slope: number }, lower: number, upper: number, curvature: number): boolean {
  return curvature > 0 && quadraticStep(local.x, local.slope, curvature, lower, upper)[1] <= NLL_DECREASE_TOL;
}

/**
 * The Newton step t from x on the quadratic P(x) + g·t + h·t²/2 (h > 0), cut at [lower, upper],
 * and the fall of P it predicts, −(g·t + h·t²/2): the Newton decrement g²/2h when the step stays
 * inside, P's fall to the bound on the quadratic when it reaches one.
 */
function quadraticStep(x: number, g: number, h: number, lower: number, upper: number): [number, number] {
  const t = min(max(-g / h, lower - x), upper - x);
  return [t, -(g * t + 0.5 * h * t * t)];
}

/**
 * The minimum of a convex profile P on [lower, upper] (every member's `profileConvexInPoi`) from
 * `start`, without a scan: {@link minimizeBySlope} (the first curvature from a secant), certified by
 * the tangents of its steps ({@link certifyByTangents}, where `subgradientAt` holds) or by values
 * beside it ({@link confirmedByValues}: P(x ± δ) ≥ P(x) makes a point of a convex P its global
 * minimum, by the three-slope inequality). Undefined when the iteration fails or stops short, or
 * neither certifies the point: the caller fits otherwise (default.correlated_combiner's free fits).
 */
export function convexProfileMinimum(
  f: (mu: number) => number,
  df: (mu: number) => number,
  subgradientAt: (mu: number) => boolean,
  lower: number,
  upper: number,
  start: number,
): { x: number; fun: number } | undefined {
  // a start at the minimum (the Asimov fit's generating point, slope ~1e-12): its tangent alone
  // certifies it, without the Newton iteration's derivative-free first step and its return
  const at = certifyByTangents(f, df, subgradientAt, lower, upper, [{ x: start, fun: f(start), slope: df(start) }], 0);
  if (at) return at;
  const tangents = recordTangents(f, df);
  // (no overshoot: from a start at the minimum — the Asimov fit's generating point, slope ~1e-12 — the
  // overshot steps were bisected towards it ~20 times)
  const local = minimizeBySlope(tangents.nll, tangents.slope, lower, upper, start, Number.NaN);
  if (!local?.converged) return undefined;
  return (
    certifyByTangents(f, df, subgradientAt, lower, upper, tangents.evaluated) ??
    (confirmedByValues(f, local, lower, upper, Number.NaN) ? local : undefined)
  );
}

/**
 * Margin (NLL units) by which C + floor must exceed the local minimum to prune: the members' fits
 * are exact to ~1e-9, so a bound that clears the minimum by 1e-6 is not fit noise.
 */
const PRUNE_TOLERANCE = 1e-6;
/** Trial points per side of {@link pruneScan}, each twice as far out as the one before. */
const PRUNE_TRIALS = 2;

/**
 * The part of the scan range [a, b] of {@link globalMinimum} that can hold a point lower than the
 * local minimum x₀, from the convex split P = C + N ≥ C + floor ({@link ConvexSplit}). For y > x₀
 * with C(y) ≥ C(x₀), convexity gives C(μ) ≥ C(y) for every μ ≥ y (three-slope inequality:
 * (C(μ) − C(y))/(μ − y) ≥ (C(y) − C(x₀))/(y − x₀) ≥ 0), so when also C(y) + floor > P(x₀) no μ in
 * [y, b] beats x₀; likewise for y < x₀. Each trial costs only the convex members' conditional fits
 * (no fit of a non-convex member). The first y sits where a parabola from C(x₀) with the convex
 * members' curvature Σ 1/σ_k² would reach the needed height (1.25× that distance, plus σ_min/20),
 * the next twice as far out. Returns undefined when nothing is pruned, else the pruned region's ends with
 * their lower bounds C(y) + floor (each above P(x₀)).
 */
export function pruneScan(
  split: ConvexSplit,
  local: { x: number; fun: number },
  a: number,
  b: number,
  sigmaMin: number,
): { lower: number; upper: number; ends: Map<number, number> } | undefined {
  const atLocal = split.convexNll(local.x);
  // how far C must rise above C(x₀)
  const rise = local.fun - split.floor - atLocal + PRUNE_TOLERANCE;
  if (!isFiniteNumber(rise)) return undefined;
  const curvature = split.curvature > 0 && isFiniteNumber(split.curvature) ? split.curvature : sigmaMin ** -2;
  // where C(x₀) + curvature·t²/2 rises so far, with a margin
  const distance = 1.25 * sqrt((2 * max(rise, 0)) / curvature) + 0.05 * sigmaMin;
  const region = { lower: a, upper: b, ends: new Map<number, number>() };
  for (const side of [-1, 1]) {
    for (let trial = 0; trial < PRUNE_TRIALS; trial++) {
      const y = local.x + side * distance * 2 ** trial;
      if (!(y > a && y < b)) break;
      const c = split.convexNll(y);
      if (c >= atLocal && c + split.floor > local.fun + PRUNE_TOLERANCE) {
        region[side < 0 ? "lower" : "upper"] = y;
        region.ends.set(y, c + split.floor);
        break;
      }
    }
  }
  return region.ends.size > 0 ? region : undefined;
}

/**
 * The global minimum of a one-dimensional summed profile P(μ) = Σ_k p_k(μ) on [lower, upper] from a
 * local minimum `local` (spey's `UnCorrStatisticsCombiner.maximize_likelihood` is a local fit; P can
 * have several local minima where a member's profile is not convex, and the members' slopes are
 * wrong where a fit sits on a Poisson floor boundary, so a stationary point of the slopes need not
 * be a minimum). P is sampled on a grid over the hull of `anchors` (the members' μ̂, the start) and
 * the local minimum, widened by {@link SCAN_SIGMAS} σ_max (σ over the members that have one; the
 * whole [lower, upper] when none has), with spacing ≤ σ_min between {@link SCAN_MIN_INTERVALS} and
 * {@link SCAN_MAX_INTERVALS} intervals; every sampled local minimum other than a confirmed `local`
 * (`certified` by the members' curvatures, {@link smoothMinimum}, or by values beside it) is
 * refined by Brent's bounded method between its grid neighbours, and so is every pair of
 * neighbours (neither the local minimum nor a sampled one) where the members' summed `slope` falls
 * at the first and rises at the second: a basin narrower than the spacing, which the values miss
 * (a member whose θ search switches basins along μ has a concave kink beside it); the lowest value
 * wins. With a convex `split` (some members
 * certified convex, some not), {@link pruneScan} first proves by lower bounds where no μ can beat
 * the local minimum; the scan then covers only the rest, at most σ_min apart on each side of the
 * local minimum (the ends' lower bounds stand in for P there). Deterministic; at most 2·SCAN_MAX_INTERVALS + anchors + 500
 * evaluations per refined bracket.
 */
function globalMinimum(
  f: (mu: number) => number,
  lower: number,
  upper: number,
  local: { x: number; fun: number; converged: boolean },
  anchors: readonly number[],
  sigmas: readonly number[],
  convex = false,
  split?: ConvexSplit,
  certified = false,
  slope?: (mu: number) => number,
): { x: number; fun: number; converged: boolean } {
  if (convex) {
    // a convex P: a local minimum is the global one, once P rises on both sides of it
    const scale = sigmas.find((x) => isFiniteNumber(x) && x > 0) ?? Number.NaN;
    if (confirmedByValues(f, local, lower, upper, scale)) return local;
    const lo = isFiniteNumber(lower) ? lower : local.x - 10 * max(1, abs(local.x));
    const hi = isFiniteNumber(upper) ? upper : local.x + 10 * max(1, abs(local.x));
    const r = minimizeScalarBounded(f, lo, hi, { absoluteTolerance: MU_XATOL });
    let best = local;
    for (const [x, v, converged] of [
      [r.x, r.fun, r.converged],
      [lo, f(lo), true],
      [hi, f(hi), true],
    ] as const) {
      if (v < best.fun) best = { x, fun: v, converged };
    }
    return best;
  }
  const finiteSigmas = sigmas.filter((s) => isFiniteNumber(s) && s > 0);
  const inside = (x: number) => min(max(x, lower), upper);
  let a: number;
  let b: number;
  if (finiteSigmas.length > 0) {
    const sigmaMax = max(...finiteSigmas);
    const points = [local.x, ...anchors.filter((x) => isFiniteNumber(x))];
    a = inside(min(...points) - SCAN_SIGMAS * sigmaMax);
    b = inside(max(...points) + SCAN_SIGMAS * sigmaMax);
  } else {
    a = lower;
    b = upper;
  }
  if (!(isFiniteNumber(a) && isFiniteNumber(b)) || !(b > a)) return local;
  const sigmaMin = finiteSigmas.length > 0 ? min(...finiteSigmas) : b - a;
  const pruned = split ? pruneScan(split, local, a, b, sigmaMin) : undefined;
  // The scan: [a, b] in 4–12 intervals at most σ_min apart, with the local minimum and the anchors;
  // pruned, the region that can still hold a lower P — its ends (P there is proven above the local
  // minimum) and, on each side of the local minimum, 1–12 intervals at most σ_min apart.
  const xs: number[] = pruned ? [] : [local.x, ...anchors];
  for (const [u, v, fewest] of pruned
    ? [
        [pruned.lower, local.x, 1],
        [local.x, pruned.upper, 1],
      ]
    : [[a, b, SCAN_MIN_INTERVALS]]) {
    const n = min(SCAN_MAX_INTERVALS, max(fewest as number, Math.ceil(((v as number) - (u as number)) / sigmaMin)));
    for (let k = 0; k <= n; k++)
      xs.push(k === n ? (v as number) : (u as number) + (((v as number) - (u as number)) * k) / n);
  }
  xs.sort((u, v) => u - v);
  const grid: { x: number; v: number; bound: boolean }[] = [];
  for (const x of xs) {
    if (!(x >= a && x <= b)) continue; // (NaN anchors too)
    if (grid.length > 0 && x - (grid[grid.length - 1] as { x: number }).x <= 1e-12 * max(1, abs(x))) continue;
    // a pruned end: its lower bound (above the local minimum) stands in for P
    const bound = pruned?.ends.get(x);
    const v = bound ?? (x === local.x ? local.fun : f(x));
    grid.push({ x, v: isNaNNumber(v) ? Number.POSITIVE_INFINITY : v, bound: bound !== undefined });
  }
  let best = local;
  const consider = (x: number, v: number, converged: boolean) => {
    if (v < best.fun) best = { x, fun: v, converged };
  };
  const refine = (lo: number, hi: number) => {
    const r = minimizeScalarBounded(f, lo, hi, { absoluteTolerance: MU_XATOL });
    if (isFiniteNumber(r.fun)) consider(r.x, r.fun, r.converged);
  };
  const valueAt = (k: number) => grid[k]?.v ?? Number.POSITIVE_INFINITY;
  // a sampled minimum (a pruned end, above the local minimum, is never a candidate itself)
  const sampled = (k: number) =>
    grid[k]?.bound === false && valueAt(k) <= valueAt(k - 1) && valueAt(k) <= valueAt(k + 1);
  // A basin narrower than the grid's spacing shows in the slopes where it does not in the values:
  // P falling at a grid point and rising at the next has a minimum between them, which no sampled
  // minimum's bracket covers unless one of the two is one (the members' slopes cost no fit at
  // points fitted already; not at the local minimum, whose slope vanishes, nor at pruned ends)
  let falling = -1;
  for (let k = 0; slope && k < grid.length; k++) {
    const here = grid[k] as { x: number; v: number; bound: boolean };
    const g = here.bound || here.x === local.x || !isFiniteNumber(here.v) ? Number.NaN : slope(here.x);
    if (falling === k - 1 && g > 0 && !sampled(k - 1) && !sampled(k)) refine((grid[k - 1] as { x: number }).x, here.x);
    falling = g < 0 ? k : -1;
  }
  for (let k = 0; k < grid.length; k++) {
    const here = grid[k] as { x: number; v: number; bound: boolean };
    if (!sampled(k) || !isFiniteNumber(here.v)) continue;
    const left = grid[k - 1];
    const right = grid[k + 1];
    consider(here.x, here.v, true);
    // the bracket of this sampled minimum: its grid neighbours, or the bound of μ beyond the scan
    const lo = left ? left.x : min(here.x, lower);
    const hi = right ? right.x : max(here.x, upper);
    // the local minimum, when P rises on both sides of it: the members' slopes can vanish where P
    // does not (a fit on a Poisson floor boundary), so the sides are evaluated at ±δ
    if (here.x === local.x && (certified || confirmedByValues(f, local, lower, upper, sigmaMin))) continue;
    if (!(hi > lo) || !isFiniteNumber(lo) || !isFiniteNumber(hi)) continue;
    refine(lo, hi);
    for (const edge of [lo, hi]) {
      if (edge !== left?.x && edge !== right?.x && edge !== here.x) {
        const v = f(edge);
        if (isFiniteNumber(v)) consider(edge, v, true);
      }
    }
  }
  return best;
}

/** A point of a fit of μ: where, the value there, and whether the fit that found it converged. */
type Local = { x: number; fun: number; converged: boolean };

/**
 * Largest Newton decrement g²/2H at the start of a summed profile's fit (H = Σ p_k″, every member's
 * certified there) at which the fit ends at the start's Newton point μ* = μ − g/H, without fitting
 * there: t = g/H is then ≤ √(2·tol/H) ≈ 1.4e-4σ, so μ* is within |P‴|t²/2H ≲ 2e-8σ of the minimum
 * and P(μ*) = P(μ) − g²/2H within |P‴|t³/6 ≲ 1e-12 (|P‴|σ³ ≤ 2/√n for a Poisson term with n ≥ 1
 * events): far below the members' own precision (~1e-9), where μ itself would be ~1e-4σ off.
 */
const EXTRAPOLATION_TOL = 1e-8;

/**
 * The start's Newton point ({@link EXTRAPOLATION_TOL}), undefined when a member does not certify
 * its curvature at the start, the sum's is not positive, or the decrement is larger. A step
 * beyond a bound of μ stops there (the decrement is then P's fall to the bound on the quadratic).
 */
function newtonFromStart(
  profile: SummedProfile,
  slope: (mu: number) => number,
  lower: number,
  upper: number,
  start: number,
): { x: number; fun: number; slope: number; converged: true; curvatures: number[]; from: Local } | undefined {
  const at = min(max(start, lower), upper);
  const fun = profile.nll(at);
  const g = slope(at);
  const curvatures = profile.localCurvatures?.(at);
  if (!curvatures || !isFiniteNumber(fun) || !isFiniteNumber(g)) return undefined;
  const h = curvatures.reduce((a, b) => a + b, 0);
  const [t, decrease] = quadraticStep(at, g, h, lower, upper);
  if (!(h > 0 && decrease <= EXTRAPOLATION_TOL)) return undefined;
  return {
    x: at + t,
    fun: fun - decrease,
    slope: 0,
    converged: true,
    curvatures,
    from: { x: at, fun, converged: true },
  };
}

/** Minimum of a summed profile on [lower, upper]: Newton on the slopes when there are slopes. */
export function minimizeSummedProfile(
  profile: SummedProfile,
  lower: number,
  upper: number,
  start: number,
  optimiser: MinimizeOptions | undefined,
  owner = "UnCorrStatisticsCombiner",
): [number, number] {
  const slope = profile.slope;
  if (slope) {
    // the start's Newton point when the members certify it (no Newton iteration, no tangents)
    const first = newtonFromStart(profile, slope, lower, upper, start);
    // a convex sum with subgradient slopes: the Newton iteration's (value, slope) pairs are its tangents
    const tangents = !first && profile.convex && profile.subgradientAt ? recordTangents(profile.nll, slope) : undefined;
    const result =
      first ??
      minimizeBySlope(
        tangents?.nll ?? profile.nll,
        tangents?.slope ?? slope,
        lower,
        upper,
        start,
        profile.curvatureAt ?? profile.information(),
        tangents !== undefined,
      );
    if (result) {
      const byTangents = (steps: number) =>
        tangents &&
        profile.subgradientAt &&
        certifyByTangents(profile.nll, slope, profile.subgradientAt, lower, upper, tangents.evaluated, steps);
      let certified = byTangents(0);
      if (certified) return [certified.x, certified.fun];
      // (first: the members' certificates are of their last fits, and σ_A may fit the Asimov data)
      const curvatures = first ? first.curvatures : profile.localCurvatures?.(result.x);
      const smooth =
        !!first || smoothMinimum(result, lower, upper, curvatures ? curvatures.reduce((a, b) => a + b, 0) : Number.NaN);
      // a local minimum of a convex P is its global minimum; else tangents from more points
      if (smooth && profile.convex) return [result.x, result.fun];
      certified = byTangents(TANGENT_MAX_STEPS);
      if (certified) return [certified.x, certified.fun];
      // the members' σ at the local minimum from their curvatures there when all have one, else σ_A
      const sigmas = curvatures?.every((h) => h > 0) ? curvatures.map((h) => 1 / sqrt(h)) : profile.sigmas();
      // (the start's Newton point was not evaluated: the scan starts from the start itself, whose
      // value is within EXTRAPOLATION_TOL of it, and keeps the point unless it finds a lower one)
      const local = first?.from ?? result;
      const global = globalMinimum(
        profile.nll,
        lower,
        upper,
        local,
        [start, ...profile.anchors()],
        sigmas,
        profile.convex,
        profile.split?.(lower, upper, sigmas),
        smooth,
        slope,
      );
      acceptFit(
        {
          converged: global.converged,
          message: `Newton's method on the summed slopes took ${MU_NEWTON_ITERATIONS} steps`,
        },
        () => `the combined fit of μ in [${lower}, ${upper}] (${owner})`,
        optimiser,
      );
      return global === local ? [result.x, result.fun] : [global.x, global.fun];
    }
  }
  return minimizeSumByBrent(
    profile.nll,
    lower,
    upper,
    optimiser,
    [start, ...profile.anchors()],
    profile.sigmas(),
    profile.convex,
    owner,
  );
}

/**
 * Brent's bounded minimisation of a summed profile NLL, with its end points checked, then the
 * scan of {@link globalMinimum} for other local minima (over all of [lower, upper] without σ's).
 */
export function minimizeSumByBrent(
  f: (mu: number) => number,
  lower: number,
  upper: number,
  optimiser: MinimizeOptions | undefined,
  anchors: readonly number[] = [],
  sigmas: readonly number[] = [],
  convex = false,
  owner = "UnCorrStatisticsCombiner",
): [number, number] {
  const r = minimizeScalarBounded(f, lower, upper, { absoluteTolerance: MU_XATOL });
  // Brent's bounded method never evaluates the end points: check them for boundary optima.
  let best = { x: r.x, fun: r.fun, converged: r.converged };
  for (const edge of [lower, upper]) {
    if (!isFiniteNumber(edge)) continue;
    const v = f(edge);
    if (v < best.fun || isNaNNumber(best.fun)) best = { x: edge, fun: v, converged: true };
  }
  const global = globalMinimum(f, lower, upper, best, anchors, sigmas, convex);
  acceptFit(
    { converged: global.converged, message: `Brent's method stopped after ${r.iterations} evaluations` },
    () => `the combined fit of μ in [${lower}, ${upper}] (${owner})`,
    optimiser,
  );
  return [global.x, global.fun];
}
