import { ComputationError, InvalidInput } from "../core/errors.js";
import type { StatisticalModel } from "../model/statistical-model.js";
import { clsSummary, limitSummary } from "../io/summaries.js";
import type { BrazilBandData, LikelihoodScanData } from "./types.js";
import { maxOf } from "../core/arrays.js";
import { min } from "../core/describe.js";

/** The part of a statistical model the scans use. */
export type ScanModel = Pick<
  StatisticalModel,
  "exclusionConfidenceLevel" | "chi2" | "maximizeLikelihood" | "poiUpperLimit"
>;

/** Options of the scans. */
export interface ScanOptions {
  /** Expected band: post-fit ("aposteriori", default) or pre-fit ("apriori"). */
  readonly expected?: "aposteriori" | "apriori";
  readonly calculator?: "asymptotic" | "chi_square" | "toy";
  readonly confidenceLevel?: number;
}

/** `n` evenly spaced values from `start` to `stop` inclusive. */
export function muGrid(start: number, stop: number, n: number): number[] {
  if (!(Number.isInteger(n) && n >= 2))
    throw new InvalidInput(`the number of scan points must be an integer ≥ 2; got ${n}.`);
  if (!(Number.isFinite(start) && Number.isFinite(stop) && stop > start)) {
    throw new InvalidInput(`the scan range must satisfy start < stop (finite); got ${start}…${stop}.`);
  }
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? stop : start + ((stop - start) * i) / (n - 1)));
}

/**
 * A μ range that shows the whole exclusion curve: from 0 to 1.6 × the weakest of the observed
 * and +2σ expected upper limits. Throws when the model sets no finite limit.
 */
export function suggestMuRange(model: ScanModel, options: ScanOptions = {}): [number, number] {
  const confidenceLevel = options.confidenceLevel ?? 0.95;
  const { observed, expected: band } = limitSummary(model, {
    confidenceLevel,
    expected: options.expected ?? "aposteriori",
  });
  const finite = [observed, ...band].filter((x) => Number.isFinite(x) && x > 0);
  if (finite.length === 0) {
    throw new ComputationError(
      "the model sets no finite upper limit on μ, so no scan range can be chosen; give one explicitly.",
    );
  }
  return [0, 1.6 * maxOf(finite)];
}

/** CLs (not 1 − CLs) observed and expected at each μ: the data of the Brazil-band plot. */
export function brazilBandData(
  model: ScanModel,
  poiValues: readonly number[],
  options: ScanOptions = {},
): BrazilBandData {
  const calculator = options.calculator ?? "asymptotic";
  const observed: number[] = [];
  const expected: number[][] = [];
  for (const mu of poiValues) {
    const summary = clsSummary(model, { poiTest: mu, calculator, expected: options.expected ?? "aposteriori" });
    requireFinite([mu], [summary.observed, ...summary.expected], "CLs");
    observed.push(summary.observed);
    expected.push(summary.expected);
  }
  return { poiValues: [...poiValues], observed, expected, confidenceLevel: options.confidenceLevel ?? 0.95 };
}

/**
 * Δ(−2 ln L) = 2(NLL(μ) − NLL(μ̂)) at each μ, μ̂ the global best fit (negative values allowed),
 * on the observed and on the pre-fit expected data.
 */
export function likelihoodScanData(model: ScanModel, poiValues: readonly number[]): LikelihoodScanData {
  const mus = [...poiValues];
  const observed = model.chi2({ poiTest: mus, allowNegativeSignal: true });
  const expected = model.chi2({ poiTest: mus, expected: "apriori", allowNegativeSignal: true });
  const [muHat] = model.maximizeLikelihood({ allowNegativeSignal: true });
  requireFinite(mus, observed, "Δ(−2 ln L) on the observed data");
  requireFinite(mus, expected, "Δ(−2 ln L) on the expected data");
  return { poiValues: mus, observed, expected, muHat };
}

/** A scan value that is not a number is an error naming μ, never a point of a plot. */
function requireFinite(mus: readonly number[], values: readonly number[], what: string): void {
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) {
      const mu = mus[min(i, mus.length - 1)];
      throw new ComputationError(
        `${what} is ${v} at μ = ${mu}: the likelihood cannot be evaluated there; scan a range where μ·s stays on the model's scale.`,
      );
    }
  });
}
