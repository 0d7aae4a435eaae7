import * as errors from "../core/errors.js";
import { AbstractModel, InvalidInput, MissingMetaData, PluginError } from "../core/errors.js";
import { ModelConfig } from "../config/model-config.js";
import { StatisticalModel, type StatisticalModelOptions } from "../model/statistical-model.js";
import { satisfies } from "./semver.js";
import { VERSION } from "../core/version.js";
import { BackendBase, type BackendClass, type BackendMetadataFields, ConverterBase } from "./backend-base.js";
import { BUILTIN_BACKENDS } from "../backends/builtins.js";
import { discoverPlugins, loadPluginAsync, loadPluginSync, type PluginApi, type PluginEntry } from "./discovery.js";

/** A converter class (spec §6.3). */
export type ConverterClass = (abstract new () => ConverterBase) & BackendMetadataFields;

type AnyBackendClass = BackendClass | ConverterClass;

/** Where a registry entry came from. */
type Entry = { kind: "class"; cls: AnyBackendClass } | { kind: "plugin"; plugin: PluginEntry };

/**
 * The backend registry: the only module-level mutable state of the package. Holds the built-ins,
 * the classes registered with {@link registerBackend}, and plug-ins discovered from installed npm
 * packages (loaded on first use).
 */
const registry = new Map<string, Entry>();
let discovered = false;
let discoveryRoot: string | undefined;

function ensureDiscovered(): void {
  if (discovered) return;
  discovered = true;
  for (const plugin of discoverPlugins(discoveryRoot === undefined ? {} : { from: discoveryRoot })) {
    if (!registry.has(plugin.name)) registry.set(plugin.name, { kind: "plugin", plugin });
  }
}

function installBuiltins(): void {
  for (const cls of BUILTIN_BACKENDS) registry.set(cls.name, { kind: "class", cls });
}
installBuiltins();

/** Metadata of a backend (spec §4.3). */
export interface BackendMetadata {
  readonly name: string;
  readonly author: string;
  readonly version: string;
  readonly speyRequires: string;
  readonly doi: readonly string[];
  readonly arXiv: readonly string[];
  readonly zenodo: readonly string[];
}

function isConverterClass(cls: unknown): cls is ConverterClass {
  return (
    typeof cls === "function" &&
    (cls.prototype instanceof ConverterBase || typeof cls.prototype?.convert === "function")
  );
}

function missingMethods(cls: AnyBackendClass): string[] {
  const proto = cls.prototype as unknown as Record<string, unknown>;
  if (isConverterClass(cls)) return typeof proto.convert === "function" ? [] : ["convert"];
  return ["config", "getLogpdfFunc"].filter((m) => typeof proto[m] !== "function");
}

function checkVersion(cls: AnyBackendClass): void {
  let ok: boolean;
  try {
    ok = satisfies(VERSION, cls.speyRequires);
  } catch (error) {
    throw new PluginError(
      `The backend ${cls.name} declares speyRequires "${cls.speyRequires}", which is not a semver range: ${(error as Error).message}`,
    );
  }
  if (!ok) {
    throw new PluginError(
      `The backend ${cls.name}, requires spey version ${cls.speyRequires}. However the current spey version is ${VERSION}.`,
    );
  }
}

function validateClass(cls: unknown, context: string): AnyBackendClass {
  if (typeof cls !== "function" || !cls.prototype) {
    throw new PluginError(`${context}: expected a class extending BackendBase or ConverterBase; got ${typeof cls}.`);
  }
  const c = cls as AnyBackendClass;
  const hasName = typeof c.name === "string" && c.name.length > 0 && Object.hasOwn(c, "name");
  const missingMeta = [...(typeof c.speyRequires === "string" ? [] : ["speyRequires"]), ...(hasName ? [] : ["name"])];
  if (missingMeta.length > 0) {
    throw new MissingMetaData(
      `${context}: required metadata missing: ${missingMeta.join(", ")}. Declare them as static fields, e.g. static name = "my_package.model"; static speyRequires = ">=0.1.0".`,
    );
  }
  const missing = missingMethods(c);
  if (missing.length > 0) {
    throw new AbstractModel(
      `${context}: the backend ${c.name} is an abstract model. Please fill the missing method(s): ${missing.join(", ")}.`,
    );
  }
  checkVersion(c);
  return c;
}

/**
 * Register a backend (or converter) class under its static `name` (spec §4.2). Checks the
 * metadata, the required methods and the `speyRequires` range; a name already registered is
 * rejected. Returns the class, so it can wrap a class expression.
 */
export function registerBackend<T extends AnyBackendClass>(cls: T): T {
  const c = validateClass(cls, "registerBackend");
  ensureDiscovered();
  if (registry.has(c.name)) {
    throw new PluginError(`Backend name \`${c.name}\`, is already registered. Choose another static name.`);
  }
  registry.set(c.name, { kind: "class", cls: c });
  return cls;
}

/** Accessor names of every available backend: built-ins, registered, discovered plug-ins. */
export function availableBackends(): string[] {
  ensureDiscovered();
  return [...registry.keys()];
}

/**
 * Restore the registry to its initial state: the built-ins plus a fresh scan of installed
 * plug-in packages (from the working directory, or from `options.from`). Classes added with
 * {@link registerBackend} are removed.
 */
export function resetBackendEntries(options: { from?: string } = {}): void {
  discoveryRoot = options.from;
  registry.clear();
  installBuiltins();
  discovered = false;
  ensureDiscovered();
}

function unknown(name: string): PluginError {
  return new PluginError(
    `The backend ${name} is unavailable. Available backends are ${[...registry.keys()].join(", ")}.`,
  );
}

const PLUGIN_API: PluginApi = Object.freeze({ BackendBase, ConverterBase, ModelConfig, errors, version: VERSION });

/** A plug-in export is a class, or a factory `(api) => class`. */
function materialise(exported: unknown): unknown {
  const proto = (exported as { prototype?: Record<string, unknown> } | undefined)?.prototype;
  const isClass = proto && (typeof proto.getLogpdfFunc === "function" || typeof proto.convert === "function");
  if (typeof exported === "function" && !isClass) return (exported as (api: PluginApi) => unknown)(PLUGIN_API);
  return exported;
}

function resolveClass(name: string): AnyBackendClass {
  if (typeof name !== "string") throw new InvalidInput(`backend name must be a string; got ${typeof name}.`);
  ensureDiscovered();
  const entry = registry.get(name);
  if (!entry) throw unknown(name);
  if (entry.kind === "class") return entry.cls;
  let loaded: unknown;
  try {
    loaded = materialise(loadPluginSync(entry.plugin));
  } catch (error) {
    throw new PluginError(
      `The backend ${name} from package ${entry.plugin.packageName} could not be loaded (${(error as Error).message}). Try \`await loadPlugins()\` first.`,
    );
  }
  const cls = validateClass(loaded, `plug-in ${entry.plugin.packageName}`);
  if (cls.name !== name) {
    throw new PluginError(
      `The identity of the statistical model is wrongly set: package ${entry.plugin.packageName} declares ${name} but the class is named ${cls.name}.`,
    );
  }
  registry.set(name, { kind: "class", cls });
  return cls;
}

/** Load every discovered plug-in with dynamic `import()` (for ES-module plug-ins on any Node ≥ 20). */
export async function loadPlugins(): Promise<string[]> {
  ensureDiscovered();
  const loaded: string[] = [];
  for (const [name, entry] of registry) {
    if (entry.kind !== "plugin") continue;
    const cls = validateClass(materialise(await loadPluginAsync(entry.plugin)), `plug-in ${entry.plugin.packageName}`);
    registry.set(name, { kind: "class", cls });
    loaded.push(name);
  }
  return loaded;
}

/** Convert spey's snake_case keyword names to camelCase (`signal_yields` → `signalYields`). */
export function camelCaseKeys(args: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const source: Record<string, string> = {};
  for (const [key, value] of Object.entries(args)) {
    const camel = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    if (camel in out) {
      throw new InvalidInput(`argument "${key}" is given twice (also as "${source[camel]}"); keep one.`);
    }
    out[camel] = value;
    source[camel] = key;
  }
  return out;
}

/** What {@link getBackend} returns: builds a {@link StatisticalModel} from one arguments object. */
export type BackendFactory = (args?: Record<string, unknown> & StatisticalModelOptions) => StatisticalModel;

/**
 * The factory of a backend (spec §4.1). It takes one object: the backend's own arguments
 * (camelCase, spey's snake_case also accepted) plus `analysis`, `xsection` and `ntoys`.
 *
 * @example
 * const model = getBackend("default.poisson")({ signalYields: [5], backgroundYields: [10], data: [12] });
 * model.exclusionConfidenceLevel(); // [1 − CLs]
 */
export function getBackend(name: string): BackendFactory {
  const cls = resolveClass(name);
  return (args = {}) => {
    if (typeof args !== "object" || args === null) {
      throw new InvalidInput(`the arguments of backend ${name} must be an object; got ${String(args)}.`);
    }
    const { analysis, xsection, ntoys, ...rest } = camelCaseKeys(args) as Record<string, unknown> &
      StatisticalModelOptions;
    let backend: BackendBase;
    if (isConverterClass(cls)) {
      const converter = new (cls as unknown as new () => ConverterBase)();
      backend = converter.convert(rest);
    } else {
      backend = new (cls as unknown as new (a: Record<string, unknown>) => BackendBase)(rest);
    }
    if (!(backend instanceof BackendBase) && typeof (backend as BackendBase).getLogpdfFunc !== "function") {
      throw new PluginError(`The backend ${name} did not produce a BackendBase instance.`);
    }
    return new StatisticalModel(backend, {
      ...(analysis !== undefined ? { analysis } : { analysis: "__unknown_analysis__" }),
      ...(xsection !== undefined ? { xsection } : {}),
      ...(ntoys !== undefined ? { ntoys } : {}),
    });
  };
}

/** The metadata of a backend, with spey's defaults for missing fields (spec §4.3). */
export function getBackendMetadata(name: string): BackendMetadata {
  const cls = resolveClass(name);
  return {
    name: cls.name || "__unknown_model__",
    author: cls.author || "__unknown_author__",
    version: cls.version || "__unknown_version__",
    speyRequires: cls.speyRequires,
    doi: [...(cls.doi ?? [])],
    arXiv: [...(cls.arXiv ?? [])],
    zenodo: [...(cls.zenodo ?? [])],
  };
}

/**
 * BibTeX entries for a backend, built offline from its metadata (no network call): one `@misc`
 * per arXiv identifier, DOI and Zenodo record. Keys are derived from the identifiers.
 */
export function getBackendBibtex(name: string): { arXiv: string[]; doi: string[]; zenodo: string[] } {
  const meta = getBackendMetadata(name);
  const key = (prefix: string, id: string) => `${prefix}:${id.replace(/[^A-Za-z0-9.]/g, "_")}`;
  const entry = (k: string, fields: Record<string, string>) =>
    `@misc{${k},\n${Object.entries(fields)
      .map(([f, v]) => `    ${f} = {${v}}`)
      .join(",\n")}\n}`;
  const common = { author: meta.author, note: `spey backend ${meta.name} v${meta.version}` };
  return {
    arXiv: meta.arXiv.map((id) =>
      entry(key("arXiv", id), { ...common, eprint: id, archivePrefix: "arXiv", url: `https://arxiv.org/abs/${id}` }),
    ),
    doi: meta.doi.map((id) => entry(key("doi", id), { ...common, doi: id, url: `https://doi.org/${id}` })),
    zenodo: meta.zenodo.map((id) =>
      entry(key("zenodo", id), { ...common, howpublished: "Zenodo", url: `https://zenodo.org/records/${id}` }),
    ),
  };
}
