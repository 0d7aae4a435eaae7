/**
 * What inference needs of a model, and nothing more — the analogue of the pdf-plus-data pair that
 * pyhf's `infer/calculators.py` works on. `StatisticalModel` and the uncorrelated combiner each
 * provide one; the calculators, upper limits and intervals never see the model itself.
 */
import type { ParameterValues } from "../config/model-config.js";
import type { ExpectationType } from "../core/expectation.js";
import type { RandomSource } from "../math/random.js";
import type { MinimizeOptions } from "../optimize/types.js";
import type { TestStatistic } from "./test-statistics.js";
import { sqrt } from "../core/describe.js";

/** Calculators of `exclusionConfidenceLevel`. */
export type Calculator = "asymptotic" | "toy" | "chi_square";

/** The result of an unconditional fit: μ̂ and the minimum NLL. */
export interface MaximumLikelihood {
  readonly muhat: number;
  readonly nll: number;
}

/**
 * Everything a hypothesis test needs, computed once per call (spey's `_prepare_for_hypotest`):
 * the free fit and the profile on the data, and the same on the Asimov data of the statistic.
 * Implementations may compute each on first access: expected-only results never read `fit`.
 */
export interface HypotestPreparation {
  /** Unconditional fit on the data of the expectation type. */
  readonly fit: MaximumLikelihood;
  /** −profile NLL(μ) on those data. */
  readonly logpdf: (mu: number) => number;
  /** Unconditional fit on the Asimov data. */
  readonly asimovFit: MaximumLikelihood;
  /** −profile NLL(μ) on the Asimov data. */
  readonly asimovLogpdf: (mu: number) => number;
  /**
   * σ of μ on the Asimov data from the inverse Hessian at the Asimov fit (no refit), when the model
   * has a Hessian: the scale of the upper-limit search (arXiv:1007.1727 eq. 31).
   */
  readonly asimovSigma?: () => number;
  /** d logpdf/dμ, when the model has analytic gradients (∂ log L/∂μ at the profile point). */
  readonly logpdfSlope?: (mu: number) => number;
  /** d asimovLogpdf/dμ, likewise. */
  readonly asimovLogpdfSlope?: (mu: number) => number;
  /**
   * True only when the profile (on the data or the Asimov data) is convex in μ and its slope at μ
   * is a subgradient there (the backend's `profileConvexInPoi` and `smoothInPoiAt`): then
   * logpdf(ν) ≤ logpdf(μ) + slope(μ)(ν − μ) for every ν, which the uncorrelated combiner uses to
   * certify its combined minimum without extra fits.
   */
  readonly slopeIsSubgradient?: (mu: number, which: "data" | "asimov") => boolean;
  /**
   * p″(μ) of the profile NLL (on the data or the Asimov data) when the backend certifies it twice
   * continuously differentiable at μ (`profileCurvatureAt`), NaN otherwise: the uncorrelated
   * combiner then confirms a stationary point of its summed slopes as a local minimum without
   * fits beside it.
   */
  readonly profileCurvature?: (mu: number, which: "data" | "asimov") => number;
}

/** The data and settings of a fit. */
export interface FitSettings {
  /** Which data: observed, or the pre-fit background expectation ("apriori"). */
  readonly expected: ExpectationType;
  /** Explicit data (a pseudo-experiment); wins over `expected`'s data. */
  readonly data?: Float64Array | undefined;
  /** Parameters other than μ held fixed through the fit (a record `poiTest` of a single model). */
  readonly extra?: ParameterValues | undefined;
  /** Minimiser settings. */
  readonly optimiser?: MinimizeOptions | undefined;
}

/**
 * A profile likelihood in the signal strength μ: the free fit, the profile NLL at fixed μ, the
 * fits of one hypothesis test, σμ and (optionally) pseudo-experiments.
 */
export interface ProfileLikelihood {
  /** False when the model has no signal: limits are +∞. */
  readonly isAlive: boolean;
  /** The calculators the model supports, in spey's order. */
  readonly calculators: readonly Calculator[];
  /** Default number of toys of the toy calculator. */
  readonly ntoys: number;
  /** μ and the other fixed parameters of a `poiTest` (a number, or a record of a single model). */
  splitPoiTest(poiTest: number | ParameterValues | undefined): { mu: number; extra: ParameterValues | undefined };
  /** The unconditional fit (μ̂ ≥ the model's lower μ bound when `allowNegativeSignal`, else ≥ 0). */
  maximize(settings: FitSettings & { readonly allowNegativeSignal: boolean }): MaximumLikelihood;
  /** The profile NLL at μ (the other free parameters fitted). */
  nll(mu: number, settings: FitSettings): number;
  /** The fits of a hypothesis test with `statistic` (which decides μ̂'s sign and the Asimov μ). */
  prepare(settings: FitSettings & { readonly statistic: TestStatistic }): HypotestPreparation;
  /** σμ at μ: from the Hessian when the model has one, else the Asimov approximation. */
  sigmaMu(mu: number, settings: { expected: ExpectationType; optimiser?: MinimizeOptions | undefined }): number;
  /** `size` pseudo-experiments at the conditional fit for μ (absent: no toy calculator). */
  sample?(mu: number, settings: FitSettings & { readonly size: number; readonly rng: RandomSource }): Float64Array[];
}

/**
 * σμ from the Asimov data alone, μ/√q_{μ,A} (spey's approximation, arXiv:1007.1727 eq. 31 with
 * μ' = 0), for models without a Hessian: `asimovFit` and `asimovLogpdf` are the free fit and the
 * profile log-likelihood on the Asimov data of q̃μ.
 */
export function asimovSigmaMu(
  mu: number,
  asimovFit: MaximumLikelihood,
  asimovLogpdf: (mu: number) => number,
  statistic: TestStatistic,
): number {
  const qA = statistic.evaluate(mu, asimovFit.muhat, -asimovFit.nll, asimovLogpdf);
  return qA <= 0 ? 1 : mu / sqrt(qA);
}
