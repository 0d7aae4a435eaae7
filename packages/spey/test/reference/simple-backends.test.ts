import { describe, expect, it } from "vitest";
import { buildModel, checkResult, expectedErrorClass, forbidNonConvergenceWarnings, loadReference } from "./harness.js";

const BACKENDS = ["default.poisson", "default.normal", "default.multivariate_normal"];

describe("Python reference: simple backends", () => {
  // issue #9: no reference case logs a non-convergence warning (checked after each test)
  forbidNonConvergenceWarnings();

  const cases = loadReference().cases.filter((c) => BACKENDS.includes(c.backend));

  it("has cases for each simple backend", () => {
    for (const b of BACKENDS) expect(cases.some((c) => c.backend === b)).toBe(true);
  });

  for (const c of cases) {
    it(`${c.id} (${c.description})`, () => {
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
