import { describe, expect, it } from "vitest";
import {
  chi2Cdf,
  chi2Isf,
  chi2Ppf,
  chi2Sf,
  gammaln,
  normCdf,
  normIsf,
  normLogCdf,
  normPpf,
  normSf,
  poissonLogPmf,
} from "../../src/math/special.js";

/** Asserts |actual − expected| ≤ rtol·|expected| (exact equality required when expected is 0 or ±∞). */
function expectRel(actual: number, expected: number, rtol: number): void {
  if (expected === 0 || !Number.isFinite(expected)) {
    expect(actual).toBe(expected);
    return;
  }
  const err = Math.abs(actual - expected) / Math.abs(expected);
  expect(err, `actual ${actual}, expected ${expected}, relative error ${err}`).toBeLessThanOrEqual(rtol);
}

// Agreement with scipy. 1e-13 relative: both libraries are within a few ulp of the truth in the
// central range, but in the far tails scipy itself is off by up to ~5e-14 (ndtr rounds −x/√2 before
// erfc; its chi2 lower-tail quantiles drift by ~4e-14 at p = 1e-300), so a tighter bound would test
// scipy's rounding, not ours.
const SCIPY_RTOL = 1e-13;
// Agreement with 40-digit mpmath ground truth, where we claim near-full precision: a few ulp.
const TRUTH_RTOL = 2e-15;

describe("gammaln", () => {
  // gammaln is accurate to ~1 ulp (special-functions.test.ts); 1e-14 is scipy agreement, room for a few ulp.
  const GAMMALN_RTOL = 1e-14;
  it.each([
    [0.5, 0.5723649429247], // reference: scipy 1.17.1 scipy.special.gammaln(0.5)
    [10, 12.801827480081469], // reference: scipy 1.17.1 scipy.special.gammaln(10)
    [100.5, 361.43554046777757], // reference: scipy 1.17.1 scipy.special.gammaln(100.5)
    [1e5, 1051287.7089736569], // reference: scipy 1.17.1 scipy.special.gammaln(1e5)
    [1e-5, 11.512919692895826], // reference: scipy 1.17.1 scipy.special.gammaln(1e-5)
  ])("gammaln(%s)", (x, expected) => {
    expectRel(gammaln(x), expected, GAMMALN_RTOL);
  });

  it("is exactly 0 at 1 and 2", () => {
    expect(gammaln(1)).toBe(0);
    expect(gammaln(2)).toBe(0);
  });
});

describe("normal distribution", () => {
  it.each([
    [-30, 4.906713927147908e-198], // reference: scipy 1.17.1 scipy.stats.norm.cdf(-30)
    [-10, 7.61985302416047e-24], // reference: scipy 1.17.1 scipy.stats.norm.cdf(-10)
    [-5, 2.866515718791933e-7], // reference: scipy 1.17.1 scipy.stats.norm.cdf(-5)
    [-1, 0.15865525393145707], // reference: scipy 1.17.1 scipy.stats.norm.cdf(-1)
    [0, 0.5], // reference: scipy 1.17.1 scipy.stats.norm.cdf(0)
    [0.5, 0.6914624612740131], // reference: scipy 1.17.1 scipy.stats.norm.cdf(0.5)
    [1.96, 0.9750021048517795], // reference: scipy 1.17.1 scipy.stats.norm.cdf(1.96)
    [5, 0.9999997133484281], // reference: scipy 1.17.1 scipy.stats.norm.cdf(5)
    [10, 1], // reference: scipy 1.17.1 scipy.stats.norm.cdf(10)
  ])("normCdf(%s) matches scipy", (x, expected) => {
    expectRel(normCdf(x), expected, SCIPY_RTOL);
  });

  it.each([
    [-37.5, 4.605353009581955e-308], // reference: mpmath 1.3.0 ncdf(-37.5) = 4.6053530095819548438e-308
    [-30, 4.906713927148187e-198], // reference: mpmath 1.3.0 ncdf(-30) = 4.9067139271481870595e-198
    [-20, 2.7536241186062337e-89], // reference: mpmath 1.3.0 ncdf(-20) = 2.7536241186062336951e-89
  ])("normCdf(%s) keeps full relative precision in the far lower tail", (x, expected) => {
    // scipy 1.17.1 is off by 3e-14 (x = −20) to 6e-14 (x = −30); the compensated argument is not.
    expectRel(normCdf(x), expected, TRUTH_RTOL);
  });

  it("normCdf underflows to 0 only beyond x ≈ −38.5 and handles ±∞", () => {
    expect(normCdf(-38)).toBeGreaterThan(0);
    expect(normCdf(-38.5)).toBe(0); // reference: scipy 1.17.1 scipy.stats.norm.cdf(-38.5) == 0.0
    expect(normCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normCdf(Number.NaN)).toBeNaN();
  });

  it.each([
    [-5, 0.9999997133484281], // reference: scipy 1.17.1 scipy.stats.norm.sf(-5)
    [1.96, 0.024997895148220435], // reference: scipy 1.17.1 scipy.stats.norm.sf(1.96)
    [5, 2.866515718791933e-7], // reference: scipy 1.17.1 scipy.stats.norm.sf(5)
    [10, 7.61985302416047e-24], // reference: scipy 1.17.1 scipy.stats.norm.sf(10)
    [30, 4.906713927147908e-198], // reference: scipy 1.17.1 scipy.stats.norm.sf(30)
  ])("normSf(%s) matches scipy", (x, expected) => {
    expectRel(normSf(x), expected, SCIPY_RTOL);
  });

  it("normSf is the mirror image of normCdf", () => {
    for (const x of [-37, -12.5, -3, -0.7, 0, 0.3, 2, 9, 25]) expect(normSf(x)).toBe(normCdf(-x));
  });

  it.each([
    [-1000, -500007.8266948122], // reference: scipy 1.17.1 scipy.stats.norm.logcdf(-1000)
    [-40, -804.6084420137539], // reference: scipy 1.17.1 scipy.stats.norm.logcdf(-40)
    [-30, -454.32124395634327], // reference: scipy 1.17.1 scipy.stats.norm.logcdf(-30)
    [-5, -15.064998393988727], // reference: scipy 1.17.1 scipy.stats.norm.logcdf(-5)
    [-2, -3.7831843336820317], // reference: scipy 1.17.1 scipy.stats.norm.logcdf(-2)
    [-1, -1.8410216450092634], // reference: scipy 1.17.1 scipy.stats.norm.logcdf(-1)
    [-0.5, -1.1759117615936188], // reference: scipy 1.17.1 scipy.stats.norm.logcdf(-0.5)
    [0, -Math.LN2], // reference: scipy 1.17.1 scipy.stats.norm.logcdf(0) = -0.6931471805599453
    [1, -0.1727537790234499], // reference: scipy 1.17.1 scipy.stats.norm.logcdf(1)
    [3, -0.0013508099647481925], // reference: scipy 1.17.1 scipy.stats.norm.logcdf(3)
    [5, -2.8665161296376294e-7], // reference: scipy 1.17.1 scipy.stats.norm.logcdf(5)
    [10, -7.61985302416047e-24], // reference: scipy 1.17.1 scipy.stats.norm.logcdf(10)
    [20, -2.7536241186061556e-89], // reference: scipy 1.17.1 scipy.stats.norm.logcdf(20)
  ])("normLogCdf(%s) matches scipy", (x, expected) => {
    expectRel(normLogCdf(x), expected, SCIPY_RTOL);
  });

  it.each([
    [1e-300, -37.0470962993612], // reference: scipy 1.17.1 scipy.stats.norm.ppf(1e-300)
    [1e-100, -21.273453560965322], // reference: scipy 1.17.1 scipy.stats.norm.ppf(1e-100)
    [1e-20, -9.262340089798409], // reference: scipy 1.17.1 scipy.stats.norm.ppf(1e-20)
    [1e-10, -6.361340902404056], // reference: scipy 1.17.1 scipy.stats.norm.ppf(1e-10)
    [0.001, -3.090232306167813], // reference: scipy 1.17.1 scipy.stats.norm.ppf(0.001)
    [0.025, -1.9599639845400545], // reference: scipy 1.17.1 scipy.stats.norm.ppf(0.025)
    [0.05, -1.6448536269514729], // reference: scipy 1.17.1 scipy.stats.norm.ppf(0.05)
    [0.3, -0.5244005127080409], // reference: scipy 1.17.1 scipy.stats.norm.ppf(0.3)
    [0.7, 0.5244005127080407], // reference: scipy 1.17.1 scipy.stats.norm.ppf(0.7)
    [0.95, 1.6448536269514722], // reference: scipy 1.17.1 scipy.stats.norm.ppf(0.95)
    [0.975, 1.959963984540054], // reference: scipy 1.17.1 scipy.stats.norm.ppf(0.975)
    [0.9999999999, 6.361340889697422], // reference: scipy 1.17.1 scipy.stats.norm.ppf(0.9999999999)
  ])("normPpf(%s) matches scipy", (p, expected) => {
    expectRel(normPpf(p), expected, SCIPY_RTOL);
  });

  it("normPpf is accurate to a few ulp at p = 1e-300", () => {
    // erfcinv's result times √2 carries a rounding; the log-space Newton correction removes it.
    // reference: mpmath 1.3.0 root of log ncdf(x) = log 1e-300: −37.047096299361199237
    expectRel(normPpf(1e-300), -37.0470962993612, TRUTH_RTOL);
  });

  it("normPpf edge cases", () => {
    expect(normPpf(0.5)).toBe(0);
    expect(normPpf(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normPpf(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normPpf(-1e-12)).toBeNaN();
    expect(normPpf(1.0000001)).toBeNaN();
    expect(normPpf(Number.NaN)).toBeNaN();
    expect(Number.isFinite(normPpf(5e-324))).toBe(true);
  });

  it.each([
    [1e-300, 37.0470962993612], // reference: scipy 1.17.1 scipy.stats.norm.isf(1e-300)
    [1e-20, 9.262340089798409], // reference: scipy 1.17.1 scipy.stats.norm.isf(1e-20)
    [0.05, 1.6448536269514729], // reference: scipy 1.17.1 scipy.stats.norm.isf(0.05)
    [0.95, -1.6448536269514722], // reference: scipy 1.17.1 scipy.stats.norm.isf(0.95)
  ])("normIsf(%s) matches scipy", (p, expected) => {
    expectRel(normIsf(p), expected, SCIPY_RTOL);
  });

  it("normIsf edge cases", () => {
    expect(normIsf(0.5)).toBe(0);
    expect(normIsf(0)).toBe(Number.POSITIVE_INFINITY);
    expect(normIsf(1)).toBe(Number.NEGATIVE_INFINITY);
    expect(normIsf(2)).toBeNaN();
  });

  it("normPpf inverts normCdf across the lower half-line", () => {
    // Φ is computed to ~1 ulp and Φ⁻¹ has relative condition number Φ/(x·φ) ≤ 1 for x ≤ −1 (and
    // ≈ 1.6 at x = −0.5), so the round trip is good to a few ulp; 1e-14 allows ~50.
    for (const x of [-37, -30, -20, -10, -5, -2, -1, -0.5]) expectRel(normPpf(normCdf(x)), x, 1e-14);
  });
});

describe("chi-square distribution", () => {
  it.each([
    [0.5, 1, 0.5204998778130466, 0.47950012218695337], // reference: scipy 1.17.1 scipy.stats.chi2.cdf(0.5, 1), chi2.sf(0.5, 1)
    [1, 2, 0.3934693402873665, 0.6065306597126334], // reference: scipy 1.17.1 scipy.stats.chi2.cdf(1, 2), chi2.sf(1, 2)
    [10, 3, 0.9814338645369568, 0.01856613546304325], // reference: scipy 1.17.1 scipy.stats.chi2.cdf(10, 3), chi2.sf(10, 3)
    [0.001, 1, 0.02522712063003961, 0.9747728793699604], // reference: scipy 1.17.1 scipy.stats.chi2.cdf(0.001, 1), chi2.sf(0.001, 1)
    [50, 1, 0.9999999999984626, 1.537459794428033e-12], // reference: scipy 1.17.1 scipy.stats.chi2.cdf(50, 1), chi2.sf(50, 1)
    [100, 5, 1, 5.285148360943219e-20], // reference: scipy 1.17.1 scipy.stats.chi2.cdf(100, 5), chi2.sf(100, 5)
  ])("chi2Cdf/chi2Sf(%s, %s) match scipy", (x, k, cdf, sf) => {
    expectRel(chi2Cdf(x, k), cdf, SCIPY_RTOL);
    expectRel(chi2Sf(x, k), sf, SCIPY_RTOL);
  });

  it("chi2Cdf/chi2Sf edge cases", () => {
    expect(chi2Cdf(0, 1)).toBe(0);
    expect(chi2Cdf(-1, 3)).toBe(0);
    expect(chi2Sf(0, 1)).toBe(1);
    expect(chi2Cdf(Number.POSITIVE_INFINITY, 2)).toBe(1);
    expect(chi2Sf(Number.POSITIVE_INFINITY, 2)).toBe(0);
    expect(chi2Cdf(1, 0)).toBeNaN();
    expect(chi2Sf(1, -1)).toBeNaN();
    expect(chi2Cdf(Number.NaN, 1)).toBeNaN();
  });

  it.each([
    [0.05, 1, 0.003932140000019522], // reference: scipy 1.17.1 scipy.stats.chi2.ppf(0.05, 1)
    [0.95, 1, 3.841458820694124], // reference: scipy 1.17.1 scipy.stats.chi2.ppf(0.95, 1)
    [0.95, 2, 5.991464547107979], // reference: scipy 1.17.1 scipy.stats.chi2.ppf(0.95, 2)
    [0.5, 3, 2.3659738843753377], // reference: scipy 1.17.1 scipy.stats.chi2.ppf(0.5, 3)
    [1e-10, 1, 1.570796326794896e-20], // reference: scipy 1.17.1 scipy.stats.chi2.ppf(1e-10, 1)
    [0.68, 2, 2.27886856637673], // reference: scipy 1.17.1 scipy.stats.chi2.ppf(0.68, 2)
    [0.999, 10, 29.58829844507442], // reference: scipy 1.17.1 scipy.stats.chi2.ppf(0.999, 10)
    [1e-50, 100, 4.054603343641019], // reference: scipy 1.17.1 scipy.stats.chi2.ppf(1e-50, 100)
    [1e-100, 1, 1.5707963267949288e-200], // reference: scipy 1.17.1 scipy.stats.chi2.ppf(1e-100, 1)
    [1e-300, 3, 2.4179879310247908e-200], // reference: scipy 1.17.1 scipy.stats.chi2.ppf(1e-300, 3)
  ])("chi2Ppf(%s, %s) matches scipy", (p, k, expected) => {
    expectRel(chi2Ppf(p, k), expected, SCIPY_RTOL);
  });

  it.each([
    [0.05, 1, 3.8414588206941285], // reference: scipy 1.17.1 scipy.stats.chi2.isf(0.05, 1)
    [0.05, 2, 5.991464547107983], // reference: scipy 1.17.1 scipy.stats.chi2.isf(0.05, 2)
    [0.5, 3, 2.3659738843753377], // reference: scipy 1.17.1 scipy.stats.chi2.isf(0.5, 3)
    [0.95, 2, 0.10258658877510116], // reference: scipy 1.17.1 scipy.stats.chi2.isf(0.95, 2)
    [1e-10, 1, 41.82145636476129], // reference: scipy 1.17.1 scipy.stats.chi2.isf(1e-10, 1)
    [1e-20, 1, 87.16173342690982], // reference: scipy 1.17.1 scipy.stats.chi2.isf(1e-20, 1)
    [1e-100, 3, 466.2143575712913], // reference: scipy 1.17.1 scipy.stats.chi2.isf(1e-100, 3)
    [1e-200, 10, 964.119100613098], // reference: scipy 1.17.1 scipy.stats.chi2.isf(1e-200, 10)
    [1e-300, 1, 1373.8726312223944], // reference: scipy 1.17.1 scipy.stats.chi2.isf(1e-300, 1)
    [1e-300, 3, 1388.3367738546858], // reference: scipy 1.17.1 scipy.stats.chi2.isf(1e-300, 3)
  ])("chi2Isf(%s, %s) matches scipy", (p, k, expected) => {
    // Inverted directly in the upper tail (a start from 1 − p would be off by 6e-8 at (1e-100, 3)).
    expectRel(chi2Isf(p, k), expected, SCIPY_RTOL);
  });

  it("chi2Isf(0.05, 1) is the familiar 3.841458820694124", () => {
    // scipy's isf gives 3.8414588206941285 and its ppf(0.95) 3.841458820694124; the true value is
    // 3.84145882069412587 (mpmath 1.3.0, 40 digits), so both are within 2 ulp: 1e-15.
    expectRel(chi2Isf(0.05, 1), 3.841458820694124, 1e-15);
  });

  it.each([
    [1e-100, 1, 1.5707963267948966e-200], // reference: mpmath 1.3.0, 2·P⁻¹(1/2, 1e-100) = 1.570796326794896682e-200
    [1e-300, 3, 2.4179879310247046e-200], // reference: mpmath 1.3.0, 2·P⁻¹(3/2, 1e-300) = 2.4179879310247045015e-200
  ])("chi2Ppf(%s, %s) is accurate in the far lower tail", (p, k, expected) => {
    // scipy is 4e-14 off for the second; Newton on log(P/p) from the small-x start xᵃ/Γ(a+1) = p
    // is within a few ulp. 4e-15 allows for P's own ~1e-15 error.
    expectRel(chi2Ppf(p, k), expected, 4e-15);
  });

  it("chi2Ppf/chi2Isf edge cases", () => {
    expect(chi2Ppf(0, 1)).toBe(0);
    expect(chi2Ppf(1, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(chi2Isf(0, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(chi2Isf(1, 1)).toBe(0);
    expect(chi2Ppf(-0.1, 1)).toBeNaN();
    expect(chi2Isf(1.1, 1)).toBeNaN();
    expect(chi2Ppf(0.5, 0)).toBeNaN();
    expect(chi2Isf(Number.NaN, 1)).toBeNaN();
    expect(chi2Ppf(1e-300, 1)).toBe(0); // true value 1.6e-600 underflows
  });

  it("chi2Sf inverts chi2Isf down to p = 1e-300", () => {
    // Q has relative condition number x·f(x)/Q(x) ≈ x ≤ 1400 in x, so ~1e-16 relative error in the
    // quantile becomes ≤ ~2e-13 in Q: 5e-13.
    for (const k of [1, 2, 3, 10]) {
      for (const p of [0.5, 0.05, 1e-10, 1e-100, 1e-300]) expectRel(chi2Sf(chi2Isf(p, k), k), p, 5e-13);
    }
  });
});

describe("poissonLogPmf", () => {
  it.each([
    [3, 2.5, -1.5428872736055896], // reference: scipy 1.17.1 scipy.stats.poisson.logpmf(3, 2.5)
    [0, 1, -1], // reference: scipy 1.17.1 xlogy(0, 1) - 1 - gammaln(1)
    [0, 2.5, -2.5], // reference: scipy 1.17.1 xlogy(0, 2.5) - 2.5 - gammaln(1)
    [10, 10, -2.078561643135055], // reference: scipy 1.17.1 xlogy(10, 10) - 10 - gammaln(11)
    [2.7, 3.1, -1.4732866256394164], // reference: scipy 1.17.1 xlogy(2.7, 3.1) - 3.1 - gammaln(3.7)
    [100, 80, -5.5367120881753635], // reference: scipy 1.17.1 xlogy(100, 80) - 80 - gammaln(101)
    [1e4, 1e4 + 50, -5.648701942132902], // reference: scipy 1.17.1 xlogy(1e4, 10050) - 10050 - gammaln(10001)
    [0.5, 0.001, -3.334095401855823], // reference: scipy 1.17.1 xlogy(0.5, 0.001) - 0.001 - gammaln(1.5)
  ])("poissonLogPmf(%s, %s) matches scipy", (n, lambda, expected) => {
    // The three terms cancel (|n log λ| ≈ 438 against a result of −5.5 for (100, 80)), so both
    // implementations carry ~1e-14 relative error there: 1e-13.
    expectRel(poissonLogPmf(n, lambda), expected, SCIPY_RTOL);
  });

  it("uses 0·log 0 = 0", () => {
    expect(poissonLogPmf(0, 0)).toBe(0); // reference: scipy 1.17.1 scipy.stats.poisson.logpmf(0, 0) == 0.0
    expect(poissonLogPmf(2, 0)).toBe(Number.NEGATIVE_INFINITY); // reference: scipy 1.17.1 poisson.logpmf(2, 0) == -inf
    expect(poissonLogPmf(0.3, 0)).toBe(Number.NEGATIVE_INFINITY);
    expect(poissonLogPmf(0, Number.NaN)).toBeNaN();
  });
});
