import { AsimovTestStatZero, UnknownTestStatistics } from "../core/errors.js";

/**
 * Test statistics of Cowan, Cranmer, Gross & Vitells, arXiv:1007.1727 (spec §9.1). Each takes the
 * tested μ, the unconditional fit (μ̂, max log L = −NLL_min) and the profile log-likelihood
 * `logpdf(μ) = −NLL(μ, θ̂̂(μ))`.
 */
export type TestStatisticFunction = (
  mu: number,
  muhat: number,
  maxLogpdf: number,
  logpdf: (mu: number) => number,
) => number;

/** The names spey accepts; "q"/"qmu" are aliases, as are "qtilde"/"qmutilde". */
export type TestStatisticName = "q" | "qmu" | "qtilde" | "qmutilde" | "q0" | "qmu_left";

const clip0 = (x: number) => Math.max(x, 0);

/**
 * q̃μ, arXiv:1007.1727 eq. 16: 0 when μ̂ > μ; otherwise −2 ln λ̃(μ) where the denominator is
 * L(0, θ̂̂(0)) when μ̂ < 0 and L(μ̂, θ̂) otherwise.
 */
export const qmuTilde: TestStatisticFunction = (mu, muhat, maxLogpdf, logpdf) => {
  if (muhat > mu) return 0;
  const denominator = muhat >= 0 ? maxLogpdf : logpdf(0);
  return clip0(-2 * (logpdf(mu) - denominator));
};

/** qμ, arXiv:1007.1727 eq. 14: 0 when μ̂ > μ, else −2 ln λ(μ). */
export const qmu: TestStatisticFunction = (mu, muhat, maxLogpdf, logpdf) => {
  if (muhat > mu) return 0;
  return clip0(-2 * (logpdf(mu) - maxLogpdf));
};

/** Left-tail qμ: 0 when μ̂ < μ, else −2 ln λ(μ). */
export const qmuLeft: TestStatisticFunction = (mu, muhat, maxLogpdf, logpdf) => {
  if (muhat < mu) return 0;
  return clip0(-2 * (logpdf(mu) - maxLogpdf));
};

/** Discovery statistic q0, arXiv:1007.1727 eq. 12: 0 when μ̂ < 0, else −2 ln λ(0). `mu` is ignored. */
export const q0: TestStatisticFunction = (_mu, muhat, maxLogpdf, logpdf) => {
  if (muhat < 0) return 0;
  return clip0(-2 * (logpdf(0) - maxLogpdf));
};

/** Canonical name of a test statistic, or an {@link UnknownTestStatistics} error. */
export function canonicalTestStatistic(name: string): "q" | "qtilde" | "q0" | "qmu_left" {
  switch (name) {
    case "q":
    case "qmu":
      return "q";
    case "qtilde":
    case "qmutilde":
      return "qtilde";
    case "q0":
      return "q0";
    case "qmu_left":
      return "qmu_left";
    default:
      throw new UnknownTestStatistics(
        `Requested test statistics ${name} does not exist. Use one of "qtilde", "q" (alias "qmu"), "q0", "qmu_left".`,
      );
  }
}

/** The test-statistic function for a name (spec §9.1 `get_test_statistic`). */
export function getTestStatistic(name: string): TestStatisticFunction {
  switch (canonicalTestStatistic(name)) {
    case "q":
      return qmu;
    case "qtilde":
      return qmuTilde;
    case "q0":
      return q0;
    default:
      return qmuLeft;
  }
}

/** Default guard on √q_{μ,A} in the q̃ branch of eq. 66 (post-PR-67 spey). */
export const ASIMOV_TESTSTAT_TOLERANCE = 1e-3;

/**
 * √q, √q_A and the shift Δ fed to the asymptotic formulae (spec §9.2). For q̃μ with √q > √q_A the
 * shift is (q − q_A)/(2√q_A) (arXiv:1007.1727 eq. 66); otherwise Δ = √q − √q_A. Throws
 * {@link AsimovTestStatZero} when that division would use √q_A below `asimovTolerance` (default
 * {@link ASIMOV_TESTSTAT_TOLERANCE} = 1e-3, spey's `compute_teststatistics` default).
 */
export function computeTestStatistics(
  mu: number,
  fit: { muhat: number; nll: number },
  logpdf: (mu: number) => number,
  asimovFit: { muhat: number; nll: number },
  asimovLogpdf: (mu: number) => number,
  testStatistic: string,
  asimovTolerance = ASIMOV_TESTSTAT_TOLERANCE,
): { sqrtQmu: number; sqrtQmuA: number; delta: number } {
  const name = canonicalTestStatistic(testStatistic);
  const f = getTestStatistic(name);
  const q = f(mu, fit.muhat, -fit.nll, logpdf);
  const qA = f(mu, asimovFit.muhat, -asimovFit.nll, asimovLogpdf);
  const sqrtQmu = Math.sqrt(q);
  const sqrtQmuA = Math.sqrt(qA);
  if (name !== "qtilde" || sqrtQmu <= sqrtQmuA) {
    return { sqrtQmu, sqrtQmuA, delta: sqrtQmu - sqrtQmuA };
  }
  if (sqrtQmuA === 0 || sqrtQmuA < asimovTolerance) throw new AsimovTestStatZero();
  return { sqrtQmu, sqrtQmuA, delta: (q - qA) / (2 * sqrtQmuA) };
}
