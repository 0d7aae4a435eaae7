import { describe, expect, it } from "vitest";
import { availableBackends } from "../../src/model/get-backend.js";
import { buildModel, checkResult, expectedErrorClass, forbidNonConvergenceWarnings, loadReference } from "./harness.js";
// getBackend("pyhf…") needs the HistFactory backends registered, as a user's import of spey/histfactory does
import "../../src/histfactory.js";

describe("Python reference: UnCorrStatisticsCombiner", () => {
  // issue #9: no reference case logs a non-convergence warning (checked after each test)
  forbidNonConvergenceWarnings();

  const cases = loadReference().cases.filter((c) => c.backend === "UnCorrStatisticsCombiner");

  it("covers combinations of every kind", () => {
    expect(cases.length).toBeGreaterThan(5);
  });

  for (const c of cases) {
    const backends = (c.kwargs.models as { backend: string }[]).map((m) => m.backend);
    it(`${c.id} (${backends.join(" + ")})`, () => {
      for (const b of backends) expect(availableBackends()).toContain(b);
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
