import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getBackend } from "../../src/model/get-backend.js";
import { fitModel } from "../../src/fit/fit.js";

describe("free-fit fast path of the simple one-parameter backends", () => {
  it("agrees with the generic optimiser (NLL to 1e-10, μ̂ to 1e-6) on random Poisson and Gaussian models", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((n) =>
          fc.record({
            s: fc.array(
              fc.integer({ min: -20, max: 300 }).map((k) => k / 10),
              { minLength: n, maxLength: n },
            ),
            b: fc.array(fc.double({ min: 0.5, max: 100, noNaN: true }), { minLength: n, maxLength: n }),
            d: fc.array(fc.integer({ min: 0, max: 150 }), { minLength: n, maxLength: n }),
          }),
        ),
        fc.constantFrom("default.poisson", "default.normal"),
        fc.boolean(),
        ({ s, b, d }, backend, allowNegativeSignal) => {
          if (!s.some((x) => x > 0)) return;
          const model = getBackend(backend)({
            signalYields: s,
            backgroundYields: b,
            data: d,
            ...(backend === "default.normal" ? { absoluteUncertainties: b.map((x) => Math.sqrt(x) + 1) } : {}),
          });
          const fast = model.backend.bestFit?.({
            allowNegativeSignal,
            fixed: new Map(),
            expected: "observed",
          });
          if (fast === undefined) {
            // documented fallback: an infinite POI bound (no bin with a usable positive signal)
            const [lo] = model.config({ allowNegativeSignal }).suggestedBounds[0] as readonly [number, number];
            expect(s.some((x) => x < 0) || lo === Number.NEGATIVE_INFINITY).toBe(true);
            return;
          }
          const generic = fitModel({
            backend: model.backend,
            config: model.config({ allowNegativeSignal }),
            expected: "observed",
            fixed: new Map(),
          });
          // The generic fit is converged to a projected gradient of 1e-9: NLLs agree to rounding,
          // μ̂ to ~1e-6 where the profile is flat.
          expect(Math.abs((fast?.nll as number) - generic.nll)).toBeLessThanOrEqual(
            1e-10 * Math.max(1, Math.abs(generic.nll)),
          );
          expect(Math.abs((fast?.parameters[0] as number) - (generic.parameters[0] as number))).toBeLessThan(
            1e-6 * Math.max(1, Math.abs(generic.parameters[0] as number)),
          );
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });
});
