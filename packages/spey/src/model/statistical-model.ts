import {
  PerAnalysisData,
  type PerAnalysisDataRecord,
  takesPerAnalysisData,
} from "../backends/combined/per-analysis-data.js";
import type { BackendBase, BackendClass } from "../plugin/backend-base.js";
import type { ConfigOptions, ExpectedDataOptions, NumericArray, ObjectiveFunction } from "../plugin/types.js";
import type { BoundInput, ModelConfig, ParameterValues, PoiTestOption } from "../config/model-config.js";
import {
  CombinerNotAvailable,
  InvalidInput,
  MethodNotAvailable,
  PluginError,
  UnknownCrossSection,
} from "../core/errors.js";
import { type ExpectationType, type ExpectedOption, toExpectation } from "../core/expectation.js";
import { chi2Test, type Chi2TestOptions } from "../inference/chi2-test.js";
import { TOY_CALCULATOR, type ToyCalculator } from "../inference/toy-calculator.js";
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
import type {
  Calculator,
  FitSettings,
  HypotestPreparation,
  ProfileLikelihood,
} from "../inference/profile-likelihood.js";
import { asimovSigmaMu } from "../inference/profile-likelihood.js";
import { LazyFits, LiveModelProperties } from "./lazy-properties.js";
import { QTILDE, type TestStatistic, testStatistic } from "../inference/test-statistics.js";
import { logWarning, logDebug } from "../core/logger.js";
import { reportActivity } from "../core/activity.js";
import { cholesky, choleskyInverse, subMatrix } from "../math/linalg.js";
import type { RandomSource } from "../math/random.js";
import { createFitter, type FitOutcome, type Fitter, fitModel } from "../fit/fit.js";
import {
  describeValue,
  isArrayLike,
  isFiniteNumber,
  isInteger,
  abs,
  max,
  min,
  sqrt,
  exp,
  isNaNNumber,
} from "../core/describe.js";
import { finiteEntries } from "../backends/inputs.js";
import { zeros, copyOf } from "../core/arrays.js";

/** The universal arguments of every backend factory (spey's `statistical_model_wrapper`). */
export interface StatisticalModelOptions {
  /** Analysis identifier (default "__unknown_analysis__"). */
  readonly analysis?: string;
  /** Signal cross section, for `excludedCrossSection` (default NaN: unknown). */
  readonly xsection?: number;
  /** Number of toys of the toy calculator (default 1000). */
  readonly ntoys?: number;
}

/** Fit controls shared by the likelihood methods. */
export interface FitControls extends OptimiserOptions {
  /** Start point replacing `config().suggestedInit`. */
  readonly initPars?: NumericArray;
  /** Bounds replacing `config().suggestedBounds`. */
  readonly parBounds?: readonly BoundInput[];
}

export interface LikelihoodOptions extends BaseLikelihoodOptions, FitControls {
  /** Main counts, optionally followed by the auxiliary data; for a combination also data per analysis. */
  readonly data?: NumericArray | PerAnalysisDataRecord;
  /** Return −log L (default) or the likelihood value exp(log L). */
  readonly returnNll?: boolean;
  /** Also return the fitted parameters: `[nll, parameters]`. */
  readonly returnParameters?: boolean;
}

export interface MaximizeOptions extends BaseMaximizeOptions, FitControls {
  /** Main counts, optionally followed by the auxiliary data; for a combination also data per analysis. */
  readonly data?: NumericArray | PerAnalysisDataRecord;
  readonly returnNll?: boolean;
  /** Return the fitted values of these parameters (names or indices) instead of μ̂. */
  readonly poiIndices?: readonly (string | number)[];
}

/** Options of `fixedPoiSampler`: the conditional fit at `poiTest` (required) whose expected data are sampled. */
export interface FixedPoiSamplerOptions extends FitControls, ExpectedOption {
  /** Tested μ, or a record fixing several parameters (the POI's entry is the tested value). */
  readonly poiTest: number | ParameterValues;
}

export interface AsimovOptions extends FitControls, ExpectedOption {
  /** "qtilde" (default), "q", "q0": decides the Asimov μ (1 for q0, else 0) and μ̂_A ≥ 0. */
  readonly testStatistics?: string;
  /** Extra fixed parameters for the Asimov fit; may override the Asimov μ. */
  readonly poiTest?: ParameterValues;
}

/**
 * The data vector of a likelihood request. A combination (a backend with `perAnalysisData`, the
 * combiners) also takes a record of data per analysis (name or position → data; unlisted models keep their own).
 */
function toVector(
  data: NumericArray | PerAnalysisDataRecord | undefined,
  argument: string,
  backend?: BackendBase,
): Float64Array | undefined {
  if (data === undefined) return undefined;
  if (data instanceof PerAnalysisData) return data;
  if (takesPerAnalysisData(backend) && typeof data === "object" && data !== null && !isArrayLike(data)) {
    return backend.perAnalysisData(data as PerAnalysisDataRecord);
  }
  const vector = data as NumericArray;
  if (!isArrayLike(vector)) {
    throw new InvalidInput(`${argument} must be an array of numbers; got ${describeValue(data)}.`);
  }
  // A copy (the caller may change its array later); the constructor copies array-likes and typed
  // arrays directly, where Float64Array.from walks an iterator (e.g. every toy's data).
  return finiteEntries(new Float64Array(vector as ArrayLike<number>), argument);
}

/**
 * A likelihood prescription wrapped with the inference a web page needs (spey's `StatisticalModel`
 * without the toy calculator and `chi2Test`): profile likelihoods, fits, Asimov data, samplers, σμ
 * from the Hessian, CLs with the asymptotic and χ² calculators, upper limits, significance, χ² and
 * pulls. `getBackend` of the lean entry `spey/simplified` builds these, so that a bundle of it
 * leaves the toy calculator and the profile-likelihood intervals out; {@link StatisticalModel}
 * (what `getBackend` of `spey` builds) is this class with both.
 *
 * Results never depend on call history: every fit starts from the model's suggested point (or
 * from this call's own best fit inside a hypothesis test).
 */
export class LeanStatisticalModel {
  declare readonly backend: BackendBase;
  declare analysis: string;
  declare xsection: number;
  /** Number of toys of the toy calculator (default 1000). */
  declare ntoys: number;
  /** The model as inference sees it; the hypothesis-test methods below delegate to it. */
  declare readonly profileLikelihood: ProfileLikelihood;
  readonly #tests: HypothesisTests;

  constructor(backend: BackendBase, options: StatisticalModelOptions = {}) {
    if (!backend || typeof backend.getLogpdfFunc !== "function" || typeof backend.config !== "function") {
      throw new PluginError("Invalid backend: expected an instance of a BackendBase subclass.");
    }
    this.backend = backend;
    this.analysis = options.analysis ?? "__unknown_analysis__";
    this.xsection = options.xsection ?? Number.NaN;
    this.ntoys = options.ntoys ?? 1000;
    this.profileLikelihood = this.#createProfileLikelihood();
    this.#tests = new HypothesisTests(this.profileLikelihood, this.toyCalculator());
  }

  /**
   * The toy calculator of this class (none here: {@link StatisticalModel} has it). Called once, by
   * the constructor.
   */
  protected toyCalculator(): ToyCalculator | undefined {
    return undefined;
  }

  /** The backend's accessor name (its static `name`). */
  get backendType(): string {
    return (this.backend.constructor as BackendClass).name;
  }

  /** The backend's parameter layout. */
  config(options?: ConfigOptions): ModelConfig {
    return this.backend.config(options);
  }

  get isAlive(): boolean {
    return this.backend.isAlive;
  }

  get isAsymptoticCalculatorAvailable(): boolean {
    return typeof this.backend.expectedData === "function";
  }

  get isToyCalculatorAvailable(): boolean {
    return typeof this.backend.getSampler === "function" && this.toyCalculator() !== undefined;
  }

  get isChiSquareCalculatorAvailable(): boolean {
    return true;
  }

  toString(): string {
    const xs = isNaNNumber(this.xsection) ? "" : `xsection=${this.xsection.toExponential(3)} [au], `;
    return `StatisticalModel(analysis='${this.analysis}', ${xs}backend=${this.backendType}, calculators=[${this.availableCalculators.map((c) => `'${c}'`).join(", ")}])`;
  }

  // ---------------------------------------------------------------------------------------------
  // Fits

  /**
   * A fit through the backend's fit hook: conditional when `fixed` holds the POI, else free (μ in
   * the bounds of `config`, the configuration of `allowNegativeSignal`).
   */
  #fit(
    fixed: ReadonlyMap<number, number>,
    expected: ExpectationType,
    data: Float64Array | undefined,
    controls: FitControls,
    config: ModelConfig,
    allowNegativeSignal?: boolean,
    dataLabel?: string,
  ): FitOutcome {
    return fitModel({
      backend: this.backend,
      backendFit: true,
      config,
      allowNegativeSignal,
      expected,
      data,
      dataLabel,
      fixed,
      initPars: controls.initPars,
      parBounds: controls.parBounds,
      optimiser: controls.optimiser,
    });
  }

  #resolveFixed(poiTest: number | ParameterValues | undefined, config: ModelConfig): Map<number, number> {
    const value = poiTest ?? 1;
    if (typeof value === "number" && !isFiniteNumber(value)) {
      throw new InvalidInput(`poiTest must be a finite number; got ${value}.`);
    }
    return config.resolvePoiIndices(value);
  }

  /**
   * Profile NLL at fixed POI(s) (spey's `likelihood`): −log L(μ, θ̂̂(μ)) with the nuisances fitted. With
   * `returnParameters` also the fitted parameter vector; with `returnNll: false` the likelihood.
   */
  likelihood(options: LikelihoodOptions & { returnParameters: true }): [number, number[]];
  likelihood(options?: LikelihoodOptions): number;
  likelihood(options: LikelihoodOptions = {}): number | [number, number[]] {
    const expected = toExpectation(options.expected);
    const config = this.backend.config();
    const fixed = this.#resolveFixed(options.poiTest, config);
    const out = this.#fit(fixed, expected, toVector(options.data, "data", this.backend), options, config);
    const value = options.returnNll === false ? exp(-out.nll) : out.nll;
    return options.returnParameters ? [value, Array.from(out.parameters)] : value;
  }

  /**
   * The unconditional fit (spey's `maximize_likelihood`): `[μ̂, NLL_min]`, or `[{name: value}, NLL_min]` with
   * `poiIndices`. μ̂ ≥ 0 when `allowNegativeSignal` is false; μ̂ ≤ 10 (spey's default bound).
   */
  maximizeLikelihood(
    options: MaximizeOptions & { poiIndices: readonly (string | number)[] },
  ): [Record<string, number>, number];
  maximizeLikelihood(options?: MaximizeOptions): [number, number];
  maximizeLikelihood(options: MaximizeOptions = {}): [number, number] | [Record<string, number>, number] {
    const expected = toExpectation(options.expected);
    const allowNegativeSignal = options.allowNegativeSignal ?? true;
    const config = this.backend.config({ allowNegativeSignal });
    const fixed =
      options.fixedPoiValue === undefined ? new Map<number, number>() : config.resolvePoiIndices(options.fixedPoiValue);
    const out = this.#fit(
      fixed,
      expected,
      toVector(options.data, "data", this.backend),
      options,
      config,
      allowNegativeSignal,
    );
    const nll = options.returnNll === false ? exp(-out.nll) : out.nll;
    if (options.poiIndices) {
      const values: Record<string, number> = {};
      for (const key of options.poiIndices) values[String(key)] = out.parameters[config.resolveIndex(key)] as number;
      return [values, nll];
    }
    return [out.parameters[config.poiIndex] as number, nll];
  }

  /**
   * The backend's expected data at `pars` (spey-pyhf's `expected_data(pars, include_auxiliary)`):
   * the main-measurement means, followed by the auxiliary data at `pars` unless
   * `includeAuxiliary` is false.
   */
  expectedData(pars: NumericArray, options: ExpectedDataOptions = {}): number[] {
    const f = this.#requireExpectedData();
    const config = this.backend.config();
    const x = toVector(pars, "pars") as Float64Array;
    if (x.length !== config.npar) {
      throw new InvalidInput(`pars has ${x.length} entries but the model has ${config.npar} parameters.`);
    }
    return Array.from(f(x, options));
  }

  #requireExpectedData(): (pars: Float64Array, options?: ExpectedDataOptions) => Float64Array {
    const f = this.backend.expectedData;
    if (typeof f !== "function") {
      throw new MethodNotAvailable(
        `${this.backendType} backend does not provide expectedData; Asimov data cannot be generated.`,
      );
    }
    return f.bind(this.backend);
  }

  #asimovDataFor(
    expected: ExpectationType,
    statistic: string | TestStatistic,
    extra: ParameterValues | undefined,
    controls: FitControls,
  ): { data: Float64Array; parameters: Float64Array; mu: number; nll: number } {
    const expectedData = this.#requireExpectedData();
    const t = testStatistic(statistic);
    const config = this.backend.config({ allowNegativeSignal: t.muhatMayBeNegative });
    const fixed = new Map<number, number>([[config.poiIndex, t.asimovMu]]);
    if (extra) for (const [k, v] of config.resolvePoiIndices(extra)) fixed.set(k, v);
    const fit = this.#fit(fixed, expected, undefined, controls, config);
    return { data: expectedData(fit.parameters), parameters: fit.parameters, mu: t.asimovMu, nll: fit.nll };
  }

  /**
   * Asimov data (spey's `generate_asimov_data`, arXiv:1007.1727 §5): the expected data, auxiliary measurements
   * included, at the conditional fit with μ = 0 (μ = 1 for "q0") to the data of `expected`.
   * The option is `testStatistic` (singular, as spey's keyword; `testStatistics` is accepted too).
   */
  generateAsimovData(options: AsimovOptions & { testStatistic?: string } = {}): number[] {
    const expected = toExpectation(options.expected);
    const testStatistic = options.testStatistic ?? options.testStatistics ?? "qtilde";
    return Array.from(this.#asimovDataFor(expected, testStatistic, options.poiTest, options).data);
  }

  /** Profile NLL at `poiTest` on the Asimov data (spey's `asimov_likelihood`). */
  asimovLikelihood(options: LikelihoodOptions & { testStatistics?: string } = {}): number {
    const expected = toExpectation(options.expected);
    const testStatistics = options.testStatistics ?? "qtilde";
    const config = this.backend.config();
    const fixed = this.#resolveFixed(options.poiTest, config);
    const { data } = this.#asimovDataFor(expected, testStatistics, undefined, options);
    const out = this.#fit(fixed, expected, data, options, config);
    return options.returnNll === false ? exp(-out.nll) : out.nll;
  }

  /** Unconditional fit on the Asimov data (spey's `maximize_asimov_likelihood`); μ̂_A ≥ 0 unless the statistic is qμ. */
  maximizeAsimovLikelihood(options: AsimovOptions & { returnNll?: boolean } = {}): [number, number] {
    const expected = toExpectation(options.expected);
    const testStatistics = options.testStatistics ?? "qtilde";
    const allowNegativeSignal = testStatistic(testStatistics).muhatMayBeNegative;
    const { data } = this.#asimovDataFor(expected, testStatistics, options.poiTest, options);
    const [muhat, nll] = this.maximizeLikelihood({
      ...options,
      expected,
      allowNegativeSignal,
      data,
      ...(options.poiTest ? { fixedPoiValue: withoutPoi(options.poiTest, this.backend.config()) } : {}),
    });
    return [muhat, nll];
  }

  // ---------------------------------------------------------------------------------------------
  // Hypothesis-test plumbing

  /** μ and the other fixed parameters of a `poiTest` (a number, or a record naming parameters). */
  #splitPoiTest(poiTest: number | ParameterValues | undefined): {
    mu: number;
    extra: ParameterValues | undefined;
  } {
    if (poiTest === undefined) return { mu: 1, extra: undefined };
    if (typeof poiTest === "number") {
      if (!isFiniteNumber(poiTest)) throw new InvalidInput(`poiTest must be a finite number; got ${poiTest}.`);
      return { mu: poiTest, extra: undefined };
    }
    const config = this.backend.config();
    const mu = config.resolvePoiIndices(poiTest).get(config.poiIndex) ?? 1;
    const extra = withoutPoi(poiTest, config);
    return { mu, extra: Object.keys(extra).length > 0 ? extra : undefined };
  }

  /** The `poiTest` of a likelihood call at μ with other parameters fixed. */
  #poiTestAt(mu: number, extra: ParameterValues | undefined): number | ParameterValues {
    return extra === undefined ? mu : { ...extra, [this.backend.config().poiIndex]: mu };
  }

  /** The {@link ProfileLikelihood} of this model (see `inference/profile-likelihood.ts`). */
  #createProfileLikelihood(): ProfileLikelihood {
    const sample: ProfileLikelihood["sample"] =
      typeof this.backend.getSampler === "function"
        ? (mu, s) =>
            this.fixedPoiSampler({
              poiTest: this.#poiTestAt(mu, s.extra),
              size: s.size,
              expected: s.expected,
              rng: s.rng,
            })
        : undefined;
    const methods: Omit<ProfileLikelihood, keyof LiveModelProperties> = {
      splitPoiTest: (poiTest) => this.#splitPoiTest(poiTest),
      maximize: (s) => {
        const [muhat, nll] = this.maximizeLikelihood({
          expected: s.expected,
          allowNegativeSignal: s.allowNegativeSignal,
          fixedPoiValue: s.extra,
          data: s.data,
          optimiser: s.optimiser,
        });
        return { muhat, nll };
      },
      nll: (mu, s) =>
        this.likelihood({
          poiTest: this.#poiTestAt(mu, s.extra),
          expected: s.expected,
          data: s.data,
          optimiser: s.optimiser,
        }),
      prepare: (s) => this.#prepareForHypotest(s),
      sigmaMu: (mu, s) => {
        try {
          return this.sigmaMuFromHessian({ poiTest: mu, expected: s.expected, optimiser: s.optimiser });
        } catch (error) {
          if (!(error instanceof MethodNotAvailable)) throw error;
          logDebug("Hessian implementation is not available for this backend, continuing with the approximate method.");
        }
        const [muhat, nll] = this.maximizeAsimovLikelihood({ expected: s.expected });
        const logpdf = (m: number) => -this.asimovLikelihood({ poiTest: m, expected: s.expected });
        return asimovSigmaMu(mu, { muhat, nll }, logpdf, QTILDE);
      },
      ...(sample ? { sample } : {}),
    };
    return Object.assign(new LiveModelProperties(this), methods);
  }

  /**
   * The fits of a hypothesis test through the public likelihood methods (spey's
   * `_prepare_for_hypotest`), for backends without `expectedData`: μ̂ ≥ 0 unless the statistic
   * allows negative μ̂, Asimov data at the statistic's μ, and the two profile log-likelihoods.
   */
  #prepareFromPublicFits(options: FitSettings & { readonly statistic: TestStatistic }): HypotestPreparation {
    const { expected, statistic, extra } = options;
    const opt = { optimiser: options.optimiser };
    const [muhat, nll] = this.maximizeLikelihood({
      expected,
      allowNegativeSignal: statistic.muhatMayBeNegative,
      fixedPoiValue: extra,
      ...opt,
    });
    const [muhatA, nllA] = this.maximizeAsimovLikelihood({ expected, testStatistics: statistic.name, ...opt });
    return {
      fit: { muhat, nll },
      logpdf: (mu) => -this.likelihood({ poiTest: this.#poiTestAt(mu, extra), expected, ...opt }),
      asimovFit: { muhat: muhatA, nll: nllA },
      asimovLogpdf: (mu) =>
        -this.asimovLikelihood({
          poiTest: this.#poiTestAt(mu, extra),
          expected,
          testStatistics: statistic.name,
          ...opt,
        }),
    };
  }

  /**
   * One call's fits, each computed once and only when used (expected-only results never fit the
   * data): the free fit; the Asimov data, from a conditional fit started at the free fit when that
   * exists; the Asimov free fit, started at the point that generated the Asimov data (its optimum
   * up to the auxiliary data); the profile likelihoods by continuation (see {@link profileByContinuation});
   * σ_A from the Hessian at the Asimov fit. Deterministic: no state survives the call.
   */
  #prepareForHypotest(options: FitSettings & { readonly statistic: TestStatistic }): HypotestPreparation {
    if (typeof this.backend.expectedData !== "function") return this.#prepareFromPublicFits(options);
    const { expected, statistic } = options;
    const testStatistics = statistic;
    const controls: FitControls = { optimiser: options.optimiser };
    const allowNegativeSignal = statistic.muhatMayBeNegative;
    const config = this.backend.config();
    const poi = config.poiIndex;
    const extraFixed = options.extra ? config.resolvePoiIndices(options.extra) : new Map<number, number>();
    const freeConfig = () => this.backend.config({ allowNegativeSignal });
    let fit: FitOutcome | undefined;
    const freeFit = (): FitOutcome => {
      fit ??= this.#fit(extraFixed, expected, undefined, controls, freeConfig(), allowNegativeSignal);
      return fit;
    };
    let asimov: { data: Float64Array; parameters: Float64Array; mu: number; nll: number; fit: FitOutcome } | undefined;
    const asimovOnce = () => {
      if (asimov) return asimov;
      const asimovFixed = new Map(extraFixed).set(poi, statistic.asimovMu);
      const from = fit ? this.#bestStart([fit.parameters], asimovFixed, expected, undefined) : undefined;
      const generated = this.#asimovDataFor(expected, testStatistics, options.extra, { ...controls, initPars: from });
      const start = this.#bestStart([generated.parameters], extraFixed, expected, generated.data);
      const asimovFit = this.#fit(
        extraFixed,
        expected,
        generated.data,
        { ...controls, initPars: start },
        freeConfig(),
        allowNegativeSignal,
        "the Asimov data",
      );
      asimov = { ...generated, fit: asimovFit };
      return asimov;
    };
    let logpdf: Profile | undefined;
    let asimovLogpdf: Profile | undefined;
    const observedProfile = () => {
      // The fit that generated the Asimov data is a point of this profile (μ = the Asimov μ, same
      // data and fixed parameters): known without a fit when the profile is asked there.
      logpdf ??= this.#profileByContinuation(
        expected,
        undefined,
        freeFit().parameters,
        extraFixed,
        controls,
        undefined,
        asimov ? [{ mu: asimov.mu, parameters: asimov.parameters, nll: asimov.nll }] : [],
      );
      return logpdf;
    };
    const asimovProfile = () => {
      const a = asimovOnce();
      asimovLogpdf ??= this.#profileByContinuation(
        expected,
        a.data,
        a.fit.parameters,
        extraFixed,
        controls,
        "the Asimov data",
      );
      return asimovLogpdf;
    };
    const slopes = typeof this.backend.getObjectiveFunction === "function";
    let sigmaA: number | undefined;
    const fits = new LazyFits(
      () => {
        const f = freeFit();
        return { muhat: f.parameters[poi] as number, nll: f.nll };
      },
      () => {
        const f = asimovOnce().fit;
        return { muhat: f.parameters[poi] as number, nll: f.nll };
      },
    );
    const rest: Omit<HypotestPreparation, keyof LazyFits> = {
      logpdf: (mu) => observedProfile().value(mu),
      asimovLogpdf: (mu) => asimovProfile().value(mu),
      ...(slopes
        ? {
            logpdfSlope: (mu: number) => observedProfile().slope(mu),
            asimovLogpdfSlope: (mu: number) => asimovProfile().slope(mu),
            slopeIsSubgradient: (mu: number, which: "data" | "asimov") =>
              this.backend.profileConvexInPoi?.() === true &&
              (which === "data" ? observedProfile() : asimovProfile()).smooth(mu),
            profileCurvature: (mu: number, which: "data" | "asimov") =>
              (which === "data" ? observedProfile() : asimovProfile()).curvature(mu),
          }
        : {}),
      // Once per preparation (a Hessian and its inverse): the combiner asks for it several times.
      asimovSigma: () => {
        if (sigmaA === undefined) {
          const a = asimovOnce();
          sigmaA = this.#sigmaFromHessianAt(a.fit.parameters, { expected, data: a.data }, extraFixed);
        }
        return sigmaA;
      },
    };
    return Object.assign(fits, rest);
  }

  /**
   * −profile NLL(μ) on one data set, by continuation: each conditional fit starts from the fitted
   * parameters of the μ evaluated so far nearest to the new one, moved along the secant of the two
   * nearest (a first-order predictor of θ̂̂(μ), kept inside the bounds and used only where log L is
   * finite), so that closely spaced evaluations (upper limits) converge in one or two Newton steps.
   * The slope d log L(μ, θ̂̂(μ))/dμ is ∂ log L/∂μ at the fitted point (the other partial derivatives
   * vanish there: envelope theorem). Every fit also runs the cold starts (fit/multistart.ts), except
   * for backends with a `profileColdStartRange` ρ: there a fit whose μ lies within a factor ρ of an
   * earlier fit of this profile that ran them continues warm only (cold starts again if it does not
   * converge). Which fits run them depends only on the order of μ asked of this profile, so results
   * stay a function of the call.
   */
  #profileByContinuation(
    expected: ExpectationType,
    data: Float64Array | undefined,
    start: Float64Array,
    extraFixed: ReadonlyMap<number, number>,
    controls: FitControls,
    dataLabel?: string,
    known: readonly { readonly mu: number; readonly parameters: Float64Array; readonly nll: number }[] = [],
  ): Profile {
    const config = this.backend.config();
    const poi = config.poiIndex;
    const n = config.npar;
    // created at the first fit (a profile with nothing to fit never needs one)
    let fitter: Fitter | undefined;
    const fitterOnce = (): Fitter =>
      (fitter ??= createFitter({
        backend: this.backend,
        backendFit: true,
        config,
        expected,
        data,
        optimiser: controls.optimiser,
        dataLabel,
      }));
    const likelihoodOptions = { expected, ...(data ? { data } : {}) };
    let logpdfAt: ((pars: Float64Array) => number) | undefined;
    // The start point (a free fit) seeds the continuation; fitted points are also reused as such.
    const visited: { mu: number; parameters: Float64Array; nll: number }[] = [
      { mu: start[poi] as number, parameters: start, nll: Number.NaN },
      ...known.filter((k) => isFiniteNumber(k.nll)),
    ];
    const fittedAt = (mu: number) => visited.find((v) => v.mu === mu && !isNaNNumber(v.nll));
    // The μ whose fit ran the cold starts, and the factor by which each covers its neighbours
    // (BackendBase.profileColdStartRange; by default every fit runs them).
    const range = this.backend.profileColdStartRange?.();
    const coldAt: number[] = [];
    const covered = (mu: number) =>
      range !== undefined &&
      range > 1 &&
      coldAt.some((c) => (c === mu ? true : c * mu > 0 && max(c / mu, mu / c) <= range));
    const fixed = new Map(extraFixed);
    // Every parameter but μ held fixed by the caller (e.g. the one-parameter default.poisson /
    // normal models): a profile point has nothing to fit, its value is log L at the fixed values —
    // exactly what the fitter returns for such a request, without its start search and set-up.
    // (Parameters the model fixes itself take their value from the start, so they go the general way.)
    let nothingToFit = !config.suggestedFixed?.some(Boolean);
    for (let i = 0; i < n && nothingToFit; i++) if (i !== poi && !extraFixed.has(i)) nothingToFit = false;
    let objective: ObjectiveFunction | undefined;
    let gradient: Float64Array | undefined;
    const value = (mu: number): number => {
      const seen = fittedAt(mu);
      if (seen) return -seen.nll;
      fixed.set(poi, mu);
      if (nothingToFit) {
        reportActivity("fit");
        logpdfAt ??= this.backend.getLogpdfFunc(likelihoodOptions);
        const parameters = zeros(n);
        for (const [k, v] of fixed) parameters[k] = v;
        const nll = -logpdfAt(parameters);
        visited.push({ mu, parameters, nll });
        return -nll;
      }
      let near = visited[0] as { mu: number; parameters: Float64Array };
      for (const v of visited) if (abs(v.mu - mu) < abs(near.mu - mu)) near = v;
      let second: { mu: number; parameters: Float64Array } | undefined;
      for (const v of visited) {
        if (v.mu !== near.mu && (second === undefined || abs(v.mu - mu) < abs(second.mu - mu))) second = v;
      }
      const candidates = [near.parameters];
      if (second && abs(mu - near.mu) <= abs(near.mu - second.mu)) {
        const t = (mu - near.mu) / (near.mu - second.mu);
        const predicted = zeros(n);
        for (let i = 0; i < n; i++) {
          const b = config.suggestedBounds[i] as readonly [number, number];
          const v =
            (near.parameters[i] as number) + t * ((near.parameters[i] as number) - (second.parameters[i] as number));
          predicted[i] = min(max(v, b[0]), b[1]);
        }
        candidates.unshift(predicted);
      }
      logpdfAt ??= this.backend.getLogpdfFunc(likelihoodOptions);
      const init = this.#bestStart(candidates, fixed, expected, data, logpdfAt);
      const warmOnly = init !== undefined && covered(mu);
      if (!warmOnly) coldAt.push(mu);
      const outcome = fitterOnce().fit(fixed, init, { coldStarts: warmOnly ? "if-needed" : "always" });
      visited.push({ mu, parameters: outcome.parameters, nll: outcome.nll });
      return -outcome.nll;
    };
    // the fitted point of μ (fitted first when new)
    const fitAt = (mu: number): { parameters: Float64Array } => {
      value(mu);
      return fittedAt(mu) as { parameters: Float64Array };
    };
    // slopes and curvatures once per μ (the combiner's step models and certificates ask again)
    const perMu = (f: (mu: number) => number) => {
      const known = new Map<number, number>();
      return (mu: number): number => {
        let v = known.get(mu);
        if (v === undefined) {
          v = f(mu);
          known.set(mu, v);
        }
        return v;
      };
    };
    const slope = perMu((mu) => {
      objective ??= (this.backend.getObjectiveFunction as (o: object) => ObjectiveFunction).call(
        this.backend,
        likelihoodOptions,
      );
      gradient ??= zeros(n);
      objective(fitAt(mu).parameters, gradient);
      return -(gradient[poi] as number);
    });
    const smooth = (mu: number): boolean =>
      typeof this.backend.smoothInPoiAt === "function" && this.backend.smoothInPoiAt(fitAt(mu).parameters);
    // (the backend's certificate is for its profile over every nuisance: none held fixed)
    const curvature = perMu(
      (mu) =>
        (extraFixed.size === 0
          ? this.backend.profileCurvatureAt?.(fitAt(mu).parameters, likelihoodOptions)
          : undefined) ?? Number.NaN,
    );
    return { value, slope, smooth, curvature };
  }

  /**
   * The start of a fit with `fixed` parameters: the candidate (fixed values set) with the largest
   * finite log L, or undefined when the suggested point is at least as good — a warm start from
   * another μ can sit where a yield vanishes, and the backend's own start is then safer.
   */
  #bestStart(
    candidates: readonly Float64Array[],
    fixed: ReadonlyMap<number, number>,
    expected: ExpectationType,
    data: Float64Array | undefined,
    logpdfAt?: (pars: Float64Array) => number,
  ): Float64Array | undefined {
    // Every parameter fixed (a conditional fit of a one-parameter model): all starts are the same point.
    const config = this.backend.config();
    if (fixed.size === config.npar && !config.suggestedFixed?.some(Boolean)) return undefined;
    const logpdf = logpdfAt ?? this.backend.getLogpdfFunc({ expected, ...(data ? { data } : {}) });
    const withFixed = (p: ArrayLike<number>) => {
      const x = copyOf(p);
      for (const [k, v] of fixed) x[k] = v;
      return x;
    };
    let bestValue = logpdf(withFixed(config.suggestedInit));
    if (!(bestValue > Number.NEGATIVE_INFINITY)) bestValue = Number.NEGATIVE_INFINITY;
    let best: Float64Array | undefined;
    for (const c of candidates) {
      const x = withFixed(c);
      const v = logpdf(x);
      if (v > bestValue) {
        best = x;
        bestValue = v;
      }
    }
    return best;
  }

  /**
   * √((−H)⁻¹)_{μμ} with H the Hessian of log L at `parameters` over the parameters that are not
   * fixed (the POI always included); NaN when −H is not positive definite, when there is no
   * Hessian, or above {@link HESSIAN_SIGMA_MAX_PARAMETERS} parameters.
   */
  #sigmaFromHessianAt(
    parameters: Float64Array,
    likelihoodOptions: { expected: ExpectationType; data?: Float64Array },
    extraFixed: ReadonlyMap<number, number>,
  ): number {
    const getHessian = this.backend.getHessianLogpdfFunc;
    const config = this.backend.config();
    // A dense Hessian and its factorisation cost O(n²) memory and O(n³) time: only a help to the
    // limit search, skipped for models whose fits never need one (e.g. 5,000 closed-form bins).
    if (typeof getHessian !== "function" || config.npar > HESSIAN_SIGMA_MAX_PARAMETERS) return Number.NaN;
    const hessian = getHessian.call(this.backend, likelihoodOptions)(parameters);
    return poiSigmaFromHessian(hessian, config, extraFixed) ?? Number.NaN;
  }

  // ---------------------------------------------------------------------------------------------
  // Hypothesis tests (delegated to inference/, which sees only the profile likelihood)

  /** Calculators available for this model, in spey's order. */
  get availableCalculators(): Calculator[] {
    const out: Calculator[] = [];
    if (this.isToyCalculatorAvailable) out.push("toy");
    if (this.isAsymptoticCalculatorAvailable) out.push("asymptotic");
    if (this.isChiSquareCalculatorAvailable) out.push("chi_square");
    return out;
  }

  /** 1 − CLs of μ = `poiTest` (spey's `exclusion_confidence_level`; see {@link HypothesisTests.exclusionConfidenceLevel}). */
  exclusionConfidenceLevel(options: ExclusionOptions & { expected: "all"; returnTailProbabilities: true }): {
    observed: ExclusionTailProbabilities;
    expected: ExclusionTailProbabilities;
  };
  exclusionConfidenceLevel(options: ExclusionOptions & { returnTailProbabilities: true }): ExclusionTailProbabilities;
  exclusionConfidenceLevel(options: ExclusionOptions & { expected: "all" }): [number[], number[]];
  exclusionConfidenceLevel(options?: ExclusionOptions): number[];
  exclusionConfidenceLevel(options: ExclusionOptions = {}): ExclusionResult {
    return this.#tests.exclusionConfidenceLevel(options);
  }

  /** Upper limit on μ (spey's `poi_upper_limit`; see {@link HypothesisTests.poiUpperLimit}). */
  poiUpperLimit(options?: UpperLimitOptions & { expectedPvalue?: "nominal" }): number;
  poiUpperLimit(options: UpperLimitOptions): number | number[];
  poiUpperLimit(options: UpperLimitOptions = {}): number | number[] {
    return this.#tests.poiUpperLimit(options);
  }

  /**
   * The observed upper limit and the expected ±1σ/±2σ limits from one preparation (spey's
   * `poi_upper_limit` observed and with `expected_pvalue="2sigma"`; see {@link HypothesisTests.poiUpperLimitWithBand}).
   */
  poiUpperLimitWithBand(options: UpperLimitOptions & { readonly expected?: "aposteriori" | "apriori" } = {}): {
    observed: number;
    expected: number[];
  } {
    return this.#tests.poiUpperLimitWithBand(options);
  }

  /** Discovery significance `[√q0,A, √q0, [p], [expected p]]` (spey's `significance`). */
  significance(options: SignificanceOptions = {}): [number, number, number[], number[]] {
    return this.#tests.significance(options);
  }

  /** σμ at `poiTest` (spey's `sigma_mu`): from the Hessian when available, else the Asimov approximation. */
  sigmaMu(options: SigmaMuOptions = {}): number {
    return this.#tests.sigmaMu(options);
  }

  /** χ²(μ) = 2 (NLL(μ) − NLL_den) (spey's `chi2`). */
  chi2(options: Chi2Options & { poiTest: readonly number[] }): number[];
  chi2(options?: Chi2Options & { poiTest?: number | ParameterValues }): number;
  chi2(options: Chi2Options & { poiTest?: number | ParameterValues | readonly number[] } = {}): number | number[] {
    return this.#tests.chi2(options as Chi2Options & { poiTest?: number | ParameterValues });
  }

  /** Signed square-root likelihood ratio (spey's `pull`). */
  pull(options: PullOptions = {}): number {
    return this.#tests.pull(options);
  }

  /**
   * Not part of the lean model: {@link StatisticalModel.chi2Test} (spey's `chi2_test`) is. Throws a
   * `MethodNotAvailable` that says how to get the intervals.
   */
  chi2Test(_options: Chi2TestOptions = {}): number[] {
    throw new MethodNotAvailable(
      `chi2Test is not part of LeanStatisticalModel (the models of getBackend from "spey/simplified", which leaves the profile-likelihood intervals out of bundles): call chi2Test(model, options), imported from "spey/simplified" or "spey", or build the model with getBackend from "spey".`,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Sampling, σμ, combination, cross sections

  /**
   * Pseudo-data at the conditional best fit for `poiTest` (spey's `fixed_poi_sampler`): `size` samples (each the
   * main data followed by the auxiliary data), or the sampler itself when `size` is omitted. The
   * samples are drawn from `rng`, by default the generator of the toy calculator seeded with `seed`
   * (default 0); a {@link LeanStatisticalModel}, which has no toy calculator, needs `rng` with `size`.
   */
  fixedPoiSampler(
    options: FixedPoiSamplerOptions & { size: number; rng?: RandomSource; seed?: number },
  ): Float64Array[];
  fixedPoiSampler(options: FixedPoiSamplerOptions): (size: number, rng: RandomSource) => Float64Array[];
  fixedPoiSampler(
    options: FixedPoiSamplerOptions & { size?: number; rng?: RandomSource; seed?: number },
  ): Float64Array[] | ((size: number, rng: RandomSource) => Float64Array[]) {
    const getSampler = this.backend.getSampler;
    if (typeof getSampler !== "function") {
      throw new MethodNotAvailable(`${this.backendType} backend does not have sampling capabilities`);
    }
    const toys = this.toyCalculator();
    if (options.size !== undefined && options.rng === undefined && toys === undefined) {
      throw new InvalidInput(
        `fixedPoiSampler with size needs rng on a LeanStatisticalModel (getBackend from "spey/simplified" leaves the default generator out of bundles): pass rng: new Random(seed), Random imported from "spey/simplified", or build the model with getBackend from "spey".`,
      );
    }
    const expected = toExpectation(options.expected);
    const config = this.backend.config();
    const fit = this.#fit(this.#resolveFixed(options.poiTest, config), expected, undefined, options, config);
    const sampler = getSampler.call(this.backend, fit.parameters);
    if (options.size === undefined) return sampler;
    if (!isInteger(options.size) || options.size < 0) {
      throw new InvalidInput(`size must be a non-negative integer; got ${options.size}.`);
    }
    return sampler(options.size, options.rng ?? (toys as ToyCalculator).generator(options.seed ?? 0));
  }

  /**
   * σμ from the observed Fisher information at the conditional fit (spey's `sigma_mu_from_hessian`):
   * √((−H)⁻¹)_{μμ} with H the Hessian of log L. NaN with a warning when −H is not positive definite.
   */
  sigmaMuFromHessian(options: FitControls & PoiTestOption & ExpectedOption = {}): number {
    const getHessian = this.backend.getHessianLogpdfFunc;
    if (typeof getHessian !== "function") {
      throw new MethodNotAvailable(`${this.backendType} backend does not have Hessian definition.`);
    }
    const expected = toExpectation(options.expected);
    const config = this.backend.config();
    const fit = this.#fit(this.#resolveFixed(options.poiTest, config), expected, undefined, options, config);
    const hessian = getHessian.call(this.backend, { expected })(fit.parameters);
    const sigma = poiSigmaFromHessian(hessian, config);
    if (sigma === undefined) {
      logWarning("sigmaMuFromHessian: the information matrix −H is not positive definite; returning NaN.");
      return Number.NaN;
    }
    return sigma;
  }

  /** Combine with another model through the backend's `combine` (spey's `@`). */
  combine(other: LeanStatisticalModel, options?: Record<string, unknown>): LeanStatisticalModel {
    if (typeof this.backend.combine !== "function") {
      throw new CombinerNotAvailable(`${this.backendType} backend does not have a combination routine.`);
    }
    const combined = this.backend.combine(other.backend, options);
    return this.withBackend(combined, { analysis: `combine[${this.analysis}, ${other.analysis}]` });
  }

  /** A model of this class on another backend (what {@link combine} returns). */
  protected withBackend(backend: BackendBase, options: StatisticalModelOptions): LeanStatisticalModel {
    return new LeanStatisticalModel(backend, options);
  }

  /** Excluded cross section: upper limit × `xsection` (spey's `excluded_cross_section`). */
  excludedCrossSection(options: ExpectedOption = {}): number {
    if (isNaNNumber(this.xsection)) {
      throw new UnknownCrossSection(
        "Cross-section value has not been initialised: pass `xsection` when building the model.",
      );
    }
    return this.poiUpperLimit({ expected: toExpectation(options.expected), confidenceLevel: 0.95 }) * this.xsection;
  }

  /** Observed excluded cross section. */
  get s95obs(): number {
    return this.excludedCrossSection({ expected: "observed" });
  }

  /** Expected (pre-fit) excluded cross section. */
  get s95exp(): number {
    return this.excludedCrossSection({ expected: "apriori" });
  }
}

/**
 * A likelihood prescription wrapped with the whole inference surface (spey's `StatisticalModel`):
 * everything of {@link LeanStatisticalModel} (fits, Asimov data, samplers, σμ, CLs, upper limits,
 * significance, χ², pulls) plus the toy calculator and `chi2Test`. `getBackend` of the main entry
 * `spey` builds these.
 */
export class StatisticalModel extends LeanStatisticalModel {
  protected override toyCalculator(): ToyCalculator {
    return TOY_CALCULATOR;
  }

  /** Profile-likelihood interval(s) of μ or of a nuisance parameter where 2ΔNLL = χ²₁.isf(1 − CL) (spey's `chi2_test`). */
  override chi2Test(options: Chi2TestOptions = {}): number[] {
    return chi2Test(this, options);
  }

  /** Combine with another model through the backend's `combine` (spey's `@`). */
  override combine(other: LeanStatisticalModel, options?: Record<string, unknown>): StatisticalModel {
    return super.combine(other, options) as StatisticalModel;
  }

  protected override withBackend(backend: BackendBase, options: StatisticalModelOptions): StatisticalModel {
    return new StatisticalModel(backend, options);
  }
}

/** Largest model for which σ_A is read off the Hessian (a few ms of dense algebra at most). */
const HESSIAN_SIGMA_MAX_PARAMETERS = 500;

/** A profile log-likelihood in μ and its slope (see `profileByContinuation`). */
interface Profile {
  value(mu: number): number;
  slope(mu: number): number;
  /** The backend's `smoothInPoiAt` at the fitted point of μ (false without that hook). */
  smooth(mu: number): boolean;
  /** The backend's `profileCurvatureAt` at the fitted point of μ (NaN without that certificate). */
  curvature(mu: number): number;
}

/**
 * √((−H)⁻¹)_{μμ} for the Hessian H of log L (row-major, npar × npar) over the parameters that are
 * free — not fixed by the model (`suggestedFixed`) nor in `fixed` — and the POI; undefined when −H
 * is not positive definite there.
 */
function poiSigmaFromHessian(
  hessian: Float64Array,
  config: ModelConfig,
  fixed?: ReadonlyMap<number, number>,
): number | undefined {
  const free: number[] = [];
  for (let i = 0; i < config.npar; i++) {
    if (i === config.poiIndex || (!config.suggestedFixed?.[i] && !fixed?.has(i))) free.push(i);
  }
  const m = free.length;
  const L = cholesky(subMatrix(hessian, config.npar, free, -1), m);
  if (!L) return undefined;
  const inverse = choleskyInverse(L, m);
  const p = free.indexOf(config.poiIndex);
  return sqrt(inverse[p * m + p] as number);
}

function withoutPoi(values: ParameterValues, config: ModelConfig): ParameterValues {
  const out: Record<number, number> = {};
  for (const [idx, v] of config.resolvePoiIndices(values)) if (idx !== config.poiIndex) out[idx] = v;
  return out;
}
