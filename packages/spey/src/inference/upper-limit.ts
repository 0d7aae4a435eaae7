import { ComputationError } from "../core/errors.js";
import { logWarning } from "../core/logger.js";
import { toms748 } from "../math/roots.js";
import { normCdf, normPpf } from "../math/special.js";
import { EXPECTED_SIGMAS } from "./distributions.js";
import { isFiniteNumber, abs, max, min, sqrt, exp, isNaNNumber, sign } from "../core/describe.js";

/** Which expected limits `poiUpperLimit` returns (spey's `poi_upper_limit`). */
export type ExpectedPvalue = "nominal" | "1sigma" | "2sigma";

/**
 * 1−CLs values at μ: one value (observed) or five (expected, nσ = 2, 1, 0, −1, −2 in spey's
 * order), plus √q_{μ,A} at μ for the validity guards (NaN when unknown).
 */
export interface ClsEvaluation {
  readonly oneMinusCls: readonly number[];
  readonly sqrtQmuA: number;
  /**
   * d√q_{μ,A}/dμ at μ (from the Asimov profile's slope, envelope theorem; NaN or absent when
   * unknown): lets the search on √q_{μ,A} take Newton steps ({@link solveUpperLimits}).
   */
  readonly sqrtQmuASlope?: number;
  /** d(1−CLs)/dμ of each entry of `oneMinusCls` (NaN or absent when unknown): Newton steps on the CLs equation. */
  readonly oneMinusClsSlope?: readonly number[];
}

export interface FindUpperLimitOptions {
  /** 1−CLs (and √q_{μ,A}) at μ. Must be deterministic in μ. */
  readonly evaluate: (mu: number) => ClsEvaluation;
  /** Whether `evaluate` returns the observed value (1 entry) or the 5 expected ones. */
  readonly observed: boolean;
  readonly confidenceLevel: number;
  readonly expectedPvalue: ExpectedPvalue;
  readonly lowInit: number;
  readonly higInit: number;
  /** TOMS748 relative tolerance (spey: 1e-4; default here 1e-6). */
  readonly relativeTolerance: number;
  readonly absoluteTolerance: number;
  readonly maxIterations: number;
  /** Reject roots that are not a genuine exclusion boundary (post-PR-67 spey). */
  readonly validateLimit: boolean;
  readonly asimovTeststatTolerance: number;
}

/** Band indices for each `expectedPvalue` (spey's `find_poi_upper_limit`). */
export function bandIndices(observed: boolean, expectedPvalue: ExpectedPvalue): number[] {
  if (observed || expectedPvalue === "nominal") return observed ? [0] : [2];
  return expectedPvalue === "1sigma" ? [1, 2, 3] : [0, 1, 2, 3, 4];
}

const LOW_BOUND = 1e-10;
const HIGH_BOUND = 1e5;
/** Beyond spey's bracket: signals scaled by up to ~1e290 either way still get their limit. */
const EXTENDED_LOW_BOUND = 1e-290;
const EXTENDED_HIGH_BOUND = 1e290;

/**
 * √q_{μ,A} at which the asymptotic expected 1 − CLs of band `slot` equals `confidenceLevel`:
 * CLs(n) = Φ(−√q_{μ,A} − n)/Φ(−n) (arXiv:1007.1727 eqs. 59, 65–66 at the background-only median
 * shifted by nσ) inverted in closed form, t = −n − Φ⁻¹((1 − CL)·Φ(−n)), n = 2, 1, 0, −1, −2.
 */
export function expectedSqrtQmuATarget(slot: number, confidenceLevel: number): number {
  const n = EXPECTED_SIGMAS[slot] as number;
  return -n - normPpf((1 - confidenceLevel) * normCdf(-n));
}

/**
 * Upper limits on μ by bracketing and TOMS748 root finding on
 * F_k(μ) = (1 − CLs_k(μ)) − CL (spey's `find_poi_upper_limit`): the low end shrinks ×0.2 (down to 1e-10) while
 * F > 0, the high end grows ×5 (up to 1e5) while F < 0. Beyond spey, both searches go on (to
 * 1e-290 and 1e290), in steps guided by σμ ≈ μ/√q_{μ,A} (arXiv:1007.1727 eq. 31), so that signals
 * scaled by 1e12 or 1e-12 get the scaled limit rather than +Infinity. Without a bracket the limit is +Infinity
 * with a warning. With `validateLimit` a root is also rejected (+Infinity, warning) when the
 * bracket is inverted, when √q_{μ,A} at the root is below the tolerance, or when the exclusion does
 * not persist at 1.5×, 3× and 10× the root.
 */
export function findUpperLimitsByBracketing(options: FindUpperLimitOptions): number[] {
  const cache = new Map<number, ClsEvaluation>();
  const evaluate = (mu: number): ClsEvaluation => {
    let e = cache.get(mu);
    if (!e) {
      e = options.evaluate(mu);
      cache.set(mu, e);
    }
    return e;
  };
  const results: number[] = [];
  for (const k of bandIndices(options.observed, options.expectedPvalue)) {
    const slot = options.observed ? 0 : k;
    const F = (mu: number) => ((evaluate(mu).oneMinusCls[slot] as number) ?? Number.NaN) - options.confidenceLevel;
    // Beyond spey's bracket the likelihood may not be computable (μ·s leaving the model's scale):
    // the search stops there (NaN: no bracket, +∞ with a warning) instead of failing.
    const extended = (mu: number) => {
      try {
        return F(mu);
      } catch (error) {
        if (error instanceof ComputationError) return Number.NaN;
        throw error;
      }
    };
    let low = options.lowInit;
    let fLow = F(low);
    while (fLow > 0 && low > LOW_BOUND) {
      low = max(0.2 * low, LOW_BOUND);
      fLow = F(low);
    }
    let hig = options.higInit;
    let fHig = F(hig);
    while (fHig < 0 && hig < HIGH_BOUND) {
      hig = min(5 * hig, HIGH_BOUND);
      fHig = F(hig);
    }
    // Still excluded at 1e-10: the signal is huge (yields ×1e12 have a limit ×1e-12, a limit like
    // any other). Shrink further, guided by σμ ≈ μ/√q_{μ,A} (the test statistic grows as μ²).
    while (fLow > 0 && low > EXTENDED_LOW_BOUND) {
      const sq = evaluate(low).sqrtQmuA;
      const guess = isFiniteNumber(sq) && sq > 0 ? (0.5 * low) / sq : 1e-4 * low;
      [hig, fHig] = [low, fLow]; // excluded here: the upper end of the bracket
      low = max(min(0.1 * low, max(guess, 1e-4 * low)), EXTENDED_LOW_BOUND);
      fLow = extended(low);
      if (isNaNNumber(fLow)) break;
    }
    // Not excluded at 1e5: the signal is tiny (yields ×1e-12 have a limit ×1e12), or the model has
    // no sensitivity at all. Grow further, guided by σμ: one or two steps reach the limit's scale;
    // without any sensitivity (√q_{μ,A} = 0) the search runs out at 1e290 and the limit is +∞.
    while (fHig < 0 && hig >= HIGH_BOUND && hig < EXTENDED_HIGH_BOUND) {
      const sq = evaluate(hig).sqrtQmuA;
      const guess = isFiniteNumber(sq) && sq > 0 ? (4 * hig) / sq : 1e4 * hig;
      [low, fLow] = [hig, fHig]; // not excluded here: the lower end of the bracket
      hig = min(max(guess, 10 * hig), EXTENDED_HIGH_BOUND);
      fHig = extended(hig);
      if (isNaNNumber(fHig)) break;
    }
    if (!(isFiniteNumber(fLow) && isFiniteNumber(fHig)) || sign(fLow) * sign(fHig) > 0) {
      logWarning(
        `Can not find the roots of the function, returning \`inf\`: hig, low must bracket a root f(${low})=${fLow}, f(${hig})=${fHig}.${hig >= HIGH_BOUND ? " This is likely due to low number of signal yields." : ""}`,
      );
      results.push(Number.POSITIVE_INFINITY);
      continue;
    }
    const a = min(low, hig);
    const b = max(low, hig);
    // The absolute tolerance never exceeds 1e-6 of the bracket: limits of 1e-12 keep their digits.
    const solved = toms748(F, a, b, {
      absoluteTolerance: min(options.absoluteTolerance, 1e-6 * a),
      relativeTolerance: options.relativeTolerance,
      maxIterations: options.maxIterations,
    });
    if (!solved.converged) logWarning(`Upper limit root finding did not converge: ${solved.flag}.`);
    const root = solved.root;
    if (options.validateLimit && !isGenuineLimit(root, low, hig, fLow, fHig, F, evaluate, options)) {
      results.push(Number.POSITIVE_INFINITY);
      continue;
    }
    results.push(root);
  }
  return results;
}

function isGenuineLimit(
  root: number,
  low: number,
  hig: number,
  fLow: number,
  fHig: number,
  F: (mu: number) => number,
  evaluate: (mu: number) => ClsEvaluation,
  options: FindUpperLimitOptions,
): boolean {
  if (low < hig ? fLow > 0 || fHig < 0 : fLow < 0 || fHig > 0) {
    logWarning(`Rejected upper limit ${root}: increasing μ leaves the excluded region (inverted bracket).`);
    return false;
  }
  return isSensitiveAndPersistent(root, evaluate(root).sqrtQmuA, F, options.asimovTeststatTolerance);
}

/**
 * The checks shared by both limit searches: the Asimov test statistic at the root shows sensitivity
 * (√q_{μ,A} ≥ `tolerance`), and the exclusion persists at 1.5, 3 and 10 times the root. Warns and
 * returns false when a check fails.
 */
function isSensitiveAndPersistent(
  root: number,
  sqrtQmuA: number,
  F: (mu: number) => number,
  tolerance: number,
): boolean {
  if (isFiniteNumber(sqrtQmuA) && sqrtQmuA < tolerance) {
    logWarning(
      `Rejected upper limit ${root}: √q_μ,A = ${sqrtQmuA} at the root is below ${tolerance} (no sensitivity).`,
    );
    return false;
  }
  for (const factor of [1.5, 3, 10]) {
    const f = F(root * factor);
    if (!(f >= 0)) {
      logWarning(
        `Rejected upper limit ${root}: the exclusion does not persist at ${factor}× the root (1−CLs − CL = ${f}); the CLs curve is not monotonic.`,
      );
      return false;
    }
  }
  return true;
}

/** Options of {@link solveUpperLimits}. */
export interface SolveUpperLimitOptions {
  /** 1−CLs (and √q_{μ,A}) at μ. Must be deterministic in μ. */
  readonly evaluate: (mu: number) => ClsEvaluation;
  /** Whether `evaluate` returns the observed value (1 entry) or the 5 expected ones. */
  readonly observed: boolean;
  readonly confidenceLevel: number;
  readonly expectedPvalue: ExpectedPvalue;
  /** Relative tolerance on each limit (default of the callers 1e-6). */
  readonly relativeTolerance: number;
  /** Absolute tolerance on each limit. */
  readonly absoluteTolerance: number;
  /** Bound on the number of evaluations per limit. */
  readonly maxIterations: number;
  /** Reject limits that are not a genuine exclusion boundary (as {@link findUpperLimitsByBracketing}). */
  readonly validateLimit: boolean;
  readonly asimovTeststatTolerance: number;
  /**
   * Expected asymptotic bands: solve √q_{μ,A}(μ) = t_k ({@link expectedSqrtQmuATarget}) instead of
   * the CLs equation — the same roots, on a function that is nearly linear in μ (μ/σ_A,
   * arXiv:1007.1727 eq. 31 with μ' = 0).
   */
  readonly onSqrtQmuA: boolean;
  /** Points evaluated first (the caller's `lowInit`/`higInit`). */
  readonly seeds?: readonly number[];
  /** A first estimate of the limit of a band slot, or undefined (then the search starts at μ = 1). */
  readonly predict?: (slot: number) => number | undefined;
  /** σ of μ when known (σ_A): the slope of the root variable is about 1/σ (see {@link solveUpperLimits}). */
  readonly sigma?: number;
}

interface LimitPoint {
  readonly x: number;
  readonly y: number;
  /** √q_{μ,A} at x (NaN when unknown). */
  readonly s: number;
  /** dy/dμ at x (NaN when unknown). */
  readonly d: number;
}

/** Overshoot of an extrapolated step beyond the predicted root, so that the step brackets it. */
const OVERSHOOT = 0.05;

/**
 * Upper limits on μ: the same equations as {@link findUpperLimitsByBracketing} (1 − CLs_k(μ) = CL,
 * spey's `find_poi_upper_limit`), solved with fewer likelihood evaluations, all of which are
 * shared between the bands:
 * - the root variable is close to linear in μ: √q_{μ,A} − t_k for expected asymptotic bands,
 *   otherwise Φ⁻¹(1 − CL) − Φ⁻¹(CLs(μ)) (≈ (μ − μ_up)/σ in the asymptotic regime,
 *   arXiv:1007.1727 eqs. 59, 65–66); both have the sign of 1 − CLs − CL;
 * - the search starts at the caller's prediction (from σ_A, or the seeds, or μ = 1) and steps by
 *   extrapolation through the evaluated points (quadratic or secant; line through the origin for
 *   √q_{μ,A}; slope 1/σ with σ = μ/√q_{μ,A}; at most ×1e4 per step, ×5 inside spey's bracket
 *   [1e-10, 1e5] when nothing predicts the root) until the root is bracketed;
 * - when the evaluations carry slopes (d√q_{μ,A}/dμ, d(1 − CLs)/dμ from the profiles' slopes),
 *   Newton steps: the next point is the root of the cubic Hermite (or quadratic) interpolant
 *   through the point closest to the root and its neighbour, and the search ends when the Newton
 *   step from that point is below half the tolerance (its slope checked against the secant to
 *   the neighbour: within a factor 2, so that the limit stays within the tolerance);
 * - inside the bracket, inverse quadratic interpolation through the evaluated points closest to the
 *   root, with bisection whenever the bracket fails to halve in three steps; the limit is returned
 *   when the bracket is narrower than the tolerance min(absoluteTolerance, 1e-6·μ) + relativeTolerance·μ or the next
 *   interpolation step from the evaluated point closest to the root is below half of it;
 * - bands are solved from the median outwards, each starting from every point evaluated so far.
 * Failures are as before: +Infinity with a warning when no root is bracketed in [1e-290, 1e290]
 * (limits of signals scaled far beyond spey's [1e-10, 1e5] are found) and, with `validateLimit`,
 * when √q_{μ,A} at the root is below the tolerance or the exclusion does not persist at 1.5×, 3×
 * and 10× the root.
 */
export function solveUpperLimits(options: SolveUpperLimitOptions): number[] {
  const cache = new Map<number, ClsEvaluation>();
  const evaluate = (mu: number): ClsEvaluation => {
    let e = cache.get(mu);
    if (!e) {
      e = options.evaluate(mu);
      cache.set(mu, e);
    }
    return e;
  };
  const cl = options.confidenceLevel;
  const levelQuantile = normPpf(1 - cl);
  const slots = bandIndices(options.observed, options.expectedPvalue);
  const targets = options.onSqrtQmuA ? slots.map((k) => expectedSqrtQmuATarget(k, cl)) : undefined;
  const slotOf = (k: number) => (options.observed ? 0 : k);
  const rootVariable = (e: ClsEvaluation, k: number, j: number): number => {
    if (targets) return e.sqrtQmuA - (targets[j] as number);
    const oneMinus = e.oneMinusCls[slotOf(k)];
    if (oneMinus === undefined || isNaNNumber(oneMinus)) return Number.NaN;
    return levelQuantile - normPpf(min(max(1 - oneMinus, 0), 1));
  };
  // dy/dμ of the root variable: that of √q_{μ,A} on √q_{μ,A} − t_k; on Φ⁻¹(1 − CL) − Φ⁻¹(CLs),
  // d(1 − CLs)/dμ / φ(Φ⁻¹(CLs)). NaN when unknown.
  const rootSlope = (e: ClsEvaluation, k: number): number => {
    if (targets) return e.sqrtQmuASlope ?? Number.NaN;
    const oneMinus = e.oneMinusCls[slotOf(k)] as number;
    const z = normPpf(1 - oneMinus);
    // NaN when unknown, or where 1 − CLs is 0 or 1 (z infinite).
    return (e.oneMinusClsSlope?.[slotOf(k)] ?? Number.NaN) / (exp(-0.5 * z * z) / sqrt(2 * Math.PI));
  };
  const F = (mu: number, k: number) => ((evaluate(mu).oneMinusCls[slotOf(k)] as number) ?? Number.NaN) - cl;
  for (const seed of options.seeds ?? []) {
    if (isFiniteNumber(seed) && seed > 0) evaluate(min(max(seed, EXTENDED_LOW_BOUND), EXTENDED_HIGH_BOUND));
  }
  // Median first, then outwards: every band starts next to an already solved one.
  const order = slots
    .map((_, j) => j)
    .sort((a, b) => abs(a - (slots.length - 1) / 2) - abs(b - (slots.length - 1) / 2));
  const roots = new Array<number | undefined>(slots.length).fill(undefined);
  for (const j of order) {
    const k = slots[j] as number;
    // On √q_{μ,A}, the origin is known without a fit: √q̃_{0,A} = 0 (μ̂_A ≥ 0 maximises the Asimov
    // likelihood), so it anchors the interpolation below the first evaluated point.
    const origin: LimitPoint[] = targets ? [{ x: 0, y: -(targets[j] as number), s: 0, d: Number.NaN }] : [];
    const points = (): LimitPoint[] => [
      ...origin,
      ...[...cache.entries()]
        .map(([x, e]) => ({
          x,
          y: rootVariable(e, k, j),
          s: e.sqrtQmuA,
          d: rootSlope(e, k),
        }))
        .sort((a, b) => a.x - b.x),
    ];
    roots[j] = solveBand(points, evaluate, options, {
      guess: options.predict?.(k),
      target: targets?.[j],
      F: (mu) => F(mu, k),
    });
  }
  if (options.validateLimit) {
    // The persistence points of every band, evaluated in increasing μ: each profile fit then
    // continues from the previous, nearby one.
    const checks = roots.flatMap((r) => (r === undefined ? [] : [1.5 * r, 3 * r, 10 * r])).sort((a, b) => a - b);
    for (const mu of checks) evaluate(mu);
  }
  return roots.map((root, j) => {
    if (root === undefined) return Number.POSITIVE_INFINITY;
    const k = slots[j] as number;
    if (options.validateLimit && !persists(root, cache, (mu) => F(mu, k), options)) return Number.POSITIVE_INFINITY;
    return root;
  });
}

function solveBand(
  points: () => LimitPoint[],
  evaluate: (mu: number) => ClsEvaluation,
  options: SolveUpperLimitOptions,
  band: { guess: number | undefined; target: number | undefined; F: (mu: number) => number },
): number | undefined {
  // The absolute tolerance never exceeds 1e-6 of μ: limits of 1e-12 keep their digits.
  const tol = (x: number) => min(options.absoluteTolerance, 1e-6 * abs(x)) + options.relativeTolerance * abs(x);
  let pending: number | undefined;
  let reference = Number.POSITIVE_INFINITY;
  let stalled = 0;
  let last: { root: number; width: number } | undefined;
  for (let step = 0; step <= options.maxIterations; step++) {
    if (pending !== undefined) evaluate(pending);
    pending = undefined;
    const pts = points();
    if (!pts.some((q) => q.x > 0)) {
      // The caller's estimate, or spey's default start μ = 1; later bands start from the points.
      const guess = band.guess;
      pending =
        guess !== undefined && guess > 0 && isFiniteNumber(guess)
          ? min(max(guess, EXTENDED_LOW_BOUND), EXTENDED_HIGH_BOUND)
          : 1;
      continue;
    }
    if (pts.some((p) => isNaNNumber(p.y))) return noRoot(pts, band.F, "the CLs is not a number there");
    // With slopes: the Newton step from the evaluated point closest to the root. When it is below
    // half the tolerance the root is that point plus the step (a slope off by up to a factor 2
    // still leaves it within the tolerance); otherwise it is the next point to evaluate.
    const newton = newtonStep(pts);
    if (newton?.checked && abs(newton.step) <= 0.5 * tol(newton.to)) return newton.to;
    let i = -1;
    for (let m = pts.length - 2; m >= 0; m--) {
      if ((pts[m] as LimitPoint).y < 0 && (pts[m + 1] as LimitPoint).y >= 0) {
        i = m;
        break;
      }
    }
    if (i >= 0) {
      const a = pts[i] as LimitPoint;
      const b = pts[i + 1] as LimitPoint;
      if (b.y === 0) return b.x;
      if (b.x <= EXTENDED_LOW_BOUND) return noRoot(pts, band.F);
      const width = b.x - a.x;
      const finite = isFiniteNumber(a.y) && isFiniteNumber(b.y);
      const secant = finite ? a.x - (a.y * width) / (b.y - a.y) : 0.5 * (a.x + b.x);
      last = { root: secant, width };
      if (width <= tol(b.x)) return secant;
      let p = newton !== undefined ? newton.next : finite ? inverseQuadratic(pts) : Number.NaN;
      if (!(p > a.x && p < b.x)) p = finite ? inverseQuadratic(pts) : Number.NaN;
      if (!(p > a.x && p < b.x)) p = secant;
      if (finite) {
        const best = abs(a.y) < abs(b.y) ? a : b;
        if (abs(p - best.x) <= 0.5 * tol(p)) return p;
      }
      if (width <= 0.5 * reference) {
        reference = width;
        stalled = 0;
      } else if (++stalled >= 3) {
        p = a.x > 0 && b.x > 10 * a.x ? sqrt(a.x * b.x) : 0.5 * (a.x + b.x);
        reference = width;
        stalled = 0;
      }
      const margin = 0.5 * tol(p);
      pending = max(min(max(p, a.x + margin), b.x - margin), EXTENDED_LOW_BOUND);
      continue;
    }
    // No bracket yet: step beyond the end point on the side of the root, aiming a little past
    // the predicted crossing (by twice the spread of two predictions, or 5% of the step when there
    // is only one) so that the step brackets it.
    const up = (pts[pts.length - 1] as LimitPoint).y < 0;
    const end = up ? (pts[pts.length - 1] as LimitPoint) : (pts[0] as LimitPoint);
    if (up ? end.x >= EXTENDED_HIGH_BOUND : end.x <= EXTENDED_LOW_BOUND) return noRoot(pts, band.F);
    const neighbour = pts.length > 1 ? (up ? pts[pts.length - 2] : pts[1]) : undefined;
    // A root variable that did not move at all between the last two points (CLs on a plateau,
    // e.g. 0.5 while μ̂ sits on its bound far below a large excess) predicts nothing: extrapolated
    // with σ it crept by fractions of a percent for the whole iteration budget. The geometric
    // steps below leave the plateau.
    const flat = neighbour !== undefined && neighbour.x > 0 && neighbour.y === end.y;
    const linear = flat ? Number.NaN : extrapolate(end, neighbour, band.target, options.sigma);
    const quadratic = pts.length > 2 && !flat ? inverseQuadratic(pts) : Number.NaN;
    const beyond = (x: number) => (up ? x > end.x : x < end.x);
    let p: number;
    if (newton !== undefined && !flat && beyond(newton.next)) {
      // Newton from the end point (aims at the root itself: the next test above ends the search).
      p = newton.next;
    } else if (isFiniteNumber(quadratic) && isFiniteNumber(linear) && beyond(quadratic)) {
      p = quadratic + (up ? 1 : -1) * (2 * abs(quadratic - linear) + 2 * tol(quadratic));
    } else if (isFiniteNumber(linear)) {
      p = linear + OVERSHOOT * (linear - end.x);
    } else {
      // No slope at all (no sensitivity yet): spey's ×5 / ×0.2 steps inside its bracket
      // [1e-10, 1e5], ×1e4 / ×1e-4 beyond it.
      p = up ? (end.x < HIGH_BOUND ? 5 : 1e4) * end.x : (end.x > LOW_BOUND ? 0.2 : 1e-4) * end.x;
    }
    pending = up
      ? min(max(p, end.x + 2 * tol(end.x)), 1e4 * end.x, EXTENDED_HIGH_BOUND)
      : max(min(p, end.x - 2 * tol(end.x)), 1e-4 * end.x, EXTENDED_LOW_BOUND);
  }
  logWarning(`Upper limit root finding did not converge in ${options.maxIterations} steps.`);
  return last?.root;
}

/**
 * Where the root variable y crosses zero, extrapolated from the end point `p` of the evaluated
 * points (and its neighbour `q`): the secant through both when it rises; else, from `p` alone, a
 * line through the origin for √q_{μ,A} (√q_{0,A} = 0), or slope 1/σ with σ = μ/√q_{μ,A} at `p`
 * (arXiv:1007.1727 eq. 31), or the caller's σ; NaN when none applies.
 */
function extrapolate(p: LimitPoint, q: LimitPoint | undefined, target: number | undefined, sigma: number | undefined) {
  if (!isFiniteNumber(p.y)) return Number.NaN;
  if (q && isFiniteNumber(q.y) && q.y !== p.y) {
    const slope = (p.y - q.y) / (p.x - q.x);
    if (slope > 0) return p.x - p.y / slope;
  }
  if (target !== undefined) {
    const g = p.y + target;
    return g > 0 ? (p.x * target) / g : Number.NaN;
  }
  const local = p.s > 0 && isFiniteNumber(p.s) ? p.x / p.s : sigma;
  if (local !== undefined && local > 0 && isFiniteNumber(local)) return p.x - p.y * local;
  return Number.NaN;
}

/**
 * The Newton step −y/y′ from the evaluated point with the smallest |y| that has a slope, when
 * that slope is positive and within a factor 2 of the secant to its nearest neighbour (the
 * origin of √q_{μ,A} included): a check against a slope that the fit's precision or a kink of the
 * profile spoilt. Undefined otherwise.
 */
function newtonStep(
  pts: readonly LimitPoint[],
): { step: number; to: number; next: number; checked: boolean } | undefined {
  let at = -1;
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i] as LimitPoint;
    if (p.x > 0 && isFiniteNumber(p.y) && p.d > 0 && isFiniteNumber(p.d)) {
      if (at < 0 || abs(p.y) < abs((pts[at] as LimitPoint).y)) at = i;
    }
  }
  if (at < 0) return undefined;
  const p = pts[at] as LimitPoint;
  const step = -p.y / p.d;
  const to = p.x + step;
  if (!(to > 0 && isFiniteNumber(to))) return undefined;
  const left = pts[at - 1];
  const right = pts[at + 1];
  const q = left && (!right || p.x - left.x <= right.x - p.x) ? left : right;
  // A lone point: its Newton point is the next one to evaluate, but it ends no search.
  if (!q) return pts.length === 1 ? { step, to, next: to, checked: false } : undefined;
  if (!isFiniteNumber(q.y)) return undefined;
  const secant = (p.y - q.y) / (p.x - q.x);
  if (!(secant > 0 && p.d <= 2 * secant && p.d >= 0.5 * secant)) return undefined;
  // The next point to evaluate: the root nearest p of the cubic Hermite interpolant through p and
  // q (the quadratic through p with its slope and through q when q has no slope), by a few Newton
  // steps from p, when it lies on the Newton step's side within a factor 2 of it; else the Newton
  // point.
  const h = q.x - p.x;
  const c = (q.y - p.y - p.d * h) / (h * h);
  const e = q.d > 0 && isFiniteNumber(q.d) ? (q.d - p.d - 2 * c * h) / (h * h) : 0;
  let r = step;
  for (let it = 0; it < 8; it++) {
    const dv = p.d + 2 * c * r + e * (3 * r * r - 2 * r * h);
    if (!(dv > 0)) break;
    r -= (p.y + r * (p.d + r * (c + e * (r - h)))) / dv;
  }
  const next = r * step > 0 && abs(r) <= 2 * abs(step) && abs(r) >= 0.5 * abs(step) ? p.x + r : to;
  return { step, to, next, checked: true };
}

/**
 * Zero of the quadratic x(y) through the three evaluated points with the smallest |y| (the
 * secant through the two best when the third is missing or degenerate); NaN when neither exists.
 */
function inverseQuadratic(pts: readonly LimitPoint[]): number {
  const best = pts.filter((p) => isFiniteNumber(p.y)).sort((u, v) => abs(u.y) - abs(v.y));
  const [a, b, c] = best;
  if (!a || !b || a.y === b.y) return Number.NaN;
  if (!c || c.y === a.y || c.y === b.y) return a.x - (a.y * (b.x - a.x)) / (b.y - a.y);
  // Lagrange form of x(y) at y = 0.
  return (
    (a.x * b.y * c.y) / ((a.y - b.y) * (a.y - c.y)) +
    (b.x * a.y * c.y) / ((b.y - a.y) * (b.y - c.y)) +
    (c.x * a.y * b.y) / ((c.y - a.y) * (c.y - b.y))
  );
}

function noRoot(points: readonly LimitPoint[], F: (mu: number) => number, reason?: string): undefined {
  const pts = points.filter((p) => p.x > 0); // evaluated points only, not the origin of √q_{μ,A}
  const low = (pts[0] as LimitPoint).x;
  const hig = (pts[pts.length - 1] as LimitPoint).x;
  logWarning(
    `Can not find the roots of the function, returning \`inf\`: hig, low must bracket a root f(${low})=${F(low)}, f(${hig})=${F(hig)}.${reason ? ` ${reason[0]?.toUpperCase()}${reason.slice(1)}.` : ""}${hig >= HIGH_BOUND ? " This is likely due to low number of signal yields." : ""}`,
  );
  return undefined;
}

/** The √q_{μ,A} and persistence checks of {@link findUpperLimitsByBracketing}'s `validateLimit`. */
function persists(
  root: number,
  cache: ReadonlyMap<number, ClsEvaluation>,
  F: (mu: number) => number,
  options: SolveUpperLimitOptions,
): boolean {
  let nearest: number | undefined;
  for (const x of cache.keys()) if (nearest === undefined || abs(x - root) < abs(nearest - root)) nearest = x;
  const sqA = nearest === undefined ? Number.NaN : (cache.get(nearest) as ClsEvaluation).sqrtQmuA;
  return isSensitiveAndPersistent(root, sqA, F, options.asimovTeststatTolerance);
}
