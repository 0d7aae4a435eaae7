/**
 * d(1 − CLs)/dμ of the observed asymptotic q̃μ CLs from the two profiles' slopes
 * (`observedClsSlope`, used by the upper-limit search for Newton steps) against central finite
 * differences of the CLs itself, each side with its own profile fits.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PyhfBackend } from "../../src/backends/histfactory/backend.js";
import type { WorkspaceSpec } from "../../src/backends/histfactory/schema.js";
import { computeAsymptoticConfidenceLevel } from "../../src/inference/asymptotic-calculator.js";
import { observedClsSlope } from "../../src/inference/hypothesis-testing-base.js";
import { computeTestStatistics, QTILDE } from "../../src/inference/test-statistics.js";
import { getBackend } from "../../src/model/get-backend.js";
import { StatisticalModel } from "../../src/model/statistical-model.js";

const validation = JSON.parse(
  readFileSync(new URL("../fixtures/histfactory/pyhf-validation.json", import.meta.url), "utf8"),
) as { cases: { id: string; workspace: WorkspaceSpec }[] };

const models: [string, () => StatisticalModel][] = [
  [
    "pyhf 2bin_2channel_coupledhistosys_mu1",
    () =>
      new StatisticalModel(
        new PyhfBackend({
          backgroundOnlyModel: validation.cases.find((c) => c.id === "2bin_2channel_coupledhistosys_mu1")
            ?.workspace as WorkspaceSpec,
          signalPatch: [],
        }),
      ),
  ],
  [
    "default.correlated_background, 3 bins",
    () =>
      getBackend("default.correlated_background")({
        signalYields: [4, 6, 3],
        backgroundYields: [20, 30, 12],
        data: [24, 27, 15],
        covarianceMatrix: [
          [9, 2, 1],
          [2, 12, 3],
          [1, 3, 5],
        ],
      }) as StatisticalModel,
  ],
];

describe("observedClsSlope", () => {
  for (const [label, make] of models) {
    it(`${label}: equals the central difference of the observed 1 − CLs`, () => {
      const model = make();
      const prep = model.profileLikelihood.prepare({ expected: "observed", statistic: QTILDE });
      const oneMinusCls = (mu: number) => {
        const t = computeTestStatistics(mu, prep.fit, prep.logpdf, prep.asimovFit, prep.asimovLogpdf, QTILDE);
        return { t, value: 1 - (computeAsymptoticConfidenceLevel(t.sqrtQmuA, t.delta, QTILDE)[0][0] as number) };
      };
      const muhat = Math.max(prep.fit.muhat, 0);
      for (const mu of [muhat + 0.3, muhat + 1, 2 * muhat + 2.5]) {
        const slope = observedClsSlope(prep, mu, oneMinusCls(mu).t, 1e-3) as number;
        const h = 1e-4 * mu;
        const fd = (oneMinusCls(mu + h).value - oneMinusCls(mu - h).value) / (2 * h);
        // Central difference: truncation O(h²·f‴) ~1e-8 relative and the profile fits' precision
        // (NLL to ~1e-12 → 1 − CLs to ~1e-12, divided by 2h ~1e-4μ) ~1e-8: 1e-5 relative is ample
        // and still catches a wrong factor or sign.
        expect(Number.isFinite(slope)).toBe(true);
        expect(Math.abs(slope - fd)).toBeLessThan(1e-5 * Math.abs(fd) + 1e-9);
      }
    });
  }
});
