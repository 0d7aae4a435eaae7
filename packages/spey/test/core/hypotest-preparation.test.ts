import { describe, expect, it } from "vitest";
import { CorrelatedCombiner } from "../../src/backends/combined/correlated-combiner.js";
import { QTILDE } from "../../src/inference/test-statistics.js";
import { StatisticalModel } from "../../src/model/statistical-model.js";
import { getBackend } from "../../src/model/get-backend.js";

const poissonTheta = (s: number, b: number, n: number, sigma: number, analysis: string) =>
  getBackend("default.poisson")({
    signalYields: [s],
    backgroundYields: [b],
    data: [n],
    absoluteUncertainties: [sigma],
    analysis,
  });

/**
 * Two Poisson counts sharing one unconstrained background shift θ: the free fit puts θ on the edge
 * of its domain (a vanishing yield), so warm starts from it at another μ would start where log L
 * is undefined.
 */
function sharedShift(): StatisticalModel {
  const backend = new CorrelatedCombiner({
    models: [poissonTheta(5, 20, 18, 4, "A"), poissonTheta(8, 30, 33, 6, "B")],
    sharedParameters: ["mu", { name: "theta", members: { A: 1, B: 1 } }],
  });
  return new StatisticalModel(backend);
}

describe("the fits of one hypothesis test", () => {
  it("profile likelihoods equal the standalone conditional fits at every μ, whatever was fitted first", () => {
    const model = sharedShift();
    const mus = [0, 0.5, 1, 2, 5, 9, 0.25];
    for (const fitFirst of [true, false]) {
      const prep = model.profileLikelihood.prepare({ expected: "observed", statistic: QTILDE });
      if (fitFirst) expect(prep.fit.muhat).toBeGreaterThan(3);
      for (const mu of mus) {
        // Both are converged fits of the same two-parameter likelihood (Newton, tolerance 1e-9).
        expect(Math.abs(-prep.logpdf(mu) - model.likelihood({ poiTest: mu }))).toBeLessThan(1e-8);
        expect(Math.abs(-prep.asimovLogpdf(mu) - model.asimovLikelihood({ poiTest: mu }))).toBeLessThan(1e-8);
      }
      const [muhatA, nllA] = model.maximizeAsimovLikelihood();
      expect(Math.abs(prep.asimovFit.nll - nllA)).toBeLessThan(1e-8);
      // μ̂_A = 0 is the exact optimum on the Asimov data; the fits find it to parameter precision.
      expect(Math.abs(prep.asimovFit.muhat - muhatA)).toBeLessThan(1e-6);
    }
  });

  it("expected CLs computed alone equal the expected part of the full test", () => {
    const model = sharedShift();
    for (const poiTest of [0.3, 1, 2.5]) {
      const [, expectedAll] = model.exclusionConfidenceLevel({ poiTest, expected: "all" });
      const expectedAlone = model.exclusionConfidenceLevel({ poiTest, expected: "aposteriori" });
      // Same Asimov profile, same formula; only the order of the fits differs.
      expectedAlone.forEach((v, i) => expect(Math.abs(v - (expectedAll[i] as number))).toBeLessThan(1e-9));
    }
  });
});
