import type { AllowNegativeSignalOption, ParameterValues } from "../config/model-config.js";
import { InvalidInput, MethodNotAvailable } from "../core/errors.js";
import { type ExpectationType, type ExpectedOption, toExpectation } from "../core/expectation.js";
import { logWarning } from "../core/logger.js";
import { toms748 } from "../math/roots.js";
import { chi2Isf } from "../math/special.js";
import { minimizeScalarBounded } from "../optimize/minimize-scalar.js";
import type { MinimizeOptions, OptimiserOptions } from "../optimize/types.js";
import { describeValue, isFiniteNumber, abs, max, min, isNaNNumber } from "../core/describe.js";
import { resolveTolerances, type ScipyToleranceAliases, type SolverTolerances } from "../core/tolerances.js";

/** Defaults of the crossing refinement (spey's `chi2_test`: TOMS748 with rtol 1e-4). */
const CHI2_TOLERANCES = { absoluteTolerance: 2e-12, relativeTolerance: 1e-4, maxIterations: 10000 } as const;

/** Options of `chi2Test` (spey's `chi2_test`). */
export interface Chi2TestOptions
  extends OptimiserOptions,
    ExpectedOption,
    AllowNegativeSignalOption,
    SolverTolerances,
    ScipyToleranceAliases {
  /** Default 0.95; the threshold is χ²₁.isf(1 − CL) for every limit type (spey's convention). */
  readonly confidenceLevel?: number;
  /** "two-sided" (default), "left" or "right". */
  readonly limitType?: "two-sided" | "left" | "right";
  // allowNegativeSignal: for the POI, allow μ < 0 (default false; forced true for two-sided and left limits)
  /** Profile a nuisance parameter (name or index) instead of the POI. */
  readonly parameter?: string | number;
  /** With `parameter`: the POI value held fixed (default 1; `null` leaves μ free). */
  readonly poiValue?: number | null;
  /** Grid points of the crossing scan (default 3, as spey's code). */
  readonly nScan?: number;
  /** Samples of the global-minimum re-anchoring (default 2, as spey's code). */
  readonly nMultistart?: number;
  // absoluteTolerance (default 2e-12), relativeTolerance (default 1e-4, as spey) and maxIterations
  // (default 10000) of the TOMS748 refinement of each crossing; xtol, rtol, maxiter: deprecated aliases
}

interface Chi2Model {
  likelihood(options: {
    poiTest: number | ParameterValues;
    expected: ExpectationType;
    optimiser?: MinimizeOptions;
  }): number;
  maximizeLikelihood(options: {
    expected: ExpectationType;
    allowNegativeSignal: boolean;
    fixedPoiValue?: number | ParameterValues;
    optimiser?: MinimizeOptions;
  }): [number, number];
  sigmaMu(options: { poiTest: number; expected: ExpectationType }): number;
}

interface ParameterModel extends Chi2Model {
  config(): {
    npar: number;
    poiIndex: number;
    suggestedBounds: readonly (readonly [number, number])[];
    resolveIndex(key: string | number): number;
  };
  maximizeLikelihood(options: {
    expected: ExpectationType;
    allowNegativeSignal: boolean;
    fixedPoiValue?: number | ParameterValues;
    poiIndices?: readonly (string | number)[];
    optimiser?: MinimizeOptions;
  }): [number, number] & [Record<string, number>, number];
}

const HARD = 1e5;

/** Re-anchor the global minimum on a grid (spey's `_refine_global_min_1d`). */
function refineGlobalMin(
  nll: (x: number) => number,
  nllMin: number,
  reference: number,
  lo: number,
  hi: number,
  samples: number,
): [number, number] {
  if (!(hi > lo) || samples < 2) return [nllMin, reference];
  let bestX = reference;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < samples; i++) {
    const x = lo + ((hi - lo) * i) / (samples - 1);
    const v = safe(nll, x);
    if (v < best) {
      best = v;
      bestX = x;
    }
  }
  if (!(best < nllMin - 1e-9)) return [nllMin, reference];
  const w = (hi - lo) / (samples - 1);
  const r = minimizeScalarBounded(nll, max(lo, bestX - w), min(hi, bestX + w), { absoluteTolerance: 1e-10 });
  return r.fun < best ? [r.fun, r.x] : [best, bestX];
}

function safe(f: (x: number) => number, x: number): number {
  try {
    const v = f(x);
    return isFiniteNumber(v) ? v : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * A sign change of `c` in [a, b] (fa = c(a), of the opposite sign to c(b)) by bisection: the
 * fallback where TOMS748 stops unconverged. Each step halves the bracket, to absoluteTolerance +
 * relativeTolerance·|x| or at most 200 halvings (any bracket of doubles is then down to adjacent
 * numbers); undefined where c is not a number inside.
 */
function bisect(
  c: (x: number) => number,
  a: number,
  fa: number,
  b: number,
  tolerances: Required<SolverTolerances>,
): number | undefined {
  for (let i = 0; i < 200; i++) {
    const m = 0.5 * (a + b);
    if (abs(b - a) <= tolerances.absoluteTolerance + tolerances.relativeTolerance * abs(m)) return m;
    const fm = safe(c, m);
    if (isNaNNumber(fm)) return undefined;
    if (fm === 0) return m;
    if (fm > 0 === fa > 0) {
      a = m;
      fa = fm;
    } else b = m;
  }
  return 0.5 * (a + b);
}

/** All sign changes of `c` on an `n`-point grid of [lo, hi], refined by TOMS748 (bisection fallback). */
function enumerateCrossings(
  c: (x: number) => number,
  lo: number,
  hi: number,
  n: number,
  tolerances: Required<SolverTolerances>,
): number[] {
  const xs: number[] = [];
  const fs: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = lo + ((hi - lo) * i) / (n - 1);
    xs.push(x);
    fs.push(safe(c, x));
  }
  const roots: number[] = [];
  for (let i = 0; i + 1 < n; i++) {
    const fa = fs[i] as number;
    const fb = fs[i + 1] as number;
    if (isNaNNumber(fa) || isNaNNumber(fb)) continue;
    if (fa === 0) roots.push(xs[i] as number);
    if (fb === 0 && i + 2 === n) roots.push(xs[i + 1] as number);
    if (fa * fb < 0) {
      let root: number | undefined;
      try {
        const r = toms748(c, xs[i] as number, xs[i + 1] as number, tolerances);
        if (r.converged) root = r.root;
      } catch {
        root = undefined;
      }
      root ??= bisect(c, xs[i] as number, fa, xs[i + 1] as number, tolerances);
      if (root !== undefined) roots.push(root);
    }
  }
  roots.sort((a, b) => a - b);
  return roots.filter((r, i) => i === 0 || abs(r - (roots[i - 1] as number)) > max(1e-10, 1e-8 * abs(r)));
}

/**
 * Profile-likelihood interval(s) (spey's `chi2_test`): the points where 2(NLL(x) − NLL_min) crosses
 * χ²₁.isf(1 − CL), found by a grid scan with TOMS748 refinement, widening the window ×3 up to
 * four times. Two-sided: all crossings (normally [left, right]); "left"/"right": that side only.
 * A side without a crossing up to the hard limit returns that limit (±1e5 or the parameter bound)
 * when the profile stays below the threshold there, otherwise NaN, with a warning.
 */
export function chi2Test(model: object, options: Chi2TestOptions = {}): number[] {
  const m = model as Chi2Model;
  const expected = toExpectation(options.expected);
  const confidenceLevel = options.confidenceLevel ?? 0.95;
  if (!(confidenceLevel >= 0 && confidenceLevel <= 1)) {
    throw new InvalidInput(`confidenceLevel must be between 0 and 1; got ${confidenceLevel}.`);
  }
  const limitType = options.limitType ?? "two-sided";
  if (!["two-sided", "left", "right"].includes(limitType)) {
    throw new InvalidInput(`limitType must be "two-sided", "left" or "right"; got ${describeValue(limitType)}.`);
  }
  const tol = resolveTolerances(options, CHI2_TOLERANCES, "chi2Test");
  const opt = { optimiser: options.optimiser };
  const threshold = chi2Isf(1 - confidenceLevel, 1);

  let nll: (x: number) => number;
  let nllMin: number;
  let reference: number;
  let lo: number;
  let hi: number;
  let hardLo: number;
  let hardHi: number;

  if (options.parameter === undefined || options.parameter === null) {
    const allowNegativeSignal = Boolean(options.allowNegativeSignal) || limitType !== "right";
    const [muhat, nllHat] = m.maximizeLikelihood({ expected, allowNegativeSignal, ...opt });
    nll = (x) => m.likelihood({ poiTest: x, expected, ...opt });
    nllMin = nllHat;
    reference = muhat;
    let sigma: number;
    try {
      sigma = m.sigmaMu({ poiTest: muhat, expected });
    } catch (error) {
      if (!(error instanceof MethodNotAvailable)) throw error;
      sigma = 1;
    }
    if (!(isFiniteNumber(sigma) && sigma > 0)) sigma = 1;
    const span = max(6 * abs(sigma), 3);
    hardLo = allowNegativeSignal ? -HARD : 0;
    hardHi = HARD;
    lo = min(max(muhat - span, hardLo), hardHi);
    hi = min(max(muhat + span, hardLo), hardHi);
  } else {
    const pm = model as ParameterModel;
    if (typeof pm.config !== "function")
      throw new MethodNotAvailable("`chi2Test` with a parameter needs a single statistical model.");
    const config = pm.config();
    if (config.npar < 2) {
      throw new InvalidInput(
        `Nuisance-parameter profiling requires at least 2 model parameters (POI + at least one nuisance), but this model has only ${config.npar}.`,
      );
    }
    const idx = config.resolveIndex(options.parameter);
    if (idx === config.poiIndex) {
      throw new InvalidInput(
        `Parameter index ${idx} refers to the primary POI. Leave parameter undefined to profile the POI instead.`,
      );
    }
    const poiValue = options.poiValue === undefined ? 1 : options.poiValue;
    const [values, nllHat] = pm.maximizeLikelihood({
      expected,
      allowNegativeSignal: true,
      poiIndices: [idx],
      ...(poiValue === null ? {} : { fixedPoiValue: { [config.poiIndex]: poiValue } }),
      ...opt,
    });
    const thetaHat = values[String(idx)] as number;
    nll = (x) =>
      m.likelihood({
        poiTest: poiValue === null ? { [idx]: x } : { [config.poiIndex]: poiValue, [idx]: x },
        expected,
        ...opt,
      });
    nllMin = nllHat;
    reference = thetaHat;
    const bound = config.suggestedBounds[idx] as readonly [number, number];
    hardLo = isFiniteNumber(bound[0]) ? bound[0] : -HARD;
    hardHi = isFiniteNumber(bound[1]) ? bound[1] : HARD;
    const soft = max(10, 5 * abs(thetaHat));
    lo = max(hardLo, thetaHat - soft);
    hi = min(hardHi, thetaHat + soft);
  }

  [nllMin, reference] = refineGlobalMin(nll, nllMin, reference, lo, hi, max(2, options.nMultistart ?? 2));
  const c = (x: number) => 2 * (nll(x) - nllMin) - threshold;
  const needLeft = limitType !== "right";
  const needRight = limitType !== "left";
  let left: number[] = [];
  let right: number[] = [];
  let all: number[] = [];
  const nScan = max(3, options.nScan ?? 3);
  for (let attempt = 0; attempt < 4; attempt++) {
    all = enumerateCrossings(c, lo, hi, nScan, tol);
    left = all.filter((r) => r < reference - 1e-12);
    right = all.filter((r) => r > reference + 1e-12);
    if ((!needLeft || left.length > 0) && (!needRight || right.length > 0)) break;
    const newLo = max(hardLo, reference - 3 * (reference - lo));
    const newHi = min(hardHi, reference + 3 * (hi - reference));
    if (abs(newLo - lo) <= 1e-12 && abs(newHi - hi) <= 1e-12) break;
    lo = newLo;
    hi = newHi;
  }
  const fallback = (side: "left" | "right"): number => {
    const edge = side === "left" ? hardLo : hardHi;
    const v = safe(c, edge);
    if (!(v > 0)) {
      // As spey: when the search reaches the hard limit without a crossing (the profile stays
      // below the threshold there, or is undefined because no nuisance value keeps the expected
      // yields positive), the limit is that edge.
      logWarning(`chi2Test: no ${side} crossing up to ${edge}; returning ${edge}.`);
      return edge;
    }
    logWarning(`Cannot find the ${side} root. Check your chi^2 distribution.`);
    return Number.NaN;
  };
  if (limitType === "left") return left.length > 0 ? left : [fallback("left")];
  if (limitType === "right") return right.length > 0 ? right : [fallback("right")];
  if (left.length > 0 && right.length > 0) return all;
  return [left[0] ?? fallback("left"), right.at(-1) ?? fallback("right")];
}
