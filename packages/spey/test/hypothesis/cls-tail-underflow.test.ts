/**
 * Asymptotic CLs far in the tails (issue #13: "a result is a finite, correct number").
 *
 * In the q̃ branch of arXiv:1007.1727 eq. 66 (√q > √q_A), CLs = Φ(−√q_A − Δ)/Φ(−Δ) with
 * Δ = (q − q_A)/(2√q_A). A large deficit (data far below the background, μ̂ ≪ 0) gives q ≫ q_A
 * at small μ, so Δ passes 38.5 and both tails underflow to 0; spey's rule "CLs = 0 when p_b = 0"
 * then reported 1 − CLs = 1 (excluded) where the true CLs is ≈ e^{−q/2} (Mills' ratio) and near 1.
 * A 300-bin third-moment model (bench/models.js, every third bin empty, μ̂ = −73) got an upper
 * limit of 0.0017 on the factorised path and +∞ ("no sensitivity") on the dense one, both from that
 * jump; the true limit is 0.1234 on both.
 *
 * The reference here is independent of the library's erfcx: Φ(−t) = φ(t)·R(t) with Mills' ratio
 * R(t) from its continued fraction (Abramowitz & Stegun 26.2.14), the quotient formed as
 * e^{−(x² − y²)/2}·R(|x|)/R(|y|).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { GaussianBlock } from "../../src/backends/simplified/constraints.js";
import { setLogHandler } from "../../src/core/logger.js";
import { computeAsymptoticConfidenceLevel } from "../../src/inference/asymptotic-calculator.js";
import { AsymptoticTestStatisticsDistribution, normCdfRatio, pvalues } from "../../src/inference/distributions.js";
import { computeTestStatistics } from "../../src/inference/test-statistics.js";
import { normCdf } from "../../src/math/special.js";
import { getBackend } from "../../src/model/get-backend.js";

setLogHandler(() => {});

/** Mills' ratio R(t) = Φ(−t)/φ(t) for t ≥ 5 by the continued fraction 1/(t + 1/(t + 2/(t + 3/(t + …)))). */
function mills(t: number): number {
  let f = t;
  for (let k = 200; k >= 1; k--) f = t + k / f;
  return 1 / f;
}

/** Φ(x)/Φ(y) for x ≤ y ≤ −5, independently of the library. */
function referenceRatio(x: number, y: number): number {
  return Math.exp(-0.5 * (x - y) * (x + y)) * (mills(-x) / mills(-y));
}

describe("CLs = Φ(−√q_A − Δ)/Φ(−Δ) without underflow", () => {
  it("normCdfRatio equals the continued-fraction reference where both tails underflow", () => {
    for (const delta of [38.6, 40, 50, 100, 1e3, 1e5]) {
      for (const sqA of [1e-3, 0.01, 0.3, 2]) {
        expect(normCdf(-delta)).toBe(0); // Φ(−38.5) is below the smallest double: the old path divided 0 by 0
        const got = normCdfRatio(-sqA - delta, -delta);
        const want = referenceRatio(-sqA - delta, -delta);
        // erfcx to a few ulp and the exponent formed from (x − y)(x + y): 1e-12 relative
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * want);
      }
    }
  });

  it("joins the plain quotient continuously where the tails are normal numbers", () => {
    for (const delta of [5, 10, 20, 30, 35]) {
      for (const sqA of [1e-3, 0.1, 1]) {
        const plain = normCdf(-sqA - delta) / normCdf(-delta);
        // both sides accurate to ~1e-13 relative at these arguments
        expect(Math.abs(normCdfRatio(-sqA - delta, -delta) - plain)).toBeLessThanOrEqual(1e-12 * plain);
        expect(Math.abs(referenceRatio(-sqA - delta, -delta) - plain)).toBeLessThanOrEqual(1e-12 * plain);
      }
    }
  });

  it("observed CLs tends to e^{−q/2} (not 0) when q ≫ q_A: 1 − CLs is not 'excluded'", () => {
    const sqA = 2e-3;
    const q = 0.1; // 2·(NLL(μ) − NLL(0)) of a deficit at small μ
    const delta = (q - sqA * sqA) / (2 * sqA); // eq. 66: Δ ≈ 25 … here (0.1 − 4e-6)/4e-3 = 24.999
    const bigDelta = (1 - sqA * sqA) / (2 * sqA); // q = 1: Δ = 250, both tails underflow
    const [[cls]] = computeAsymptoticConfidenceLevel(sqA, delta, "qtilde");
    const [[clsBig]] = computeAsymptoticConfidenceLevel(sqA, bigDelta, "qtilde");
    // Mills' ratio: CLs = e^{−q/2}(1 + O(1/Δ²)); the reference quotient is exact to ~1e-15
    expect(Math.abs(cls! - referenceRatio(-sqA - delta, -delta))).toBeLessThan(1e-12);
    expect(Math.abs(clsBig! - referenceRatio(-sqA - bigDelta, -bigDelta))).toBeLessThan(1e-12);
    expect(Math.abs(clsBig! - Math.exp(-0.5))).toBeLessThan(1e-4); // O(1/Δ²) = 1.6e-5
    // the tail probabilities themselves underflow (true values < 1e-13000): reported as 0
    const [psb, pb] = pvalues(
      bigDelta,
      new AsymptoticTestStatisticsDistribution(-sqA),
      new AsymptoticTestStatisticsDistribution(0),
    );
    expect(psb).toBe(0);
    expect(pb).toBe(0);
  });
});

/**
 * A 6-bin third-moment model with a strong deficit (backgrounds 6,400–61,500, every third bin
 * observed empty): μ̂ ≈ −196 and at every tested μ the observed tails underflow (CLb = 0). Run on
 * both constraint paths (dense ρ⁻¹, and the factorised/Newton–CG path of ≥ 256-bin models, forced
 * here through GaussianBlock.correlated's own `factorised` option).
 */
function deficitModel() {
  const n = 6;
  const b: number[] = [];
  const s: number[] = [];
  const d: number[] = [];
  const sd: number[] = [];
  for (let i = 0; i < n; i++) {
    const bi = 300 * (5 + 200 * Math.exp((-3 * i) / n));
    b.push(bi);
    s.push(0.05 * (2 + 0.08 * bi) * (1 + 0.3 * Math.sin(i)));
    d.push(i % 3 === 0 ? 0 : Math.round(bi + Math.sqrt(bi) * Math.sin(1.7 * i)));
    sd.push(0.08 * bi + 1);
  }
  return getBackend("default.third_moment_expansion")({
    signalYields: s,
    backgroundYields: b,
    data: d,
    covarianceMatrix: sd.map((a, i) => sd.map((c, j) => a * c * 0.5 ** Math.abs(i - j))),
    thirdMoment: sd.map((x) => 0.2 * x ** 3),
  });
}

function onPath(factorised: boolean) {
  const original = GaussianBlock.correlated.bind(GaussianBlock);
  const spy = vi
    .spyOn(GaussianBlock, "correlated")
    .mockImplementation((lower, n, options = {}) => original(lower, n, { ...options, factorised }));
  try {
    return deficitModel();
  } finally {
    spy.mockRestore();
  }
}

describe("a deficit far below the background: CLs and the limit on both constraint paths", () => {
  afterEach(() => vi.restoreAllMocks());

  it("1 − CLs(μ) is the asymptotic formula at the model's own q, q_A; the limit is finite and equal on both paths", () => {
    const mus = [0.001, 0.002, 0.004, 0.008];
    const limits: number[] = [];
    const curves: number[][] = [];
    for (const factorised of [false, true]) {
      const model = onPath(factorised);
      expect(
        (model.backend as unknown as { core: { constraint: GaussianBlock } }).core.constraint.factorised !== null,
      ).toBe(factorised);
      const [muhat, nllHat] = model.maximizeLikelihood();
      const [muhatA, nllHatA] = model.maximizeAsimovLikelihood();
      const curve: number[] = [];
      for (const mu of mus) {
        const tails = model.exclusionConfidenceLevel({ poiTest: mu, returnTailProbabilities: true }) as unknown as {
          oneMinusCls: number[];
          clb: number[];
        };
        // the pathology: CLb underflows (the old code then said 1 − CLs = 1)
        expect(tails.clb[0]).toBe(0);
        const st = computeTestStatistics(
          mu,
          { muhat, nll: nllHat },
          (m) => -model.likelihood({ poiTest: m }),
          { muhat: muhatA, nll: nllHatA },
          (m) => -model.asimovLikelihood({ poiTest: m }),
          "qtilde",
        );
        const want = 1 - referenceRatio(-st.sqrtQmuA - st.delta, -st.delta);
        // same fits, formula evaluated independently: 1e-9 absolute
        expect(Math.abs(tails.oneMinusCls[0]! - want)).toBeLessThan(1e-9);
        expect(tails.oneMinusCls[0]!).toBeLessThan(0.999);
        curve.push(tails.oneMinusCls[0]!);
      }
      // a genuine exclusion curve: strictly rising in μ
      for (let k = 1; k < curve.length; k++) expect(curve[k]!).toBeGreaterThan(curve[k - 1]!);
      curves.push(curve);
      const limit = model.poiUpperLimit();
      expect(Number.isFinite(limit)).toBe(true);
      const atLimit = model.exclusionConfidenceLevel({ poiTest: limit }) as number[];
      // the root solver's relative tolerance 1e-6 on μ, times d(1 − CLs)/dμ ≲ 1e2 here: 1e-4
      expect(Math.abs(atLimit[0]! - 0.95)).toBeLessThan(1e-4);
      limits.push(limit);
    }
    // the two paths' profiles agree to the fits' tolerance: curves to 1e-7, limits to 1e-6 relative
    for (let k = 0; k < mus.length; k++) expect(Math.abs(curves[0]![k]! - curves[1]![k]!)).toBeLessThan(1e-7);
    expect(Math.abs(limits[0]! - limits[1]!)).toBeLessThan(1e-6 * limits[0]!);
  });
});
