import {
  AsymptoticTestStatisticsDistribution,
  EmpiricalTestStatisticsDistribution,
  expectedPvalues,
  pvalues,
} from "./distributions.js";
import { QTILDE, type TestStatistic, testStatistic } from "./test-statistics.js";
import { max, min } from "../core/describe.js";

/**
 * Asymptotic CLs (arXiv:1007.1727 eqs. 59, 65–66; spey's `compute_asymptotic_confidence_level`). With the s+b distribution shifted
 * by −√q_{μ,A} and the b-only one unshifted:
 * observed p_{s+b} = Φ(−√q_{μ,A} − Δ), p_b = Φ(−Δ); expected CLs(n) = Φ(−√q_{μ,A} − n)/Φ(−n) for
 * n = 2, 1, 0, −1, −2. Returns `[[observed], [five expected]]`: CLs values, or p_{s+b} for "q0".
 */
export function computeAsymptoticConfidenceLevel(
  sqrtQmuA: number,
  deltaTestStatistic: number,
  statistic: string | TestStatistic = QTILDE,
): [number[], number[]] {
  const sb = new AsymptoticTestStatisticsDistribution(-sqrtQmuA);
  const b = new AsymptoticTestStatisticsDistribution(0);
  const [psb, , cls] = pvalues(deltaTestStatistic, sb, b);
  const [expPsb, , expCls] = expectedPvalues(sb, b);
  return testStatistic(statistic).reports === "pvalue" ? [[psb], expPsb] : [[cls], expCls];
}

/**
 * Toy-based CLs (spey's toy calculator): empirical distributions of the test statistic under s+b and b-only
 * pseudo-experiments; expected values at background percentiles 100·Φ(n).
 */
export function computeToyConfidenceLevel(
  signalSamples: ArrayLike<number>,
  backgroundSamples: ArrayLike<number>,
  observedStatistic: number,
  statistic: string | TestStatistic = QTILDE,
): [number[], number[]] {
  const sb = new EmpiricalTestStatisticsDistribution(signalSamples);
  const b = new EmpiricalTestStatisticsDistribution(backgroundSamples);
  const [psb, , cls] = pvalues(observedStatistic, sb, b);
  const [expPsb, , expCls] = expectedPvalues(sb, b);
  const clip = (x: number) => min(1, max(0, x));
  return testStatistic(statistic).reports === "pvalue"
    ? [[clip(psb)], expPsb.map(clip)]
    : [[clip(cls)], expCls.map(clip)];
}

/** CLs, CLs+b and CLb of one hypothesis test: one value observed, five expected (nσ = 2 … −2). */
export interface TailProbabilities {
  /** CLs = CLs+b / CLb (Read, J. Phys. G 28 (2002) 2693). */
  readonly cls: number[];
  /** CLs+b: p-value of the signal-plus-background hypothesis. */
  readonly clsb: number[];
  /** CLb: p-value of the background-only hypothesis at the same observed statistic. */
  readonly clb: number[];
}

/**
 * The asymptotic tail probabilities behind {@link computeAsymptoticConfidenceLevel}
 * (arXiv:1007.1727 eqs. 59, 65–66): observed CLs+b = Φ(−√q_{μ,A} − Δ), CLb = Φ(−Δ); expected at the
 * background quantiles n: CLs+b = Φ(−√q_{μ,A} − n), CLb = Φ(−n) (pyhf's `return_tail_probs`).
 */
export function computeAsymptoticTailProbabilities(
  sqrtQmuA: number,
  deltaTestStatistic: number,
): { observed: TailProbabilities; expected: TailProbabilities } {
  const sb = new AsymptoticTestStatisticsDistribution(-sqrtQmuA);
  const b = new AsymptoticTestStatisticsDistribution(0);
  const [psb, pb, cls] = pvalues(deltaTestStatistic, sb, b);
  const [expPsb, expPb, expCls] = expectedPvalues(sb, b);
  return { observed: { cls: [cls], clsb: [psb], clb: [pb] }, expected: { cls: expCls, clsb: expPsb, clb: expPb } };
}

/** The toy-based tail probabilities behind {@link computeToyConfidenceLevel} (spey's toy calculator), clipped to [0, 1]. */
export function computeToyTailProbabilities(
  signalSamples: ArrayLike<number>,
  backgroundSamples: ArrayLike<number>,
  testStatistic: number,
): { observed: TailProbabilities; expected: TailProbabilities } {
  const sb = new EmpiricalTestStatisticsDistribution(signalSamples);
  const b = new EmpiricalTestStatisticsDistribution(backgroundSamples);
  const [psb, pb, cls] = pvalues(testStatistic, sb, b);
  const [expPsb, expPb, expCls] = expectedPvalues(sb, b);
  const clip = (x: number) => min(1, max(0, x));
  return {
    observed: { cls: [clip(cls)], clsb: [clip(psb)], clb: [clip(pb)] },
    expected: { cls: expCls.map(clip), clsb: expPsb.map(clip), clb: expPb.map(clip) },
  };
}
