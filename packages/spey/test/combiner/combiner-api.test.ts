/**
 * spey's combination API: `CombinerBase`, `default.uncorrelated_combiner`, the forms of
 * `sharedParameters` of `default.correlated_combiner`, POI selection, index maps, per-analysis data,
 * `splitData`, combining combinations, `poiIndices` of `UnCorrStatisticsCombiner` — ported from
 * spey's `tests/test_uncorrelated_combiner.py` and the `CorrelatedStatisticsCombiner` /
 * `CombinerBase` docstrings (spey ≥ 0.2.8, src/spey/combiner/) — and the regressions of issue #12.
 */
import { describe, expect, it } from "vitest";
import { CombinerBase } from "../../src/backends/combined/combiner-base.js";
import { CorrelatedCombiner } from "../../src/backends/combined/correlated-combiner.js";
import { UncorrelatedStatisticsCombiner } from "../../src/backends/combined/uncorrelated-combiner.js";
import { ModelConfig } from "../../src/config/model-config.js";
import { AnalysisQueryError, InvalidInput } from "../../src/core/errors.js";
import { captureLogs } from "../../src/core/logger.js";
import { VERSION } from "../../src/core/version.js";
import { StatisticalModel } from "../../src/model/statistical-model.js";
import { UnCorrStatisticsCombiner } from "../../src/model/uncorrelated-combiner.js";
import { BackendBase } from "../../src/plugin/backend-base.js";
import { getBackend } from "../../src/model/get-backend.js";
import type { LikelihoodOptions, LogpdfFunction } from "../../src/plugin/types.js";

/** spey's `build_models()`: three independent models with 2 + 1 nuisance parameters and none. */
function buildModels(): StatisticalModel[] {
  return [
    getBackend("default.uncorrelated_background")({
      signalYields: [12, 15],
      backgroundYields: [50, 48],
      data: [51, 48],
      absoluteUncertainties: [10, 8],
      analysis: "A",
    }),
    getBackend("default.uncorrelated_background")({
      signalYields: [8],
      backgroundYields: [30],
      data: [33],
      absoluteUncertainties: [6],
      analysis: "B",
    }),
    getBackend("default.poisson")({ signalYields: [3], backgroundYields: [20], data: [22], analysis: "C" }),
  ];
}

const combined = (models = buildModels()) =>
  getBackend("default.uncorrelated_combiner")({ statisticalModels: models, analysis: "combined" });

describe("default.uncorrelated_combiner (spey's test_uncorrelated_combiner.py)", () => {
  it("is a registered backend", () => {
    const model = combined();
    expect(model.backend).toBeInstanceOf(UncorrelatedStatisticsCombiner);
    expect(model.backend).toBeInstanceOf(CombinerBase);
    expect(model.backendType).toBe("default.uncorrelated_combiner");
  });

  it("shares only the POI: names, index maps, shared names", () => {
    const backend = new UncorrelatedStatisticsCombiner({ statisticalModels: buildModels() });
    expect(backend.npar).toBe(1 + 2 + 1 + 0);
    expect(backend.config().poiIndex).toBe(0);
    expect(backend.parameterNames).toEqual(["mu", "A_par_1", "A_par_2", "B_par_1"]);
    expect(backend.sharedParameterNames).toEqual(["mu"]);
    expect(backend.indexMap).toEqual({ A: [0, 1, 2], B: [0, 3], C: [0] });
  });

  it("keeps signal parameters private and analysis-qualified when their names clash", () => {
    const models = ["X", "Y"].map((name) =>
      getBackend("default.normal")({
        signalYields: (c: Float64Array) => [2 * (c[0] as number)],
        backgroundYields: [10],
        data: [11],
        absoluteUncertainties: [3],
        nSignalParameters: 1,
        analysis: name,
      }),
    );
    const backend = new UncorrelatedStatisticsCombiner({ statisticalModels: models });
    expect(backend.parameterNames).toEqual(["mu", "X::signal_par_0", "Y::signal_par_0"]);
  });

  it("takes the largest minimum POI and honours allowNegativeSignal", () => {
    const backend = new UncorrelatedStatisticsCombiner({ statisticalModels: buildModels() });
    const minima = buildModels().map((m) => m.config().minimumPoi);
    expect(backend.config().minimumPoi).toBe(Math.max(...minima));
    expect(backend.config({ allowNegativeSignal: false }).suggestedBounds[0]?.[0]).toBe(0);
  });

  it("is identical to a correlated combination sharing only mu", () => {
    const models = buildModels();
    const u = new UncorrelatedStatisticsCombiner({ statisticalModels: models });
    const c = new CorrelatedCombiner({ statisticalModels: models, sharedParameters: ["mu"] });
    expect(u.parameterNames).toEqual(c.parameterNames);
    const pars = Float64Array.from([0.8, 0.3, -0.2, 0.5]);
    // Same sums of the same terms in the same order: bit-identical.
    expect(u.getLogpdfFunc()(pars)).toBe(c.getLogpdfFunc()(pars));
    expect(Array.from(u.getHessianLogpdfFunc()(pars))).toEqual(Array.from(c.getHessianLogpdfFunc()(pars)));
  });

  it("rejects an empty list, a wrong type and duplicate analyses", () => {
    expect(() => new UncorrelatedStatisticsCombiner({ statisticalModels: [] })).toThrow(InvalidInput);
    expect(
      () => new UncorrelatedStatisticsCombiner({ statisticalModels: [buildModels()[0], "model"] as never }),
    ).toThrow(InvalidInput);
    const first = buildModels()[0] as StatisticalModel;
    expect(() => new UncorrelatedStatisticsCombiner({ statisticalModels: [first, first] })).toThrow(AnalysisQueryError);
  });

  it("a single model gives that model's likelihood", () => {
    const model = buildModels()[0] as StatisticalModel;
    // Joint Newton fit of the same function: relative 1e-6 as spey's test.
    expect(combined([model]).likelihood({ poiTest: 1 }) / model.likelihood({ poiTest: 1 }) - 1).toBeLessThan(1e-6);
  });

  it("log L is the sum of the constituents' at the gathered parameters", () => {
    const models = buildModels();
    const backend = new UncorrelatedStatisticsCombiner({ statisticalModels: models });
    const pars = [1.1, 0.3, -0.2, 0.4];
    const manual = models.reduce(
      (s, m) =>
        s +
        m.backend.getLogpdfFunc()(
          Float64Array.from(backend.indexMap[m.analysis] as number[], (i) => pars[i] as number),
        ),
      0,
    );
    // Same terms, different summation order: 1e-12 relative.
    expect(Math.abs(backend.getLogpdfFunc()(Float64Array.from(pars)) / manual - 1)).toBeLessThan(1e-12);
  });

  it.each([0, 0.5, 1, 2])("the profile NLL at μ = %s is the sum of the profile NLLs", (mu) => {
    for (const expected of ["observed", "apriori"] as const) {
      const models = buildModels();
      const manual = models.reduce((s, m) => s + m.likelihood({ poiTest: mu, expected }), 0);
      // One joint fit vs three separate fits, each converged to ~1e-10: 1e-8 relative
      // (spey's test uses 1e-6).
      expect(Math.abs(combined(models).likelihood({ poiTest: mu, expected }) / manual - 1)).toBeLessThan(1e-8);
    }
  });

  it("data per analysis (by name or position) equals the flat data vector", () => {
    const model = combined();
    const flat = [60, 52, 0, 0, 33, 0, 22];
    const fromFlat = model.likelihood({ poiTest: 1, data: flat });
    // The same data reach the same fits: equal to the optimiser's tolerance.
    expect(model.likelihood({ poiTest: 1, data: { A: [60, 52, 0, 0] } })).toBeCloseTo(fromFlat, 9);
    expect(model.likelihood({ poiTest: 1, data: { 0: [60, 52, 0, 0] } })).toBeCloseTo(fromFlat, 9);
    expect(() => model.likelihood({ poiTest: 1, data: { unknown: [1] } })).toThrow(AnalysisQueryError);
  });

  it("splitData inverts the concatenation of expectedData", () => {
    const backend = new UncorrelatedStatisticsCombiner({ statisticalModels: buildModels() });
    const expected = backend.expectedData(Float64Array.from([1, 0.1, -0.1, 0.2]));
    const pieces = backend.splitData(expected);
    expect(Object.keys(pieces)).toEqual(["A", "B", "C"]);
    expect(Object.values(pieces).flatMap((p) => Array.from(p))).toEqual(Array.from(expected));
    expect(() => backend.splitData(expected.subarray(0, expected.length - 1))).toThrow(InvalidInput);
  });

  it("combining two combinations merges their models; a single model is refused", () => {
    const [first, second, third] = buildModels() as [StatisticalModel, StatisticalModel, StatisticalModel];
    const merged = combined([first, second]).combine(combined([third]));
    expect(merged.backend).toBeInstanceOf(UncorrelatedStatisticsCombiner);
    expect((merged.backend as UncorrelatedStatisticsCombiner).analyses).toEqual(["A", "B", "C"]);
    // Same likelihood, same fit: 1e-8 relative.
    expect(Math.abs(merged.likelihood({ poiTest: 1 }) / combined().likelihood({ poiTest: 1 }) - 1)).toBeLessThan(1e-8);
    expect(() => combined([first, second]).combine(third)).toThrow(/not a single model/);
  });

  it("length, iteration and lookup by analysis or position", () => {
    const backend = new UncorrelatedStatisticsCombiner({ statisticalModels: buildModels() });
    expect(backend.length).toBe(3);
    expect([...backend].map((m) => m.analysis)).toEqual(["A", "B", "C"]);
    expect(backend.get("B").analysis).toBe("B");
    expect(backend.get(2).analysis).toBe("C");
    expect(() => backend.get(3)).toThrow(AnalysisQueryError);
    expect(() => backend.get("Z")).toThrow(AnalysisQueryError);
  });

  it("every calculator is available; hypothesis tests run", () => {
    const model = combined();
    expect([...model.availableCalculators].sort()).toEqual(["asymptotic", "chi_square", "toy"]);
    const cls = model.exclusionConfidenceLevel()[0] as number;
    expect(cls).toBeGreaterThanOrEqual(0);
    expect(cls).toBeLessThanOrEqual(1);
    const limit = model.poiUpperLimit();
    expect(limit).toBeGreaterThan(0);
    expect(limit).toBeLessThan(10);
    expect(Number.isFinite(model.sigmaMuFromHessian({ poiTest: 1 }))).toBe(true);
  });

  it("three independent unit Gaussians equal one diagonal multivariate normal", () => {
    const models = [3, 1, 2].map((b, i) =>
      getBackend("default.normal")({
        signalYields: [1],
        backgroundYields: [b],
        data: [2],
        absoluteUncertainties: [1],
        analysis: `norm${i}`,
      }),
    );
    const mvn = getBackend("default.multivariate_normal")({
      signalYields: [1, 1, 1],
      backgroundYields: [3, 1, 2],
      data: [2, 2, 2],
      covarianceMatrix: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
    });
    // Same Gaussian likelihood in μ; both fits exact to ~1e-10: 1e-8.
    expect(
      Math.abs(
        (combined(models).exclusionConfidenceLevel()[0] as number) - (mvn.exclusionConfidenceLevel()[0] as number),
      ),
    ).toBeLessThan(1e-8);
  });
});

/** A plug-in with only `config` and `getLogpdfFunc`: log L = −(μ − c)²/(2σ²). */
class OnlyLogpdf extends BackendBase {
  static override name = "test.only_logpdf";
  static override version = VERSION;
  static override author = "test";
  static override speyRequires = ">=0.0.0";
  constructor(
    private readonly centre: number,
    private readonly width: number,
  ) {
    super();
  }
  config(): ModelConfig {
    return new ModelConfig({
      poiIndex: 0,
      minimumPoi: -10,
      suggestedInit: [1],
      suggestedBounds: [[-10, 10]],
      parameterNames: ["mu"],
    });
  }
  getLogpdfFunc(_options?: LikelihoodOptions): LogpdfFunction {
    return (p) => -0.5 * (((p[0] as number) - this.centre) / this.width) ** 2;
  }
}

describe("default.correlated_combiner: regressions of issue #12", () => {
  const normal = (analysis: string, data = 13) =>
    getBackend("default.normal")({
      signalYields: [2],
      backgroundYields: [10],
      data: [data],
      absoluteUncertainties: [3],
      analysis,
    });

  it("a member without Hessian: fitted by quasi-Newton, and only the χ² calculator is listed", () => {
    const plugin = new StatisticalModel(new OnlyLogpdf(1.2, 0.5), { analysis: "plugin" });
    const model = getBackend("default.correlated_combiner")({
      statisticalModels: [plugin, normal("N")],
      sharedParameters: ["mu"],
    });
    const backend = model.backend as CorrelatedCombiner;
    expect(backend.isHessianAvailable).toBe(false);
    expect(typeof backend.getHessianLogpdfFunc).toBe("undefined");
    // Two Gaussians in μ: N(1.2, 0.5²) and 2μ = 13 − 10 ± 3 ⇒ N(1.5, 1.5²); μ̂ is their
    // inverse-variance mean. BFGS with a finite-difference gradient of the plug-in: 1e-6.
    const expectedMuhat = (1.2 / 0.25 + 1.5 / 2.25) / (1 / 0.25 + 1 / 2.25);
    const [muhat] = model.maximizeLikelihood();
    expect(Math.abs(muhat - expectedMuhat)).toBeLessThan(1e-6);
    // No expectedData in the plug-in: no Asimov data, no toys; the χ² calculator works.
    expect(model.availableCalculators).toEqual(["chi_square"]);
    // The same Gaussian likelihood in μ as one default.normal model N(n = μ̂ | μ, σ) with
    // σ = (1/0.25 + 1/2.25)^(−1/2): equal χ² CLs (quasi-Newton with finite differences vs Newton: 1e-6).
    const sigma = 1 / Math.sqrt(1 / 0.25 + 1 / 2.25);
    const single = getBackend("default.normal")({
      signalYields: [1],
      backgroundYields: [0],
      data: [expectedMuhat],
      absoluteUncertainties: [sigma],
    });
    const cls = model.exclusionConfidenceLevel({ calculator: "chi_square", poiTest: 2 })[0] as number;
    const reference = single.exclusionConfidenceLevel({ calculator: "chi_square", poiTest: 2 })[0] as number;
    expect(cls).toBeGreaterThan(0.5);
    expect(Math.abs(cls - reference)).toBeLessThan(1e-6);
    expect(() => model.exclusionConfidenceLevel()).toThrow(/asymptotic calculator is not available/);
  });

  it("malformed sharedParameters are typed errors naming the declaration", () => {
    const models = [normal("A"), normal("B")];
    expect(
      () => new CorrelatedCombiner({ statisticalModels: models, sharedParameters: [{ name: "x" } as never] }),
    ).toThrow(/sharedParameters\[0\]: a declaration with "name" needs "members"/);
    expect(() => new CorrelatedCombiner({ statisticalModels: models, sharedParameters: [3.14 as never] })).toThrow(
      InvalidInput,
    );
    expect(() => new CorrelatedCombiner({ statisticalModels: models, sharedParameters: [3.14 as never] })).toThrow(
      /sharedParameters\[0\] cannot be read/,
    );
    expect(() => new CorrelatedCombiner({ statisticalModels: models, sharedParameters: ["nope"] })).toThrow(
      /no model has a parameter named "nope"/,
    );
  });

  it('a lone string "mu" is one declaration, not the characters "m" and "u"', () => {
    const models = [normal("A"), normal("B")];
    const lone = new CorrelatedCombiner({ statisticalModels: models, sharedParameters: "mu" });
    const listed = new CorrelatedCombiner({ statisticalModels: models, sharedParameters: ["mu"] });
    expect(lone.parameterNames).toEqual(["mu"]);
    expect(lone.indexMap).toEqual(listed.indexMap);
  });

  it("a group with one member is accepted with a warning", () => {
    const models = [normal("A"), normal("B")];
    const { records } = captureLogs(
      () =>
        new CorrelatedCombiner({ statisticalModels: models, sharedParameters: [{ name: "m", members: { A: "mu" } }] }),
    );
    expect(records.some((r) => r.level === "warning" && r.message.includes('"m" has a single member'))).toBe(true);
  });

  it("without sharedParameters nothing is shared, not even the POI (as spey)", () => {
    const backend = new CorrelatedCombiner({ statisticalModels: [normal("A"), normal("B")] });
    expect(backend.parameterNames).toEqual(["A::mu", "B::mu"]);
    expect(backend.sharedParameterNames).toEqual([]);
    expect(backend.indexMap).toEqual({ A: [0], B: [1] });
    expect(backend.config().poiIndex).toBe(0);
  });

  it("parameter names follow spey: local names, <analysis>_par_<i> when undeclared, analysis-qualified on clashes", () => {
    const [a, b] = buildModels() as [StatisticalModel, StatisticalModel];
    const backend = new CorrelatedCombiner({ statisticalModels: [a, b], sharedParameters: ["mu"] });
    expect(backend.parameterNames).toEqual(["mu", "A_par_1", "A_par_2", "B_par_1"]);
  });
});

describe("spey's CorrelatedStatisticsCombiner docstring example", () => {
  it('shares "mu" and a Wilson coefficient: parameter names ["mu", "signal_par_0"]', () => {
    const modelA = getBackend("default.normal")({
      signalYields: (c: Float64Array) => [12 * (c[0] as number), 15 * (c[0] as number)],
      backgroundYields: [50, 48],
      data: [63, 55],
      absoluteUncertainties: [7, 6],
      nSignalParameters: 1,
      analysis: "SR_A",
    });
    const modelB = getBackend("default.normal")({
      signalYields: (c: Float64Array) => [4 * (c[0] as number) ** 2, 3 * (c[0] as number) ** 2],
      backgroundYields: [30, 22],
      data: [35, 20],
      absoluteUncertainties: [5, 4.5],
      nSignalParameters: 1,
      analysis: "SR_B",
    });
    const combined = getBackend("default.correlated_combiner")({
      statisticalModels: [modelA, modelB],
      sharedParameters: ["mu", "signal_par_0"],
      analysis: "SR_A+SR_B",
    });
    expect((combined.backend as CorrelatedCombiner).parameterNames).toEqual(["mu", "signal_par_0"]);
    const [, nll] = combined.maximizeLikelihood();
    // The joint optimum is at least as good as any point, e.g. the suggested start.
    expect(nll).toBeLessThanOrEqual(-combined.backend.getLogpdfFunc()(Float64Array.from([1, 1])));
  });
});

describe("default.correlated_combiner: declarations, POI, per-analysis data, combinations", () => {
  const theta = (s: number, b: number, n: number, sigma: number, analysis: string) =>
    getBackend("default.poisson")({
      signalYields: [s],
      backgroundYields: [b],
      data: [n],
      absoluteUncertainties: [sigma],
      analysis,
    });
  const A = () => theta(5, 20, 18, 4, "SR_A");
  const B = () => theta(8, 30, 33, 6, "SR_B");

  it("every declaration form spey accepts gives the same map", () => {
    const forms = [
      ["mu", { name: "theta", members: { SR_A: 1, SR_B: "theta_0" } }],
      [
        "mu",
        {
          name: "theta",
          members: [
            ["SR_A", 1],
            [1, "theta_0"],
          ],
        },
      ],
      ["mu", { SR_A: "theta_0", SR_B: 1 }],
      [
        "mu",
        [
          ["SR_A", "theta_0"],
          ["SR_B", "theta_0"],
        ],
      ],
      [
        [
          ["SR_A", 0],
          ["SR_B", "mu"],
        ],
        { members: { 0: 1, 1: 1 } },
      ],
    ];
    const maps = forms.map(
      (f) => new CorrelatedCombiner({ statisticalModels: [A(), B()], sharedParameters: f as never }).indexMap,
    );
    for (const m of maps) expect(m).toEqual({ SR_A: [0, 1], SR_B: [0, 1] });
    // Names: declared, or the first member's local name.
    expect(
      new CorrelatedCombiner({ statisticalModels: [A(), B()], sharedParameters: forms[2] as never }).parameterNames,
    ).toEqual(["mu", "theta_0"]);
    expect(
      new CorrelatedCombiner({ statisticalModels: [A(), B()], sharedParameters: forms[0] as never }).parameterNames,
    ).toEqual(["mu", "theta"]);
  });

  it("a parameter in two groups, two groups with one name, unknown models and bad indices are refused", () => {
    const make = (shared: unknown) => () =>
      new CorrelatedCombiner({ statisticalModels: [A(), B()], sharedParameters: shared as never });
    expect(make(["mu", { name: "x", members: { SR_A: "mu" } }])).toThrow(/already in the shared group "mu"/);
    expect(
      make([
        { name: "x", members: { SR_A: 0 } },
        { name: "x", members: { SR_B: 0 } },
      ]),
    ).toThrow(/declared twice/);
    expect(make([{ name: "x", members: { SR_Z: 0 } }])).toThrow(AnalysisQueryError);
    expect(make([{ name: "x", members: { SR_A: 7 } }])).toThrow(/out of range for "SR_A"/);
  });

  it("poiName / poiIndex choose the combined POI; both at once are refused", () => {
    const shared = ["mu", { name: "theta", members: { SR_A: 1, SR_B: 1 } }];
    const byName = new CorrelatedCombiner({
      statisticalModels: [A(), B()],
      sharedParameters: shared as never,
      poiName: "theta",
    });
    expect(byName.config().poiIndex).toBe(1);
    // θ is no model's POI: no minimum from the models.
    expect(byName.config().minimumPoi).toBe(Number.NEGATIVE_INFINITY);
    const byIndex = new CorrelatedCombiner({
      statisticalModels: [A(), B()],
      sharedParameters: shared as never,
      poiIndex: 1,
    });
    expect(byIndex.config().poiIndex).toBe(1);
    expect(
      () =>
        new CorrelatedCombiner({
          statisticalModels: [A(), B()],
          sharedParameters: shared as never,
          poiName: "theta",
          poiIndex: 1,
        }),
    ).toThrow(/not both/);
    expect(() => new CorrelatedCombiner({ statisticalModels: [A(), B()], poiName: "zz" })).toThrow(/poiName "zz"/);
    expect(() => new CorrelatedCombiner({ statisticalModels: [A(), B()], poiIndex: 9 })).toThrow(/out of range/);
  });

  it("data per analysis and splitData on a correlated combination", () => {
    const model = new StatisticalModel(
      new CorrelatedCombiner({ statisticalModels: [A(), B()], sharedParameters: ["mu"] }),
      { analysis: "AB" },
    );
    const backend = model.backend as CorrelatedCombiner;
    // Poisson with unconstrained θ: one main count per model, no auxiliary data.
    expect(backend.dataWidths()).toEqual([1, 1]);
    const flat = [25, 33];
    expect(backend.splitData(flat)).toEqual({ SR_A: Float64Array.from([25]), SR_B: Float64Array.from([33]) });
    // Same data through both routes: same fit to the optimiser's tolerance.
    expect(model.likelihood({ poiTest: 0.5, data: { SR_A: [25] } })).toBeCloseTo(
      model.likelihood({ poiTest: 0.5, data: flat }),
      9,
    );
    expect(() => model.likelihood({ data: [1, 2, 3] })).toThrow(/expects 2 \(1 \+ 1/);
  });

  it("combining combinations merges models and same-name groups", () => {
    const C = theta(3, 12, 10, 2, "SR_C");
    const left = new StatisticalModel(
      new CorrelatedCombiner({ statisticalModels: [A(), B()], sharedParameters: ["mu"] }),
    );
    const right = new StatisticalModel(new CorrelatedCombiner({ statisticalModels: [C], sharedParameters: ["mu"] }));
    const merged = left.combine(right).backend as CorrelatedCombiner;
    expect(merged.analyses).toEqual(["SR_A", "SR_B", "SR_C"]);
    expect(merged.sharedParameterNames).toEqual(["mu"]);
    const direct = new CorrelatedCombiner({ statisticalModels: [A(), B(), C], sharedParameters: ["mu"] });
    expect(merged.parameterNames).toEqual(direct.parameterNames);
    const pars = Float64Array.from([0.7, 0.1, -0.3, 0.2]);
    expect(merged.getLogpdfFunc()(pars)).toBe(direct.getLogpdfFunc()(pars));
  });
});

describe("UnCorrStatisticsCombiner poiIndices (spey's deprecated wrapper)", () => {
  it("maps μ̂ onto every requested key", () => {
    const combiner = new UnCorrStatisticsCombiner(...buildModels());
    const [muhat, nll] = combiner.maximizeLikelihood();
    const [record, nll2] = combiner.maximizeLikelihood({ poiIndices: ["mu", 0] });
    expect(record).toEqual({ mu: muhat, 0: muhat });
    expect(nll2).toBe(nll);
    const [muA] = combiner.maximizeAsimovLikelihood();
    expect(combiner.maximizeAsimovLikelihood({ poiIndices: ["mu"] })[0]).toEqual({ mu: muA });
  });
});
