import type { NumericArray } from "../plugin/types.js";
import { AnalysisQueryError, InvalidInput, NegativeExpectedYields } from "../core/errors.js";
import type { AllowNegativeSignalOption } from "../config/model-config.js";
import { type ExpectationType, type ExpectedOption, toExpectation } from "../core/expectation.js";
import {
  type BaseLikelihoodOptions,
  type BaseMaximizeOptions,
  type Chi2Options,
  type ExclusionOptions,
  type ExclusionResult,
  type ExclusionTailProbabilities,
  HypothesisTests,
  type OptimiserOptions,
  type PullOptions,
  type SigmaMuOptions,
  type SignificanceOptions,
  type UpperLimitOptions,
} from "../inference/hypothesis-testing-base.js";
import { chi2Test, type Chi2TestOptions } from "../inference/chi2-test.js";
import type {
  Calculator,
  FitSettings,
  HypotestPreparation,
  ProfileLikelihood,
} from "../inference/profile-likelihood.js";
import { asimovSigmaMu } from "../inference/profile-likelihood.js";
import { QMU, QTILDE, type TestStatistic, testStatistic } from "../inference/test-statistics.js";
import { log } from "../core/logger.js";
import { acceptFit } from "../fit/convergence.js";
import { safeguardedNewton } from "../math/safeguarded-newton.js";
import { minimizeScalarBounded } from "../optimize/minimize-scalar.js";
import type { MinimizeOptions } from "../optimize/types.js";
import { LeanStatisticalModel } from "./statistical-model.js";
import { maxOf } from "../core/arrays.js";
import { LazyFits, LiveModelProperties } from "./lazy-properties.js";

/** Per-analysis data: analysis name → data vector. */
export type CombinedData = Readonly<Record<string, NumericArray>>;

export interface CombinerLikelihoodOptions extends OptimiserOptions, ExpectedOption {
  /** Tested μ (the combination has one POI). Default 1. */
  readonly poiTest?: number;
  readonly returnNll?: boolean;
  /** Data per analysis; analyses not listed use their own data. */
  readonly data?: CombinedData;
}

/** Options of `maximizeAsimovLikelihood` of the combination. */
export interface CombinerAsimovOptions extends OptimiserOptions, ExpectedOption {
  /** "qtilde" (default), "q", "q0": decides the Asimov μ (1 for q0, else 0) and μ̂_A ≥ 0. */
  readonly testStatistics?: string;
  /** Return −log L (default) or the likelihood value. */
  readonly returnNll?: boolean;
}

/** `allowNegativeSignal`: default false. */
export interface CombinerMaximizeOptions extends OptimiserOptions, ExpectedOption, AllowNegativeSignalOption {
  readonly returnNll?: boolean;
  readonly data?: CombinedData;
  /** Start value of μ̂ (default: inverse-variance weighted mean of the individual μ̂). */
  readonly initialMuhatValue?: number;
  /** Bounds of μ (default [minimumPoi or 0, max(10, μ_init)]). */
  readonly parBounds?: readonly [number, number];
  /** Return μ̂ as a record keyed by these names or indices (spey's `poi_indices`). */
  readonly poiIndices?: readonly (string | number)[];
}

/**
 * μ̂, or with `poiIndices` a record mapping each requested key to μ̂ (the only parameter of the
 * combination), as spey's `UnCorrStatisticsCombiner.maximize_likelihood(poi_indices=...)`.
 */
function poiOutput(
  muhat: number,
  poiIndices: readonly (string | number)[] | undefined,
): number | Record<string, number> {
  if (poiIndices === undefined) return muhat;
  if (!Array.isArray(poiIndices)) {
    throw new InvalidInput('poiIndices must be an array of parameter names or indices, e.g. ["mu"].');
  }
  return Object.fromEntries(poiIndices.map((k) => [String(k), muhat]));
}

/** Tolerance of the one-dimensional fit of μ by Brent's bounded method. */
const MU_XATOL = 1e-10;
/**
 * Relative tolerance of the Newton steps on the summed slopes: the slopes come from fits whose own
 * tolerance leaves them uncertain at ~1e-8, below which the steps only follow that noise (an error
 * δ in μ̂ changes the minimum NLL by ~δ²/2σ², far below any test statistic's precision).
 */
const MU_NEWTON_RTOL = 1e-8;

/** Σ_k of the members' profile NLLs in μ, their slopes when every member has them, and Σ 1/σ_k². */
interface SummedProfile {
  readonly nll: (mu: number) => number;
  readonly slope: ((mu: number) => number) | undefined;
  /** Σ_k 1/σ_A,k² (the curvature of the sum near its minimum), NaN when a member has no σ_A. */
  readonly information: () => number;
  /**
   * The curvature of the sum at μ from each member's secant between μ and its own free fit μ̂_k
   * (where its slope vanishes when μ̂_k is inside μ's bounds), 1/σ_A,k² for the others; undefined
   * without slopes. Exact for Gaussian members; for the others a better first Newton step than the
   * Asimov information, which belongs to the Asimov data.
   */
  readonly curvatureAt?: (mu: number) => number;
  /** The members' own μ̂ on these data and their σ_A (NaN without one): the scan of {@link globalMinimum}. */
  readonly anchors: () => number[];
  readonly sigmas: () => number[];
  /** Every member's profile is convex in μ (their backends' `profileConvexInPoi`), so is the sum. */
  readonly convex: boolean;
  /** Whether every member's slope at μ is a subgradient of its convex profile (`slopeIsSubgradient`). */
  readonly subgradientAt?: (mu: number) => boolean;
  /** The split of the sum into certified convex members and the rest on the fit's [lower, upper] ({@link globalMinimum}'s pruning). */
  readonly split?: (lower: number, upper: number) => ConvexSplit | undefined;
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
 */
function minimizeBySlope(
  f: (mu: number) => number,
  df: (mu: number) => number,
  lower: number,
  upper: number,
  start: number,
  curvature: number | ((x: number) => number),
): { x: number; fun: number; converged: boolean } | undefined {
  // the last evaluated point, and the curvature estimate there
  let x = Number.NaN;
  let fx = Number.NaN;
  let g = Number.NaN;
  let h = Number.NaN;
  const evaluate = (mu: number, out: Float64Array): void => {
    const fNext = f(mu);
    const gNext = df(mu);
    if (Number.isNaN(x)) {
      const h0 = typeof curvature === "function" ? curvature(mu) : curvature;
      h = h0 > 0 && Number.isFinite(h0) ? h0 : Number.NaN;
    } else if (gNext !== g) {
      const secant = (gNext - g) / (mu - x);
      if (secant > 0) h = secant;
    }
    x = mu;
    fx = fNext;
    g = gNext;
    out[0] = Number.isFinite(fx) && Number.isFinite(g) ? g : Number.NaN;
    out[1] = h;
  };
  const result = safeguardedNewton(
    evaluate,
    lower,
    upper,
    Math.min(Math.max(Number.isFinite(start) ? start : 0, lower), upper),
    {
      maxIterations: MU_NEWTON_ITERATIONS,
      stepTolerance: MU_NEWTON_RTOL,
      closed: true,
      // without a curvature yet, a small downhill step gives one (secant of the slopes)
      withoutDerivative: (at, slope) => at - Math.sign(slope) * 1e-3 * Math.max(1, Math.abs(at)),
      // a Newton step that would lower the sum by less than NLL_DECREASE_TOL (g²/2h, μ within
      // √(2·tol/h) of the minimum): x is the minimum to the fits' own precision
      isNegligibleNewtonStep: (slope, h) => (slope * slope) / (2 * h) <= NLL_DECREASE_TOL,
    },
  );
  if (result.reason === "nan") return undefined;
  return { x, fun: fx, converged: result.converged };
}

/**
 * Largest gap (NLL units) between a convex summed profile's value at the fit and the lower bound of
 * its minimum from tangent lines that certifies the fit without value checks: the members' own fits
 * are exact to ~1e-9, below which the bound only follows their noise.
 */
const TANGENT_GAP_TOL = 1e-9;
/** Most extra evaluations (each one conditional fit per member) of the tangent certificate. */
const TANGENT_MAX_STEPS = 3;

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
    for (const t of tangents) m = Math.max(m, t.fun + t.slope * (y - t.x));
    return m;
  };
  const candidates: number[] = [];
  if (Number.isFinite(lower)) candidates.push(lower);
  if (Number.isFinite(upper)) candidates.push(upper);
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
 * each adds a tangent), at most {@link TANGENT_MAX_STEPS} times. Returns undefined when a point
 * lacks the certificate or the gap does not close (the caller then checks by values).
 */
function certifyByTangents(
  f: (mu: number) => number,
  df: (mu: number) => number,
  subgradientAt: (mu: number) => boolean,
  lower: number,
  upper: number,
  evaluated: readonly Tangent[],
): { x: number; fun: number; converged: boolean } | undefined {
  const tangents: Tangent[] = [];
  for (const t of evaluated) {
    if (!(Number.isFinite(t.fun) && Number.isFinite(t.slope)) || !subgradientAt(t.x)) return undefined;
    tangents.push(t);
  }
  if (tangents.length === 0) return undefined;
  for (let step = 0; ; step++) {
    let best = tangents[0] as Tangent;
    for (const t of tangents) if (t.fun < best.fun) best = t;
    const { bound, at } = tangentLowerBound(tangents, lower, upper);
    if (best.fun - bound <= TANGENT_GAP_TOL) return { x: best.x, fun: best.fun, converged: true };
    if (step >= TANGENT_MAX_STEPS || !Number.isFinite(at)) return undefined;
    // Twice the Newton step from the best point (curvature from the secant of its slope and the
    // nearest other one's): a tangent about as far beyond the minimum as the best point is before it
    // closes the gap to ~slope²/curvature; without a curvature, halfway to the envelope's lowest point.
    let h = Number.NaN;
    let nearest = Number.POSITIVE_INFINITY;
    for (const t of tangents) {
      const d = Math.abs(t.x - best.x);
      if (t.x !== best.x && d < nearest) {
        nearest = d;
        h = (t.slope - best.slope) / (t.x - best.x);
      }
    }
    const target = h > 0 && Number.isFinite(h) ? best.x - (2 * best.slope) / h : 0.5 * (at + best.x);
    const y = Math.min(Math.max(target, lower), upper);
    if (tangents.some((t) => t.x === y)) return undefined;
    const fun = f(y);
    const slope = df(y);
    if (!(Number.isFinite(fun) && Number.isFinite(slope)) || !subgradientAt(y)) return undefined;
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

/** Whether a member's profile is certified convex in μ (its backend's `profileConvexInPoi`). */
function convexInPoi(model: LeanStatisticalModel): boolean {
  return model.backend.profileConvexInPoi?.() === true;
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
  const delta = CONFIRM_STEP * (Number.isFinite(sigma) && sigma > 0 ? sigma : Math.max(1, Math.abs(local.x)));
  for (const x of [local.x - delta, local.x + delta]) {
    if (x < lower || x > upper) continue;
    if (!(f(x) >= local.fun)) return false;
  }
  return true;
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
  if (!Number.isFinite(rise)) return undefined;
  const curvature = split.curvature > 0 && Number.isFinite(split.curvature) ? split.curvature : sigmaMin ** -2;
  // where C(x₀) + curvature·t²/2 rises so far, with a margin
  const distance = 1.25 * Math.sqrt((2 * Math.max(rise, 0)) / curvature) + 0.05 * sigmaMin;
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
 * the local minimum, widened by {@link SCAN_SIGMAS} σ_max (the whole [lower, upper] without σ), with
 * spacing ≤ σ_min between {@link SCAN_MIN_INTERVALS} and {@link SCAN_MAX_INTERVALS} intervals;
 * every sampled local minimum other than a confirmed `local` is refined by Brent's bounded method
 * between its grid neighbours, and the lowest value wins. With a convex `split` (some members
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
): { x: number; fun: number; converged: boolean } {
  if (convex) {
    // a convex P: a local minimum is the global one, once P rises on both sides of it
    const scale = sigmas.find((x) => Number.isFinite(x) && x > 0) ?? Number.NaN;
    if (confirmedByValues(f, local, lower, upper, scale)) return local;
    const lo = Number.isFinite(lower) ? lower : local.x - 10 * Math.max(1, Math.abs(local.x));
    const hi = Number.isFinite(upper) ? upper : local.x + 10 * Math.max(1, Math.abs(local.x));
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
  const finiteSigmas = sigmas.filter((s) => Number.isFinite(s) && s > 0);
  const inside = (x: number) => Math.min(Math.max(x, lower), upper);
  let a: number;
  let b: number;
  if (finiteSigmas.length === sigmas.length && finiteSigmas.length > 0) {
    const sigmaMax = Math.max(...finiteSigmas);
    const points = [local.x, ...anchors.filter((x) => Number.isFinite(x))];
    a = inside(Math.min(...points) - SCAN_SIGMAS * sigmaMax);
    b = inside(Math.max(...points) + SCAN_SIGMAS * sigmaMax);
  } else {
    a = lower;
    b = upper;
  }
  if (!(Number.isFinite(a) && Number.isFinite(b)) || !(b > a)) return local;
  const sigmaMin = finiteSigmas.length > 0 ? Math.min(...finiteSigmas) : b - a;
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
    const n = Math.min(
      SCAN_MAX_INTERVALS,
      Math.max(fewest as number, Math.ceil(((v as number) - (u as number)) / sigmaMin)),
    );
    for (let k = 0; k <= n; k++)
      xs.push(k === n ? (v as number) : (u as number) + (((v as number) - (u as number)) * k) / n);
  }
  xs.sort((u, v) => u - v);
  const grid: { x: number; v: number; bound: boolean }[] = [];
  for (const x of xs) {
    if (!(x >= a && x <= b)) continue; // (NaN anchors too)
    if (grid.length > 0 && x - (grid[grid.length - 1] as { x: number }).x <= 1e-12 * Math.max(1, Math.abs(x))) continue;
    // a pruned end: its lower bound (above the local minimum) stands in for P
    const bound = pruned?.ends.get(x);
    const v = bound ?? (x === local.x ? local.fun : f(x));
    grid.push({ x, v: Number.isNaN(v) ? Number.POSITIVE_INFINITY : v, bound: bound !== undefined });
  }
  let best = local;
  const consider = (x: number, v: number, converged: boolean) => {
    if (v < best.fun) best = { x, fun: v, converged };
  };
  for (let k = 0; k < grid.length; k++) {
    const here = grid[k] as { x: number; v: number; bound: boolean };
    // a pruned end is above the local minimum: never a candidate itself
    if (here.bound) continue;
    const left = grid[k - 1];
    const right = grid[k + 1];
    const leftV = left ? left.v : Number.POSITIVE_INFINITY;
    const rightV = right ? right.v : Number.POSITIVE_INFINITY;
    if (!(here.v <= leftV && here.v <= rightV) || !Number.isFinite(here.v)) continue;
    consider(here.x, here.v, true);
    // the bracket of this sampled minimum: its grid neighbours, or the bound of μ beyond the scan
    const lo = left ? left.x : Math.min(here.x, lower);
    const hi = right ? right.x : Math.max(here.x, upper);
    // the local minimum, when P rises on both sides of it: the members' slopes can vanish where P
    // does not (a fit on a Poisson floor boundary), so the sides are evaluated at ±δ
    if (here.x === local.x && confirmedByValues(f, local, lower, upper, sigmaMin)) continue;
    if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) continue;
    const r = minimizeScalarBounded(f, lo, hi, { absoluteTolerance: MU_XATOL });
    if (Number.isFinite(r.fun)) consider(r.x, r.fun, r.converged);
    for (const edge of [lo, hi]) {
      if (edge !== left?.x && edge !== right?.x && edge !== here.x) {
        const v = f(edge);
        if (Number.isFinite(v)) consider(edge, v, true);
      }
    }
  }
  return best;
}

/**
 * Combination of statistically independent analyses that share only the signal strength μ
 * (spey's `UnCorrStatisticsCombiner`): NLL(μ) = Σ_k NLL_k(μ, θ̂̂_k(μ)), each analysis profiling its own nuisances. A container
 * (append, remove, lookup by analysis name or index, iteration) with the whole hypothesis-testing
 * surface (asymptotic and χ² calculators; toys are not available, as in spey).
 */
export class UnCorrStatisticsCombiner implements Iterable<LeanStatisticalModel> {
  private readonly models: LeanStatisticalModel[] = [];

  /** Number of toys (the combination has no toy calculator, as in spey; kept for the interface). */
  ntoys = 1000;
  /** The combination as inference sees it; the hypothesis-test methods delegate to it. */
  readonly profileLikelihood: ProfileLikelihood = this.createProfileLikelihood();
  private readonly tests = new HypothesisTests(this.profileLikelihood);

  constructor(...models: LeanStatisticalModel[]) {
    for (const m of models) this.append(m);
  }

  /** Add a model; its `analysis` must be new. */
  append(model: LeanStatisticalModel): void {
    if (!(model instanceof LeanStatisticalModel)) {
      throw new InvalidInput(
        `Can not append type ${typeof model}: UnCorrStatisticsCombiner holds StatisticalModel (or LeanStatisticalModel) instances; build them with getBackend.`,
      );
    }
    if (this.models.some((m) => m.analysis === model.analysis)) {
      throw new AnalysisQueryError(`${model.analysis} already exists. Give each analysis a unique name.`);
    }
    this.models.push(model);
  }

  /** Remove the model of an analysis. */
  remove(analysis: string): void {
    const i = this.models.findIndex((m) => m.analysis === analysis);
    if (i < 0) throw new AnalysisQueryError(`'${analysis}' is not among the analyses.`);
    this.models.splice(i, 1);
  }

  /** The model at an index (negative counts from the end) or of an analysis name. */
  get(key: number | string): LeanStatisticalModel {
    if (typeof key === "string") {
      const m = this.models.find((x) => x.analysis === key);
      if (!m) throw new AnalysisQueryError(`'${key}' is not among the analyses.`);
      return m;
    }
    const idx = key < 0 ? this.models.length + key : key;
    const m = this.models[idx];
    if (!Number.isInteger(key) || !m)
      throw new AnalysisQueryError("Request exceeds number of statistical models available.");
    return m;
  }

  /** The models (a copy). */
  get statisticalModels(): readonly LeanStatisticalModel[] {
    return [...this.models];
  }

  /** Analysis names, in order. */
  get analyses(): string[] {
    return this.models.map((m) => m.analysis);
  }

  get length(): number {
    return this.models.length;
  }

  [Symbol.iterator](): Iterator<LeanStatisticalModel> {
    return this.models[Symbol.iterator]();
  }

  /** `[analysis, model]` pairs. */
  *items(): IterableIterator<[string, LeanStatisticalModel]> {
    for (const m of this.models) yield [m.analysis, m];
  }

  /** A new combiner with these models plus `other` (a model, or all models of another combiner). */
  combine(other: LeanStatisticalModel | UnCorrStatisticsCombiner): UnCorrStatisticsCombiner {
    const extra = other instanceof UnCorrStatisticsCombiner ? other.statisticalModels : [other];
    if (!(other instanceof UnCorrStatisticsCombiner) && !(other instanceof LeanStatisticalModel)) {
      throw new InvalidInput(`Can not combine type ${typeof other} with UnCorrStatisticsCombiner.`);
    }
    return new UnCorrStatisticsCombiner(...this.models, ...extra);
  }

  /** The model with the strongest expected (pre-fit) excluded cross section; needs `xsection` on every model. */
  findMostSensitive(): LeanStatisticalModel {
    let best: LeanStatisticalModel | undefined;
    let bestValue = Number.POSITIVE_INFINITY;
    for (const m of this.models) {
      const v = m.s95exp;
      if (best === undefined || v < bestValue) {
        best = m;
        bestValue = v;
      }
    }
    if (!best) throw new AnalysisQueryError("The combiner holds no analyses.");
    return best;
  }

  /** Largest of the models' lowest allowed μ. */
  get minimumPoi(): number {
    return maxOf(this.models.map((m) => m.config().minimumPoi));
  }

  get isAlive(): boolean {
    return this.models.some((m) => m.isAlive);
  }

  get isAsymptoticCalculatorAvailable(): boolean {
    return this.models.length > 0 && this.models.every((m) => m.isAsymptoticCalculatorAvailable);
  }

  get isToyCalculatorAvailable(): boolean {
    return false;
  }

  get isChiSquareCalculatorAvailable(): boolean {
    return this.models.length > 0 && this.models.every((m) => m.isChiSquareCalculatorAvailable);
  }

  /** Whether every member's profile is convex in μ (its backend's `profileConvexInPoi`). */
  private membersConvex(): boolean {
    return this.models.every(convexInPoi);
  }

  private requireModels(): void {
    if (this.models.length === 0) throw new AnalysisQueryError("The combiner holds no analyses; append models first.");
  }

  private sumNll(
    mu: number,
    expected: ExpectationType,
    data: CombinedData | undefined,
    optimiser?: MinimizeOptions,
  ): number {
    let total = 0;
    for (const m of this.models) {
      const d = data?.[m.analysis];
      try {
        total += m.likelihood({
          poiTest: mu,
          expected,
          ...(d ? { data: d } : {}),
          ...(optimiser ? { optimiser } : {}),
        });
      } catch (error) {
        if (!(error instanceof NegativeExpectedYields)) throw error;
        log.warning(`${error.message}\nSetting NLL(${mu.toFixed(3)}) = nan`);
        return Number.NaN;
      }
    }
    return total;
  }

  /** Σ_k of the profile NLLs at μ = poiTest (spey's `UnCorrStatisticsCombiner.likelihood`). */
  likelihood(options: CombinerLikelihoodOptions & BaseLikelihoodOptions = {}): number {
    this.requireModels();
    const poiTest = options.poiTest ?? 1;
    if (typeof poiTest !== "number")
      throw new InvalidInput("poiTest of a combiner must be a number (μ is the only shared parameter).");
    const nll = this.sumNll(
      poiTest,
      toExpectation(options.expected),
      options.data as CombinedData | undefined,
      options.optimiser,
    );
    return options.returnNll === false ? Math.exp(-nll) : nll;
  }

  /** Asimov data of every analysis (analysis → data). */
  generateAsimovData(options: ExpectedOption & { testStatistic?: string } = {}): Record<string, number[]> {
    this.requireModels();
    const out: Record<string, number[]> = {};
    for (const m of this.models) {
      out[m.analysis] = m.generateAsimovData({
        expected: toExpectation(options.expected),
        testStatistic: options.testStatistic ?? "qtilde",
      });
    }
    return out;
  }

  asimovLikelihood(
    options: CombinerLikelihoodOptions & BaseLikelihoodOptions & { testStatistics?: string } = {},
  ): number {
    const data = this.generateAsimovData({
      expected: toExpectation(options.expected),
      testStatistic: options.testStatistics ?? "qtilde",
    });
    return this.likelihood({ ...options, data });
  }

  private fitMu(
    expected: ExpectationType,
    data: CombinedData | undefined,
    lower: number,
    upper: number,
    optimiser: MinimizeOptions | undefined,
    init: number,
  ): [number, number] {
    const f = (mu: number) => this.sumNll(mu, expected, data, optimiser);
    return this.minimizeSum(f, lower, upper, optimiser, [init], [], this.membersConvex());
  }

  /**
   * Brent's bounded minimisation of a summed profile NLL, with its end points checked, then the
   * scan of {@link globalMinimum} for other local minima (over all of [lower, upper] without σ's).
   */
  private minimizeSum(
    f: (mu: number) => number,
    lower: number,
    upper: number,
    optimiser: MinimizeOptions | undefined,
    anchors: readonly number[] = [],
    sigmas: readonly number[] = [],
    convex = false,
  ): [number, number] {
    const r = minimizeScalarBounded(f, lower, upper, { absoluteTolerance: MU_XATOL });
    // Brent's bounded method never evaluates the end points: check them for boundary optima.
    let best = { x: r.x, fun: r.fun, converged: r.converged };
    for (const edge of [lower, upper]) {
      if (!Number.isFinite(edge)) continue;
      const v = f(edge);
      if (v < best.fun || Number.isNaN(best.fun)) best = { x: edge, fun: v, converged: true };
    }
    const global = globalMinimum(f, lower, upper, best, anchors, sigmas, convex);
    acceptFit(
      { converged: global.converged, message: `Brent's method stopped after ${r.iterations} evaluations` },
      `the combined fit of μ in [${lower}, ${upper}] (UnCorrStatisticsCombiner)`,
      optimiser,
    );
    return [global.x, global.fun];
  }

  private initialMuhat(expected: ExpectationType, optimiser: MinimizeOptions | undefined): number {
    try {
      let num = 0;
      let den = 0;
      for (const m of this.models) {
        const [muhat] = m.maximizeLikelihood({ expected, ...(optimiser ? { optimiser } : {}) });
        const sigma = m.sigmaMu({ poiTest: muhat, expected });
        num += muhat / (sigma * sigma);
        den += 1 / (sigma * sigma);
      }
      const v = num / den;
      return Number.isFinite(v) ? v : 0;
    } catch {
      return 0;
    }
  }

  /** The combined unconditional fit `[μ̂, NLL_min]` (a one-dimensional fit of Σ_k NLL_k(μ)). */
  maximizeLikelihood(
    options: CombinerMaximizeOptions & BaseMaximizeOptions & { poiIndices: readonly (string | number)[] },
  ): [Record<string, number>, number];
  maximizeLikelihood(options?: CombinerMaximizeOptions & BaseMaximizeOptions): [number, number];
  maximizeLikelihood(
    options: CombinerMaximizeOptions & BaseMaximizeOptions = {},
  ): [number, number] | [Record<string, number>, number] {
    this.requireModels();
    if (options.fixedPoiValue !== undefined) {
      throw new InvalidInput("fixedPoiValue is not supported by UnCorrStatisticsCombiner: μ is its only parameter.");
    }
    const expected = toExpectation(options.expected);
    const allow = options.allowNegativeSignal ?? true;
    if (options.data === undefined) {
      // The members' own profiles (their μ̂ unbounded below, as spey's start value).
      const preparations = this.memberPreparations(expected, QMU, options.optimiser);
      const [muhat, nll] = this.combinedFit(
        preparations,
        allow,
        options.initialMuhatValue,
        options.parBounds,
        options.optimiser,
        QMU.muhatMayBeNegative,
      );
      return [poiOutput(muhat, options.poiIndices), options.returnNll === false ? Math.exp(-nll) : nll] as
        | [number, number]
        | [Record<string, number>, number];
    }
    const init = options.initialMuhatValue ?? this.initialMuhat(expected, options.optimiser);
    const [lower, upper] = options.parBounds ?? [allow ? this.minimumPoi : 0, Math.max(10, init)];
    const [muhat, nll] = this.fitMu(
      expected,
      options.data as CombinedData | undefined,
      lower,
      upper,
      options.optimiser,
      init,
    );
    return [poiOutput(muhat, options.poiIndices), options.returnNll === false ? Math.exp(-nll) : nll] as
      | [number, number]
      | [Record<string, number>, number];
  }

  /** The combined fit on the Asimov data of `testStatistics` (μ̂_A ≥ 0 unless the statistic is qμ). */
  maximizeAsimovLikelihood(
    options: CombinerAsimovOptions & { poiIndices: readonly (string | number)[] },
  ): [Record<string, number>, number];
  maximizeAsimovLikelihood(options?: CombinerAsimovOptions): [number, number];
  maximizeAsimovLikelihood(
    options: CombinerAsimovOptions & { poiIndices?: readonly (string | number)[] } = {},
  ): [number, number] | [Record<string, number>, number] {
    this.requireModels();
    const expected = toExpectation(options.expected);
    const statistic = testStatistic(options.testStatistics ?? "qtilde");
    const preparations = this.memberPreparations(expected, statistic, options.optimiser);
    const [muhat, nll] = this.combinedAsimovFit(preparations, statistic.muhatMayBeNegative, options.optimiser);
    return [poiOutput(muhat, options.poiIndices), options.returnNll === false ? Math.exp(-nll) : nll] as
      | [number, number]
      | [Record<string, number>, number];
  }

  /**
   * Σ_k of the members' profiles, each member's own hypothesis-test preparation: its fits start
   * where its previous ones ended (continuation along μ), its Asimov data are generated once, and
   * its slopes come from its analytic gradient. A member raising NegativeExpectedYields makes the
   * sum NaN, with spey's warning.
   */
  private summed(
    preparations: readonly HypotestPreparation[],
    which: "data" | "asimov",
    membersMuhatMayBeNegative?: boolean,
  ): SummedProfile {
    const guard = (mu: number, term: (p: HypotestPreparation, k: number) => number): number => {
      let total = 0;
      for (let k = 0; k < preparations.length; k++) {
        try {
          total += term(preparations[k] as HypotestPreparation, k);
        } catch (error) {
          if (!(error instanceof NegativeExpectedYields)) throw error;
          log.warning(`${error.message}\nSetting NLL(${mu.toFixed(3)}) = nan`);
          return Number.NaN;
        }
      }
      return total;
    };
    const hasSlopes = preparations.every((p) => (which === "data" ? p.logpdfSlope : p.asimovLogpdfSlope));
    // The bounds of μ in the members' own free fits (their μ̂_k is an interior minimum between them).
    let muBounds: (readonly [number, number])[] | undefined;
    const boundsOf = (k: number): readonly [number, number] => {
      muBounds ??= this.models.map((m) => {
        if (membersMuhatMayBeNegative === undefined) return [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
        const config = m.config({ allowNegativeSignal: membersMuhatMayBeNegative });
        return (config.suggestedBounds[config.poiIndex] ?? [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) as [
          number,
          number,
        ];
      });
      return muBounds[k] as readonly [number, number];
    };
    return {
      nll: (mu) => guard(mu, (p) => -(which === "data" ? p.logpdf(mu) : p.asimovLogpdf(mu))),
      slope: hasSlopes
        ? (mu) =>
            guard(mu, (p) => -((which === "data" ? p.logpdfSlope : p.asimovLogpdfSlope) as (m: number) => number)(mu))
        : undefined,
      convex: this.membersConvex(),
      ...(preparations.every((p) => p.slopeIsSubgradient)
        ? {
            subgradientAt: (mu: number) =>
              preparations.every((p) =>
                (p.slopeIsSubgradient as (m: number, w: "data" | "asimov") => boolean)(mu, which),
              ),
          }
        : {}),
      split: (lower: number, upper: number) => {
        const convex = this.models.map(convexInPoi);
        if (membersMuhatMayBeNegative === undefined || convex.every(Boolean) || !convex.some(Boolean)) return undefined;
        let floor = 0;
        let curvature = 0;
        preparations.forEach((p, k) => {
          const sigma = p.asimovSigma?.() ?? Number.NaN;
          if (convex[k]) {
            curvature += 1 / (sigma * sigma);
          } else {
            floor += (which === "data" ? p.fit : p.asimovFit).nll;
            // the member's free fit bounds its profile only within its own bounds of μ
            const [a, b] = boundsOf(k);
            if (a > lower || b < upper) floor = Number.NaN;
          }
        });
        return {
          convexNll: (mu: number) =>
            guard(mu, (p, k) => (convex[k] ? -(which === "data" ? p.logpdf(mu) : p.asimovLogpdf(mu)) : 0)),
          floor,
          curvature,
        };
      },
      anchors: () => preparations.map((p) => (which === "data" ? p.fit : p.asimovFit).muhat),
      sigmas: () => preparations.map((p) => p.asimovSigma?.() ?? Number.NaN),
      information: () => {
        let total = 0;
        for (const p of preparations) {
          const sigma = p.asimovSigma?.() ?? Number.NaN;
          total += 1 / (sigma * sigma);
        }
        return total;
      },
      ...(hasSlopes
        ? {
            curvatureAt: (mu: number) => {
              let total = 0;
              preparations.forEach((p, k) => {
                const anchor = (which === "data" ? p.fit : p.asimovFit).muhat;
                const [lower, upper] = boundsOf(k);
                const slope = which === "data" ? p.logpdfSlope : p.asimovLogpdfSlope;
                let h = Number.NaN;
                if (anchor > lower && anchor < upper && Math.abs(mu - anchor) > 1e-6 * Math.max(1, Math.abs(anchor))) {
                  h = -(slope as (m: number) => number)(mu) / (mu - anchor);
                }
                if (!(h > 0 && Number.isFinite(h))) {
                  const sigma = p.asimovSigma?.() ?? Number.NaN;
                  h = 1 / (sigma * sigma);
                }
                total += h;
              });
              return total;
            },
          }
        : {}),
    };
  }

  /** Minimum of a summed profile on [lower, upper]: Newton on the slopes when there are slopes. */
  private fitSummed(
    profile: SummedProfile,
    lower: number,
    upper: number,
    start: number,
    optimiser: MinimizeOptions | undefined,
  ): [number, number] {
    if (profile.slope) {
      // a convex sum with subgradient slopes: the Newton iteration's (value, slope) pairs are its tangents
      const tangents = profile.convex && profile.subgradientAt ? recordTangents(profile.nll, profile.slope) : undefined;
      const result = minimizeBySlope(
        tangents?.nll ?? profile.nll,
        tangents?.slope ?? profile.slope,
        lower,
        upper,
        start,
        profile.curvatureAt ?? profile.information(),
      );
      if (result) {
        const certified =
          tangents && profile.subgradientAt
            ? certifyByTangents(profile.nll, profile.slope, profile.subgradientAt, lower, upper, tangents.evaluated)
            : undefined;
        if (certified) return [certified.x, certified.fun];
        const global = globalMinimum(
          profile.nll,
          lower,
          upper,
          result,
          [start, ...profile.anchors()],
          profile.sigmas(),
          profile.convex,
          profile.split?.(lower, upper),
        );
        acceptFit(
          {
            converged: global.converged,
            message: `Newton's method on the summed slopes took ${MU_NEWTON_ITERATIONS} steps`,
          },
          `the combined fit of μ in [${lower}, ${upper}] (UnCorrStatisticsCombiner)`,
          optimiser,
        );
        return [global.x, global.fun];
      }
    }
    return this.minimizeSum(
      profile.nll,
      lower,
      upper,
      optimiser,
      [start, ...profile.anchors()],
      profile.sigmas(),
      profile.convex,
    );
  }

  /** Each member's hypothesis-test preparation for `statistic` (fits made on first use). */
  private memberPreparations(
    expected: ExpectationType,
    statistic: TestStatistic,
    optimiser: MinimizeOptions | undefined,
  ): HypotestPreparation[] {
    return this.models.map((m) => m.profileLikelihood.prepare({ expected, statistic, optimiser }));
  }

  /**
   * Start of the combined fit: the members' μ̂ weighted by their profiles' curvatures (spey's
   * inverse-variance mean), their plain mean without any. In a hypothesis test (`asimovMu` given)
   * the curvature of member k is the secant h_k = p_k′(μ_A)/(μ_A − μ̂_k) of its slope between its
   * own μ̂_k and the Asimov μ: the conditional fit at μ_A that generated the member's Asimov data
   * (which the test needs anyway) is a known point of its profile, so h_k costs one gradient — exact
   * for Gaussian profiles, where the start is then the combined minimum itself. Otherwise, and where
   * that secant is not positive, 1/σ_A,k² from the Hessian at the member's Asimov fit.
   */
  private weightedMuhat(preparations: readonly HypotestPreparation[], asimovMu?: number): number {
    let num = 0;
    let den = 0;
    for (const p of preparations) {
      const muhat = p.fit.muhat;
      let w = Number.NaN;
      if (asimovMu !== undefined && p.logpdfSlope) {
        // first the Asimov data (in the member's own order: free fit, then Asimov), so that the
        // profile knows its point at μ_A
        void p.asimovFit;
        // (μ_A = μ̂_k gives no finite secant: σ_A below)
        w = -p.logpdfSlope(asimovMu) / (asimovMu - muhat);
      }
      if (!(w > 0 && Number.isFinite(w))) {
        const sigma = p.asimovSigma?.() ?? Number.NaN;
        w = Number.isFinite(sigma) && sigma > 0 ? 1 / (sigma * sigma) : 1;
      }
      num += w * muhat;
      den += w;
    }
    const v = num / den;
    return Number.isFinite(v) ? v : 0;
  }

  /**
   * The combined free fit on the members' data (spey's `maximize_likelihood` bounds: μ ≥ the
   * members' largest lower bound when negative signals are allowed, else ≥ 0; μ ≤ max(10, start)).
   */
  private combinedFit(
    preparations: readonly HypotestPreparation[],
    allowNegativeSignal: boolean,
    start: number | undefined,
    bounds: readonly [number, number] | undefined,
    optimiser: MinimizeOptions | undefined,
    membersMuhatMayBeNegative: boolean,
    asimovMu?: number,
  ): [number, number] {
    const init = start ?? this.weightedMuhat(preparations, asimovMu);
    const [lower, upper] = bounds ?? [allowNegativeSignal ? this.minimumPoi : 0, Math.max(10, init)];
    return this.fitSummed(this.summed(preparations, "data", membersMuhatMayBeNegative), lower, upper, init, optimiser);
  }

  /**
   * The combined free fit on the members' Asimov data. When every member's own Asimov fit found the
   * same μ̂_A (the Asimov μ, as Asimov data reproduce their generating point), the sum is minimal
   * there too: no further fit.
   */
  private combinedAsimovFit(
    preparations: readonly HypotestPreparation[],
    allowNegativeSignal: boolean,
    optimiser: MinimizeOptions | undefined,
  ): [number, number] {
    const lower = allowNegativeSignal ? this.minimumPoi : 0;
    const fits = preparations.map((p) => p.asimovFit);
    const first = (fits[0] as { muhat: number }).muhat;
    if (
      fits.every((f) => Math.abs(f.muhat - first) <= 1e-12 * Math.max(1, Math.abs(first))) &&
      first >= lower &&
      first <= 10
    ) {
      return [first, fits.reduce((total, f) => total + f.nll, 0)];
    }
    return this.fitSummed(this.summed(preparations, "asimov", allowNegativeSignal), lower, 10, first, optimiser);
  }

  /**
   * The fits of one hypothesis test, on the members' own preparations (see {@link summed}): the
   * combined μ̂ by Newton on the summed slopes, the combined Asimov profile as the sum of the members'
   * (independent analyses: the joint conditional fit at the Asimov μ is each member's), σ_A from the
   * members' Fisher informations, which add.
   */
  private prepareForHypotest(options: FitSettings & { readonly statistic: TestStatistic }): HypotestPreparation {
    this.requireModels();
    if (options.extra) throw new InvalidInput("poiTest records are not supported by UnCorrStatisticsCombiner.");
    const { expected, statistic, optimiser } = options;
    const allow = statistic.muhatMayBeNegative;
    const preparations = this.memberPreparations(expected, statistic, optimiser);
    const data = this.summed(preparations, "data");
    const asimov = this.summed(preparations, "asimov");
    const fits = new LazyFits(
      () => {
        const [muhat, nll] = this.combinedFit(
          preparations,
          allow,
          undefined,
          undefined,
          optimiser,
          allow,
          statistic.asimovMu,
        );
        return { muhat, nll };
      },
      () => {
        const [muhat, nll] = this.combinedAsimovFit(preparations, allow, optimiser);
        return { muhat, nll };
      },
    );
    const rest: Omit<HypotestPreparation, keyof LazyFits> = {
      logpdf: (mu) => -data.nll(mu),
      asimovLogpdf: (mu) => -asimov.nll(mu),
      asimovSigma: () => 1 / Math.sqrt(asimov.information()),
      ...(data.slope ? { logpdfSlope: (mu: number) => -(data.slope as (m: number) => number)(mu) } : {}),
      ...(asimov.slope ? { asimovLogpdfSlope: (mu: number) => -(asimov.slope as (m: number) => number)(mu) } : {}),
    };
    return Object.assign(fits, rest);
  }

  /** The combination as inference sees it: the sum of the analyses' profile NLLs in μ. */
  private createProfileLikelihood(): ProfileLikelihood {
    const noData = (s: FitSettings) => {
      if (s.data !== undefined) {
        throw new InvalidInput("UnCorrStatisticsCombiner takes data per analysis ({analysis: data}), not one vector.");
      }
      if (s.extra !== undefined)
        throw new InvalidInput("poiTest records are not supported by UnCorrStatisticsCombiner.");
    };
    const methods: Omit<ProfileLikelihood, keyof LiveModelProperties> = {
      splitPoiTest: (poiTest) => {
        if (poiTest === undefined) return { mu: 1, extra: undefined };
        if (typeof poiTest === "number") {
          if (!Number.isFinite(poiTest)) throw new InvalidInput(`poiTest must be a finite number; got ${poiTest}.`);
          return { mu: poiTest, extra: undefined };
        }
        throw new InvalidInput("poiTest records are only supported by single statistical models; pass a number.");
      },
      maximize: (s) => {
        noData(s);
        const [muhat, nll] = this.maximizeLikelihood({
          expected: s.expected,
          allowNegativeSignal: s.allowNegativeSignal,
          ...(s.optimiser ? { optimiser: s.optimiser } : {}),
        });
        return { muhat, nll };
      },
      nll: (mu, s) => {
        noData(s);
        return this.likelihood({
          poiTest: mu,
          expected: s.expected,
          ...(s.optimiser ? { optimiser: s.optimiser } : {}),
        });
      },
      prepare: (s) => this.prepareForHypotest(s),
      sigmaMu: (mu, s) => {
        const prep = this.prepareForHypotest({ expected: s.expected, statistic: QTILDE, optimiser: s.optimiser });
        return asimovSigmaMu(mu, prep.asimovFit, prep.asimovLogpdf, QTILDE);
      },
    };
    return Object.assign(new LiveModelProperties(this), methods);
  }

  // ---------------------------------------------------------------------------------------------
  // Hypothesis tests (delegated to inference/, which sees only the profile likelihood)

  /** Calculators available for this combination, in spey's order. */
  get availableCalculators(): Calculator[] {
    const out: Calculator[] = [];
    if (this.isToyCalculatorAvailable) out.push("toy");
    if (this.isAsymptoticCalculatorAvailable) out.push("asymptotic");
    if (this.isChiSquareCalculatorAvailable) out.push("chi_square");
    return out;
  }

  /** 1 − CLs of μ = `poiTest` (spey's `exclusion_confidence_level`). */
  exclusionConfidenceLevel(options: ExclusionOptions & { expected: "all"; returnTailProbabilities: true }): {
    observed: ExclusionTailProbabilities;
    expected: ExclusionTailProbabilities;
  };
  exclusionConfidenceLevel(options: ExclusionOptions & { returnTailProbabilities: true }): ExclusionTailProbabilities;
  exclusionConfidenceLevel(options: ExclusionOptions & { expected: "all" }): [number[], number[]];
  exclusionConfidenceLevel(options?: ExclusionOptions): number[];
  exclusionConfidenceLevel(options: ExclusionOptions = {}): ExclusionResult {
    return this.tests.exclusionConfidenceLevel(options);
  }

  /** Upper limit on μ (spey's `poi_upper_limit`). */
  poiUpperLimit(options?: UpperLimitOptions & { expectedPvalue?: "nominal" }): number;
  poiUpperLimit(options: UpperLimitOptions): number | number[];
  poiUpperLimit(options: UpperLimitOptions = {}): number | number[] {
    return this.tests.poiUpperLimit(options);
  }

  /**
   * The observed upper limit and the expected ±1σ/±2σ limits from one preparation (spey's
   * `poi_upper_limit` observed and with `expected_pvalue="2sigma"`; see {@link HypothesisTests.poiUpperLimitWithBand}).
   */
  poiUpperLimitWithBand(options: UpperLimitOptions & { readonly expected?: "aposteriori" | "apriori" } = {}): {
    observed: number;
    expected: number[];
  } {
    return this.tests.poiUpperLimitWithBand(options);
  }

  /** Discovery significance `[√q0,A, √q0, [p], [expected p]]` (spey's `significance`). */
  significance(options: SignificanceOptions = {}): [number, number, number[], number[]] {
    return this.tests.significance(options);
  }

  /** σμ at `poiTest` from the Asimov data (spey's `sigma_mu`; the combination has no Hessian). */
  sigmaMu(options: SigmaMuOptions = {}): number {
    return this.tests.sigmaMu(options);
  }

  /** χ²(μ) = 2 (NLL(μ) − NLL_den) (spey's `chi2`). */
  chi2(options: Chi2Options & { poiTest: readonly number[] }): number[];
  chi2(options?: Chi2Options & { poiTest?: number }): number;
  chi2(options: Chi2Options & { poiTest?: number | readonly number[] } = {}): number | number[] {
    return this.tests.chi2(options as Chi2Options & { poiTest?: number });
  }

  /** Signed square-root likelihood ratio (spey's `pull`). */
  pull(options: PullOptions = {}): number {
    return this.tests.pull(options);
  }

  /** Profile-likelihood interval(s) of μ where 2ΔNLL = χ²₁.isf(1 − CL) (spey's `chi2_test`). */
  chi2Test(options: Chi2TestOptions = {}): number[] {
    return chi2Test(this, options);
  }
}
