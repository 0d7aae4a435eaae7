import { AsimovTestStatZero, UnknownTestStatistics } from "../core/errors.js";
import { max, sqrt, freeze } from "../core/describe.js";

/**
 * Test statistics of Cowan, Cranmer, Gross & Vitells, arXiv:1007.1727 (spey's `spey.hypothesis_testing.test_statistics`). Each takes the
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

const clip0 = (x: number) => max(x, 0);

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

/**
 * A test statistic and everything the calculators need to know about it, so that no code compares
 * names: the function, the μ of the Asimov data set, whether μ̂ may be negative in its fits, the
 * shape of its asymptotic distribution and what the calculators report.
 */
export interface TestStatistic {
  /** Canonical name: "qtilde", "q", "q0" or "qmu_left". */
  readonly name: "qtilde" | "q" | "q0" | "qmu_left";
  /** Other names spey accepts for it. */
  readonly aliases: readonly string[];
  /** The statistic as a function of μ, the free fit and the profile log-likelihood. */
  readonly evaluate: TestStatisticFunction;
  /** μ of the Asimov data set (arXiv:1007.1727 §5): 0 for limits, 1 for discovery. */
  readonly asimovMu: number;
  /** Whether the free fits of a test let μ̂ go below 0 (false: μ̂ ≥ 0, as q̃μ and q0 assume). */
  readonly muhatMayBeNegative: boolean;
  /**
   * The asymptotic shift between √q and √q_A: "difference" Δ = √q − √q_A, or "qtilde" — eq. 66's
   * (q − q_A)/(2√q_A) when √q > √q_A (μ̂ bounded below by 0).
   */
  readonly asymptotic: "difference" | "qtilde";
  /** What the calculators report: CLs = p_{s+b}/p_b (exclusion) or p_{s+b} itself (discovery p-value). */
  readonly reports: "cls" | "pvalue";
}

/** q̃μ, arXiv:1007.1727 eq. 16: the default for exclusion and upper limits. */
export const QTILDE: TestStatistic = freeze({
  name: "qtilde",
  aliases: ["qmutilde"],
  evaluate: qmuTilde,
  asimovMu: 0,
  muhatMayBeNegative: false,
  asymptotic: "qtilde",
  reports: "cls",
});

/** qμ, arXiv:1007.1727 eq. 14: exclusion when μ̂ may be negative. */
export const QMU: TestStatistic = freeze({
  name: "q",
  aliases: ["qmu"],
  evaluate: qmu,
  asimovMu: 0,
  muhatMayBeNegative: true,
  asymptotic: "difference",
  reports: "cls",
});

/** q0, arXiv:1007.1727 eq. 12: discovery; its Asimov data contain the signal (μ = 1). */
export const Q0: TestStatistic = freeze({
  name: "q0",
  aliases: [],
  evaluate: q0,
  asimovMu: 1,
  muhatMayBeNegative: false,
  asymptotic: "difference",
  reports: "pvalue",
});

/** Left-tail qμ (spey's `qmu_left`). */
export const QMU_LEFT: TestStatistic = freeze({
  name: "qmu_left",
  aliases: [],
  evaluate: qmuLeft,
  asimovMu: 0,
  muhatMayBeNegative: false,
  asymptotic: "difference",
  reports: "cls",
});

/** Every test statistic, by canonical name. */
export const TEST_STATISTICS: readonly TestStatistic[] = [QTILDE, QMU, Q0, QMU_LEFT];

/**
 * The record of a test statistic by name or alias (a record passes through), or an
 * {@link UnknownTestStatistics} error naming the accepted names.
 */
export function testStatistic(name: string | TestStatistic): TestStatistic {
  if (typeof name === "object" && name !== null) return name;
  const found = TEST_STATISTICS.find((t) => t.name === name || t.aliases.includes(name));
  if (!found) {
    throw new UnknownTestStatistics(
      `Requested test statistics ${name} does not exist. Use one of "qtilde", "q" (alias "qmu"), "q0", "qmu_left".`,
    );
  }
  return found;
}

/** Canonical name of a test statistic, or an {@link UnknownTestStatistics} error. */
export function canonicalTestStatistic(name: string): TestStatistic["name"] {
  return testStatistic(name).name;
}

/** The test-statistic function for a name (spey's `get_test_statistic`). */
export function getTestStatistic(name: string): TestStatisticFunction {
  return testStatistic(name).evaluate;
}

/** Default guard on √q_{μ,A} in the q̃ branch of eq. 66 (post-PR-67 spey). */
export const ASIMOV_TESTSTAT_TOLERANCE = 1e-3;

/**
 * √q, √q_A and the shift Δ fed to the asymptotic formulae (spey's `compute_teststatistics`). For q̃μ with √q > √q_A the
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
  statistic: string | TestStatistic,
  asimovTolerance = ASIMOV_TESTSTAT_TOLERANCE,
): { sqrtQmu: number; sqrtQmuA: number; delta: number } {
  const t = testStatistic(statistic);
  const q = t.evaluate(mu, fit.muhat, -fit.nll, logpdf);
  const qA = t.evaluate(mu, asimovFit.muhat, -asimovFit.nll, asimovLogpdf);
  const sqrtQmu = sqrt(q);
  const sqrtQmuA = sqrt(qA);
  if (t.asymptotic === "difference" || sqrtQmu <= sqrtQmuA) {
    return { sqrtQmu, sqrtQmuA, delta: sqrtQmu - sqrtQmuA };
  }
  if (sqrtQmuA === 0 || sqrtQmuA < asimovTolerance) throw new AsimovTestStatZero();
  return { sqrtQmu, sqrtQmuA, delta: (q - qA) / (2 * sqrtQmuA) };
}
