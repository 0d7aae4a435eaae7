/**
 * The two results every front end shows — CLs with its expected band, and the observed upper limit
 * with its ±1σ/±2σ band — as named objects, computed once here for the command line, the batch
 * runner, the plots and the browser app.
 */
import { describeValue, isArray } from "../core/describe.js";
import { InvalidInput } from "../core/errors.js";
import { toConfidenceLevel } from "../core/expectation.js";
import type { Calculator } from "../inference/hypothesis-testing-base.js";
import type { AllowNegativeSignalOption } from "../config/model-config.js";
import type { MinimizeOptions, OptimiserOptions } from "../optimize/types.js";

/** The part of `exclusionConfidenceLevel({returnTailProbabilities: true})` a summary reads. */
interface ClsTails {
  readonly cls: number[];
}

/** Labels of the five expected values, in the library's order. */
export const EXPECTED_BAND = ["−2σ", "−1σ", "median", "+1σ", "+2σ"] as const;

/** Which expected band: post-fit ("aposteriori", spey's default for bands) or pre-fit ("apriori"). */
export type ExpectedBandType = "aposteriori" | "apriori";

/** What {@link clsSummary} and {@link limitSummary} need of a model (a `StatisticalModel` or a combiner). */
export interface SummaryModel {
  exclusionConfidenceLevel(options: {
    poiTest: number;
    expected: "all" | ExpectedBandType;
    calculator: Calculator;
    ntoys?: number;
    seed?: number;
    optimiser?: MinimizeOptions;
    allowNegativeSignal?: boolean;
    onProgress?: (done: number, total: number) => void;
    returnTailProbabilities?: boolean;
  }): number[] | [number[], number[]] | ClsTails | { observed: ClsTails; expected: ClsTails };
  poiUpperLimit(options: {
    expected: "observed" | ExpectedBandType;
    confidenceLevel: number;
    expectedPvalue?: "2sigma";
    calculator?: "asymptotic" | "toy";
    ntoys?: number;
    seed?: number;
    optimiser?: MinimizeOptions;
    signal?: AbortSignal;
    onProgress?: (done: number, total: number) => void;
  }): number | number[];
  /** Both limits of {@link limitSummary} from one preparation, when the model has it. */
  poiUpperLimitWithBand?(options: {
    expected: ExpectedBandType;
    confidenceLevel: number;
    calculator?: "asymptotic" | "toy";
    ntoys?: number;
    seed?: number;
    optimiser?: MinimizeOptions;
    signal?: AbortSignal;
    onProgress?: (done: number, total: number) => void;
  }): { observed: number; expected: number[] };
}

/** Options of {@link clsSummary}. */
export interface ClsSummaryOptions extends OptimiserOptions, AllowNegativeSignalOption {
  /** Tested signal strength μ (default 1). */
  readonly poiTest?: number;
  /** The expected band (default "aposteriori"). */
  readonly expected?: ExpectedBandType;
  /** "asymptotic" (default), "chi_square" or "toy". */
  readonly calculator?: Calculator;
  /** Toys per hypothesis with the toy calculator (default: the model's `ntoys`, 1000 unless set). */
  readonly ntoys?: number;
  /** Seed of the toys (default 0). */
  readonly seed?: number;
  /** The confidence level deciding {@link ClsSummary.excluded} (default 0.95). */
  readonly confidenceLevel?: number;
  // allowNegativeSignal: qμ with μ̂ free instead of q̃μ with μ̂ ≥ 0 (pyhf's `test_stat="q"`; default false)
  /** Toy progress: called after each toy with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** CLs of one hypothesis (CLs, not the 1 − CLs that `exclusionConfidenceLevel` returns). */
export interface ClsSummary {
  readonly poiTest: number;
  readonly calculator: Calculator;
  /** Toy settings, with the toy calculator (`ntoys` when given). */
  readonly ntoys?: number;
  readonly seed?: number;
  readonly expectedType: ExpectedBandType;
  /** Observed CLs. */
  readonly observed: number;
  /** Expected CLs, one value per entry of {@link EXPECTED_BAND}. */
  readonly expected: number[];
  readonly confidenceLevel: number;
  /** Observed CLs < 1 − confidenceLevel. */
  readonly excluded: boolean;
}

/** Options of {@link limitSummary}. */
export interface LimitSummaryOptions extends OptimiserOptions {
  /** Confidence level of the limit (default 0.95). */
  readonly confidenceLevel?: number;
  /** The expected band (default "aposteriori"). */
  readonly expected?: ExpectedBandType;
  /** "asymptotic" (default) or "toy" (every tested μ reuses the seed). */
  readonly calculator?: "asymptotic" | "toy";
  readonly ntoys?: number;
  readonly seed?: number;
  /** Stops the limit search between its CLs evaluations (throws the signal's reason). */
  readonly signal?: AbortSignal;
  /** Toy progress: called after each toy of each tested μ with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** An upper limit on μ with its expected band. */
export interface LimitSummary {
  readonly confidenceLevel: number;
  readonly calculator: "asymptotic" | "toy";
  readonly ntoys?: number;
  readonly seed?: number;
  readonly expectedType: ExpectedBandType;
  /** Observed upper limit (+∞ when the model sets none). */
  readonly observed: number;
  /** Expected upper limits, one per entry of {@link EXPECTED_BAND}. */
  readonly expected: number[];
}

function bandType(value: unknown): ExpectedBandType {
  const band = value ?? "aposteriori";
  if (band !== "aposteriori" && band !== "apriori") {
    throw new InvalidInput(`expected must be "aposteriori" or "apriori"; got ${describeValue(value)}.`);
  }
  return band;
}

/**
 * CLs values of one `exclusionConfidenceLevel` result: its tail probabilities' CLs, or — from a
 * {@link SummaryModel} that does not return tail probabilities — 1 minus its 1 − CLs values.
 */
function clsOf(result: number[] | ClsTails): number[] {
  return isArray(result) ? result.map((v) => 1 - v) : result.cls;
}

/**
 * CLs at μ = `poiTest`, observed and with the expected band (spey's `exclusion_confidence_level`
 * turned into CLs): arXiv:1007.1727 eqs. 59, 65–66 with the asymptotic calculator.
 */
export function clsSummary(model: SummaryModel, options: ClsSummaryOptions = {}): ClsSummary {
  const poiTest = options.poiTest ?? 1;
  const calculator = options.calculator ?? "asymptotic";
  const expectedType = bandType(options.expected);
  const confidenceLevel = toConfidenceLevel(options.confidenceLevel);
  // Toys: the seed defaults to 0; without `ntoys` the model's own `ntoys` applies.
  const toys = calculator === "toy" ? { ntoys: options.ntoys, seed: options.seed ?? 0 } : {};
  const common = {
    poiTest,
    calculator,
    ...toys,
    optimiser: options.optimiser,
    ...(options.allowNegativeSignal ? { allowNegativeSignal: true } : {}),
    onProgress: calculator === "toy" ? options.onProgress : undefined,
  };
  // CLs itself, not 1 − (1 − CLs): below ~1e-16 the difference of 1 and 1 − CLs is rounding
  // (CLs = 1.1e-16 or 0 where the true value is 1e-20).
  const all = model.exclusionConfidenceLevel({ ...common, expected: "all", returnTailProbabilities: true }) as
    | [number[], number[]]
    | { observed: ClsTails; expected: ClsTails };
  const [observed, posterior] = isArray(all) ? [clsOf(all[0]), clsOf(all[1])] : [all.observed.cls, all.expected.cls];
  const expected =
    expectedType === "apriori"
      ? clsOf(
          model.exclusionConfidenceLevel({ ...common, expected: "apriori", returnTailProbabilities: true }) as
            | number[]
            | ClsTails,
        )
      : posterior;
  const observedCls = observed[0] as number;
  return {
    poiTest,
    calculator,
    ...toys,
    expectedType,
    observed: observedCls,
    expected,
    confidenceLevel,
    excluded: observedCls < 1 - confidenceLevel,
  };
}

/**
 * The observed upper limit on μ and the five expected limits (spey's `poi_upper_limit` with
 * `expected_pvalue="2sigma"`): the μ where CLs = 1 − confidenceLevel.
 */
export function limitSummary(model: SummaryModel, options: LimitSummaryOptions = {}): LimitSummary {
  const confidenceLevel = toConfidenceLevel(options.confidenceLevel);
  const expectedType = bandType(options.expected);
  const calculator = options.calculator ?? "asymptotic";
  // Toys: the seed defaults to 0; without `ntoys` the model's own `ntoys` applies.
  const toys = calculator === "toy" ? { ntoys: options.ntoys, seed: options.seed ?? 0 } : {};
  const common = {
    confidenceLevel,
    ...(calculator === "toy" ? { calculator, ...toys } : {}),
    optimiser: options.optimiser,
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: calculator === "toy" ? options.onProgress : undefined,
  };
  // One preparation for both searches where the model offers it (the band's search then continues
  // from the profile points of the observed one); two separate searches otherwise.
  const { observed, expected } = model.poiUpperLimitWithBand
    ? model.poiUpperLimitWithBand({ ...common, expected: expectedType })
    : {
        observed: model.poiUpperLimit({ ...common, expected: "observed" }) as number,
        expected: model.poiUpperLimit({ ...common, expected: expectedType, expectedPvalue: "2sigma" }) as number[],
      };
  return { confidenceLevel, calculator, ...toys, expectedType, observed, expected };
}
