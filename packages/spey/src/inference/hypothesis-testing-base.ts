import type { AllowNegativeSignalOption, ParameterValues, PoiTestOption } from "../config/model-config.js";
import { AsimovTestStatZero, CalculatorNotAvailable, ComputationError, InvalidInput } from "../core/errors.js";
import {
  type ExpectationOrAll,
  type ExpectationType,
  type ExpectedOption,
  toConfidenceLevel,
  toExpectation,
} from "../core/expectation.js";
import { logWarning, logDebug } from "../core/logger.js";
import { normCdf, normPpf } from "../math/special.js";
import type { MinimizeOptions, OptimiserOptions } from "../optimize/types.js";
import {
  computeAsymptoticConfidenceLevel,
  computeAsymptoticTailProbabilities,
  type TailProbabilities,
} from "./asymptotic-calculator.js";
import type { Calculator, HypotestPreparation, ProfileLikelihood } from "./profile-likelihood.js";
import {
  ASIMOV_TESTSTAT_TOLERANCE,
  computeTestStatistics,
  Q0,
  QMU,
  QTILDE,
  type TestStatistic,
} from "./test-statistics.js";
import type { ToyCalculator, ToyOptions } from "./toy-calculator.js";
import { type ExpectedPvalue, expectedSqrtQmuATarget, solveUpperLimits } from "./upper-limit.js";
import { describeValue, isFiniteNumber, isArray, abs, max, sqrt, isNaNNumber, sign } from "../core/describe.js";
import { resolveTolerances, type ScipyToleranceAliases, type SolverTolerances } from "../core/tolerances.js";

export type { Calculator, HypotestPreparation, MaximumLikelihood } from "./profile-likelihood.js";

export type { OptimiserOptions } from "../optimize/types.js";

/** The guard of the asymptotic formulae, defined once for CLs and upper limits. */
export interface AsimovTeststatToleranceOption {
  /** Below this √q_{μ,A} the Asimov test statistic counts as zero (`AsimovTestStatZero`). Default 1e-3. */
  readonly asimovTeststatTolerance?: number;
}

/** Options of {@link HypothesisTests.significance} (spey's `significance`). */
export interface SignificanceOptions extends OptimiserOptions, ExpectedOption {}

/** Options of {@link HypothesisTests.sigmaMu} (spey's `sigma_mu`); `poiTest` is a number here. */
export interface SigmaMuOptions extends OptimiserOptions, ExpectedOption {
  /** Tested μ. Default 1. */
  readonly poiTest?: number;
}

/** Options of {@link HypothesisTests.pull}: `allowNegativeSignal` defaults to true here. */
export interface PullOptions extends SigmaMuOptions, AllowNegativeSignalOption {}

/** `allowNegativeSignal`: default false (q̃μ). `expected` may also be "all": `[observed, expected]`. */
export interface ExclusionOptions
  extends OptimiserOptions,
    ToyOptions,
    PoiTestOption,
    AllowNegativeSignalOption,
    AsimovTeststatToleranceOption {
  /** Default "observed". "all" returns `[observed, expected]`. */
  readonly expected?: ExpectationOrAll;
  /** Default "asymptotic". */
  readonly calculator?: Calculator;
  /**
   * Return `{oneMinusCls, cls, clsb, clb}` (CLs+b and CLb beside CLs, as pyhf's
   * `return_tail_probs`) instead of the array of 1 − CLs; with `expected: "all"`,
   * `{observed, expected}` of those. Default false: spey's arrays.
   */
  readonly returnTailProbabilities?: boolean;
}

/** CLs with CLs+b and CLb (values in the order of the default result: observed, or nσ = 2 … −2). */
export interface ExclusionTailProbabilities {
  /** 1 − CLs: the default result of `exclusionConfidenceLevel`. */
  readonly oneMinusCls: number[];
  readonly cls: number[];
  /** p-value of the signal-plus-background hypothesis. */
  readonly clsb: number[];
  /** p-value of the background-only hypothesis (CLs = CLs+b / CLb). */
  readonly clb: number[];
}

/** What `exclusionConfidenceLevel` returns, depending on `expected` and `returnTailProbabilities`. */
export type ExclusionResult =
  | number[]
  | [number[], number[]]
  | ExclusionTailProbabilities
  | { observed: ExclusionTailProbabilities; expected: ExclusionTailProbabilities };

export interface UpperLimitOptions
  extends OptimiserOptions,
    ToyOptions,
    ExpectedOption,
    AsimovTeststatToleranceOption,
    SolverTolerances,
    Pick<ScipyToleranceAliases, "rtol" | "maxiter"> {
  /**
   * "asymptotic" (default) or "toy": with toys every tested μ reuses the same seed, so that CLs(μ)
   * is a deterministic function during root finding (beyond spey, whose limits are asymptotic).
   */
  readonly calculator?: "asymptotic" | "toy";
  /** Default 0.95. */
  readonly confidenceLevel?: number;
  /**
   * A first point of the search; `null` derives it from μ̂ + 1.5σμ (spey's `low_init`). By default
   * the asymptotic search starts at the limit predicted from σ_A (or at μ = 1 without a Hessian);
   * toys start their bracket at 1.
   */
  readonly lowInit?: number | null;
  /** A second first point of the search; `null` derives it from μ̂ + 2.5σμ (spey's `hig_init`). */
  readonly higInit?: number | null;
  /** "nominal" (one limit), "1sigma" (3) or "2sigma" (5); observed always gives one. */
  readonly expectedPvalue?: ExpectedPvalue;
  // The root finder's maxIterations (default 10000), relativeTolerance (default 1e-6; spey uses
  // 1e-4) and absoluteTolerance (default 2e-12), from SolverTolerances; rtol and maxiter are
  // deprecated aliases (spey's names).
  /** Reject roots that are not a genuine exclusion boundary (default true). */
  readonly validateLimit?: boolean;
}

/** Options of the likelihood evaluations of a model. */
export interface BaseLikelihoodOptions extends OptimiserOptions, PoiTestOption, ExpectedOption {
  /** A data vector, or for combiners a record analysis → data vector. */
  readonly data?: ArrayLike<number> | Readonly<Record<string, ArrayLike<number>>>;
}

/** `allowNegativeSignal`: default false. */
export interface BaseMaximizeOptions extends OptimiserOptions, ExpectedOption, AllowNegativeSignalOption {
  readonly data?: ArrayLike<number> | Readonly<Record<string, ArrayLike<number>>>;
  readonly fixedPoiValue?: number | ParameterValues;
}

/** Defaults of the upper-limit root finder (spey's `find_poi_upper_limit` uses TOMS748 with rtol 1e-4). */
const LIMIT_TOLERANCES = { absoluteTolerance: 2e-12, relativeTolerance: 1e-6, maxIterations: 10000 } as const;

const NSIGMA_NAMES = ["−2σ", "−1σ", "median", "+1σ", "+2σ"];

function oneMinus(values: readonly number[]): number[] {
  return values.map((p) => (isNaNNumber(p) ? 0 : 1 - p));
}

/**
 * Asymptotic `[[observed], [five expected]]` CLs at μ from a prepared test (arXiv:1007.1727
 * eqs. 59, 65–66), or `undefined` when √q_{μ,A} is below `tolerance` in the q̃ branch (no
 * sensitivity: callers treat it as 1−CLs = 0).
 */
function asymptoticCls(
  prep: HypotestPreparation,
  mu: number,
  statistic: TestStatistic,
  tolerance: number,
): { cls: [number[], number[]]; sqrtQmu: number; sqrtQmuA: number; delta: number } | undefined {
  try {
    const { sqrtQmu, sqrtQmuA, delta } = computeTestStatistics(
      mu,
      prep.fit,
      prep.logpdf,
      prep.asimovFit,
      prep.asimovLogpdf,
      statistic,
      tolerance,
    );
    return { cls: computeAsymptoticConfidenceLevel(sqrtQmuA, delta, statistic), sqrtQmu, sqrtQmuA, delta };
  } catch (error) {
    if (error instanceof AsimovTestStatZero) return undefined;
    throw error;
  }
}

/**
 * d(1 − CLs)/dμ of the observed asymptotic q̃μ CLs at μ (arXiv:1007.1727 eqs. 65–66), from the
 * slopes of the two profiles (dq/dμ = −2 d logpdf/dμ where q > 0, likewise q_A; their reference
 * terms do not depend on μ) and a central difference of the closed-form CLs(q, q_A) along them —
 * no fit. NaN without slopes or where the CLs is not a number. (Exported for its test.)
 */
export function observedClsSlope(
  prep: HypotestPreparation,
  mu: number,
  at: { sqrtQmu: number; sqrtQmuA: number },
  tolerance: number,
): number {
  if (!prep.logpdfSlope || !prep.asimovLogpdfSlope || !(mu > 0)) return Number.NaN;
  const q = at.sqrtQmu * at.sqrtQmu;
  const qA = at.sqrtQmuA * at.sqrtQmuA;
  const dq = q > 0 ? -2 * prep.logpdfSlope(mu) : 0;
  const dqA = qA > 0 ? -2 * prep.asimovLogpdfSlope(mu) : 0;
  const oneMinusCls = (t: number): number => {
    const sq = sqrt(max(q + t * dq, 0));
    const sqA = sqrt(max(qA + t * dqA, 0));
    if (!(sqA >= tolerance)) return Number.NaN;
    const delta = sq <= sqA ? sq - sqA : (sq * sq - sqA * sqA) / (2 * sqA);
    return 1 - (computeAsymptoticConfidenceLevel(sqA, delta, QTILDE)[0][0] as number);
  };
  const h = 1e-5 * mu;
  return (oneMinusCls(h) - oneMinusCls(-h)) / (2 * h);
}

/**
 * Hypothesis tests on a {@link ProfileLikelihood}: exclusion confidence levels (CLs,
 * arXiv:1007.1727 and Read, J. Phys. G 28 (2002) 2693), upper limits, discovery significance, σμ,
 * χ² and pulls (spey's `HypothesisTestingBase` methods). `StatisticalModel` and the uncorrelated
 * combiner each hold one and delegate to it; nothing here knows what a model is.
 */
export class HypothesisTests {
  declare readonly likelihood: ProfileLikelihood;
  readonly #toys: ToyCalculator | undefined;
  /**
   * @param toys the toy calculator (`TOY_CALCULATOR` of `inference/toy-calculator.ts`); without
   *   it the "toy" calculator is unavailable, and bundles that never pass it leave the toys out.
   */
  constructor(likelihood: ProfileLikelihood, toys?: ToyCalculator) {
    this.likelihood = likelihood;
    this.#toys = toys;
  }

  /** Calculators available for this model, in spey's order. */
  get availableCalculators(): Calculator[] {
    return [...this.likelihood.calculators];
  }

  #requireCalculator(calculator: string): void {
    const calculators = this.likelihood.calculators as readonly string[];
    if (calculator === "toy" && !this.#toys && (this.likelihood.sample || calculators.includes("toy"))) {
      throw new CalculatorNotAvailable(
        `toy calculator is not available: this model was built without it (getBackend from "spey/simplified" builds a LeanStatisticalModel, which leaves the toys out of bundles); build the model with getBackend from "spey" for toys. Available calculators: ${this.likelihood.calculators.join(", ") || "none"}.`,
      );
    }
    if (!calculators.includes(calculator)) {
      throw new CalculatorNotAvailable(
        `${calculator} calculator is not available. Available calculators: ${calculators.join(", ") || "none"}.`,
      );
    }
  }

  /**
   * 1 − CLs of the hypothesis μ = poiTest (spey's `exclusion_confidence_level`): one observed
   * value, or the five expected values (nσ = +2…−2 of the background-only test statistic, i.e.
   * largest first) for "aposteriori" (post-fit) and "apriori" (pre-fit); "all" returns
   * `[observed, expected]`. Asymptotic formulae: arXiv:1007.1727 eqs. 59, 65–66.
   */
  exclusionConfidenceLevel(options: ExclusionOptions = {}): ExclusionResult {
    const calculator = options.calculator ?? "asymptotic";
    this.#requireCalculator(calculator);
    const all = options.expected === "all";
    const expected = all ? "observed" : toExpectation(options.expected);
    const statistic = options.allowNegativeSignal ? QMU : QTILDE;
    const { mu, extra } = this.likelihood.splitPoiTest(options.poiTest);
    const settings = { expected, extra, optimiser: options.optimiser };
    let pvals: number[];
    let expectedPvals: number[];
    let tails: { observed: TailProbabilities; expected: TailProbabilities } | undefined;
    if (calculator === "asymptotic") {
      const prep = this.likelihood.prepare({ ...settings, statistic });
      const tolerance = options.asimovTeststatTolerance ?? ASIMOV_TESTSTAT_TOLERANCE;
      // The expected values depend on √q_{μ,A} alone: no fit to the data unless √q_{μ,A} is below
      // the tolerance, where the observed √q decides the no-sensitivity branch.
      let sqrtQmuA = Number.NaN;
      if (expected !== "observed") {
        const { asimovFit, asimovLogpdf } = prep;
        sqrtQmuA = sqrt(statistic.evaluate(mu, asimovFit.muhat, -asimovFit.nll, asimovLogpdf));
      }
      const result =
        sqrtQmuA >= tolerance
          ? { cls: computeAsymptoticConfidenceLevel(sqrtQmuA, 0, statistic), sqrtQmuA, delta: 0 }
          : asymptoticCls(prep, mu, statistic, tolerance);
      if (result === undefined) {
        logWarning(`${new AsimovTestStatZero().message} 1−CLs is set to 0 (no exclusion).`);
        pvals = [1];
        expectedPvals = [1, 1, 1, 1, 1];
        // No sensitivity: the s+b and b-only distributions coincide; every p-value is reported as 1.
        const ones = (n: number) => new Array<number>(n).fill(1);
        tails = {
          observed: { cls: ones(1), clsb: ones(1), clb: ones(1) },
          expected: { cls: ones(5), clsb: ones(5), clb: ones(5) },
        };
      } else {
        [pvals, expectedPvals] = result.cls;
        tails = computeAsymptoticTailProbabilities(result.sqrtQmuA, result.delta);
      }
    } else if (calculator === "chi_square") {
      const { sqrtQ, delta } = this.#chiSquareStatistics(mu, statistic, settings);
      [pvals, expectedPvals] = computeAsymptoticConfidenceLevel(sqrtQ, delta, statistic);
      tails = computeAsymptoticTailProbabilities(sqrtQ, delta);
    } else {
      [pvals, expectedPvals] = (this.#toys as ToyCalculator).confidenceLevel(this.likelihood, {
        ...options,
        ...settings,
        mu,
        statistic,
        onTailProbabilities: (t) => {
          tails = t;
        },
      });
    }
    // A p-value that is not a number means a fit or a test statistic failed: an error, never a
    // silent 1 − CLs of 0 (spey's NaN → 0) or a NaN next to an observed number.
    const undefinedAt = [...pvals, ...expectedPvals].findIndex((p) => isNaNNumber(p));
    if (undefinedAt >= 0) {
      throw new ComputationError(
        `the ${undefinedAt === 0 ? "observed" : "expected"} p-value at μ = ${mu} is not a number (a fit or test statistic failed, e.g. the likelihood is not finite at this μ): no CLs can be given.`,
      );
    }
    if (options.returnTailProbabilities) {
      const t = tails as { observed: TailProbabilities; expected: TailProbabilities };
      const withOneMinus = (x: TailProbabilities): ExclusionTailProbabilities => ({
        oneMinusCls: oneMinus(x.cls),
        cls: x.cls,
        clsb: x.clsb,
        clb: x.clb,
      });
      if (all) return { observed: withOneMinus(t.observed), expected: withOneMinus(t.expected) };
      return withOneMinus(expected === "observed" ? t.observed : t.expected);
    }
    if (all) return [oneMinus(pvals), oneMinus(expectedPvals)];
    return oneMinus(expected === "observed" ? pvals : expectedPvals);
  }

  /** χ² calculator (spey's `chi_square` calculator): the asymptotic formula's inputs with √q_A replaced by √t_{s+b}. */
  #chiSquareStatistics(
    mu: number,
    statistic: TestStatistic,
    settings: { expected: ExpectationType; extra: ParameterValues | undefined; optimiser: MinimizeOptions | undefined },
  ): { sqrtQ: number; delta: number } {
    const pl = this.likelihood;
    const { muhat, nll: nllMin } = pl.maximize({ ...settings, allowNegativeSignal: statistic.muhatMayBeNegative });
    const logpdf = (m: number) => -pl.nll(m, settings);
    const tsSb = statistic.evaluate(mu, muhat, -nllMin, logpdf);
    const nullLogpdf = logpdf(0);
    const maxLog = muhat >= 0 || statistic.muhatMayBeNegative ? -nllMin : nullLogpdf;
    const tsB = max(-2 * (nullLogpdf - maxLog), 0);
    const sSb = sqrt(tsSb);
    const sB = sqrt(tsB);
    const delta = statistic.asymptotic === "difference" || sSb <= sB ? sB - sSb : (tsB - tsSb) / (2 * sSb);
    return { sqrtQ: sSb, delta };
  }

  /**
   * Upper limit on μ at `confidenceLevel` (spey's `poi_upper_limit`): the μ where 1 − CLs(μ) = CL,
   * using q̃μ. Observed: one number; expected with "1sigma"/"2sigma": 3 or 5 limits ordered from
   * the strongest ("−2σ") to the weakest ("+2σ"). +Infinity when the model has no signal or no
   * boundary is found.
   */
  poiUpperLimit(options?: UpperLimitOptions & { expectedPvalue?: "nominal" }): number;
  poiUpperLimit(options: UpperLimitOptions): number | number[];
  poiUpperLimit(options: UpperLimitOptions = {}): number | number[] {
    const pl = this.likelihood;
    const confidenceLevel = toConfidenceLevel(options.confidenceLevel);
    const expected = toExpectation(options.expected);
    const observed = expected === "observed";
    const expectedPvalue = observed ? "nominal" : (options.expectedPvalue ?? "nominal");
    if (!["nominal", "1sigma", "2sigma"].includes(expectedPvalue)) {
      throw new InvalidInput(
        `expectedPvalue must be "nominal", "1sigma" or "2sigma"; got ${describeValue(expectedPvalue)}.`,
      );
    }
    const count = expectedPvalue === "nominal" ? 1 : expectedPvalue === "1sigma" ? 3 : 5;
    if (!pl.isAlive) {
      logWarning("The model has no positive signal yield: μ has no upper limit (returning +∞).");
      return count === 1 ? Number.POSITIVE_INFINITY : new Array<number>(count).fill(Number.POSITIVE_INFINITY);
    }
    const tolerance = options.asimovTeststatTolerance ?? ASIMOV_TESTSTAT_TOLERANCE;
    const limitOptions = {
      observed,
      confidenceLevel,
      expectedPvalue,
      ...resolveTolerances(options, LIMIT_TOLERANCES, "poiUpperLimit"),
      validateLimit: options.validateLimit ?? true,
      asimovTeststatTolerance: tolerance,
    };
    if (options.calculator === "toy") {
      this.#requireCalculator("toy");
      const toys = this.#toys as ToyCalculator;
      const evaluateToys = (mu: number) => {
        const [obs, exp] = toys.confidenceLevel(pl, {
          ...options,
          mu,
          expected,
          extra: undefined,
          statistic: QTILDE,
        });
        return { oneMinusCls: oneMinus(observed ? obs : exp), sqrtQmuA: Number.NaN };
      };
      const limits = toys.upperLimits({
        ...limitOptions,
        evaluate: evaluateToys,
        lowInit: options.lowInit ?? 1,
        higInit: options.higInit ?? 1,
      });
      return limits.length === 1 ? (limits[0] as number) : limits;
    }
    const prep = pl.prepare({ expected, statistic: QTILDE, optimiser: options.optimiser });
    const limits = this.#asymptoticLimits(prep, expected, { ...limitOptions, expectedPvalue }, options);
    return limits.length === 1 ? (limits[0] as number) : limits;
  }

  /**
   * The observed upper limit and the five expected limits (±1σ, ±2σ: spey's `poi_upper_limit`
   * twice, with `expected="observed"` and with the band's expectation and `expected_pvalue="2sigma"`).
   * With the asymptotic calculator and the post-fit band both searches use one preparation (the
   * free fit, the Asimov data and its fit, and the two profiles, on the observed data), so the
   * band's search continues from the profile points the observed search fitted; the limits equal
   * those of two separate {@link poiUpperLimit} calls up to the root finder's tolerance.
   */
  poiUpperLimitWithBand(options: UpperLimitOptions & { readonly expected?: "aposteriori" | "apriori" } = {}): {
    observed: number;
    expected: number[];
  } {
    const band = toExpectation(options.expected ?? "aposteriori");
    if (band === "observed") {
      throw new InvalidInput(`expected must be "aposteriori" or "apriori" (the band); got "observed".`);
    }
    const shared = options.calculator !== "toy" && band === "aposteriori" && this.likelihood.isAlive;
    if (!shared) {
      return {
        observed: this.poiUpperLimit({ ...options, expected: "observed", expectedPvalue: "nominal" }),
        expected: this.poiUpperLimit({ ...options, expected: band, expectedPvalue: "2sigma" }) as number[],
      };
    }
    const confidenceLevel = toConfidenceLevel(options.confidenceLevel);
    const common = {
      confidenceLevel,
      ...resolveTolerances(options, LIMIT_TOLERANCES, "poiUpperLimit"),
      validateLimit: options.validateLimit ?? true,
      asimovTeststatTolerance: options.asimovTeststatTolerance ?? ASIMOV_TESTSTAT_TOLERANCE,
    };
    const prep = this.likelihood.prepare({ expected: "observed", statistic: QTILDE, optimiser: options.optimiser });
    // The observed search fits the Asimov profile at every μ it evaluates: the band's search gets
    // those points (with their slopes) without a fit, as seeds after the caller's.
    const evaluated: number[] = [];
    const [observed] = this.#asymptoticLimits(
      prep,
      "observed",
      { ...common, observed: true, expectedPvalue: "nominal" },
      options,
      { evaluated },
    );
    const expected = this.#asymptoticLimits(
      prep,
      band,
      { ...common, observed: false, expectedPvalue: "2sigma" },
      options,
      { seeds: evaluated },
    );
    return { observed: observed as number, expected };
  }

  /** The asymptotic limit search of {@link poiUpperLimit} on a prepared test. */
  #asymptoticLimits(
    prep: HypotestPreparation,
    expected: ExpectationType,
    limitOptions: {
      observed: boolean;
      confidenceLevel: number;
      expectedPvalue: ExpectedPvalue;
      relativeTolerance: number;
      absoluteTolerance: number;
      maxIterations: number;
      validateLimit: boolean;
      asimovTeststatTolerance: number;
    },
    options: UpperLimitOptions,
    shared: { readonly evaluated?: number[]; readonly seeds?: readonly number[] } = {},
  ): number[] {
    const pl = this.likelihood;
    const { observed, confidenceLevel } = limitOptions;
    const tolerance = limitOptions.asimovTeststatTolerance;
    // The caller's bracket starts are evaluated first; spey's `null` derives them from μ̂ + 1.5σμ
    // and μ̂ + 2.5σμ. By default the search starts from σ_A (see solveUpperLimits).
    const seeds: number[] = [];
    if (options.lowInit === null || options.higInit === null) {
      const muhatPlus = max(prep.fit.muhat, 0);
      let sigma = abs(muhatPlus) <= 1e-8 ? 1 : pl.sigmaMu(muhatPlus, { expected });
      if (!(isFiniteNumber(sigma) && sigma > 0)) sigma = 1;
      seeds.push(max(options.lowInit ?? muhatPlus + 1.5 * sigma, 1e-10));
      seeds.push(max(options.higInit ?? muhatPlus + 2.5 * sigma, 1e-10));
    } else {
      if (options.lowInit !== undefined) seeds.push(options.lowInit);
      if (options.higInit !== undefined) seeds.push(options.higInit);
    }
    let sigmaA: number | undefined;
    try {
      const value = prep.asimovSigma?.();
      if (value !== undefined && isFiniteNumber(value) && value > 0) sigmaA = value;
    } catch (error) {
      logDebug(`σ_A from the Hessian is not available (${String(error)}); the limit search starts at μ = 1.`);
    }
    const predict = (slot: number): number | undefined => {
      if (sigmaA === undefined) return undefined;
      if (!observed) return expectedSqrtQmuATarget(slot, confidenceLevel) * sigmaA;
      // Asymptotic observed limit for q̃μ with μ̂ ≥ 0: Φ(−(μ − μ̂)/σ) = (1 − CL)·Φ(μ̂/σ).
      const muhat = max(prep.fit.muhat, 0);
      return muhat + sigmaA * normPpf(1 - (1 - confidenceLevel) * normCdf(muhat / sigmaA));
    };
    const evaluate = (mu: number) => {
      // Cooperative cancellation between the root finder's CLs evaluations (as the toy loops).
      if (options.signal?.aborted) {
        throw options.signal.reason ?? new ComputationError("upper-limit search aborted by its AbortSignal");
      }
      shared.evaluated?.push(mu);
      if (!observed) {
        // Expected limits need only the Asimov profile: CLs(n) = Φ(−√q_{μ,A} − n)/Φ(−n).
        const qA = QTILDE.evaluate(mu, prep.asimovFit.muhat, -prep.asimovFit.nll, prep.asimovLogpdf);
        const sqrtQmuA = sqrt(qA);
        const [, exp] = computeAsymptoticConfidenceLevel(sqrtQmuA, 0, QTILDE);
        // d√q̃/dμ = −(d logpdf_A/dμ)/√q̃ where q̃ > 0 (its reference term does not depend on μ):
        // the search then takes Newton steps on √q_{μ,A}.
        return {
          oneMinusCls: oneMinus(exp),
          sqrtQmuA,
          sqrtQmuASlope: sqrtQmuA > 0 && prep.asimovLogpdfSlope ? -prep.asimovLogpdfSlope(mu) / sqrtQmuA : Number.NaN,
        };
      }
      const result = asymptoticCls(prep, mu, QTILDE, tolerance);
      if (result === undefined) return { oneMinusCls: [0], sqrtQmuA: 0 };
      return {
        oneMinusCls: oneMinus(result.cls[0]),
        sqrtQmuA: result.sqrtQmuA,
        oneMinusClsSlope: [observedClsSlope(prep, mu, result, tolerance)],
      };
    };
    return solveUpperLimits({
      ...limitOptions,
      evaluate,
      onSqrtQmuA: !observed,
      seeds: [...seeds, ...(shared.seeds ?? [])],
      predict,
      ...(sigmaA !== undefined ? { sigma: sigmaA } : {}),
    });
  }

  /**
   * Discovery significance (spey's `significance`, arXiv:1007.1727 eqs. 12 and 52):
   * `[√q0,A, √q0, [p_obs], [five expected p-values]]` (spey's order: Asimov first; raw p-values).
   */
  significance(options: SignificanceOptions = {}): [number, number, number[], number[]] {
    const expected = toExpectation(options.expected);
    const prep = this.likelihood.prepare({ expected, statistic: Q0, optimiser: options.optimiser });
    const { sqrtQmu, sqrtQmuA, delta } = computeTestStatistics(
      0,
      prep.fit,
      prep.logpdf,
      prep.asimovFit,
      prep.asimovLogpdf,
      Q0,
    );
    const [p, expectedP] = computeAsymptoticConfidenceLevel(sqrtQmuA, delta, Q0);
    if ([sqrtQmuA, sqrtQmu, ...p, ...expectedP].some((x) => isNaNNumber(x))) {
      throw new ComputationError(
        `the discovery test statistic is not a number (√q0 = ${sqrtQmu}, √q0,A = ${sqrtQmuA}): a fit of the background-only or the Asimov data failed, so no significance can be given.`,
      );
    }
    return [sqrtQmuA, sqrtQmu, p, expectedP];
  }

  /**
   * σμ at `poiTest` (spey's `sigma_mu`): from the Hessian when the model has one, otherwise the
   * Asimov approximation μ/√q_{μ,A} (arXiv:1007.1727 eq. 31 with μ' = 0).
   */
  sigmaMu(options: SigmaMuOptions = {}): number {
    return this.likelihood.sigmaMu(options.poiTest ?? 1, {
      expected: toExpectation(options.expected),
      optimiser: options.optimiser,
    });
  }

  /**
   * χ²(μ) = 2 (NLL(μ) − NLL_den) (spey's `chi2`); the denominator is the free fit (μ̂ ≥ 0 unless
   * `allowNegativeSignal`) or the profile at `poiTestDenominator`. An array of μ gives an array.
   */
  chi2(options: Chi2Options & { poiTest: readonly number[] }): number[];
  chi2(options?: Chi2Options & { poiTest?: number | ParameterValues }): number;
  chi2(options: Chi2Options & { poiTest?: number | ParameterValues | readonly number[] } = {}): number | number[] {
    const pl = this.likelihood;
    const expected = toExpectation(options.expected);
    const settings = { expected, optimiser: options.optimiser };
    const nllAt = (poiTest: number | ParameterValues) => {
      const { mu, extra } = pl.splitPoiTest(poiTest);
      return pl.nll(mu, { ...settings, extra });
    };
    const nllDen =
      options.poiTestDenominator === undefined
        ? pl.maximize({ ...settings, allowNegativeSignal: options.allowNegativeSignal ?? false }).nll
        : nllAt(options.poiTestDenominator);
    const poiTest = options.poiTest ?? 1;
    if (isArray(poiTest)) return (poiTest as readonly number[]).map((mu) => 2 * (nllAt(mu) - nllDen));
    return 2 * (nllAt(poiTest as number | ParameterValues) - nllDen);
  }

  /** Signed square-root likelihood ratio sign(μ̂ − μ)·√(2(NLL(μ) − NLL_min)) (spey's `pull`). */
  pull(options: PullOptions = {}): number {
    const pl = this.likelihood;
    const settings = { expected: toExpectation(options.expected), optimiser: options.optimiser };
    const poiTest = options.poiTest ?? 1;
    const { muhat, nll: nllMin } = pl.maximize({
      ...settings,
      allowNegativeSignal: options.allowNegativeSignal ?? true,
    });
    const nll = pl.nll(poiTest, settings);
    return sign(muhat - poiTest) * sqrt(max(2 * (nll - nllMin), 0));
  }

  /** Expected-band labels in the order of the five expected values. */
  static get expectedBandNames(): readonly string[] {
    return NSIGMA_NAMES;
  }
}

/** `allowNegativeSignal` (of the free fit in the denominator): default false. */
export interface Chi2Options extends OptimiserOptions, ExpectedOption, AllowNegativeSignalOption {
  readonly poiTestDenominator?: number;
}
