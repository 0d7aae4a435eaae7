import type { NumericArray } from "../plugin/types.js";
import type { ParameterValues } from "../config/model-config.js";
import { AnalysisQueryError, InvalidInput, NegativeExpectedYields } from "../core/errors.js";
import { type ExpectationType, toExpectation } from "../core/expectation.js";
import {
  type BaseLikelihoodOptions,
  type BaseMaximizeOptions,
  type HypotestPreparation,
  HypothesisTestingBase,
  type OptimiserOptions,
} from "../inference/hypothesis-testing-base.js";
import { canonicalTestStatistic } from "../inference/test-statistics.js";
import { log } from "../core/logger.js";
import { minimizeScalarBounded } from "../optimize/minimize-scalar.js";
import type { MinimizeOptions } from "../optimize/types.js";
import { StatisticalModel } from "./statistical-model.js";
import { maxOf } from "../core/arrays.js";

/** Per-analysis data: analysis name → data vector. */
export type CombinedData = Readonly<Record<string, NumericArray>>;

export interface CombinerLikelihoodOptions extends OptimiserOptions {
  readonly poiTest?: number;
  readonly expected?: ExpectationType;
  readonly returnNll?: boolean;
  /** Data per analysis; analyses not listed use their own data. */
  readonly data?: CombinedData;
}

export interface CombinerMaximizeOptions extends OptimiserOptions {
  readonly expected?: ExpectationType;
  readonly allowNegativeSignal?: boolean;
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

/** Tolerance of the one-dimensional fit of μ (Brent's bounded method). */
const MU_XATOL = 1e-10;

/**
 * Combination of statistically independent analyses that share only the signal strength μ
 * (spec §17): NLL(μ) = Σ_k NLL_k(μ, θ̂̂_k(μ)), each analysis profiling its own nuisances. A container
 * (append, remove, lookup by analysis name or index, iteration) with the whole hypothesis-testing
 * surface (asymptotic and χ² calculators; toys are not available, as in spey).
 */
export class UnCorrStatisticsCombiner extends HypothesisTestingBase implements Iterable<StatisticalModel> {
  private readonly models: StatisticalModel[] = [];

  constructor(...models: StatisticalModel[]) {
    super();
    for (const m of models) this.append(m);
  }

  /** Add a model; its `analysis` must be new. */
  append(model: StatisticalModel): void {
    if (!(model instanceof StatisticalModel)) {
      throw new InvalidInput(
        `Can not append type ${typeof model}: UnCorrStatisticsCombiner holds StatisticalModel instances.`,
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
  get(key: number | string): StatisticalModel {
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
  get statisticalModels(): readonly StatisticalModel[] {
    return [...this.models];
  }

  /** Analysis names, in order. */
  get analyses(): string[] {
    return this.models.map((m) => m.analysis);
  }

  get length(): number {
    return this.models.length;
  }

  [Symbol.iterator](): Iterator<StatisticalModel> {
    return this.models[Symbol.iterator]();
  }

  /** `[analysis, model]` pairs. */
  *items(): IterableIterator<[string, StatisticalModel]> {
    for (const m of this.models) yield [m.analysis, m];
  }

  /** A new combiner with these models plus `other` (a model, or all models of another combiner). */
  combine(other: StatisticalModel | UnCorrStatisticsCombiner): UnCorrStatisticsCombiner {
    const extra = other instanceof UnCorrStatisticsCombiner ? other.statisticalModels : [other];
    if (!(other instanceof UnCorrStatisticsCombiner) && !(other instanceof StatisticalModel)) {
      throw new InvalidInput(`Can not combine type ${typeof other} with UnCorrStatisticsCombiner.`);
    }
    return new UnCorrStatisticsCombiner(...this.models, ...extra);
  }

  /** The model with the strongest expected (pre-fit) excluded cross section; needs `xsection` on every model. */
  findMostSensitive(): StatisticalModel {
    let best: StatisticalModel | undefined;
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

  /** Σ_k of the profile NLLs at μ = poiTest (spec §17.2). */
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
  generateAsimovData(options: { expected?: ExpectationType; testStatistic?: string } = {}): Record<string, number[]> {
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
  ): [number, number] {
    const f = (mu: number) => this.sumNll(mu, expected, data, optimiser);
    const r = minimizeScalarBounded(f, lower, upper, { xatol: MU_XATOL });
    if (!r.converged) log.warning(`UnCorrStatisticsCombiner: the fit of μ did not converge in [${lower}, ${upper}].`);
    // Brent's bounded method never evaluates the end points: check them for boundary optima.
    let best: [number, number] = [r.x, r.fun];
    for (const edge of [lower, upper]) {
      if (!Number.isFinite(edge)) continue;
      const v = f(edge);
      if (v < best[1]) best = [edge, v];
    }
    return best;
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
    const init = options.initialMuhatValue ?? this.initialMuhat(expected, options.optimiser);
    const [lower, upper] = options.parBounds ?? [allow ? this.minimumPoi : 0, Math.max(10, init)];
    const [muhat, nll] = this.fitMu(
      expected,
      options.data as CombinedData | undefined,
      lower,
      upper,
      options.optimiser,
    );
    return [poiOutput(muhat, options.poiIndices), options.returnNll === false ? Math.exp(-nll) : nll] as
      | [number, number]
      | [Record<string, number>, number];
  }

  /** The combined fit on the Asimov data of `testStatistics` (μ̂_A ≥ 0 unless the statistic is qμ). */
  maximizeAsimovLikelihood(
    options: OptimiserOptions & {
      expected?: ExpectationType;
      testStatistics?: string;
      returnNll?: boolean;
      poiIndices: readonly (string | number)[];
    },
  ): [Record<string, number>, number];
  maximizeAsimovLikelihood(
    options?: OptimiserOptions & { expected?: ExpectationType; testStatistics?: string; returnNll?: boolean },
  ): [number, number];
  maximizeAsimovLikelihood(
    options: OptimiserOptions & {
      expected?: ExpectationType;
      testStatistics?: string;
      returnNll?: boolean;
      poiIndices?: readonly (string | number)[];
    } = {},
  ): [number, number] | [Record<string, number>, number] {
    this.requireModels();
    const expected = toExpectation(options.expected);
    const testStatistics = options.testStatistics ?? "qtilde";
    const allow = canonicalTestStatistic(testStatistics) === "q";
    const data = this.generateAsimovData({ expected, testStatistic: testStatistics });
    const [muhat, nll] = this.fitMu(expected, data, allow ? this.minimumPoi : 0, 10, options.optimiser);
    return [poiOutput(muhat, options.poiIndices), options.returnNll === false ? Math.exp(-nll) : nll] as
      | [number, number]
      | [Record<string, number>, number];
  }

  /** Asimov data generated once per hypothesis test instead of once per evaluation. */
  protected override prepareForHypotest(options: {
    expected: ExpectationType;
    testStatistics: string;
    extra?: ParameterValues | undefined;
    optimiser?: MinimizeOptions | undefined;
  }): HypotestPreparation {
    this.requireModels();
    if (options.extra) throw new InvalidInput("poiTest records are not supported by UnCorrStatisticsCombiner.");
    const { expected, testStatistics, optimiser } = options;
    const allow = canonicalTestStatistic(testStatistics) === "q";
    const opt = optimiser ? { optimiser } : {};
    const [muhat, nll] = this.maximizeLikelihood({ expected, allowNegativeSignal: allow, ...opt });
    const asimov = this.generateAsimovData({ expected, testStatistic: testStatistics });
    const [muhatA, nllA] = this.fitMu(expected, asimov, allow ? this.minimumPoi : 0, 10, optimiser);
    return {
      fit: { muhat, nll },
      logpdf: (mu) => -this.sumNll(mu, expected, undefined, optimiser),
      asimovFit: { muhat: muhatA, nll: nllA },
      asimovLogpdf: (mu) => -this.sumNll(mu, expected, asimov, optimiser),
    };
  }
}
