import type { NumericArray } from "../plugin/types.js";
import type { ParameterValues } from "../config/model-config.js";
import { AsimovTestStatZero, CalculatorNotAvailable, InvalidInput, MethodNotAvailable } from "../core/errors.js";
import { type ExpectationOrAll, type ExpectationType, toExpectation } from "../core/expectation.js";
import { log } from "../core/logger.js";
import type { MinimizeOptions } from "../optimize/types.js";
import {
  computeAsymptoticConfidenceLevel,
  computeAsymptoticTailProbabilities,
  type TailProbabilities,
} from "./asymptotic-calculator.js";
import { type Chi2TestOptions, chi2Test } from "./chi2-test.js";
import {
  ASIMOV_TESTSTAT_TOLERANCE,
  canonicalTestStatistic,
  computeTestStatistics,
  getTestStatistic,
  qmuTilde,
} from "./test-statistics.js";
import { type ToyOptions, toyConfidenceLevel } from "./toy-calculator.js";
import { type ExpectedPvalue, findUpperLimits } from "./upper-limit.js";
import { describeValue } from "../core/describe.js";

/** Calculators of `exclusionConfidenceLevel`. */
export type Calculator = "asymptotic" | "toy" | "chi_square";

/** The result of an unconditional fit: μ̂ and the minimum NLL. */
export interface MaximumLikelihood {
  readonly muhat: number;
  readonly nll: number;
}

/** Everything a hypothesis test needs, computed once per call (spec §8.1). */
export interface HypotestPreparation {
  /** Unconditional fit on the data of the expectation type. */
  readonly fit: MaximumLikelihood;
  /** −profile NLL(μ) on those data. */
  readonly logpdf: (mu: number) => number;
  /** Unconditional fit on the Asimov data. */
  readonly asimovFit: MaximumLikelihood;
  /** −profile NLL(μ) on the Asimov data. */
  readonly asimovLogpdf: (mu: number) => number;
}

/** Options shared by every method that runs fits. */
export interface OptimiserOptions {
  /** Settings of the minimiser (iterations, tolerances, method). */
  readonly optimiser?: MinimizeOptions;
}

export interface ExclusionOptions extends OptimiserOptions, ToyOptions {
  /** Tested μ, or a record fixing several parameters (the POI's entry is the tested value). Default 1. */
  readonly poiTest?: number | ParameterValues;
  /** Default "observed". "all" returns `[observed, expected]`. */
  readonly expected?: ExpectationOrAll;
  /** Use qμ (μ̂ may be negative) instead of q̃μ. Default false. */
  readonly allowNegativeSignal?: boolean;
  /** Default "asymptotic". */
  readonly calculator?: Calculator;
  /** Guard on √q_{μ,A} (default 1e-3). */
  readonly asimovTeststatTolerance?: number;
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

export interface UpperLimitOptions extends OptimiserOptions, ToyOptions {
  readonly expected?: ExpectationType;
  /**
   * "asymptotic" (default) or "toy": with toys every tested μ reuses the same seed, so that CLs(μ)
   * is a deterministic function during root finding (beyond spey, whose limits are asymptotic).
   */
  readonly calculator?: "asymptotic" | "toy";
  /** Default 0.95. */
  readonly confidenceLevel?: number;
  /** Start of the lower bracket end (default 1); `null` derives it from μ̂ + 1.5σμ. */
  readonly lowInit?: number | null;
  /** Start of the upper bracket end (default 1); `null` derives it from μ̂ + 2.5σμ. */
  readonly higInit?: number | null;
  /** "nominal" (one limit), "1sigma" (3) or "2sigma" (5); observed always gives one. */
  readonly expectedPvalue?: ExpectedPvalue;
  /** Root-finder iteration bound (default 10000). */
  readonly maxiter?: number;
  /** Root-finder relative tolerance (default 1e-6; spey uses 1e-4). */
  readonly rtol?: number;
  /** Reject roots that are not a genuine exclusion boundary (default true). */
  readonly validateLimit?: boolean;
  /** Guard on √q_{μ,A} (default 1e-3). */
  readonly asimovTeststatTolerance?: number;
}

/** Options of the likelihood evaluations used by the generic algorithms. */
export interface BaseLikelihoodOptions extends OptimiserOptions {
  readonly poiTest?: number | ParameterValues;
  readonly expected?: ExpectationType;
  /** A data vector, or for combiners a record analysis → data vector. */
  readonly data?: NumericArray | Readonly<Record<string, NumericArray>>;
}

export interface BaseMaximizeOptions extends OptimiserOptions {
  readonly expected?: ExpectationType;
  readonly allowNegativeSignal?: boolean;
  readonly data?: NumericArray | Readonly<Record<string, NumericArray>>;
  readonly fixedPoiValue?: number | ParameterValues;
}

const NSIGMA_NAMES = ["−2σ", "−1σ", "median", "+1σ", "+2σ"];

function oneMinus(values: readonly number[]): number[] {
  return values.map((p) => (Number.isNaN(p) ? 0 : 1 - p));
}

/**
 * Asymptotic `[[observed], [five expected]]` CLs at μ from a prepared test (arXiv:1007.1727
 * eqs. 59, 65–66), or `undefined` when √q_{μ,A} is below `tolerance` in the q̃ branch (no
 * sensitivity: callers treat it as 1−CLs = 0).
 */
function asymptoticCls(
  prep: HypotestPreparation,
  mu: number,
  testStatistics: string,
  tolerance: number,
): { cls: [number[], number[]]; sqrtQmuA: number; delta: number } | undefined {
  try {
    const { sqrtQmuA, delta } = computeTestStatistics(
      mu,
      prep.fit,
      prep.logpdf,
      prep.asimovFit,
      prep.asimovLogpdf,
      testStatistics,
      tolerance,
    );
    return { cls: computeAsymptoticConfidenceLevel(sqrtQmuA, delta, testStatistics), sqrtQmuA, delta };
  } catch (error) {
    if (error instanceof AsimovTestStatZero) return undefined;
    throw error;
  }
}

/**
 * Hypothesis testing on top of four likelihood primitives (spec §8–§11): exclusion confidence
 * levels (CLs, arXiv:1007.1727 and Read, J. Phys. G 28 (2002) 2693), upper limits, discovery
 * significance, σμ, χ², pulls and χ²-test intervals. Shared by {@link StatisticalModel} and the
 * combiners.
 */
export abstract class HypothesisTestingBase {
  /** Number of toys of the toy calculator (default 1000). */
  ntoys: number;

  constructor(ntoys = 1000) {
    this.ntoys = ntoys;
  }

  abstract get isAlive(): boolean;
  abstract get isAsymptoticCalculatorAvailable(): boolean;
  abstract get isToyCalculatorAvailable(): boolean;
  abstract get isChiSquareCalculatorAvailable(): boolean;

  /** Profile NLL at fixed POI(s). */
  abstract likelihood(options?: BaseLikelihoodOptions): number;
  /** Unconditional fit: `[μ̂, NLL_min]`. */
  abstract maximizeLikelihood(options?: BaseMaximizeOptions): [number, number];
  /** Profile NLL on Asimov data. */
  abstract asimovLikelihood(options?: BaseLikelihoodOptions & { testStatistics?: string }): number;
  /** Unconditional fit on Asimov data. */
  abstract maximizeAsimovLikelihood(
    options?: OptimiserOptions & { expected?: ExpectationType; testStatistics?: string },
  ): [number, number];

  /** Calculators available for this model, in spey's order. */
  get availableCalculators(): Calculator[] {
    const out: Calculator[] = [];
    if (this.isToyCalculatorAvailable) out.push("toy");
    if (this.isAsymptoticCalculatorAvailable) out.push("asymptotic");
    if (this.isChiSquareCalculatorAvailable) out.push("chi_square");
    return out;
  }

  /** The value of μ tested by a `poiTest` (a number, or the POI's entry of a record; default 1). */
  protected primaryPoiValue(poiTest: number | ParameterValues | undefined): number {
    if (poiTest === undefined) return 1;
    if (typeof poiTest === "number") {
      if (!Number.isFinite(poiTest)) throw new InvalidInput(`poiTest must be a finite number; got ${poiTest}.`);
      return poiTest;
    }
    throw new InvalidInput("poiTest records are only supported by single statistical models; pass a number.");
  }

  /** The other fixed parameters of a record `poiTest` (forwarded to every fit of a test). */
  protected extraFixed(_poiTest: number | ParameterValues | undefined): ParameterValues | undefined {
    return undefined;
  }

  /** Merge the tested μ with the extra fixed parameters into the `poiTest` of a likelihood call. */
  protected poiTestAt(mu: number, extra: ParameterValues | undefined): number | ParameterValues {
    return extra === undefined ? mu : { ...extra, ...this.poiKey(mu) };
  }

  /** `{<poi key>: mu}`; subclasses that support records override. */
  protected poiKey(mu: number): ParameterValues {
    return { 0: mu };
  }

  /**
   * The fits of a hypothesis test (spec §8.1): μ̂ with μ ≥ 0 unless the test statistic is qμ,
   * Asimov data at μ = 0 (μ = 1 for q0), and the two profile log-likelihoods.
   */
  protected prepareForHypotest(options: {
    expected: ExpectationType;
    testStatistics: string;
    extra?: ParameterValues | undefined;
    optimiser?: MinimizeOptions | undefined;
  }): HypotestPreparation {
    const { expected, testStatistics, extra } = options;
    const opt = options.optimiser ? { optimiser: options.optimiser } : {};
    const allowNegativeSignal = canonicalTestStatistic(testStatistics) === "q";
    const fixedPoiValue = extra ? { fixedPoiValue: extra } : {};
    const [muhat, nll] = this.maximizeLikelihood({ expected, allowNegativeSignal, ...fixedPoiValue, ...opt });
    const [muhatA, nllA] = this.maximizeAsimovLikelihood({ expected, testStatistics, ...opt });
    return {
      fit: { muhat, nll },
      logpdf: (mu) => -this.likelihood({ poiTest: this.poiTestAt(mu, extra), expected, ...opt }),
      asimovFit: { muhat: muhatA, nll: nllA },
      asimovLogpdf: (mu) =>
        -this.asimovLikelihood({ poiTest: this.poiTestAt(mu, extra), expected, testStatistics, ...opt }),
    };
  }

  private requireCalculator(calculator: string): void {
    const available: Record<string, boolean> = {
      asymptotic: this.isAsymptoticCalculatorAvailable,
      toy: this.isToyCalculatorAvailable,
      chi_square: this.isChiSquareCalculatorAvailable,
    };
    if (!available[calculator]) {
      throw new CalculatorNotAvailable(
        `${calculator} calculator is not available. Available calculators: ${this.availableCalculators.join(", ") || "none"}.`,
      );
    }
  }

  /**
   * 1 − CLs of the hypothesis μ = poiTest (spec §8.2): one observed value, or the five expected
   * values (nσ = +2…−2 of the background-only test statistic, i.e. largest first) for
   * "aposteriori" (post-fit) and "apriori" (pre-fit); "all" returns `[observed, expected]`.
   * Asymptotic formulae: arXiv:1007.1727 eqs. 59, 65–66.
   */
  exclusionConfidenceLevel(options: ExclusionOptions & { expected: "all"; returnTailProbabilities: true }): {
    observed: ExclusionTailProbabilities;
    expected: ExclusionTailProbabilities;
  };
  exclusionConfidenceLevel(options: ExclusionOptions & { returnTailProbabilities: true }): ExclusionTailProbabilities;
  exclusionConfidenceLevel(options: ExclusionOptions & { expected: "all" }): [number[], number[]];
  exclusionConfidenceLevel(options?: ExclusionOptions): number[];
  exclusionConfidenceLevel(
    options: ExclusionOptions = {},
  ):
    | number[]
    | [number[], number[]]
    | ExclusionTailProbabilities
    | { observed: ExclusionTailProbabilities; expected: ExclusionTailProbabilities } {
    const calculator = options.calculator ?? "asymptotic";
    this.requireCalculator(calculator);
    const all = options.expected === "all";
    const expected = all ? "observed" : toExpectation(options.expected);
    const testStatistics = options.allowNegativeSignal ? "q" : "qtilde";
    const mu = this.primaryPoiValue(options.poiTest);
    const extra = this.extraFixed(options.poiTest);
    let pvals: number[];
    let expectedPvals: number[];
    let tails: { observed: TailProbabilities; expected: TailProbabilities } | undefined;
    if (calculator === "asymptotic") {
      const prep = this.prepareForHypotest({ expected, testStatistics, extra, optimiser: options.optimiser });
      const tolerance = options.asimovTeststatTolerance ?? ASIMOV_TESTSTAT_TOLERANCE;
      const result = asymptoticCls(prep, mu, testStatistics, tolerance);
      if (result === undefined) {
        log.warning(`${new AsimovTestStatZero().message} 1−CLs is set to 0 (no exclusion).`);
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
      const { sqrtQ, delta } = this.chiSquareStatistics(mu, expected, testStatistics, extra, options.optimiser);
      [pvals, expectedPvals] = computeAsymptoticConfidenceLevel(sqrtQ, delta, testStatistics);
      tails = computeAsymptoticTailProbabilities(sqrtQ, delta);
    } else {
      [pvals, expectedPvals] = toyConfidenceLevel(this, {
        ...options,
        mu,
        poiTestAt: (m) => this.poiTestAt(m, extra),
        extra,
        expected,
        testStatistics,
        onTailProbabilities: (t) => {
          tails = t;
        },
      });
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
    if (all) return [pvals.map((p) => 1 - p), expectedPvals.map((p) => 1 - p)];
    return oneMinus(expected === "observed" ? pvals : expectedPvals);
  }

  /** χ² calculator (spec §9.7): the asymptotic formula's inputs with √q_A replaced by √t_{s+b}. */
  private chiSquareStatistics(
    mu: number,
    expected: ExpectationType,
    testStatistics: "q" | "qtilde",
    extra: ParameterValues | undefined,
    optimiser: MinimizeOptions | undefined,
  ): { sqrtQ: number; delta: number } {
    const opt = optimiser ? { optimiser } : {};
    const allowNegativeSignal = testStatistics === "q";
    const [muhat, nllMin] = this.maximizeLikelihood({
      expected,
      allowNegativeSignal,
      ...(extra ? { fixedPoiValue: extra } : {}),
      ...opt,
    });
    const logpdf = (m: number) => -this.likelihood({ poiTest: this.poiTestAt(m, extra), expected, ...opt });
    const tsSb = getTestStatistic(testStatistics)(mu, muhat, -nllMin, logpdf);
    const nullLogpdf = logpdf(0);
    const maxLog = muhat >= 0 || testStatistics === "q" ? -nllMin : nullLogpdf;
    const tsB = Math.max(-2 * (nullLogpdf - maxLog), 0);
    const sSb = Math.sqrt(tsSb);
    const sB = Math.sqrt(tsB);
    const delta = testStatistics === "q" || sSb <= sB ? sB - sSb : (tsB - tsSb) / (2 * sSb);
    return { sqrtQ: sSb, delta };
  }

  /**
   * Upper limit on μ at `confidenceLevel` (spec §10): the μ where 1 − CLs(μ) = CL, using q̃μ.
   * Observed: one number; expected with "1sigma"/"2sigma": 3 or 5 limits ordered from the
   * strongest ("−2σ") to the weakest ("+2σ"). +Infinity when the model has no signal or no
   * boundary is found.
   */
  poiUpperLimit(options?: UpperLimitOptions & { expectedPvalue?: "nominal" }): number;
  poiUpperLimit(options: UpperLimitOptions): number | number[];
  poiUpperLimit(options: UpperLimitOptions = {}): number | number[] {
    const confidenceLevel = options.confidenceLevel ?? 0.95;
    if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
      throw new InvalidInput(`confidenceLevel must be between 0 and 1 (exclusive); got ${confidenceLevel}.`);
    }
    const expected = toExpectation(options.expected);
    const observed = expected === "observed";
    const expectedPvalue = observed ? "nominal" : (options.expectedPvalue ?? "nominal");
    if (!["nominal", "1sigma", "2sigma"].includes(expectedPvalue)) {
      throw new InvalidInput(
        `expectedPvalue must be "nominal", "1sigma" or "2sigma"; got ${describeValue(expectedPvalue)}.`,
      );
    }
    const count = expectedPvalue === "nominal" ? 1 : expectedPvalue === "1sigma" ? 3 : 5;
    if (!this.isAlive) {
      return count === 1 ? Number.POSITIVE_INFINITY : new Array<number>(count).fill(Number.POSITIVE_INFINITY);
    }
    const tolerance = options.asimovTeststatTolerance ?? ASIMOV_TESTSTAT_TOLERANCE;
    const limitOptions = {
      observed,
      confidenceLevel,
      expectedPvalue,
      rtol: options.rtol ?? 1e-6,
      xtol: 2e-12,
      maxiter: options.maxiter ?? 10000,
      validateLimit: options.validateLimit ?? true,
      asimovTeststatTolerance: tolerance,
    };
    if (options.calculator === "toy") {
      this.requireCalculator("toy");
      const evaluateToys = (mu: number) => {
        const [obs, exp] = toyConfidenceLevel(this, {
          ...options,
          mu,
          poiTestAt: (m) => m,
          expected,
          testStatistics: "qtilde",
        });
        return { oneMinusCls: oneMinus(observed ? obs : exp), sqrtQmuA: Number.NaN };
      };
      const limits = findUpperLimits({
        ...limitOptions,
        evaluate: evaluateToys,
        lowInit: options.lowInit ?? 1,
        higInit: options.higInit ?? 1,
      });
      return limits.length === 1 ? (limits[0] as number) : limits;
    }
    const prep = this.prepareForHypotest({ expected, testStatistics: "qtilde", optimiser: options.optimiser });
    let lowInit = options.lowInit === undefined ? 1 : options.lowInit;
    let higInit = options.higInit === undefined ? 1 : options.higInit;
    if (lowInit === null || higInit === null) {
      const muhatPlus = Math.max(prep.fit.muhat, 0);
      let sigma = Math.abs(muhatPlus) <= 1e-8 ? 1 : this.sigmaMu({ poiTest: muhatPlus, expected });
      if (!(Number.isFinite(sigma) && sigma > 0)) sigma = 1;
      lowInit = Math.max(lowInit ?? muhatPlus + 1.5 * sigma, 1e-10);
      higInit = Math.max(higInit ?? muhatPlus + 2.5 * sigma, 1e-10);
    }
    const evaluate = (mu: number) => {
      if (!observed) {
        // Expected limits need only the Asimov profile: CLs(n) = Φ(−√q_{μ,A} − n)/Φ(−n).
        const qA = qmuTilde(mu, prep.asimovFit.muhat, -prep.asimovFit.nll, prep.asimovLogpdf);
        const sqrtQmuA = Math.sqrt(qA);
        const [, exp] = computeAsymptoticConfidenceLevel(sqrtQmuA, 0, "qtilde");
        return { oneMinusCls: oneMinus(exp), sqrtQmuA };
      }
      const result = asymptoticCls(prep, mu, "qtilde", tolerance);
      if (result === undefined) return { oneMinusCls: observed ? [0] : [0, 0, 0, 0, 0], sqrtQmuA: 0 };
      return { oneMinusCls: oneMinus(observed ? result.cls[0] : result.cls[1]), sqrtQmuA: result.sqrtQmuA };
    };
    const limits = findUpperLimits({ ...limitOptions, evaluate, lowInit, higInit });
    return limits.length === 1 ? (limits[0] as number) : limits;
  }

  /**
   * Discovery significance (spec §11.1, arXiv:1007.1727 eq. 12 and 52):
   * `[√q0,A, √q0, [p_obs], [five expected p-values]]` (spey's order: Asimov first; raw p-values).
   */
  significance(options: OptimiserOptions & { expected?: ExpectationType } = {}): [number, number, number[], number[]] {
    const expected = toExpectation(options.expected);
    const prep = this.prepareForHypotest({ expected, testStatistics: "q0", optimiser: options.optimiser });
    const { sqrtQmu, sqrtQmuA, delta } = computeTestStatistics(
      0,
      prep.fit,
      prep.logpdf,
      prep.asimovFit,
      prep.asimovLogpdf,
      "q0",
    );
    const [p, expectedP] = computeAsymptoticConfidenceLevel(sqrtQmuA, delta, "q0");
    return [sqrtQmuA, sqrtQmu, p, expectedP];
  }

  /**
   * σμ at `poiTest` (spec §11.2): from the Hessian when the model has one, otherwise the Asimov
   * approximation μ/√q_{μ,A} (spey's formula, arXiv:1007.1727 eq. 31 with μ' = 0).
   */
  sigmaMu(
    options: OptimiserOptions & { poiTest?: number; expected?: ExpectationType; testStatistics?: string } = {},
  ): number {
    const poiTest = options.poiTest ?? 1;
    const expected = toExpectation(options.expected);
    const fromHessian = (this as { sigmaMuFromHessian?: (o: object) => number }).sigmaMuFromHessian;
    if (typeof fromHessian === "function") {
      try {
        return fromHessian.call(this, {
          poiTest,
          expected,
          ...(options.optimiser ? { optimiser: options.optimiser } : {}),
        });
      } catch (error) {
        if (!(error instanceof MethodNotAvailable)) throw error;
        log.debug("Hessian implementation is not available for this backend, continuing with the approximate method.");
      }
    }
    const testStatistics = options.testStatistics ?? "qtilde";
    const [muhatA, nllA] = this.maximizeAsimovLikelihood({ expected, testStatistics });
    const qA = getTestStatistic(testStatistics)(
      poiTest,
      muhatA,
      -nllA,
      (mu) => -this.asimovLikelihood({ poiTest: mu, expected, testStatistics }),
    );
    return qA <= 0 ? 1 : poiTest / Math.sqrt(qA);
  }

  /**
   * χ²(μ) = 2 (NLL(μ) − NLL_den) (spec §11.3); the denominator is the free fit (μ̂ ≥ 0 unless
   * `allowNegativeSignal`) or the profile at `poiTestDenominator`. An array of μ gives an array.
   */
  chi2(options: Chi2Options & { poiTest: readonly number[] }): number[];
  chi2(options?: Chi2Options & { poiTest?: number | ParameterValues }): number;
  chi2(options: Chi2Options & { poiTest?: number | ParameterValues | readonly number[] } = {}): number | number[] {
    const expected = toExpectation(options.expected);
    const opt = options.optimiser ? { optimiser: options.optimiser } : {};
    const nllDen =
      options.poiTestDenominator === undefined
        ? this.maximizeLikelihood({ expected, allowNegativeSignal: options.allowNegativeSignal ?? false, ...opt })[1]
        : this.likelihood({ poiTest: options.poiTestDenominator, expected, ...opt });
    const poiTest = options.poiTest ?? 1;
    if (Array.isArray(poiTest)) {
      return (poiTest as readonly number[]).map(
        (mu) => 2 * (this.likelihood({ poiTest: mu, expected, ...opt }) - nllDen),
      );
    }
    return 2 * (this.likelihood({ poiTest: poiTest as number | ParameterValues, expected, ...opt }) - nllDen);
  }

  /** Signed square-root likelihood ratio sign(μ̂ − μ)·√(2(NLL(μ) − NLL_min)) (spec §11.4). */
  pull(
    options: OptimiserOptions & { poiTest?: number; expected?: ExpectationType; allowNegativeSignal?: boolean } = {},
  ): number {
    const expected = toExpectation(options.expected);
    const opt = options.optimiser ? { optimiser: options.optimiser } : {};
    const poiTest = options.poiTest ?? 1;
    const [muhat, nllMin] = this.maximizeLikelihood({
      expected,
      allowNegativeSignal: options.allowNegativeSignal ?? true,
      ...opt,
    });
    const nll = this.likelihood({ poiTest, expected, ...opt });
    return Math.sign(muhat - poiTest) * Math.sqrt(Math.max(2 * (nll - nllMin), 0));
  }

  /**
   * Profile-likelihood interval(s) of μ (or of a nuisance parameter) where
   * 2ΔNLL = χ²₁.isf(1 − CL) (spec §11.5).
   */
  chi2Test(options: Chi2TestOptions = {}): number[] {
    return chi2Test(this, options);
  }

  /** Expected-band labels in the order of the five expected values. */
  static get expectedBandNames(): readonly string[] {
    return NSIGMA_NAMES;
  }
}

export interface Chi2Options extends OptimiserOptions {
  readonly poiTestDenominator?: number;
  readonly expected?: ExpectationType;
  readonly allowNegativeSignal?: boolean;
}
