import { describe, expect, it } from "vitest";
import { InvalidInput } from "../../src/core/errors.js";
import { captureLogs } from "../../src/core/logger.js";
import type { StatisticalModel } from "../../src/model/statistical-model.js";
import {
  buildModel,
  checkResult,
  expectedErrorClass,
  forbidNonConvergenceWarnings,
  isNonConvergenceWarning,
  loadReference,
  type ReferenceCase,
} from "./harness.js";

const BACKENDS = [
  "default.uncorrelated_background",
  "default.correlated_background",
  "default.third_moment_expansion",
  "default.effective_sigma",
];

/**
 * Reference cases where this package deliberately gives a different answer, with the reason
 * (README, "Differences from spey"). Every other case must meet the acceptance tolerances.
 */
const DELIBERATE: Record<string, { reason: string; check: (c: ReferenceCase) => void }> = {
  "edge-third-moment-wrong-length-01": {
    reason:
      "spey broadcasts a one-entry thirdMoment over two bins; issue #3 asks for a typed error on disagreeing lengths",
    check: (c) => expect(() => buildModel(c)).toThrow(InvalidInput),
  },
  "third-moment-expansion-random-ar1-01": {
    reason: "spey's float64 ρ′ loses digits for a bin with C = 0 (ρ′₂₂ = 1.00044 instead of 1); ours is exact to 1e-15",
    check: (c) => expectCloseToSpeyRounding(c),
  },
  "third-moment-expansion-random-ar1-04": {
    reason: "spey's float64 ρ′ loses digits for bins with C = 0 (diagonal 1.0000178, 0.99988); ours is exact to 1e-15",
    check: (c) => expectCloseToSpeyRounding(c),
  },
  "third-moment-expansion-random-const-02": {
    reason:
      "a strongly skewed model with two θ basins at fixed μ: spey's SLSQP stops in the upper one (NLL 7.92 at μ = 1); our exact profile (branch and bound over the θ pieces, issue #9) reaches the lower one (NLL 5.26), the global profile maximum",
    check: (c) => {
      const model = buildModel(c);
      const spey = c.results.find(
        (r) =>
          r.op === "likelihood" &&
          r.args.poi_test === 1 &&
          r.args.expected === "observed" &&
          r.args.return_nll === true,
      );
      // Both minima are local minima of the same likelihood: ours is lower, never higher.
      const [muhat, nll] = (model as StatisticalModel).maximizeLikelihood();
      const speyFit = c.results.find(
        (r) =>
          r.op === "maximize_likelihood" &&
          r.args.expected === "observed" &&
          r.args.allow_negative_signal === undefined,
      );
      expect(speyFit).toBeDefined();
      expect(nll).toBeLessThanOrEqual((speyFit!.value as { nll: number }).nll + 1e-6);
      expect(Number.isFinite(muhat)).toBe(true);
      expect(spey).toBeDefined();
      const oneMinusCls = model.exclusionConfidenceLevel()[0] as number;
      expect(oneMinusCls).toBeGreaterThanOrEqual(0);
      expect(oneMinusCls).toBeLessThanOrEqual(1);
    },
  },
};

/**
 * For the ρ′ rounding cases: the likelihood differs from spey's by its rounding error, so results
 * agree to 1e-4 in 1−CLs and 5e-4 relative in NLLs (measured: 8e-5 and 2.4e-4), not to 2e-5/1e-5.
 */
function expectCloseToSpeyRounding(c: ReferenceCase): void {
  const model = buildModel(c);
  for (const r of c.results) {
    if (r.error) continue;
    if (r.op === "exclusion_confidence_level" && r.args.expected === "observed" && !r.args.calculator) {
      const ours = model.exclusionConfidenceLevel({
        poiTest: r.args.poi_test as number,
        ...(r.args.allow_negative_signal ? { allowNegativeSignal: true } : {}),
      })[0] as number;
      expect(Math.abs(ours - (r.value as number[])[0]!)).toBeLessThan(1e-4);
    }
    if (r.op === "likelihood" && r.args.return_nll === true) {
      const ours = model.likelihood({ poiTest: r.args.poi_test as number, expected: r.args.expected as "observed" });
      expect(Math.abs(ours / (r.value as number) - 1)).toBeLessThan(5e-4);
    }
  }
}

describe("Python reference: simplified-likelihood backends", () => {
  // issue #9: no reference case logs a non-convergence warning (checked after each test)
  forbidNonConvergenceWarnings();

  const cases = loadReference().cases.filter((c) => BACKENDS.includes(c.backend));

  it("the watched warnings are the ones the library logs when a fit does not converge", () => {
    // A real run whose fits cannot converge (no iteration allowed), with allowUnconverged: the
    // fitter's warning must be recognised by the hook above (else the hook could never fail).
    const c = loadReference().cases.find((x) => x.backend === "default.third_moment_expansion" && !x.construct.error);
    expect(c).toBeDefined();
    const model = buildModel(c as ReferenceCase) as StatisticalModel;
    const { records } = captureLogs(() =>
      model.exclusionConfidenceLevel({ optimiser: { maxIterations: 0, allowUnconverged: true } }),
    );
    expect(records.filter(isNonConvergenceWarning).length).toBeGreaterThan(0);
    // and converged runs of the same model log none
    const { records: converged } = captureLogs(() => model.exclusionConfidenceLevel());
    expect(converged.filter(isNonConvergenceWarning)).toEqual([]);
  });

  it("has cases for each simplified backend", () => {
    for (const b of BACKENDS) expect(cases.some((c) => c.backend === b)).toBe(true);
  });

  for (const c of cases) {
    const deliberate = DELIBERATE[c.id];
    it(`${c.id} (${c.description})${deliberate ? " — deliberate difference" : ""}`, () => {
      if (deliberate) {
        deliberate.check(c);
        return;
      }
      if (c.construct.error) {
        expect(() => buildModel(c)).toThrow(expectedErrorClass(c.construct.error.type));
        return;
      }
      const model = buildModel(c);
      let compared = 0;
      for (const r of c.results) if (checkResult(model, c, r)) compared++;
      expect(compared).toBeGreaterThan(0);
    });
  }
});
