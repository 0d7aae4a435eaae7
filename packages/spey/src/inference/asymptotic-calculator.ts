import {
  AsymptoticTestStatisticsDistribution,
  EmpiricalTestStatisticsDistribution,
  expectedPvalues,
  pvalues,
} from "./distributions.js";

/**
 * Asymptotic CLs (arXiv:1007.1727 eqs. 59, 65–66; spec §9.5). With the s+b distribution shifted
 * by −√q_{μ,A} and the b-only one unshifted:
 * observed p_{s+b} = Φ(−√q_{μ,A} − Δ), p_b = Φ(−Δ); expected CLs(n) = Φ(−√q_{μ,A} − n)/Φ(−n) for
 * n = 2, 1, 0, −1, −2. Returns `[[observed], [five expected]]`: CLs values, or p_{s+b} for "q0".
 */
export function computeAsymptoticConfidenceLevel(
  sqrtQmuA: number,
  deltaTestStatistic: number,
  testStatistic = "qtilde",
): [number[], number[]] {
  const sb = new AsymptoticTestStatisticsDistribution(-sqrtQmuA);
  const b = new AsymptoticTestStatisticsDistribution(0);
  const [psb, , cls] = pvalues(deltaTestStatistic, sb, b);
  const [expPsb, , expCls] = expectedPvalues(sb, b);
  return testStatistic === "q0" ? [[psb], expPsb] : [[cls], expCls];
}

/**
 * Toy-based CLs (spec §9.6): empirical distributions of the test statistic under s+b and b-only
 * pseudo-experiments; expected values at background percentiles 100·Φ(n).
 */
export function computeToyConfidenceLevel(
  signalSamples: ArrayLike<number>,
  backgroundSamples: ArrayLike<number>,
  testStatistic: number,
  testStatisticName = "qtilde",
): [number[], number[]] {
  const sb = new EmpiricalTestStatisticsDistribution(signalSamples);
  const b = new EmpiricalTestStatisticsDistribution(backgroundSamples);
  const [psb, , cls] = pvalues(testStatistic, sb, b);
  const [expPsb, , expCls] = expectedPvalues(sb, b);
  const clip = (x: number) => Math.min(1, Math.max(0, x));
  return testStatisticName === "q0" ? [[clip(psb)], expPsb.map(clip)] : [[clip(cls)], expCls.map(clip)];
}
