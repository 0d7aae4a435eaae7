import { ComputationError } from "../core/errors.js";
import { log } from "../core/logger.js";
import { toms748 } from "../math/roots.js";

/** Which expected limits `poiUpperLimit` returns (spey's `poi_upper_limit`). */
export type ExpectedPvalue = "nominal" | "1sigma" | "2sigma";

/**
 * 1−CLs values at μ: one value (observed) or five (expected, nσ = 2, 1, 0, −1, −2 in spey's
 * order), plus √q_{μ,A} at μ for the validity guards (NaN when unknown).
 */
export interface ClsEvaluation {
  readonly oneMinusCls: readonly number[];
  readonly sqrtQmuA: number;
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
  readonly rtol: number;
  readonly xtol: number;
  readonly maxiter: number;
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
 * Upper limits on μ by bracketing and TOMS748 root finding on
 * F_k(μ) = (1 − CLs_k(μ)) − CL (spey's `find_poi_upper_limit`): the low end shrinks ×0.2 (down to 1e-10) while
 * F > 0, the high end grows ×5 (up to 1e5) while F < 0. Beyond spey, both searches go on (to
 * 1e-290 and 1e290), in steps guided by σμ ≈ μ/√q_{μ,A} (arXiv:1007.1727 eq. 31), so that signals
 * scaled by 1e12 or 1e-12 get the scaled limit rather than +Infinity. Without a bracket the limit is +Infinity
 * with a warning. With `validateLimit` a root is also rejected (+Infinity, warning) when the
 * bracket is inverted, when √q_{μ,A} at the root is below the tolerance, or when the exclusion does
 * not persist at 1.5×, 3× and 10× the root.
 */
export function findUpperLimits(options: FindUpperLimitOptions): number[] {
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
      low = Math.max(0.2 * low, LOW_BOUND);
      fLow = F(low);
    }
    let hig = options.higInit;
    let fHig = F(hig);
    while (fHig < 0 && hig < HIGH_BOUND) {
      hig = Math.min(5 * hig, HIGH_BOUND);
      fHig = F(hig);
    }
    // Still excluded at 1e-10: the signal is huge (yields ×1e12 have a limit ×1e-12, a limit like
    // any other). Shrink further, guided by σμ ≈ μ/√q_{μ,A} (the test statistic grows as μ²).
    while (fLow > 0 && low > EXTENDED_LOW_BOUND) {
      const sq = evaluate(low).sqrtQmuA;
      const guess = Number.isFinite(sq) && sq > 0 ? (0.5 * low) / sq : 1e-4 * low;
      [hig, fHig] = [low, fLow]; // excluded here: the upper end of the bracket
      low = Math.max(Math.min(0.1 * low, Math.max(guess, 1e-4 * low)), EXTENDED_LOW_BOUND);
      fLow = extended(low);
      if (Number.isNaN(fLow)) break;
    }
    // Not excluded at 1e5: the signal is tiny (yields ×1e-12 have a limit ×1e12), or the model has
    // no sensitivity at all. Grow further, guided by σμ: one or two steps reach the limit's scale;
    // without any sensitivity (√q_{μ,A} = 0) the search runs out at 1e290 and the limit is +∞.
    while (fHig < 0 && hig >= HIGH_BOUND && hig < EXTENDED_HIGH_BOUND) {
      const sq = evaluate(hig).sqrtQmuA;
      const guess = Number.isFinite(sq) && sq > 0 ? (4 * hig) / sq : 1e4 * hig;
      [low, fLow] = [hig, fHig]; // not excluded here: the lower end of the bracket
      hig = Math.min(Math.max(guess, 10 * hig), EXTENDED_HIGH_BOUND);
      fHig = extended(hig);
      if (Number.isNaN(fHig)) break;
    }
    if (!(Number.isFinite(fLow) && Number.isFinite(fHig)) || Math.sign(fLow) * Math.sign(fHig) > 0) {
      log.warning(
        `Can not find the roots of the function, returning \`inf\`: hig, low must bracket a root f(${low})=${fLow}, f(${hig})=${fHig}.${hig >= HIGH_BOUND ? " This is likely due to low number of signal yields." : ""}`,
      );
      results.push(Number.POSITIVE_INFINITY);
      continue;
    }
    const a = Math.min(low, hig);
    const b = Math.max(low, hig);
    // The absolute tolerance never exceeds 1e-6 of the bracket: limits of 1e-12 keep their digits.
    const xtol = Math.min(options.xtol, 1e-6 * a);
    const solved = toms748(F, a, b, { xtol, rtol: options.rtol, maxiter: options.maxiter });
    if (!solved.converged) log.warning(`Upper limit root finding did not converge: ${solved.flag}.`);
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
    log.warning(`Rejected upper limit ${root}: increasing μ leaves the excluded region (inverted bracket).`);
    return false;
  }
  const sqA = evaluate(root).sqrtQmuA;
  if (Number.isFinite(sqA) && sqA < options.asimovTeststatTolerance) {
    log.warning(
      `Rejected upper limit ${root}: √q_μ,A = ${sqA} at the root is below ${options.asimovTeststatTolerance} (no sensitivity).`,
    );
    return false;
  }
  for (const factor of [1.5, 3, 10]) {
    const f = F(root * factor);
    if (!(f >= 0)) {
      log.warning(
        `Rejected upper limit ${root}: the exclusion does not persist at ${factor}× the root (1−CLs − CL = ${f}); the CLs curve is not monotonic.`,
      );
      return false;
    }
  }
  return true;
}
