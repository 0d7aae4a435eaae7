import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Workspace } from "../../src/backends/histfactory/workspace.js";
import { availableBackends, getBackend } from "../../src/model/get-backend.js";
import { SpeyError } from "../../src/core/errors.js";
import { setLogHandler } from "../../src/core/logger.js";
// getBackend("pyhf…") needs the HistFactory backends registered, as a user's import of spey/histfactory does
import "../../src/histfactory.js";

/** A random positive-definite covariance: AᵀA + n·diag(σ²)/10 with A small. */
const covariance = (n: number) =>
  fc
    .tuple(
      fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n * n, maxLength: n * n }),
      fc.array(fc.double({ min: 1, max: 20, noNaN: true }), { minLength: n, maxLength: n }),
    )
    .map(([a, sigma]) =>
      Array.from({ length: n }, (_, i) =>
        Array.from({ length: n }, (_, j) => {
          let v = 0;
          for (let k = 0; k < n; k++) v += (a[k * n + i] as number) * (a[k * n + j] as number);
          return v + (i === j ? (sigma[i] as number) ** 2 : 0);
        }),
      ),
    );

describe("fuzzing the simplified backends and the workspace reader (fast-check)", () => {
  it("random valid correlated / third-moment / effective-σ models give 1−CLs in [0, 1] and positive limits", () => {
    setLogHandler(() => {});
    try {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 4 }).chain((n) =>
            fc.record({
              signal: fc.array(fc.double({ min: 0.5, max: 40, noNaN: true }), { minLength: n, maxLength: n }),
              background: fc.array(fc.double({ min: 5, max: 300, noNaN: true }), { minLength: n, maxLength: n }),
              data: fc.array(fc.integer({ min: 0, max: 400 }), { minLength: n, maxLength: n }),
              cov: covariance(n),
              skew: fc.double({ min: -0.3, max: 0.3, noNaN: true }),
            }),
          ),
          fc.constantFrom("default.correlated_background", "default.third_moment_expansion", "default.effective_sigma"),
          ({ signal, background, data, cov, skew }, backend) => {
            const sigma = cov.map((row, i) => Math.sqrt(row[i] as number));
            const args: Record<string, unknown> = { signalYields: signal, backgroundYields: background, data };
            if (backend === "default.effective_sigma") {
              args.correlationMatrix = cov.map((row, i) =>
                row.map((v, j) => v / ((sigma[i] as number) * (sigma[j] as number))),
              );
              args.absoluteUncertaintyEnvelops = sigma.map((s) => [s * (1 + skew), s * (1 - skew)]);
            } else {
              args.covarianceMatrix = cov;
              if (backend === "default.third_moment_expansion") args.thirdMoment = sigma.map((s) => skew * s ** 3);
            }
            let model: ReturnType<ReturnType<typeof getBackend>>;
            try {
              model = getBackend(backend)(args);
            } catch (error) {
              // e.g. a third-moment ρ′ that is not positive definite: a typed error, never a crash
              expect(error).toBeInstanceOf(SpeyError);
              return;
            }
            const [obs, exp] = model.exclusionConfidenceLevel({ expected: "all" });
            for (const x of [...obs, ...exp]) {
              expect(Number.isFinite(x)).toBe(true);
              // 1 − CLs is a probability; rounding in 1 − p can give −1e-16.
              expect(x).toBeGreaterThanOrEqual(-1e-12);
              expect(x).toBeLessThanOrEqual(1);
            }
            expect(model.poiUpperLimit() > 0).toBe(true);
          },
        ),
        { numRuns: 40, seed: 11 },
      );
    } finally {
      setLogHandler(null);
    }
  });

  it("malformed arguments to any built-in backend raise a typed SpeyError", () => {
    setLogHandler(() => {});
    const junk = fc.oneof(
      fc.constantFrom(null, undefined, "x", -1, Number.NaN, [], [[]], [1, "a"], { a: 1 }, [[1, 2], [3]]),
      fc.array(fc.double(), { maxLength: 3 }),
    );
    try {
      fc.assert(
        fc.property(
          fc.constantFrom(...availableBackends().filter((b) => b !== "pyhf.simplify")),
          fc.dictionary(
            fc.constantFrom(
              "signalYields",
              "backgroundYields",
              "data",
              "absoluteUncertainties",
              "covarianceMatrix",
              "thirdMoment",
              "correlationMatrix",
              "absoluteUncertaintyEnvelops",
              "modifiers",
              "backgroundOnlyModel",
              "signalPatch",
              "models",
            ),
            junk,
          ),
          (backend, args) => {
            try {
              getBackend(backend)(args);
            } catch (error) {
              expect(error).toBeInstanceOf(SpeyError);
            }
          },
        ),
        { numRuns: 300, seed: 3 },
      );
    } finally {
      setLogHandler(null);
    }
  });

  it("random JSON is rejected by the workspace reader with a typed error", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        try {
          new Workspace(value as never);
        } catch (error) {
          expect(error).toBeInstanceOf(SpeyError);
        }
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});
