/**
 * `getBackend` of the main entry `spey`. Loading this module registers every built-in backend of the
 * main entry (the simple and simplified likelihoods and the combiners) in the package's registry
 * (package.json lists it under `sideEffects`); the lean entry `spey/simplified`
 * (model/simplified-backends.ts) registers only the simplified likelihoods.
 */
import { BUILTIN_BACKENDS } from "../backends/builtins.js";
import { backendRegistry, modelFactory } from "./backend-registry.js";
import { StatisticalModel, type StatisticalModelOptions } from "./statistical-model.js";

export {
  availableBackends,
  backendRegistry,
  getBackendBibtex,
  getBackendMetadata,
  loadPlugins,
  registerBackend,
  resetBackendEntries,
} from "./backend-registry.js";

for (const cls of BUILTIN_BACKENDS) backendRegistry.addBuiltin(cls);

/** What {@link getBackend} returns: builds a {@link StatisticalModel} from one arguments object. */
export type BackendFactory = (args?: Record<string, unknown> & StatisticalModelOptions) => StatisticalModel;

/**
 * The factory of a backend (spey's `get_backend`). It takes one object: the backend's own
 * arguments (camelCase, spey's snake_case also accepted) plus `analysis`, `xsection` and `ntoys`.
 *
 * @example
 * const model = getBackend("default.poisson")({ signalYields: [5], backgroundYields: [10], data: [12] });
 * model.exclusionConfidenceLevel(); // [1 − CLs]
 */
export function getBackend(name: string): BackendFactory {
  return modelFactory(name, StatisticalModel);
}
