import { describe, expect, it } from "vitest";
import { BackendBase } from "../../src/plugin/backend-base.js";
import { getBackend } from "../../src/model/get-backend.js";
import { CorrelatedCombiner } from "../../src/backends/combined/correlated-combiner.js";
import { UnCorrStatisticsCombiner } from "../../src/model/uncorrelated-combiner.js";
import { ModelConfig } from "../../src/config/model-config.js";
import { AnalysisQueryError, InvalidInput } from "../../src/core/errors.js";
import { StatisticalModel } from "../../src/model/statistical-model.js";
import { poissonLogPmf } from "../../src/math/special.js";

const normal = (b: number, analysis: string) =>
  getBackend("default.normal")({
    signalYields: [1],
    backgroundYields: [b],
    data: [2],
    absoluteUncertainties: [1],
    analysis,
  });

describe("UnCorrStatisticsCombiner (spey's `UnCorrStatisticsCombiner`)", () => {
  it("three one-bin normals combine to the three-bin model: 1−CLs = 0.9167354833364497", () => {
    const combiner = new UnCorrStatisticsCombiner(normal(3, "A"), normal(1, "B"), normal(2, "C"));
    const joint = getBackend("default.normal")({
      signalYields: [1, 1, 1],
      backgroundYields: [3, 1, 2],
      data: [2, 2, 2],
      absoluteUncertainties: [1, 1, 1],
    });
    const value = combiner.exclusionConfidenceLevel()[0] as number;
    // Both are the same Gaussian likelihood in μ: the 1-D Brent fit (xatol 1e-10) and the
    // Newton fit agree far below 1e-9 in 1−CLs.
    expect(Math.abs(value - 0.9167354833364497)).toBeLessThan(1e-9);
    expect(Math.abs(value - (joint.exclusionConfidenceLevel()[0] as number))).toBeLessThan(1e-9);
    const [muhat, nll] = combiner.maximizeLikelihood();
    // A value-only 1-D minimisation locates a quadratic minimum to ~√ε ≈ 1.5e-8 (relative to the
    // curvature scale 1), because f changes by only ε·f there.
    expect(Math.abs(muhat)).toBeLessThan(1e-7);
    expect(nll).toBeCloseTo(3.7568155996, 9);
    // a value computed with spey 0.2.7: combined upper limit 1.1315857341 (spey TOMS748 rtol 1e-4 ⇒ compare at 2e-4).
    expect(Math.abs(combiner.poiUpperLimit() / 1.1315857341 - 1)).toBeLessThan(2e-4);
  });

  it("works as a container: append, remove, lookup by name and index, iteration", () => {
    const a = normal(3, "A");
    const b = normal(1, "B");
    const combiner = new UnCorrStatisticsCombiner(a);
    combiner.append(b);
    expect(combiner.analyses).toEqual(["A", "B"]);
    expect(combiner.length).toBe(2);
    expect(combiner.get("B")).toBe(b);
    expect(combiner.get(0)).toBe(a);
    expect(combiner.get(-1)).toBe(b);
    expect([...combiner]).toEqual([a, b]);
    expect([...combiner.items()].map(([k]) => k)).toEqual(["A", "B"]);
    expect(() => combiner.append(normal(2, "A"))).toThrow(AnalysisQueryError);
    expect(() => combiner.get("Z")).toThrow(AnalysisQueryError);
    expect(() => combiner.get(5)).toThrow(AnalysisQueryError);
    const bigger = combiner.combine(normal(2, "C"));
    expect(bigger.analyses).toEqual(["A", "B", "C"]);
    expect(combiner.analyses).toEqual(["A", "B"]);
    combiner.remove("A");
    expect(combiner.analyses).toEqual(["B"]);
    expect(() => combiner.remove("A")).toThrow(AnalysisQueryError);
    expect(combiner.isToyCalculatorAvailable).toBe(false);
    expect(combiner.availableCalculators).toEqual(["asymptotic", "chi_square"]);
  });

  it("findMostSensitive picks the smallest expected excluded cross section", () => {
    const strong = getBackend("default.normal")({
      signalYields: [5],
      backgroundYields: [2],
      data: [2],
      absoluteUncertainties: [1],
      analysis: "strong",
      xsection: 1,
    });
    const weak = getBackend("default.normal")({
      signalYields: [1],
      backgroundYields: [2],
      data: [2],
      absoluteUncertainties: [1],
      analysis: "weak",
      xsection: 1,
    });
    expect(new UnCorrStatisticsCombiner(weak, strong).findMostSensitive()).toBe(strong);
  });
});

/** Two one-bin Poisson models sharing one unconstrained background nuisance θ, written by hand. */
class HandBuiltJoint extends BackendBase {
  static override name = "test.joint";
  static override version = "1.0.0";
  static override author = "tests";
  static override speyRequires = ">=0.1.0";
  constructor(
    private readonly s: number[],
    private readonly b: number[],
    private readonly n: number[],
    private readonly sigma: number[],
  ) {
    super();
  }
  config() {
    const minimumPoi = -Math.min(...this.b.map((b, i) => b / (this.s[i] as number)));
    return new ModelConfig({
      poiIndex: 0,
      minimumPoi,
      suggestedInit: [1, 1],
      suggestedBounds: [[minimumPoi, 10], null],
    });
  }
  override domainBounds() {
    const lo = Math.max(...this.b.map((b, i) => -b / (this.sigma[i] as number)));
    return [[Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY] as const, [lo, Number.POSITIVE_INFINITY] as const];
  }
  getLogpdfFunc(options: { data?: ArrayLike<number> } = {}) {
    const n = options.data ?? this.n;
    return (p: Float64Array) =>
      this.s.reduce(
        (acc, s, i) =>
          acc +
          poissonLogPmf(
            n[i] as number,
            Math.max(
              (p[0] as number) * s + (this.b[i] as number) + (this.sigma[i] as number) * (p[1] as number),
              1e-20,
            ),
          ),
        0,
      );
  }
  override expectedData(p: Float64Array) {
    return Float64Array.from(
      this.s,
      (s, i) => (p[0] as number) * s + (this.b[i] as number) + (this.sigma[i] as number) * (p[1] as number),
    );
  }
}

describe("default.correlated_combiner (spey after PR #67)", () => {
  const poissonTheta = (s: number, b: number, n: number, sigma: number, analysis: string) =>
    getBackend("default.poisson")({
      signalYields: [s],
      backgroundYields: [b],
      data: [n],
      absoluteUncertainties: [sigma],
      analysis,
    });

  it("with no shared nuisances equals the uncorrelated combiner", () => {
    const models = [
      getBackend("default.normal")({
        signalYields: [4],
        backgroundYields: [10],
        data: [9],
        absoluteUncertainties: [3],
        analysis: "A",
      }),
      getBackend("default.multivariate_normal")({
        signalYields: [3, 5],
        backgroundYields: [20, 30],
        data: [24, 27],
        covarianceMatrix: [
          [16, 4],
          [4, 25],
        ],
        analysis: "B",
      }),
    ];
    // spey shares nothing undeclared: the POIs are shared by declaring "mu".
    const correlated = new StatisticalModel(new CorrelatedCombiner({ models, sharedParameters: ["mu"] }));
    const uncorrelated = new UnCorrStatisticsCombiner(...models);
    const [a, ea] = correlated.exclusionConfidenceLevel({ expected: "all" });
    const [b, eb] = uncorrelated.exclusionConfidenceLevel({ expected: "all" });
    // Joint Newton fit vs nested 1-D Brent fits of the same likelihood: agreement to 1e-8.
    expect(Math.abs((a[0] as number) - (b[0] as number))).toBeLessThan(1e-8);
    ea.forEach((x, i) => expect(Math.abs(x - (eb[i] as number))).toBeLessThan(1e-8));
    expect(Math.abs(correlated.poiUpperLimit() / uncorrelated.poiUpperLimit() - 1)).toBeLessThan(1e-6);
  });

  it("sharing one nuisance between two models equals the hand-built joint model", () => {
    const A = poissonTheta(5, 20, 18, 4, "A");
    const B = poissonTheta(8, 30, 33, 6, "B");
    const combined = new StatisticalModel(
      new CorrelatedCombiner({ models: [A, B], sharedParameters: ["mu", { name: "theta", members: { A: 1, B: 1 } }] }),
    );
    expect(combined.config().parameterNames).toEqual(["mu", "theta"]);
    const joint = new StatisticalModel(new HandBuiltJoint([5, 8], [20, 30], [18, 33], [4, 6]));
    const [m1, n1] = combined.maximizeLikelihood();
    const [m2, n2] = joint.maximizeLikelihood();
    // Analytic-Hessian Newton vs finite-difference quasi-Newton on the same function.
    expect(Math.abs(n1 - n2)).toBeLessThan(1e-8);
    expect(Math.abs(m1 - m2)).toBeLessThan(1e-5);
    expect(
      Math.abs((combined.exclusionConfidenceLevel()[0] as number) - (joint.exclusionConfidenceLevel()[0] as number)),
    ).toBeLessThan(1e-6);
    expect(Math.abs(combined.likelihood({ poiTest: 0.7 }) - joint.likelihood({ poiTest: 0.7 }))).toBeLessThan(1e-8);
  });

  it("rejects unknown members and inconsistent declarations", () => {
    const A = poissonTheta(5, 20, 18, 4, "A");
    // An unknown analysis is spey's AnalysisQueryError.
    expect(() => new CorrelatedCombiner({ models: [A], sharedParameters: [{ name: "t", members: { Z: 1 } }] })).toThrow(
      AnalysisQueryError,
    );
    expect(() => new CorrelatedCombiner({ models: [A, A] })).toThrow(/appears twice/);
    expect(() => new CorrelatedCombiner({ models: [] })).toThrow(InvalidInput);
  });
});
