import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getBackend } from "../../src/model/get-backend.js";
import { SpeyError } from "../../src/core/errors.js";
import { setLogHandler } from "../../src/core/logger.js";

/** Anything a user might put in a yields array. */
const junkNumber = fc.oneof(
  fc.double({ noNaN: false }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1e300),
  fc.integer({ min: -5, max: 100 }),
);
const junkArray = fc.oneof(
  fc.array(junkNumber, { minLength: 0, maxLength: 4 }),
  fc.constantFrom(null, undefined, "12", 3, [["a"]]),
);

describe("fuzzing the public entry points (fast-check)", () => {
  it("malformed backend arguments raise a typed SpeyError, never anything else", () => {
    setLogHandler(() => {});
    try {
      fc.assert(
        fc.property(
          fc.constantFrom("default.poisson", "default.normal", "default.multivariate_normal"),
          junkArray,
          junkArray,
          junkArray,
          junkArray,
          (backend, signal, background, data, unc) => {
            try {
              getBackend(backend)({
                signalYields: signal,
                backgroundYields: background,
                data,
                absoluteUncertainties: unc,
                covarianceMatrix: Array.isArray(unc) ? unc.map((u) => [u]) : unc,
              } as never);
            } catch (error) {
              expect(error).toBeInstanceOf(SpeyError);
            }
          },
        ),
        { numRuns: 300, seed: 20261129 },
      );
    } finally {
      setLogHandler(null);
    }
  });

  it("valid random counting models give finite 1−CLs in [0, 1] and positive (or infinite) limits", () => {
    setLogHandler(() => {});
    try {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 3 }).chain((n) =>
            fc.record({
              signal: fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { minLength: n, maxLength: n }),
              background: fc.array(fc.double({ min: 0.1, max: 200, noNaN: true }), { minLength: n, maxLength: n }),
              data: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: n, maxLength: n }),
              sigma: fc.array(fc.double({ min: 0.5, max: 30, noNaN: true }), { minLength: n, maxLength: n }),
            }),
          ),
          fc.constantFrom("default.poisson", "default.normal"),
          ({ signal, background, data, sigma }, backend) => {
            const model = getBackend(backend)({
              signalYields: signal,
              backgroundYields: background,
              data,
              absoluteUncertainties: sigma,
            });
            const [obs, exp] = model.exclusionConfidenceLevel({ expected: "all" });
            for (const x of [...obs, ...exp]) {
              expect(Number.isFinite(x)).toBe(true);
              // 1−CLs is a probability; tiny negative values would be rounding in 1 − p.
              expect(x).toBeGreaterThanOrEqual(-1e-12);
              expect(x).toBeLessThanOrEqual(1);
            }
            const ul = model.poiUpperLimit();
            expect(ul > 0).toBe(true);
          },
        ),
        { numRuns: 60, seed: 42 },
      );
    } finally {
      setLogHandler(null);
    }
  });
});
