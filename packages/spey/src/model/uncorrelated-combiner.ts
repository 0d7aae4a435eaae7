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
import { logWarning } from "../core/logger.js";
import { minimizeSumByBrent, minimizeSummedProfile, type SummedProfile } from "../fit/poi-global-minimum.js";
import type { MinimizeOptions } from "../optimize/types.js";
import { LeanStatisticalModel } from "./statistical-model.js";
import { maxOf } from "../core/arrays.js";
import { isArray, isFiniteNumber, isInteger, abs, max, min, sqrt, exp } from "../core/describe.js";
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
  if (!isArray(poiIndices)) {
    throw new InvalidInput('poiIndices must be an array of parameter names or indices, e.g. ["mu"].');
  }
  return Object.fromEntries(poiIndices.map((k) => [String(k), muhat]));
}

/**
 * Whether a member's own μ̂ lies inside its bounds of μ (a stationary point of its profile: slope
 * 0 there) and apart from μ, so that the two points carry a model of the profile between them.
 */
function anchoredApart(muhat: number, [lower, upper]: readonly [number, number], mu: number): boolean {
  return muhat > lower && muhat < upper && abs(muhat - mu) > 1e-6 * max(1, abs(muhat));
}

/** Whether a member's profile is certified convex in μ (its backend's `profileConvexInPoi`). */
function convexInPoi(model: LeanStatisticalModel): boolean {
  return model.backend.profileConvexInPoi?.() === true;
}

/**
 * Combination of statistically independent analyses that share only the signal strength μ
 * (spey's `UnCorrStatisticsCombiner`): NLL(μ) = Σ_k NLL_k(μ, θ̂̂_k(μ)), each analysis profiling its own nuisances. A container
 * (append, remove, lookup by analysis name or index, iteration) with the whole hypothesis-testing
 * surface (asymptotic and χ² calculators; toys are not available, as in spey).
 */
export class UnCorrStatisticsCombiner implements Iterable<LeanStatisticalModel> {
  readonly #models: LeanStatisticalModel[] = [];

  /** Number of toys (the combination has no toy calculator, as in spey; kept for the interface). */
  ntoys = 1000;
  /** The combination as inference sees it; the hypothesis-test methods delegate to it. */
  readonly profileLikelihood: ProfileLikelihood = this.#createProfileLikelihood();
  readonly #tests = new HypothesisTests(this.profileLikelihood);

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
    if (this.#models.some((m) => m.analysis === model.analysis)) {
      throw new AnalysisQueryError(`${model.analysis} already exists. Give each analysis a unique name.`);
    }
    this.#models.push(model);
  }

  /** Remove the model of an analysis. */
  remove(analysis: string): void {
    const i = this.#models.findIndex((m) => m.analysis === analysis);
    if (i < 0) throw new AnalysisQueryError(`'${analysis}' is not among the analyses.`);
    this.#models.splice(i, 1);
  }

  /** The model at an index (negative counts from the end) or of an analysis name. */
  get(key: number | string): LeanStatisticalModel {
    if (typeof key === "string") {
      const m = this.#models.find((x) => x.analysis === key);
      if (!m) throw new AnalysisQueryError(`'${key}' is not among the analyses.`);
      return m;
    }
    const idx = key < 0 ? this.#models.length + key : key;
    const m = this.#models[idx];
    if (!isInteger(key) || !m) throw new AnalysisQueryError("Request exceeds number of statistical models available.");
    return m;
  }

  /** The models (a copy). */
  get statisticalModels(): readonly LeanStatisticalModel[] {
    return [...this.#models];
  }

  /** Analysis names, in order. */
  get analyses(): string[] {
    return this.#models.map((m) => m.analysis);
  }

  get length(): number {
    return this.#models.length;
  }

  [Symbol.iterator](): Iterator<LeanStatisticalModel> {
    return this.#models[Symbol.iterator]();
  }

  /** `[analysis, model]` pairs. */
  *items(): IterableIterator<[string, LeanStatisticalModel]> {
    for (const m of this.#models) yield [m.analysis, m];
  }

  /** A new combiner with these models plus `other` (a model, or all models of another combiner). */
  combine(other: LeanStatisticalModel | UnCorrStatisticsCombiner): UnCorrStatisticsCombiner {
    const extra = other instanceof UnCorrStatisticsCombiner ? other.statisticalModels : [other];
    if (!(other instanceof UnCorrStatisticsCombiner) && !(other instanceof LeanStatisticalModel)) {
      throw new InvalidInput(`Can not combine type ${typeof other} with UnCorrStatisticsCombiner.`);
    }
    return new UnCorrStatisticsCombiner(...this.#models, ...extra);
  }

  /** The model with the strongest expected (pre-fit) excluded cross section; needs `xsection` on every model. */
  findMostSensitive(): LeanStatisticalModel {
    let best: LeanStatisticalModel | undefined;
    let bestValue = Number.POSITIVE_INFINITY;
    for (const m of this.#models) {
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
    return maxOf(this.#models.map((m) => m.config().minimumPoi));
  }

  get isAlive(): boolean {
    return this.#models.some((m) => m.isAlive);
  }

  get isAsymptoticCalculatorAvailable(): boolean {
    return this.#models.length > 0 && this.#models.every((m) => m.isAsymptoticCalculatorAvailable);
  }

  get isToyCalculatorAvailable(): boolean {
    return false;
  }

  get isChiSquareCalculatorAvailable(): boolean {
    return this.#models.length > 0 && this.#models.every((m) => m.isChiSquareCalculatorAvailable);
  }

  /** Whether every member's profile is convex in μ (its backend's `profileConvexInPoi`). */
  #membersConvex(): boolean {
    return this.#models.every(convexInPoi);
  }

  /**
   * Each member's bounds of μ in its own free fit (none known without `membersMuhatMayBeNegative`:
   * then no μ̂_k counts as inside them).
   */
  #memberBounds(membersMuhatMayBeNegative: boolean | undefined): (readonly [number, number])[] {
    const none = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY] as const;
    return this.#models.map((m) => {
      if (membersMuhatMayBeNegative === undefined) return none;
      const config = m.config({ allowNegativeSignal: membersMuhatMayBeNegative });
      return config.suggestedBounds[config.poiIndex] ?? none;
    });
  }

  #requireModels(): void {
    if (this.#models.length === 0) throw new AnalysisQueryError("The combiner holds no analyses; append models first.");
  }

  #sumNll(mu: number, expected: ExpectationType, data: CombinedData | undefined, optimiser?: MinimizeOptions): number {
    let total = 0;
    for (const m of this.#models) {
      const d = data?.[m.analysis];
      try {
        total += m.likelihood({
          poiTest: mu,
          expected,
          ...(d ? { data: d } : {}),
          optimiser,
        });
      } catch (error) {
        if (!(error instanceof NegativeExpectedYields)) throw error;
        logWarning(`${error.message}\nSetting NLL(${mu.toFixed(3)}) = nan`);
        return Number.NaN;
      }
    }
    return total;
  }

  /** Σ_k of the profile NLLs at μ = poiTest (spey's `UnCorrStatisticsCombiner.likelihood`). */
  likelihood(options: CombinerLikelihoodOptions & BaseLikelihoodOptions = {}): number {
    this.#requireModels();
    const poiTest = options.poiTest ?? 1;
    if (typeof poiTest !== "number")
      throw new InvalidInput("poiTest of a combiner must be a number (μ is the only shared parameter).");
    const nll = this.#sumNll(
      poiTest,
      toExpectation(options.expected),
      options.data as CombinedData | undefined,
      options.optimiser,
    );
    return options.returnNll === false ? exp(-nll) : nll;
  }

  /** Asimov data of every analysis (analysis → data). */
  generateAsimovData(options: ExpectedOption & { testStatistic?: string } = {}): Record<string, number[]> {
    this.#requireModels();
    const out: Record<string, number[]> = {};
    for (const m of this.#models) {
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

  #fitMu(
    expected: ExpectationType,
    data: CombinedData | undefined,
    lower: number,
    upper: number,
    optimiser: MinimizeOptions | undefined,
    init: number,
  ): [number, number] {
    const f = (mu: number) => this.#sumNll(mu, expected, data, optimiser);
    return minimizeSumByBrent(f, lower, upper, optimiser, [init], [], this.#membersConvex());
  }

  #initialMuhat(expected: ExpectationType, optimiser: MinimizeOptions | undefined): number {
    try {
      let num = 0;
      let den = 0;
      for (const m of this.#models) {
        const [muhat] = m.maximizeLikelihood({ expected, optimiser });
        const sigma = m.sigmaMu({ poiTest: muhat, expected });
        num += muhat / (sigma * sigma);
        den += 1 / (sigma * sigma);
      }
      const v = num / den;
      return isFiniteNumber(v) ? v : 0;
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
    this.#requireModels();
    if (options.fixedPoiValue !== undefined) {
      throw new InvalidInput("fixedPoiValue is not supported by UnCorrStatisticsCombiner: μ is its only parameter.");
    }
    const expected = toExpectation(options.expected);
    const allow = options.allowNegativeSignal ?? true;
    if (options.data === undefined) {
      // The members' own profiles (their μ̂ unbounded below, as spey's start value).
      const preparations = this.#memberPreparations(expected, QMU, options.optimiser);
      const [muhat, nll] = this.#combinedFit(
        preparations,
        allow,
        options.initialMuhatValue,
        options.parBounds,
        options.optimiser,
        QMU.muhatMayBeNegative,
      );
      return [poiOutput(muhat, options.poiIndices), options.returnNll === false ? exp(-nll) : nll] as
        | [number, number]
        | [Record<string, number>, number];
    }
    const init = options.initialMuhatValue ?? this.#initialMuhat(expected, options.optimiser);
    const [lower, upper] = options.parBounds ?? [allow ? this.minimumPoi : 0, max(10, init)];
    const [muhat, nll] = this.#fitMu(
      expected,
      options.data as CombinedData | undefined,
      lower,
      upper,
      options.optimiser,
      init,
    );
    return [poiOutput(muhat, options.poiIndices), options.returnNll === false ? exp(-nll) : nll] as
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
    this.#requireModels();
    const expected = toExpectation(options.expected);
    const statistic = testStatistic(options.testStatistics ?? "qtilde");
    const preparations = this.#memberPreparations(expected, statistic, options.optimiser);
    const [muhat, nll] = this.#combinedAsimovFit(preparations, statistic.muhatMayBeNegative, options.optimiser);
    return [poiOutput(muhat, options.poiIndices), options.returnNll === false ? exp(-nll) : nll] as
      | [number, number]
      | [Record<string, number>, number];
  }

  /**
   * Σ_k of the members' profiles, each member's own hypothesis-test preparation: its fits start
   * where its previous ones ended (continuation along μ), its Asimov data are generated once, and
   * its slopes come from its analytic gradient. A member raising NegativeExpectedYields makes the
   * sum NaN, with spey's warning.
   */
  #summed(
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
          logWarning(`${error.message}\nSetting NLL(${mu.toFixed(3)}) = nan`);
          return Number.NaN;
        }
      }
      return total;
    };
    // member k's profile on these data: −p_k, its free fit, −p_k′ (when it has slopes)
    const data = which === "data";
    const logpdf = (p: HypotestPreparation, mu: number) => (data ? p.logpdf(mu) : p.asimovLogpdf(mu));
    const fitOf = (p: HypotestPreparation) => (data ? p.fit : p.asimovFit);
    const slopeOf = (p: HypotestPreparation) => (data ? p.logpdfSlope : p.asimovLogpdfSlope);
    const hasSlopes = preparations.every(slopeOf);
    // The bounds of μ in the members' own free fits (their μ̂_k is an interior minimum between them).
    let muBounds: (readonly [number, number])[] | undefined;
    const boundsOf = (k: number): readonly [number, number] => {
      muBounds ??= this.#memberBounds(membersMuhatMayBeNegative);
      return muBounds[k] as readonly [number, number];
    };
    const sigmas = () => preparations.map((p) => p.asimovSigma?.() ?? Number.NaN);
    return {
      nll: (mu) => guard(mu, (p) => -logpdf(p, mu)),
      slope: hasSlopes ? (mu) => guard(mu, (p) => -(slopeOf(p) as (m: number) => number)(mu)) : undefined,
      convex: this.#membersConvex(),
      subgradientAt: preparations.every((p) => p.slopeIsSubgradient)
        ? (mu: number) =>
            preparations.every((p) => (p.slopeIsSubgradient as (m: number, w: "data" | "asimov") => boolean)(mu, which))
        : undefined,
      split: (lower: number, upper: number, sigmas: readonly number[]) => {
        const convex = this.#models.map(convexInPoi);
        if (membersMuhatMayBeNegative === undefined || convex.every(Boolean) || !convex.some(Boolean)) return undefined;
        let floor = 0;
        let curvature = 0;
        preparations.forEach((p, k) => {
          if (convex[k]) {
            curvature += sigmas[k]! ** -2;
          } else {
            floor += fitOf(p).nll;
            // the member's free fit bounds its profile only within its own bounds of μ
            const [a, b] = boundsOf(k);
            if (a > lower || b < upper) floor = Number.NaN;
          }
        });
        return {
          convexNll: (mu: number) => guard(mu, (p, k) => (convex[k] ? -logpdf(p, mu) : 0)),
          floor,
          curvature,
        };
      },
      localCurvatures: (mu: number) => {
        // p_k″ of every member, each certified twice differentiable at μ (a subgradient alone is
        // not enough: its certificate, no rate at the floor, is read with a margin that a fit stopped
        // next to a floor kink can pass, and its slope is then not a one-sided derivative)
        const out = preparations.map((p) => p.profileCurvature?.(mu, which) ?? Number.NaN);
        return out.every(isFiniteNumber) ? out : undefined;
      },
      anchors: () => preparations.map((p) => fitOf(p).muhat),
      sigmas,
      information: () => sigmas().reduce((total, sigma) => total + 1 / (sigma * sigma), 0),
      curvatureAt: hasSlopes
        ? (mu: number) => {
            // the summed slope modelled as g + Hδ + Cδ² (δ = ν − μ): member k contributes its
            // slope gₖ and its own p″ where it certifies one, with the δ² term that makes the
            // model vanish at its own μ̂ₖ (a cubic profile through both points), else the secant
            // to μ̂ₖ (linear through both), else 1/σ_A²; returned as the curvature whose Newton
            // step is the model's root nearest μ
            let g = 0;
            let total = 0;
            let c = 0;
            preparations.forEach((p, k) => {
              const anchor = fitOf(p).muhat;
              const gk = -(slopeOf(p) as (m: number) => number)(mu);
              const d = anchor - mu;
              const anchored = anchoredApart(anchor, boundsOf(k), mu);
              let h = p.profileCurvature?.(mu, which) ?? Number.NaN;
              if (h > 0 && anchored) c -= (gk + h * d) / (d * d);
              if (!(h > 0) && anchored) h = -gk / d;
              if (!(h > 0 && isFiniteNumber(h))) {
                const sigma = p.asimovSigma?.() ?? Number.NaN;
                h = 1 / (sigma * sigma);
              }
              g += gk;
              total += h;
            });
            const discriminant = total * total - 4 * c * g;
            return discriminant >= 0 && isFiniteNumber(c) ? 0.5 * (total + sqrt(discriminant)) : total;
          }
        : undefined,
    };
  }

  /** Each member's hypothesis-test preparation for `statistic` (fits made on first use). */
  #memberPreparations(
    expected: ExpectationType,
    statistic: TestStatistic,
    optimiser: MinimizeOptions | undefined,
  ): HypotestPreparation[] {
    return this.#models.map((m) => m.profileLikelihood.prepare({ expected, statistic, optimiser }));
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
  #weightedMuhat(preparations: readonly HypotestPreparation[], asimovMu?: number): number {
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
      if (!(w > 0 && isFiniteNumber(w))) {
        const sigma = p.asimovSigma?.() ?? Number.NaN;
        w = isFiniteNumber(sigma) && sigma > 0 ? 1 / (sigma * sigma) : 1;
      }
      num += w * muhat;
      den += w;
    }
    const v = num / den;
    return isFiniteNumber(v) ? v : 0;
  }

  /**
   * The combined free fit on the members' data (spey's `maximize_likelihood` bounds: μ ≥ the
   * members' largest lower bound when negative signals are allowed, else ≥ 0; μ ≤ max(10, start)).
   */
  #combinedFit(
    preparations: readonly HypotestPreparation[],
    allowNegativeSignal: boolean,
    start: number | undefined,
    bounds: readonly [number, number] | undefined,
    optimiser: MinimizeOptions | undefined,
    membersMuhatMayBeNegative: boolean,
    asimovMu?: number,
    profile: SummedProfile = this.#summed(preparations, "data", membersMuhatMayBeNegative),
  ): [number, number] {
    const init = start ?? this.#weightedMuhat(preparations, asimovMu);
    const [lower, upper] = bounds ?? [allowNegativeSignal ? this.minimumPoi : 0, max(10, init)];
    const from =
      start === undefined && asimovMu !== undefined
        ? this.#hermiteStart(preparations, asimovMu, init, lower, upper, membersMuhatMayBeNegative)
        : init;
    return minimizeSummedProfile(profile, lower, upper, from, optimiser);
  }

  /**
   * The start of a hypothesis test's combined fit, within 1e-4σ (mostly 2e-5σ) of the combined μ̂ on the
   * reference combinations (the weighted mean: ~1e-4–1e-2σ), so that each member is fitted once
   * (minimizeSummedProfile ends at the start's Newton point): the minimum, by Newton's method from
   * `start` on [lower, upper], of Σ_k q_k, q_k member k's Hermite interpolant in t = μ − μ_A
   * through the two points of its profile the test has fitted already — its free fit (p_k(μ̂_k),
   * p_k′ = 0: μ̂_k inside its own bounds) and the fit at μ_A that generated its Asimov data (p_k,
   * p_k′, and p_k″ where the member certifies it: a quartic, else a cubic; where μ̂_k lies on a
   * bound of μ, whose slope is then unknown, or at μ_A, the quadratic at μ_A). `start` when a
   * member lacks those points or the model has no minimum there.
   */
  #hermiteStart(
    preparations: readonly HypotestPreparation[],
    asimovMu: number,
    start: number,
    lower: number,
    upper: number,
    membersMuhatMayBeNegative: boolean,
  ): number {
    const bounds = this.#memberBounds(membersMuhatMayBeNegative);
    // Σ_k q_k(μ_A + t) = const + c1·t + c2·t² + c3·t³ + c4·t⁴
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    let c4 = 0;
    for (let k = 0; k < preparations.length; k++) {
      const p = preparations[k] as HypotestPreparation;
      if (!p.logpdfSlope) return start;
      const a = p.fit.muhat;
      const d = a - asimovMu;
      const g = -p.logpdfSlope(asimovMu);
      const h = p.profileCurvature?.(asimovMu, "data") ?? Number.NaN;
      const curved = h > 0 && isFiniteNumber(h);
      // q_k(a) − p_k(μ_A) − g·d: what the terms beyond the first order must make up at a
      let r = p.fit.nll + p.logpdf(asimovMu) - g * d;
      const d3 = d * d * d;
      if (!anchoredApart(a, bounds[k] as readonly [number, number], asimovMu)) {
        // μ̂_k on a bound of μ (its slope there unknown) or at μ_A: the quadratic at μ_A
        if (!curved) return start;
        c2 += 0.5 * h;
      } else if (curved) {
        // q = p + g·t + h·t²/2 + u·t³ + w·t⁴ with q(d) = p_k(μ̂_k), q′(d) = 0
        r -= 0.5 * h * d * d;
        const w = (-(g + h * d) - (3 * r) / d) / d3;
        c2 += 0.5 * h;
        c3 += r / d3 - w * d;
        c4 += w;
      } else {
        // q = p + g·t + v·t² + u·t³ with the same two conditions
        const u = (-g - (2 * r) / d) / (d * d);
        c2 += r / (d * d) - u * d;
        c3 += u;
      }
      c1 += g;
    }
    let t = start - asimovMu;
    for (let i = 0; i < 50; i++) {
      const curvature = 2 * c2 + t * (6 * c3 + 12 * c4 * t);
      if (!(curvature > 0)) return start;
      const next = min(
        max(t - (c1 + t * (2 * c2 + t * (3 * c3 + 4 * c4 * t))) / curvature, lower - asimovMu),
        upper - asimovMu,
      );
      if (abs(next - t) <= 1e-14 * max(1, abs(next + asimovMu))) return next + asimovMu;
      t = next;
    }
    return start;
  }

  /**
   * The combined free fit on the members' Asimov data. When every member's own Asimov fit found the
   * same μ̂_A (the Asimov μ, as Asimov data reproduce their generating point), the sum is minimal
   * there too: no further fit.
   */
  #combinedAsimovFit(
    preparations: readonly HypotestPreparation[],
    allowNegativeSignal: boolean,
    optimiser: MinimizeOptions | undefined,
    profile?: SummedProfile,
  ): [number, number] {
    const lower = allowNegativeSignal ? this.minimumPoi : 0;
    const fits = preparations.map((p) => p.asimovFit);
    const first = (fits[0] as { muhat: number }).muhat;
    if (fits.every((f) => abs(f.muhat - first) <= 1e-12 * max(1, abs(first))) && first >= lower && first <= 10) {
      return [first, fits.reduce((total, f) => total + f.nll, 0)];
    }
    return minimizeSummedProfile(
      profile ?? this.#summed(preparations, "asimov", allowNegativeSignal),
      lower,
      10,
      first,
      optimiser,
    );
  }

  /**
   * The fits of one hypothesis test, on the members' own preparations (see {@link summed}): the
   * combined μ̂ by Newton on the summed slopes, the combined Asimov profile as the sum of the members'
   * (independent analyses: the joint conditional fit at the Asimov μ is each member's), σ_A from the
   * members' Fisher informations, which add.
   */
  #prepareForHypotest(options: FitSettings & { readonly statistic: TestStatistic }): HypotestPreparation {
    this.#requireModels();
    if (options.extra) throw new InvalidInput("poiTest records are not supported by UnCorrStatisticsCombiner.");
    const { expected, statistic, optimiser } = options;
    const allow = statistic.muhatMayBeNegative;
    const preparations = this.#memberPreparations(expected, statistic, optimiser);
    // one summed profile per data set, for the test's profile values and for its free fit
    const data = this.#summed(preparations, "data", allow);
    const asimov = this.#summed(preparations, "asimov", allow);
    const fits = new LazyFits(
      () => {
        const [muhat, nll] = this.#combinedFit(
          preparations,
          allow,
          undefined,
          undefined,
          optimiser,
          allow,
          statistic.asimovMu,
          data,
        );
        return { muhat, nll };
      },
      () => {
        const [muhat, nll] = this.#combinedAsimovFit(preparations, allow, optimiser, asimov);
        return { muhat, nll };
      },
    );
    const rest: Omit<HypotestPreparation, keyof LazyFits> = {
      logpdf: (mu) => -data.nll(mu),
      asimovLogpdf: (mu) => -asimov.nll(mu),
      asimovSigma: () => 1 / sqrt(asimov.information()),
      ...(data.slope ? { logpdfSlope: (mu: number) => -(data.slope as (m: number) => number)(mu) } : {}),
      ...(asimov.slope ? { asimovLogpdfSlope: (mu: number) => -(asimov.slope as (m: number) => number)(mu) } : {}),
    };
    return Object.assign(fits, rest);
  }

  /** The combination as inference sees it: the sum of the analyses' profile NLLs in μ. */
  #createProfileLikelihood(): ProfileLikelihood {
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
          if (!isFiniteNumber(poiTest)) throw new InvalidInput(`poiTest must be a finite number; got ${poiTest}.`);
          return { mu: poiTest, extra: undefined };
        }
        throw new InvalidInput("poiTest records are only supported by single statistical models; pass a number.");
      },
      maximize: (s) => {
        noData(s);
        const [muhat, nll] = this.maximizeLikelihood({
          expected: s.expected,
          allowNegativeSignal: s.allowNegativeSignal,
          optimiser: s.optimiser,
        });
        return { muhat, nll };
      },
      nll: (mu, s) => {
        noData(s);
        return this.likelihood({
          poiTest: mu,
          expected: s.expected,
          optimiser: s.optimiser,
        });
      },
      prepare: (s) => this.#prepareForHypotest(s),
      sigmaMu: (mu, s) => {
        const prep = this.#prepareForHypotest({ expected: s.expected, statistic: QTILDE, optimiser: s.optimiser });
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
    return this.#tests.exclusionConfidenceLevel(options);
  }

  /** Upper limit on μ (spey's `poi_upper_limit`). */
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

  /** σμ at `poiTest` from the Asimov data (spey's `sigma_mu`; the combination has no Hessian). */
  sigmaMu(options: SigmaMuOptions = {}): number {
    return this.#tests.sigmaMu(options);
  }

  /** χ²(μ) = 2 (NLL(μ) − NLL_den) (spey's `chi2`). */
  chi2(options: Chi2Options & { poiTest: readonly number[] }): number[];
  chi2(options?: Chi2Options & { poiTest?: number }): number;
  chi2(options: Chi2Options & { poiTest?: number | readonly number[] } = {}): number | number[] {
    return this.#tests.chi2(options as Chi2Options & { poiTest?: number });
  }

  /** Signed square-root likelihood ratio (spey's `pull`). */
  pull(options: PullOptions = {}): number {
    return this.#tests.pull(options);
  }

  /** Profile-likelihood interval(s) of μ where 2ΔNLL = χ²₁.isf(1 − CL) (spey's `chi2_test`). */
  chi2Test(options: Chi2TestOptions = {}): number[] {
    return chi2Test(this, options);
  }
}
