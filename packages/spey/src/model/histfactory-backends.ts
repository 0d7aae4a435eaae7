/**
 * Registers the HistFactory backends (`pyhf`, `pyhf.uncorrelated_background`, `pyhf.simplify`) in
 * the package's registry when this module is first imported: the entries `spey/histfactory`,
 * `spey/node`, `spey/io` and `spey/worker` import it for that effect (package.json lists it under
 * `sideEffects`). With only the main entry `spey` loaded, `getBackend("pyhf")` says to import
 * `spey/histfactory`; {@link registerHistFactoryBackends} does the same explicitly.
 */
import { HISTFACTORY_BACKENDS } from "../backends/builtins.js";
import { backendRegistry } from "./get-backend.js";

/** Add the HistFactory backends to the registry (idempotent; they stay across `resetBackendEntries`). */
export function registerHistFactoryBackends(): void {
  for (const cls of HISTFACTORY_BACKENDS) backendRegistry.addBuiltin(cls);
}

registerHistFactoryBackends();
