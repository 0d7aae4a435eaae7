import { describe, expect, it } from "vitest";
import { BackendBase } from "../../src/plugin/backend-base.js";
import { getBackend } from "../../src/model/get-backend.js";
import type { ConfigOptions } from "../../src/plugin/types.js";
import { ModelConfig } from "../../src/config/model-config.js";
import {
  CalculatorNotAvailable,
  CombinerNotAvailable,
  InvalidInput,
  MethodNotAvailable,
  UnknownCrossSection,
} from "../../src/core/errors.js";
import { StatisticalModel } from "../../src/model/statistical-model.js";
import { captureLogs } from "../../src/core/logger.js";

/** log L = −Σ p², with an optional constant Hessian (spey's tests #66, #67). */
class Quadratic extends BackendBase {
  static override name = "test.quadratic";
  static override version = "1.0.0";
  static override author = "tests";
  static override speyRequires = ">=0.1.0";
  constructor(
    private readonly n: number,
    private readonly hessian?: number[],
  ) {
    super();
  }
  config(_options?: ConfigOptions): ModelConfig {
    return new ModelConfig({
      poiIndex: 0,
      minimumPoi: -10,
      suggestedInit: new Array(this.n).fill(1),
      suggestedBounds: new Array(this.n).fill([-10, 10]),
    });
  }
  getLogpdfFunc() {
    return (p: Float64Array) => -p.reduce((s, x) => s + x * x, 0);
  }
  override getHessianLogpdfFunc() {
    const h = this.hessian;
    return () => Float64Array.from(h ?? []);
  }
}

/**
 * log L = −½ Σ (pᵢ − cᵢ)², whose Hessian (−I) the backend computes once and returns on every call,
 * ignoring `out`: HessianFunction allows "an array of its own", which the fits must not write into.
 */
class CachedHessian extends BackendBase {
  static override name = "test.cached_hessian";
  static override version = "1.0.0";
  static override author = "tests";
  static override speyRequires = ">=0.1.0";
  readonly centre = [0.7, -0.3, 1.2];
  readonly cached = Float64Array.from([-1, 0, 0, 0, -1, 0, 0, 0, -1]);
  config(_options?: ConfigOptions): ModelConfig {
    return new ModelConfig({
      poiIndex: 0,
      minimumPoi: -10,
      suggestedInit: [1, 1, 1],
      suggestedBounds: [
        [-10, 10],
        [-10, 10],
        [-10, 10],
      ],
    });
  }
  getLogpdfFunc() {
    return (p: Float64Array) => -0.5 * p.reduce((s, x, i) => s + (x - (this.centre[i] as number)) ** 2, 0);
  }
  override getObjectiveFunction() {
    return (p: Float64Array, grad?: Float64Array) => {
      let nll = 0;
      p.forEach((x, i) => {
        const d = x - (this.centre[i] as number);
        nll += 0.5 * d * d;
        if (grad) grad[i] = d;
      });
      return nll;
    };
  }
  /** Calls that found the array changed since it was returned (a caller wrote into it). */
  changed = 0;
  calls = 0;
  override getHessianLogpdfFunc() {
    return () => {
      this.calls++;
      if (this.cached.some((v, i) => v !== (i % 4 === 0 ? -1 : 0))) this.changed++;
      return this.cached;
    };
  }
}

describe("StatisticalModel (spey's `StatisticalModel`)", () => {
  it("fits with a Hessian function that returns one array of its own: the array is left as it was", () => {
    const backend = new CachedHessian();
    const model = new StatisticalModel(backend);
    // Newton on an exact quadratic from (1, 1, 1): the minimum (0.7, −0.3, 1.2), NLL 0, to rounding
    const [muhat, nll] = model.maximizeLikelihood({ allowNegativeSignal: true });
    expect(muhat).toBeCloseTo(0.7, 12);
    expect(nll).toBeCloseTo(0, 20);
    // at μ = 2: NLL = ½ (2 − 0.7)² = 0.845
    expect(model.likelihood({ poiTest: 2 })).toBeCloseTo(0.845, 12);
    expect(backend.calls).toBeGreaterThan(0);
    expect(backend.changed).toBe(0);
    expect(Array.from(backend.cached)).toEqual([-1, 0, 0, 0, -1, 0, 0, 0, -1]);
  });

  it("a one-parameter model evaluates the likelihood without fitting: NLL(2) = 4", () => {
    const model = new StatisticalModel(new Quadratic(1));
    expect(model.likelihood({ poiTest: 2 })).toBe(4);
    expect(model.likelihood({ poiTest: 2, returnNll: false })).toBeCloseTo(Math.exp(-4), 15);
  });

  it("profiles the other parameters: NLL(μ = 2) of −Σp² is 4 with θ̂ = 0", () => {
    const model = new StatisticalModel(new Quadratic(3, [-2, 0, 0, 0, -2, 0, 0, 0, -2]));
    const [nll, pars] = model.likelihood({ poiTest: 2, returnParameters: true });
    // Newton on an exact quadratic converges to rounding error.
    expect(nll).toBeCloseTo(4, 12);
    expect(pars[0]).toBe(2);
    expect(Math.abs(pars[1] as number)).toBeLessThan(1e-8);
  });

  it("sigmaMuFromHessian inverts −H: H = diag(−4, −9) gives σμ = 0.5", () => {
    const model = new StatisticalModel(new Quadratic(2, [-4, 0, 0, -9]));
    // 1/√4 from a Cholesky inverse of a diagonal matrix: rounding only.
    expect(model.sigmaMuFromHessian({ poiTest: 1 })).toBeCloseTo(0.5, 12);
  });

  it("sigmaMuFromHessian returns NaN with a warning when −H is not positive definite", () => {
    const model = new StatisticalModel(new Quadratic(2, [4, 0, 0, -9]));
    const { result, records } = captureLogs(() => model.sigmaMuFromHessian({ poiTest: 1 }));
    expect(result).toBeNaN();
    expect(records.some((r) => r.level === "warning" && /not positive definite/.test(r.message))).toBe(true);
  });

  it("reports calculator availability from the methods the backend implements", () => {
    const model = new StatisticalModel(new Quadratic(1));
    expect(model.isAsymptoticCalculatorAvailable).toBe(false);
    expect(model.isToyCalculatorAvailable).toBe(false);
    expect(model.availableCalculators).toEqual(["chi_square"]);
    expect(() => model.exclusionConfidenceLevel()).toThrow(CalculatorNotAvailable);
    expect(() => model.exclusionConfidenceLevel({ calculator: "toy" })).toThrow(/toy calculator is not available/);
    expect(() => model.fixedPoiSampler({ poiTest: 1, size: 3 })).toThrow(MethodNotAvailable);
    expect(() => model.combine(model)).toThrow(CombinerNotAvailable);
  });

  it("excludedCrossSection needs a cross section", () => {
    const model = getBackend("default.poisson")({ signalYields: [5], backgroundYields: [10], data: [12] });
    expect(() => model.excludedCrossSection()).toThrow(UnknownCrossSection);
    const withXs = getBackend("default.poisson")({
      signalYields: [5],
      backgroundYields: [10],
      data: [12],
      xsection: 0.5,
    });
    // The same deterministic limit times the cross section.
    expect(withXs.s95obs).toBeCloseTo(withXs.poiUpperLimit() * 0.5, 12);
    expect(String(withXs)).toMatch(/xsection=5\.000e-1/);
  });

  it("gives the same answer whatever was called before (no hidden state, README, Differences from spey fixed)", () => {
    const args = {
      signalYields: [12, 15],
      backgroundYields: [50, 48],
      data: [36, 33],
      absoluteUncertainties: [12, 16],
    };
    const fresh = getBackend("default.poisson")(args).maximizeLikelihood();
    const used = getBackend("default.poisson")(args);
    used.likelihood({ poiTest: 3.7 });
    used.poiUpperLimit();
    expect(used.maximizeLikelihood()).toEqual(fresh);
  });

  it("poiTest records fix extra parameters through every fit of a test", () => {
    const signal = (phi: Float64Array) => [12 * (1 + (phi[0] as number)), 15 * (1 + (phi[0] as number))];
    const model = getBackend("default.poisson")({
      signalYields: signal,
      nSignalParameters: 1,
      backgroundYields: [50, 48],
      data: [36, 33],
    });
    const plain = getBackend("default.poisson")({
      signalYields: [18, 22.5],
      backgroundYields: [50, 48],
      data: [36, 33],
    });
    // φ = 0.5 held fixed ⇒ the model is exactly the plain one with s = 1.5 × [12, 15].
    const a = model.exclusionConfidenceLevel({ poiTest: { mu: 1, signal_par_0: 0.5 } })[0] as number;
    const b = plain.exclusionConfidenceLevel({ poiTest: 1 })[0] as number;
    expect(Math.abs(a - b)).toBeLessThan(1e-8);
    // The same likelihood evaluated two ways (finite-difference Jacobian of the callable signal
    // enters only the fit path): 9 digits.
    expect(model.likelihood({ poiTest: { mu: 1, 1: 0.5 } })).toBeCloseTo(plain.likelihood({ poiTest: 1 }), 9);
  });

  it("rejects bad data lengths and unknown parameter names with InvalidInput", () => {
    const model = getBackend("default.poisson")({ signalYields: [5, 3], backgroundYields: [10, 8], data: [12, 9] });
    expect(() => model.likelihood({ data: [1, 2, 3] })).toThrow(InvalidInput);
    expect(() => model.likelihood({ poiTest: { nope: 1 } })).toThrow(/not found in parameterNames/);
    expect(() => model.likelihood({ poiTest: Number.NaN })).toThrow(InvalidInput);
    expect(() => model.poiUpperLimit({ confidenceLevel: 1.5 })).toThrow(InvalidInput);
    expect(() => model.exclusionConfidenceLevel({ expected: "sideways" as never })).toThrow(InvalidInput);
  });

  it("a model without signal has infinite limits", () => {
    const model = getBackend("default.normal")({
      signalYields: [0, 0],
      backgroundYields: [10, 8],
      data: [12, 9],
      absoluteUncertainties: [3, 3],
    });
    expect(model.isAlive).toBe(false);
    expect(model.poiUpperLimit()).toBe(Number.POSITIVE_INFINITY);
    expect(model.poiUpperLimit({ expected: "apriori", expectedPvalue: "2sigma" })).toEqual(
      new Array(5).fill(Number.POSITIVE_INFINITY),
    );
  });
});

describe("spey's documented numbers for the simple backends (spey's `spey.backends.default_pdf`, §20.2, §22)", () => {
  const S2 = { signalYields: [12, 15], backgroundYields: [50, 48], data: [36, 33] };

  it("default.poisson: logpdf([1]) = −20.473877727180863", () => {
    const model = getBackend("default.poisson")(S2);
    // Closed-form sum of log-pmfs: rounding only.
    expect(model.backend.getLogpdfFunc()(Float64Array.of(1))).toBeCloseTo(-20.473877727180863, 12);
  });

  it("default.normal: logpdf([1]) = −12.48119443295738; μ̂ = −7/6 and χ²-test interval for the 1-bin model", () => {
    expect(
      getBackend("default.normal")({ ...S2, absoluteUncertainties: [20, 10] }).backend.getLogpdfFunc()(
        Float64Array.of(1),
      ),
    ).toBeCloseTo(-12.48119443295738, 12);
    const one = getBackend("default.normal")({
      signalYields: [12],
      backgroundYields: [50],
      data: [36],
      absoluteUncertainties: [20],
    });
    const [muhat, nll] = one.maximizeLikelihood();
    // One Gaussian bin: the free fit is exact (spey's tests #21, #20, #23), so 10 digits.
    expect(muhat).toBeCloseTo(-7 / 6, 10);
    expect(nll).toBeCloseTo(3.9146708067586635, 10);
    expect(one.chi2({ poiTestDenominator: 0 })).toBeCloseTo(1.2, 10);
    expect(one.pull({ poiTest: 0 })).toBeCloseTo(-0.7, 10);
    const [left, right] = one.chi2Test();
    // exact: μ̂ ± 1.959964·(20/12); the root finder's rtol is 1e-4 (spey's).
    expect(left).toBeCloseTo(-4.433272505506823, 3);
    expect(right).toBeCloseTo(2.0999391721734892, 3);
    expect(one.chi2({ poiTest: left as number, allowNegativeSignal: true })).toBeCloseTo(3.841458820694124, 3);
  });

  it("default.multivariate_normal: Hessian of log L = −sᵀΣ⁻¹s (Σ symmetrised)", () => {
    const model = getBackend("default.multivariate_normal")({
      ...S2,
      covarianceMatrix: [
        [144, 19],
        [19, 256],
      ],
    });
    const h = model.backend.getHessianLogpdfFunc?.()(Float64Array.of(1)) as Float64Array;
    const det = 144 * 256 - 19 * 19;
    const expected = -(12 * 12 * 256 - 2 * 12 * 15 * 19 + 15 * 15 * 144) / det;
    // Analytic Hessian vs the closed form: rounding only.
    expect(h[0]).toBeCloseTo(expected, 12);
  });

  it("exclusion with the χ² calculator: 1−CLs = 1 − Φ(−1)/Φ(1) (docs/exclusion.md)", () => {
    const model = getBackend("default.normal")({
      signalYields: [3],
      backgroundYields: [2],
      data: [2],
      absoluteUncertainties: [1.5],
    });
    // Closed-form Gaussian test statistics (μ̂ = 0 exactly): 9 digits.
    expect(model.exclusionConfidenceLevel({ calculator: "chi_square" })[0]).toBeCloseTo(0.8114265826549397, 9);
    expect(model.exclusionConfidenceLevel()[0]).toBeCloseTo(0.9544997361036416, 9);
  });
});
