/**
 * The lean entry `spey/simplified` (issue #10's bundle budget): its `getBackend` builds
 * LeanStatisticalModels, which compute what StatisticalModels compute — CLs, upper limits,
 * significance, χ², pulls, σμ, fits — with the same code (so results are identical, compared
 * exactly), and leave out the toy calculator and the `chi2Test` method with errors that say what to
 * import instead. Loading only this entry registers only the simplified likelihoods: checked in a
 * fresh Node process on the built package (the test workers share one module graph, where `spey`
 * is loaded too).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as full from "spey";
import * as lean from "spey/simplified";
import { CalculatorNotAvailable, MethodNotAvailable } from "../../src/core/errors.js";

const ARGS = {
  signalYields: [4, 2.5, 1],
  backgroundYields: [10, 7, 3],
  data: [12, 6, 4],
  covarianceMatrix: [
    [4, 1, 0.3],
    [1, 3, 0.5],
    [0.3, 0.5, 1.5],
  ],
  analysis: "three-bins",
  xsection: 0.2,
};

const both = (name: string, args: Record<string, unknown> = ARGS) => ({
  leanModel: lean.getBackend(name)(args),
  fullModel: full.getBackend(name)(args),
});

describe("spey/simplified: the lean entry", () => {
  it("builds LeanStatisticalModels whose CLs, limits, significance, χ², pulls and σμ equal StatisticalModel's", () => {
    for (const name of ["default.correlated_background", "default.uncorrelated_background"]) {
      const { covarianceMatrix: _, ...common } = ARGS;
      const args =
        name === "default.uncorrelated_background" ? { ...common, absoluteUncertainties: [2, 1.7, 1.2] } : ARGS;
      const { leanModel, fullModel } = both(name, args);
      expect(leanModel).toBeInstanceOf(lean.LeanStatisticalModel);
      expect(leanModel).not.toBeInstanceOf(full.StatisticalModel);
      expect(fullModel).toBeInstanceOf(full.StatisticalModel);
      // Same code on the same input: identical numbers (exact equality, no tolerance).
      expect(leanModel.exclusionConfidenceLevel({ expected: "all" })).toEqual(
        fullModel.exclusionConfidenceLevel({ expected: "all" }),
      );
      expect(leanModel.exclusionConfidenceLevel({ calculator: "chi_square" })).toEqual(
        fullModel.exclusionConfidenceLevel({ calculator: "chi_square" }),
      );
      expect(leanModel.poiUpperLimitWithBand()).toEqual(fullModel.poiUpperLimitWithBand());
      expect(leanModel.significance()).toEqual(fullModel.significance());
      expect(leanModel.chi2({ poiTest: [0.5, 1, 2] })).toEqual(fullModel.chi2({ poiTest: [0.5, 1, 2] }));
      expect(leanModel.pull({ poiTest: 0.5 })).toBe(fullModel.pull({ poiTest: 0.5 }));
      expect(leanModel.sigmaMu()).toBe(fullModel.sigmaMu());
      expect(leanModel.excludedCrossSection()).toBe(fullModel.excludedCrossSection());
      expect(lean.clsSummary(leanModel)).toEqual(full.clsSummary(fullModel));
      // the lean model is a real one: the limit is where 1 − CLs = 0.95
      const mu95 = leanModel.poiUpperLimit();
      const [oneMinusCls] = leanModel.exclusionConfidenceLevel({ poiTest: mu95 });
      // the root finder's relative tolerance is 1e-6 on μ; |d(1−CLs)/dμ| < 1 here, so 1e-5 is loose
      expect(Math.abs((oneMinusCls as number) - 0.95)).toBeLessThan(1e-5);
    }
  });

  it("has no toy calculator and no chi2Test method; the errors say what to import, and chi2Test(model) works", () => {
    const { leanModel, fullModel } = both("default.correlated_background");
    expect(leanModel.availableCalculators).toEqual(["asymptotic", "chi_square"]);
    expect(leanModel.isToyCalculatorAvailable).toBe(false);
    expect(fullModel.availableCalculators).toEqual(["toy", "asymptotic", "chi_square"]);
    const toys = () => leanModel.exclusionConfidenceLevel({ calculator: "toy", ntoys: 10 });
    expect(toys).toThrow(CalculatorNotAvailable);
    expect(toys).toThrow(/getBackend from "spey" for toys/);
    expect(() => leanModel.poiUpperLimit({ calculator: "toy" })).toThrow(/spey\/simplified/);
    expect(() => leanModel.chi2Test()).toThrow(MethodNotAvailable);
    expect(() => leanModel.chi2Test()).toThrow(/call chi2Test\(model, options\)/);
    // fixedPoiSampler: the lean model has no default generator; with rng it draws what the full model draws
    expect(() => leanModel.fixedPoiSampler({ poiTest: 1, size: 3 })).toThrow(/needs rng on a LeanStatisticalModel/);
    expect(leanModel.fixedPoiSampler({ poiTest: 1, size: 3, rng: new lean.Random(7) })).toEqual(
      fullModel.fixedPoiSampler({ poiTest: 1, size: 3, seed: 7 }),
    );
    // the function form gives the method's intervals (same code: exact)
    expect(lean.chi2Test(leanModel, { confidenceLevel: 0.68 })).toEqual(fullModel.chi2Test({ confidenceLevel: 0.68 }));
  });

  it("combinations keep the class; the uncorrelated combiner takes lean models", () => {
    const { leanModel, fullModel } = both("default.correlated_background");
    const other = lean.getBackend("default.uncorrelated_background")({
      signalYields: [3],
      backgroundYields: [5],
      data: [6],
      absoluteUncertainties: [1.5],
      analysis: "one-bin",
    });
    const combiner = new full.UnCorrStatisticsCombiner(leanModel, other);
    const fullCombiner = new full.UnCorrStatisticsCombiner(
      fullModel,
      full.getBackend("default.uncorrelated_background")({
        signalYields: [3],
        backgroundYields: [5],
        data: [6],
        absoluteUncertainties: [1.5],
        analysis: "one-bin",
      }),
    );
    expect(combiner.exclusionConfidenceLevel()).toEqual(fullCombiner.exclusionConfidenceLevel());
    expect(combiner.get("one-bin")).toBe(other);
  });

  it("loaded alone (a fresh Node process on the built package), registers only the simplified likelihoods", () => {
    const root = fileURLToPath(new URL("../../../../", import.meta.url));
    const script = `
      import { availableBackends, getBackend, PluginError } from "spey/simplified";
      const names = availableBackends();
      let message = "";
      try { getBackend("default.poisson"); } catch (e) { message = (e instanceof PluginError) + " " + e.message; }
      const model = getBackend("default.uncorrelated_background")({ signalYields: [5], backgroundYields: [10], data: [12], absoluteUncertainties: [2] });
      console.log(JSON.stringify({ names, message, cls: model.exclusionConfidenceLevel(), type: model.constructor.name }));`;
    const out = JSON.parse(
      execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" }),
    );
    expect(out.names).toEqual([
      "default.uncorrelated_background",
      "default.correlated_background",
      "default.third_moment_expansion",
      "default.effective_sigma",
    ]);
    expect(out.message).toMatch(/^true The backend default\.poisson is unavailable/);
    expect(out.message).toContain('import getBackend from "spey"');
    expect(out.type).toBe("LeanStatisticalModel");
    // the same model through this process's `spey` (source): the built package computes the same
    const model = full.getBackend("default.uncorrelated_background")({
      signalYields: [5],
      backgroundYields: [10],
      data: [12],
      absoluteUncertainties: [2],
    });
    // dist is tsc's output of the same source: identical floating-point operations
    expect(out.cls).toEqual(model.exclusionConfidenceLevel());
  });
});
