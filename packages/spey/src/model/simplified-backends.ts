/**
 * `getBackend` of the lean entry `spey/simplified`: it builds {@link LeanStatisticalModel}s (no toy
 * calculator, no `chi2Test`), and loading this module registers only the simplified likelihoods
 * (`default.uncorrelated_background`, `default.correlated_background`,
 * `default.third_moment_expansion`, `default.effective_sigma`) in the package's registry (package.json
 * lists it under `sideEffects`). So a bundle of it leaves out the simple backends, the combiners, the
 * toys and the profile-likelihood intervals. The registry is the package's one registry: with `spey`
 * loaded too, every built-in is available here as well.
 */
import { SIMPLIFIED_BACKENDS } from "../backends/builtins.js";
import { backendRegistry, modelFactory } from "./backend-registry.js";
import { LeanStatisticalModel, type StatisticalModelOptions } from "./statistical-model.js";

/** Add the simplified likelihoods to the registry (idempotent; they stay across `resetBackendEntries`). */
export function registerSimplifiedBackends(): void {
  for (const cls of SIMPLIFIED_BACKENDS) backendRegistry.addBuiltin(cls);
}

registerSimplifiedBackends();

/** What `getBackend` of `spey/simplified` returns: builds a {@link LeanStatisticalModel}. */
export type LeanBackendFactory = (args?: Record<string, unknown> & StatisticalModelOptions) => LeanStatisticalModel;

/**
 * The factory of a backend (spey's `get_backend`), as `getBackend` of `spey` but building a
 * {@link LeanStatisticalModel}: CLs (asymptotic and χ² calculators), upper limits, significance, χ²,
 * pulls, σμ, fits and Asimov data; no toy calculator and no `chi2Test` method (call the function
 * `chi2Test(model, options)` instead).
 *
 * @example
 * const model = getBackend("default.correlated_background")({ signalYields: [5, 3], backgroundYields: [10, 8],
 *   data: [12, 9], covarianceMatrix: [[4, 1], [1, 3]] });
 * model.poiUpperLimit(); // μ excluded at 95% CL
 */
export function getBackend(name: string): LeanBackendFactory {
  return modelFactory(name, LeanStatisticalModel);
}
