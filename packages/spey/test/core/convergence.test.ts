/**
 * No unconverged point is reported as an optimum: fits run from several starts and keep the lowest
 * converged NLL; when no start converges, CLs, limits and significances throw ConvergenceError
 * naming the fit, unless the caller passes `optimiser: {allowUnconverged: true}` (then a warning
 * names it).
 */
import { describe, expect, it } from "vitest";
import { ModelConfig } from "../../src/config/model-config.js";
import { ConvergenceError } from "../../src/core/errors.js";
import { captureLogs } from "../../src/core/logger.js";
import { getBackend } from "../../src/model/get-backend.js";
import { StatisticalModel } from "../../src/model/statistical-model.js";
import { BackendBase } from "../../src/plugin/backend-base.js";
import type { LogpdfFunction, Parameters } from "../../src/plugin/types.js";

/** The CMS-NOTE-2017-001-like three-bin correlated model with a normalisation signal uncertainty (generic fits). */
function modelWithModifier() {
  return getBackend("default.correlated_background")({
    signalYields: [12, 8, 5],
    backgroundYields: [50, 30, 10],
    data: [55, 29, 14],
    covarianceMatrix: [
      [25, 6, 1],
      [6, 16, 2],
      [1, 2, 4],
    ],
    modifiers: [{ type: "normalization", name: "xsec", uncertainties: [1.2, 0.8, 0.5] }],
  });
}

describe("fits that do not converge are errors, not optima", () => {
  it("CLs, limits and significance throw ConvergenceError naming the fit when the optimiser is starved", () => {
    // No iteration allowed: no start can reach the optimum of these fits.
    const starved = { maxIterations: 0 };
    for (const model of [
      modelWithModifier(),
      getBackend("default.third_moment_expansion")({
        signalYields: [12, 8, 5],
        backgroundYields: [50, 30, 10],
        data: [55, 29, 14],
        covarianceMatrix: [
          [25, 6, 1],
          [6, 16, 2],
          [1, 2, 4],
        ],
        thirdMoment: [20, 10, 2],
      }),
    ]) {
      expect(() => model.exclusionConfidenceLevel({ optimiser: starved })).toThrow(ConvergenceError);
      expect(() => model.exclusionConfidenceLevel({ optimiser: starved })).toThrow(
        /the (free|conditional) fit .* did not converge/,
      );
      expect(() => model.poiUpperLimit({ optimiser: starved })).toThrow(ConvergenceError);
      expect(() => model.significance({ optimiser: starved })).toThrow(ConvergenceError);
      expect(() => model.likelihood({ poiTest: 1, optimiser: starved })).toThrow(
        /the conditional fit at μ = 1 on the observed data/,
      );
    }
  });

  it("allowUnconverged: true gives the number with a warning naming the fit", () => {
    const model = modelWithModifier();
    const { result, records } = captureLogs(() =>
      model.exclusionConfidenceLevel({ optimiser: { maxIterations: 0, allowUnconverged: true } }),
    );
    expect(result.length).toBe(1);
    expect(Number.isFinite(result[0])).toBe(true);
    const warnings = records.filter((r) => r.level === "warning").map((r) => r.message);
    expect(
      warnings.some((m) =>
        /Optimiser has not been able to satisfy all the conditions in the (free|conditional) fit/.test(m),
      ),
    ).toBe(true);
  });

  it("with enough iterations the same calls converge and log no warning", () => {
    const model = modelWithModifier();
    const { result, records } = captureLogs(() => [model.exclusionConfidenceLevel()[0], model.poiUpperLimit()]);
    for (const v of result) expect(Number.isFinite(v)).toBe(true);
    expect(records.filter((r) => r.level === "warning")).toEqual([]);
  });
});

/**
 * A plug-in whose nuisance has two basins: NLL = ½(n − μs − b)² + w(θ),
 * w(θ) = (θ² − 1)² + 0.3θ, minima near θ = −1 (the lower, w ≈ −0.30) and θ = +1 (w ≈ +0.30).
 * The suggested start θ = −1.2 lies in the lower basin.
 */
class DoubleWell extends BackendBase {
  static override name = "test.double_well";
  static override version = "1.0.0";
  static override author = "test";
  static override speyRequires = ">=0.1.0";

  config({ allowNegativeSignal = true, poiUpperBound = 10 } = {}): ModelConfig {
    const lo = allowNegativeSignal ? -10 : 0;
    return new ModelConfig({
      poiIndex: 0,
      minimumPoi: lo,
      suggestedInit: [1, -1.2],
      suggestedBounds: [
        [lo, poiUpperBound],
        [-3, 3],
      ],
    });
  }

  getLogpdfFunc(): LogpdfFunction {
    return (pars: Parameters) => {
      const mu = pars[0] as number;
      const t = pars[1] as number;
      const r = 10 - 3 * mu - 4;
      return -(0.5 * r * r + (t * t - 1) ** 2 + 0.3 * t);
    };
  }
}

describe("multi-start", () => {
  it("a start in the upper basin does not trap the fit: the suggested start's lower basin wins", () => {
    const model = new StatisticalModel(new DoubleWell());
    // The lower basin's minimum of w, from a dense scan of w alone (it separates from μ).
    let wMin = Number.POSITIVE_INFINITY;
    for (let k = 0; k <= 600000; k++) {
      const t = -3 + (6 * k) / 600000;
      wMin = Math.min(wMin, (t * t - 1) ** 2 + 0.3 * t);
    }
    const [nll, pars] = model.likelihood({ poiTest: 2, initPars: [2, 1], returnParameters: true });
    // μ = 2: r = 0, so NLL = min w. The scan's spacing 1e-5 resolves w to ~1e-9 (w″ ≈ 8).
    expect(Math.abs(nll - wMin)).toBeLessThan(1e-8);
    expect(pars[1]).toBeLessThan(0);
  });
});
