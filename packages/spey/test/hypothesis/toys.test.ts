import { describe, expect, it } from "vitest";
import { getBackend } from "../../src/model/get-backend.js";
import { Random } from "../../src/math/random.js";

/** n = 0 observed over b = 0.3 with no uncertainty: exactly CLs(μ) = e^{−μ s}. */
const zeroObserved = () => getBackend("default.poisson")({ signalYields: [1], backgroundYields: [0.3], data: [0] });

describe("toy calculator (spey's toy calculator)", () => {
  it("n = 0, b = 0.3: toy CLs(μ) estimates e^{−μ} within Monte Carlo error", () => {
    const model = zeroObserved();
    const ntoys = 4000;
    for (const mu of [1, 2.5]) {
      const oneMinusCls = model.exclusionConfidenceLevel({
        poiTest: mu,
        calculator: "toy",
        ntoys,
        seed: 7,
      })[0] as number;
      // Only toys with n = 0 reach the observed q̃ (see the derivation in the test of the limit):
      // CLs = P(0 | μ + b)/P(0 | b). Relative MC error of the ratio of two binomial fractions:
      // √(1/k_sb + 1/k_b) with k = ntoys·p; allow 4 standard errors.
      const psb = Math.exp(-(mu + 0.3));
      const pb = Math.exp(-0.3);
      const rel = Math.sqrt(1 / (ntoys * psb) + 1 / (ntoys * pb));
      expect(Math.abs(1 - oneMinusCls - Math.exp(-mu))).toBeLessThan(4 * rel * Math.exp(-mu));
    }
  });

  it("n = 0, b = 0.3: the toy upper limit is ln 20 = 2.9957 within MC error; the asymptotic one 2.136077", () => {
    const model = zeroObserved();
    // asymptotic q̃μ value from spey / fastprof (peers §2.6): 2.136077; our TOMS748 rtol 1e-6.
    expect(Math.abs(model.poiUpperLimit() / 2.136077 - 1)).toBeLessThan(1e-5);
    const ntoys = 10000;
    const ul = model.poiUpperLimit({ calculator: "toy", ntoys, seed: 3 });
    // At the limit p_sb = e^{−3.3}: relative error of CLs √(1/(N·0.037) + 1/(N·0.74)) ≈ 0.053
    // for N = 1e4, i.e. δμ ≈ 0.053 since dCLs/CLs = −dμ; allow 4σ.
    expect(Math.abs(ul - Math.log(20))).toBeLessThan(4 * 0.053);
  });

  it("is reproducible: the same seed gives the same answer, another seed a different one", () => {
    const model = zeroObserved();
    const a = model.exclusionConfidenceLevel({ poiTest: 2, calculator: "toy", ntoys: 300, seed: 11, expected: "all" });
    const b = model.exclusionConfidenceLevel({ poiTest: 2, calculator: "toy", ntoys: 300, seed: 11, expected: "all" });
    const c = model.exclusionConfidenceLevel({ poiTest: 2, calculator: "toy", ntoys: 300, seed: 12, expected: "all" });
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it("toys and asymptotics agree at high counts (b ≈ 1000)", () => {
    const model = getBackend("default.poisson")({ signalYields: [60], backgroundYields: [1000], data: [1010] });
    const asymptotic = model.exclusionConfidenceLevel({ expected: "all" });
    const ntoys = 2000;
    const toys = model.exclusionConfidenceLevel({ expected: "all", calculator: "toy", ntoys, seed: 5 });
    // Binomial MC error on p-values ≤ √(0.25/N) ≈ 0.011 and CLs = p_sb/p_b with p_b ≈ 0.5:
    // allow 0.05 absolute on 1−CLs (≈ 4σ) — and asymptotic formulae are accurate at b = 1000.
    expect(Math.abs((toys[0][0] as number) - (asymptotic[0][0] as number))).toBeLessThan(0.05);
    // median expected: percentile of background toys.
    expect(Math.abs((toys[1][2] as number) - (asymptotic[1][2] as number))).toBeLessThan(0.05);
  });

  it("reports progress and can be cancelled with an AbortSignal", () => {
    const model = zeroObserved();
    const seen: number[] = [];
    model.exclusionConfidenceLevel({ calculator: "toy", ntoys: 20, seed: 1, onProgress: (done) => seen.push(done) });
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    expect(() => model.exclusionConfidenceLevel({ calculator: "toy", ntoys: 20, signal: controller.signal })).toThrow(
      "stop",
    );
  });

  it("fixedPoiSampler draws around the conditional fit, reproducibly", () => {
    const model = getBackend("default.poisson")({ signalYields: [5], backgroundYields: [10], data: [12] });
    const a = model.fixedPoiSampler({ poiTest: 1, size: 5000, rng: new Random(1) });
    const b = model.fixedPoiSampler({ poiTest: 1, size: 5000, rng: new Random(1) });
    expect(a).toEqual(b);
    const mean = a.reduce((s, x) => s + (x[0] as number), 0) / a.length;
    // Poisson(15): standard error √(15/5000) ≈ 0.055; 4σ.
    expect(Math.abs(mean - 15)).toBeLessThan(4 * Math.sqrt(15 / 5000));
  });
});
