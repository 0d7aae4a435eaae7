import { InvalidInput, PluginError } from "../core/errors.js";
import { camelCaseKeys } from "../core/naming.js";
import { BackendBase, type ConverterBase } from "../plugin/backend-base.js";
import {
  type AnyBackendClass,
  type BackendMetadata,
  BackendRegistry,
  bibtexOf,
  isConverterClass,
} from "../plugin/registry.js";
import { trackReads, warnUnused } from "./argument-tracking.js";
import type { StatisticalModelOptions } from "./statistical-model.js";

/**
 * The package's backend registry: the only module-level mutable state of the library. Holds the
 * built-ins that the loaded entries registered (`spey`: the simple and simplified likelihoods and
 * the combiners; `spey/simplified`: the simplified likelihoods; `spey/histfactory`: pyhf), the
 * classes registered with {@link registerBackend}, and plug-ins discovered from installed npm
 * packages (loaded on first use). Every entry shares this one instance.
 */
export const backendRegistry = new BackendRegistry();

/**
 * Register a backend (or converter) class under its static `name` (spey's `register_backend`):
 * checks the metadata, the required methods and the `speyRequires` range; a name already
 * registered is rejected. Returns the class, so it can wrap a class expression.
 */
export function registerBackend<T extends AnyBackendClass>(cls: T): T {
  return backendRegistry.register(cls);
}

/** Accessor names of every available backend: built-ins, registered, discovered plug-ins (spey's `AvailableBackends`). */
export function availableBackends(): string[] {
  return backendRegistry.names();
}

/**
 * Restore the registry to its initial state: the built-ins plus a fresh scan of installed
 * plug-in packages (from the working directory, or from `options.from`). Classes added with
 * {@link registerBackend} are removed.
 */
export function resetBackendEntries(options: { from?: string } = {}): void {
  backendRegistry.reset(options);
}

/** Load every discovered plug-in with dynamic `import()` (for ES-module plug-ins on any Node ≥ 20). */
export function loadPlugins(): Promise<string[]> {
  return backendRegistry.loadPlugins();
}

/** The metadata of a backend, with spey's defaults for missing fields (spey's `get_backend_metadata`). */
export function getBackendMetadata(name: string): BackendMetadata {
  return backendRegistry.metadata(name);
}

/**
 * BibTeX entries for a backend, built offline from its metadata (no network call; spey's
 * `get_backend_bibtex` queries inspirehep): one `@misc` per arXiv identifier, DOI and Zenodo record.
 */
export function getBackendBibtex(name: string): { arXiv: string[]; doi: string[]; zenodo: string[] } {
  return bibtexOf(getBackendMetadata(name));
}

/**
 * The factory of backend `name` (spey's `get_backend`), building models of class `Model`: the
 * `getBackend` of `spey` builds a `StatisticalModel`, that of `spey/simplified` a
 * `LeanStatisticalModel`. The factory takes one object: the backend's own arguments (camelCase,
 * spey's snake_case also accepted) plus `analysis`, `xsection` and `ntoys`.
 */
export function modelFactory<M>(
  name: string,
  Model: new (backend: BackendBase, options: StatisticalModelOptions) => M,
): (args?: Record<string, unknown> & StatisticalModelOptions) => M {
  const cls = backendRegistry.resolve(name);
  return (args = {}) => {
    if (typeof args !== "object" || args === null) {
      throw new InvalidInput(`the arguments of backend ${name} must be an object; got ${String(args)}.`);
    }
    const { analysis, xsection, ntoys, ...rest } = camelCaseKeys(args) as Record<string, unknown> &
      StatisticalModelOptions;
    const { tracked, read } = trackReads(rest);
    let backend: BackendBase;
    if (isConverterClass(cls)) {
      const converter = new (cls as unknown as new () => ConverterBase)();
      backend = converter.convert(tracked);
    } else {
      backend = new (cls as unknown as new (a: Record<string, unknown>) => BackendBase)(tracked);
    }
    warnUnused(name, rest, read);
    if (!(backend instanceof BackendBase) && typeof (backend as BackendBase).getLogpdfFunc !== "function") {
      throw new PluginError(`The backend ${name} did not produce a BackendBase instance.`);
    }
    // (absent values take the model's defaults)
    return new Model(backend, { analysis, xsection, ntoys });
  };
}
