import { describe, expect, it } from "vitest";
import { getBackend } from "../../../src/model/get-backend.js";

/**
 * spey's published post-PR-67 numbers (spey after PR #67) through the public factory. They are given to
 * 5 decimals, so agreement means |Δ| ≤ 5e-6 (half a unit of the last digit); 1e-6 more covers the
 * upper-limit root finder's tolerance and the fits' convergence.
 */
const FIVE_DIGITS = 6e-6;

const S2 = { signalYields: [12, 15], backgroundYields: [50, 48], data: [36, 33] };
const SIGMA2 = [
  [144, 19],
  [19, 256],
];

const PUBLISHED = [
  {
    name: "default.uncorrelated_background",
    args: { ...S2, absoluteUncertainties: [12, 16] },
    cls: 0.94662,
    ul: 1.0181,
    sigmaMu: undefined,
  },
  {
    name: "default.correlated_background",
    args: { ...S2, covarianceMatrix: SIGMA2 },
    cls: 0.93542,
    ul: 1.075,
    sigmaMu: 0.84532,
  },
  {
    name: "default.third_moment_expansion",
    args: { ...S2, covarianceMatrix: SIGMA2, thirdMoment: [0.5, 0.8] },
    cls: 0.93544,
    ul: 1.07491,
    sigmaMu: 0.84518,
  },
  {
    name: "default.effective_sigma",
    args: {
      ...S2,
      correlationMatrix: [
        [1, 19 / 192],
        [19 / 192, 1],
      ],
      absoluteUncertaintyEnvelops: [
        [10, 15],
        [13, 18],
      ],
    },
    cls: 0.7738,
    ul: 1.75618,
    sigmaMu: 1.21472,
  },
] as const;

describe("spey's published two-bin numbers (spey after PR #67)", () => {
  for (const c of PUBLISHED) {
    it(c.name, () => {
      const model = getBackend(c.name)(c.args);
      expect(Math.abs(model.exclusionConfidenceLevel()[0]! - c.cls)).toBeLessThanOrEqual(FIVE_DIGITS);
      expect(Math.abs(model.poiUpperLimit() - c.ul)).toBeLessThanOrEqual(FIVE_DIGITS);
      if (c.sigmaMu !== undefined)
        expect(Math.abs(model.sigmaMu({ poiTest: 1 }) - c.sigmaMu)).toBeLessThanOrEqual(FIVE_DIGITS);
    });
  }

  it("agrees with pyhf's histosys equivalents to the 8 digits spey quotes", () => {
    // spey after PR #67: spey vs pyhf 0.94661532 / 0.94661534 (uncorrelated), 0.93541745 / 0.93541747
    // (correlated); we must sit within their 2e-8 spread (plus 1e-8 for our own fits).
    const unc = getBackend("default.uncorrelated_background")(PUBLISHED[0].args).exclusionConfidenceLevel()[0]!;
    expect(Math.abs(unc - 0.94661533)).toBeLessThanOrEqual(2e-8);
    const cor = getBackend("default.correlated_background")(PUBLISHED[1].args).exclusionConfidenceLevel()[0]!;
    expect(Math.abs(cor - 0.93541746)).toBeLessThanOrEqual(2e-8);
  });
});

/** CMS-NOTE-2017-001's eight-bin "dummy" model (research notes peers.md §2.3, verbatim from the note). */
const CMS = {
  data: [1964, 877, 354, 182, 82, 36, 15, 11],
  backgroundYields: [2006.4, 836.4, 350.0, 147.1, 62.0, 26.2, 11.1, 4.7],
  signalYields: [47, 29.4, 21.1, 14.3, 9.4, 7.1, 4.7, 4.3],
  covarianceMatrix: (() => {
    const flat = [
      18774.2, -2866.97, -5807.3, -4460.52, -2777.25, -1572.97, -846.653, -442.531, -2866.97, 496.273, 900.195, 667.591,
      403.92, 222.614, 116.779, 59.5958, -5807.3, 900.195, 1799.56, 1376.77, 854.448, 482.435, 258.92, 134.975,
      -4460.52, 667.591, 1376.77, 1063.03, 664.527, 377.714, 203.967, 106.926, -2777.25, 403.92, 854.448, 664.527,
      417.837, 238.76, 129.55, 68.2075, -1572.97, 222.614, 482.435, 377.714, 238.76, 137.151, 74.7665, 39.5247,
      -846.653, 116.779, 258.92, 203.967, 129.55, 74.7665, 40.9423, 21.7285, -442.531, 59.5958, 134.975, 106.926,
      68.2075, 39.5247, 21.7285, 11.5732,
    ];
    return Array.from({ length: 8 }, (_, i) => flat.slice(8 * i, 8 * i + 8));
  })(),
};

describe("CMS-NOTE-2017-001 eight-bin model", () => {
  const correlated = getBackend("default.correlated_background")(CMS);
  const thirdZero = getBackend("default.third_moment_expansion")({ ...CMS, thirdMoment: new Array(8).fill(0) });

  it("runs through default.correlated_background with sane results", () => {
    const cls = correlated.exclusionConfidenceLevel()[0]!;
    const ul = correlated.poiUpperLimit();
    const [muhat, nll] = correlated.maximizeLikelihood();
    expect(cls).toBeGreaterThan(0);
    expect(cls).toBeLessThan(1);
    expect(Number.isFinite(nll)).toBe(true);
    // the data exceed the background in the high bins: a positive best fit, and a limit above it
    expect(muhat).toBeGreaterThan(0);
    expect(ul).toBeGreaterThan(muhat);
    // SModelS quotes μ_UL ≈ 1.807 for this model *with* a 20% relative signal uncertainty added to
    // the covariance (peers.md §2.3); without it the limit must be tighter
    expect(ul).toBeLessThan(1.807);
    const expectedBand = correlated.poiUpperLimit({ expected: "apriori", expectedPvalue: "2sigma" }) as number[];
    expect(expectedBand.length).toBe(5);
    for (let k = 1; k < expectedBand.length; k++) expect(expectedBand[k]!).toBeGreaterThan(expectedBand[k - 1]!);
  });

  it("gives the same answers through default.third_moment_expansion with m₃ = 0", () => {
    // ρ′ differs from ρ by spey's 1e-5 regularisation only, O(ε²Σᵢⱼ/(BᵢBⱼ)²) ≈ 1e-11 relative; but
    // this ρ is nearly singular (eigenvalues 1.1e-7 … 7.7, condition number 7e7), which amplifies
    // it to ~1e-4 in ρ⁻¹ along the weakest direction: NLLs move by a few 1e-6 (tolerance 1e-5),
    // equally at every μ, so CLs and limits agree far better (1e-8, 1e-6 relative).
    expect(
      Math.abs(thirdZero.exclusionConfidenceLevel()[0]! - correlated.exclusionConfidenceLevel()[0]!),
    ).toBeLessThanOrEqual(1e-8);
    expect(Math.abs(thirdZero.poiUpperLimit() / correlated.poiUpperLimit() - 1)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(thirdZero.likelihood({ poiTest: 1 }) - correlated.likelihood({ poiTest: 1 }))).toBeLessThanOrEqual(
      1e-5,
    );
  });

  it("rejects skewed third moments whose ρ′ is not positive definite, naming the eigenvalue", () => {
    // ρ has eigenvalues down to 1.1e-7, while a skew k of each bin's envelope (u, d) = ((1+k)σ, (1−k)σ)
    // moves ρ′ by O(k²) ≈ 1e-6 already for k = 1e-3: ρ′ is indefinite, the expansion has no valid
    // Gaussian nuisance model (spey inverted it regardless, spey after PR #67 makes it an error)
    const sd = CMS.covarianceMatrix.map((row, i) => Math.sqrt(row[i]!));
    const k = 1e-3;
    const m3 = sd.map((s) => 2 * Math.sqrt(2 / Math.PI) * (2 * k * s) * (((1 + k) * s) ** 2 + ((1 - k) * s) ** 2));
    expect(() => getBackend("default.third_moment_expansion")({ ...CMS, thirdMoment: m3 })).toThrow(
      /ρ′ derived from covarianceMatrix and thirdMoment is not positive definite \(indefinite\): its smallest eigenvalue is -/,
    );
  });
});
