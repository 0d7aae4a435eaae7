/**
 * Every built-in backend through the published conformance suite (`spey/testing`): the simple
 * backends and the four simplified likelihoods, plain, with signal-uncertainty modifiers and with
 * a callable signal of extra parameters; pyhf and pyhf.uncorrelated_background; both combiners.
 * (The model-level `UnCorrStatisticsCombiner` is not a backend: its profile is the sum of its
 * members', tested in test/combiner.)
 */
import { MultivariateNormal } from "../../src/backends/simple/multivariate-normal.js";
import { Normal } from "../../src/backends/simple/normal.js";
import { Poisson } from "../../src/backends/simple/poisson.js";
import { CorrelatedBackground } from "../../src/backends/simplified/correlated-background.js";
import { EffectiveSigma } from "../../src/backends/simplified/effective-sigma.js";
import type { ModifierDefinition } from "../../src/backends/simplified/modifiers.js";
import { ThirdMomentExpansion } from "../../src/backends/simplified/third-moment-expansion.js";
import { UncorrelatedBackground } from "../../src/backends/simplified/uncorrelated-background.js";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CorrelatedCombiner } from "../../src/backends/combined/correlated-combiner.js";
import { UncorrelatedStatisticsCombiner } from "../../src/backends/combined/uncorrelated-combiner.js";
import { PyhfBackend, UncorrelatedBackgroundBackend } from "../../src/backends/histfactory/backend.js";
import { StatisticalModel } from "../../src/model/statistical-model.js";
import { backendConformanceChecks, ConformanceError, type ConformanceOptions } from "../../src/testing/conformance.js";
import type { BackendBase } from "../../src/plugin/backend-base.js";

/** The published suite (`spey/testing`) registered with vitest: one test per check. */
function runBackendConformance(name: string, make: () => BackendBase, options?: ConformanceOptions): void {
  describe(`backend conformance: ${name}`, () => {
    for (const c of backendConformanceChecks(make, options)) it(c.name, c.run);
  });
}

const S3 = { signalYields: [12, 15, 6], backgroundYields: [50, 48, 20], data: [36, 53, 22] };
const COV3 = [
  [144, 19, -12],
  [19, 256, 30],
  [-12, 30, 36],
];
const RHO3 = [
  [1, 19 / 192, -12 / 72],
  [19 / 192, 1, 30 / 96],
  [-12 / 72, 30 / 96, 1],
];
const ENV3 = [
  [10, -15],
  [18, -13],
  [6, -6.5],
];
/** Normalisation (asymmetric) + shape (symmetric) modifiers: 1 + 3 extra nuisances. */
const MODIFIERS: ModifierDefinition[] = [
  {
    type: "normalization",
    name: "xsec",
    uncertainties: [
      [1.5, 2],
      [2, 1],
      [0.5, 0.8],
    ],
  },
  { type: "shape", name: "jes", uncertainties: [1, 2, 0.7] },
];
/** An EFT-like signal: quadratic in φ₀ (so the likelihood is not convex), exponential in φ₁. */
const eft = (phi: Float64Array) => [
  12 * (1 + 0.4 * phi[0]! + 0.1 * phi[0]! * phi[0]!),
  15 * Math.exp(0.2 * phi[1]!),
  6 * (1 + 0.3 * phi[0]! * phi[1]!),
];
const CALLABLE = { signalYields: eft, nSignalParameters: 2, signalParameterBounds: [[-5, 5], null] as const };
/**
 * Callable signals differentiate by finite differences (central, h = 1e-6 for the Jacobian,
 * 1e-4 on top for second derivatives), so their Hessian is good to ~1e-6 relative.
 */
const CALLABLE_HESSIAN_TOLERANCE = 1e-4;

// Simple backends
runBackendConformance("default.poisson", () => new Poisson(S3));
runBackendConformance(
  "default.poisson with absolute uncertainties",
  () => new Poisson({ ...S3, absoluteUncertainties: [5, 6, 3] }),
  {
    // unconstrained θ are degenerate with μ: the refit is checked on the NLL and the expected data
    identifiable: false,
  },
);
runBackendConformance("default.normal", () => new Normal({ ...S3, absoluteUncertainties: [8, 9, 4] }));
runBackendConformance("default.multivariate_normal", () => new MultivariateNormal({ ...S3, covarianceMatrix: COV3 }));
runBackendConformance(
  "default.multivariate_normal with callable signal",
  () => new MultivariateNormal({ ...S3, ...CALLABLE, covarianceMatrix: COV3 }),
  { hessianTolerance: CALLABLE_HESSIAN_TOLERANCE, globalOptimum: false },
);

// Simplified likelihoods
const simplified = {
  "default.uncorrelated_background": (extra: object) =>
    new UncorrelatedBackground({ ...S3, absoluteUncertainties: [12, 16, 6], ...extra }),
  "default.correlated_background": (extra: object) =>
    new CorrelatedBackground({ ...S3, covarianceMatrix: COV3, ...extra }),
  "default.third_moment_expansion": (extra: object) =>
    new ThirdMomentExpansion({ ...S3, covarianceMatrix: COV3, thirdMoment: [300, -900, 40], ...extra }),
  "default.effective_sigma": (extra: object) =>
    new EffectiveSigma({ ...S3, correlationMatrix: RHO3, absoluteUncertaintyEnvelops: ENV3, ...extra }),
};
for (const [name, make] of Object.entries(simplified)) {
  runBackendConformance(name, () => make({}));
  runBackendConformance(`${name} with modifiers`, () => make({ modifiers: MODIFIERS }));
  runBackendConformance(`${name} with callable signal`, () => make(CALLABLE), {
    hessianTolerance: CALLABLE_HESSIAN_TOLERANCE,
    // the signal is quadratic in φ₀: fits are local, a conditional fit may find a better basin
    globalOptimum: false,
  });
}

// One-bin models (spey's MVN-constrained samplers crashed there, README, Differences from spey)
runBackendConformance(
  "default.correlated_background, one bin",
  () => new CorrelatedBackground({ signalYields: [4], backgroundYields: [9], data: [11], covarianceMatrix: [[4]] }),
);
runBackendConformance(
  "default.third_moment_expansion, one bin",
  () =>
    new ThirdMomentExpansion({
      signalYields: [4],
      backgroundYields: [9],
      data: [11],
      covarianceMatrix: [[4]],
      thirdMoment: [3],
    }),
);
runBackendConformance(
  "default.effective_sigma, one bin",
  () =>
    new EffectiveSigma({
      signalYields: [4],
      backgroundYields: [9],
      data: [11],
      correlationMatrix: [[1]],
      absoluteUncertaintyEnvelops: [[2.5, -1.5]],
    }),
);

// HistFactory (pyhf JSON): the spey-pyhf example workspace with one signal patch, and the same
// workspace's all-modifier fixture (normsys, histosys, shapesys, staterror, lumi, shapefactor).
const histfactoryFixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/histfactory/${name}`, import.meta.url), "utf8")) as Record<
    string,
    unknown
  >;
const stop300 = (
  histfactoryFixture("simplify-patchset.json").patches as { metadata: { name: string }; patch: unknown[] }[]
).find((p) => p.metadata.name === "stop_300");
runBackendConformance(
  "pyhf (signal patch)",
  () =>
    new PyhfBackend({
      backgroundOnlyModel: histfactoryFixture("simplify-workspace.json") as never,
      signalPatch: stop300?.patch as never,
    }),
);

runBackendConformance(
  "pyhf.uncorrelated_background",
  () => new UncorrelatedBackgroundBackend({ ...S3, absoluteUncertainties: [12, 16, 6] }),
);

// Combined: two simplified likelihoods sharing μ and one nuisance parameter.
runBackendConformance("default.correlated_combiner", () => {
  const A = new StatisticalModel(new UncorrelatedBackground({ ...S3, absoluteUncertainties: [12, 16, 6] }), {
    analysis: "A",
  });
  const B = new StatisticalModel(new CorrelatedBackground({ ...S3, covarianceMatrix: COV3 }), { analysis: "B" });
  return new CorrelatedCombiner({ models: [A, B], sharedParameters: ["mu"] });
});

// Combined: independent analyses sharing only μ (spey's UncorrelatedStatisticsCombiner), here a
// simplified likelihood and a HistFactory one, so that both kinds of member are exercised.
runBackendConformance("default.uncorrelated_combiner", () => {
  const A = new StatisticalModel(new CorrelatedBackground({ ...S3, covarianceMatrix: COV3 }), { analysis: "A" });
  const B = new StatisticalModel(
    new UncorrelatedBackgroundBackend({
      signalYields: [4, 7],
      backgroundYields: [20, 31],
      data: [23, 30],
      absoluteUncertainties: [4, 5],
    }),
    { analysis: "B" },
  );
  return new UncorrelatedStatisticsCombiner({ statisticalModels: [A, B] });
});

describe("the conformance suite catches broken backends", () => {
  it("a gradient off by 1% fails the gradient check with a ConformanceError naming the component", () => {
    class WrongGradient extends Poisson {
      override getObjectiveFunction(options?: object) {
        const f = super.getObjectiveFunction(options);
        return (x: Float64Array, grad?: Float64Array) => {
          const v = f(x, grad);
          if (grad) for (let i = 0; i < grad.length; i++) grad[i] = (grad[i] as number) * 1.01;
          return v;
        };
      }
    }
    const checks = backendConformanceChecks(() => new WrongGradient(S3));
    const gradient = checks.find((c) => c.name.includes("analytic gradient"));
    expect(() => gradient?.run()).toThrow(ConformanceError);
    expect(() => gradient?.run()).toThrow(/grad\[0\]/);
    expect(() => checks.find((c) => c.name.includes("consistent configuration"))?.run()).not.toThrow();
  });
});
