import { AbstractModel, InvalidInput, MissingMetaData, PluginError } from "../core/errors.js";
import { VERSION } from "../core/version.js";
import { type BackendClass, type BackendMetadataFields, ConverterBase } from "./backend-base.js";
// In browser builds package.json's "browser" field swaps this module for discovery.browser.ts
// (nothing to discover without a file system), which leaves the npm scanning out of bundles.
import { discoverPlugins, loadPluginAsync, loadPluginSync, type PluginEntry } from "./discovery.js";
import { satisfies } from "./semver.js";
import { hasOwn, entriesOf } from "../core/describe.js";

/** A converter class: a registered object that turns its arguments into a backend (spey's `ConverterBase`). */
export type ConverterClass = (abstract new () => ConverterBase) & BackendMetadataFields;

/** A class the registry holds: a backend or a converter. */
export type AnyBackendClass = BackendClass | ConverterClass;

/** Where a registry entry came from. */
type Entry = { kind: "class"; cls: AnyBackendClass } | { kind: "plugin"; plugin: PluginEntry };

/** Metadata of a backend (spey's `get_backend_metadata`). */
export interface BackendMetadata {
  readonly name: string;
  readonly author: string;
  readonly version: string;
  readonly speyRequires: string;
  readonly doi: readonly string[];
  readonly arXiv: readonly string[];
  readonly zenodo: readonly string[];
}

/** True for a converter class (it has `convert` instead of `getLogpdfFunc`). */
export function isConverterClass(cls: unknown): cls is ConverterClass {
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
  const hasName = typeof c.name === "string" && c.name.length > 0 && hasOwn(c, "name");
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
 * A registry of backends: a map from accessor name to class (as TF.js's kernel registry), with the
 * checks of spey's `register_backend` (metadata, required methods, `speyRequires`) and lazily
 * discovered npm plug-ins. It only holds classes: building a statistical model from one is the
 * model layer's `getBackend`. The package keeps one instance (with the built-in backends) there.
 */
export class BackendRegistry {
  readonly #entries = new Map<string, Entry>();
  #discovered = false;
  #discoveryRoot: string | undefined;

  readonly #builtins: readonly AnyBackendClass[];
  /** @param builtins the classes present from the start and after {@link reset}. */
  constructor(builtins: readonly AnyBackendClass[] = []) {
    this.#builtins = builtins;
    this.#installBuiltins();
  }

  #installBuiltins(): void {
    for (const cls of this.#builtins) this.#entries.set(cls.name, { kind: "class", cls });
  }

  #ensureDiscovered(): void {
    if (this.#discovered) return;
    this.#discovered = true;
    const from = this.#discoveryRoot === undefined ? {} : { from: this.#discoveryRoot };
    for (const plugin of discoverPlugins(from)) {
      if (!this.#entries.has(plugin.name)) this.#entries.set(plugin.name, { kind: "plugin", plugin });
    }
  }

  /**
   * Register a backend (or converter) class under its static `name` (spey's `register_backend`).
   * Checks the metadata, the required methods and the `speyRequires` range; a name already
   * registered is rejected. Returns the class, so it can wrap a class expression.
   */
  register<T extends AnyBackendClass>(cls: T): T {
    const c = validateClass(cls, "registerBackend");
    this.#ensureDiscovered();
    if (this.#entries.has(c.name)) {
      throw new PluginError(`Backend name \`${c.name}\`, is already registered. Choose another static name.`);
    }
    this.#entries.set(c.name, { kind: "class", cls: c });
    return cls;
  }

  /** Add a class shipped by this package (a subpath such as `spey/histfactory`); re-adding is a no-op. */
  addBuiltin(cls: AnyBackendClass): void {
    if (!this.#builtins.includes(cls)) (this.#builtins as AnyBackendClass[]).push(cls);
    const entry = this.#entries.get(cls.name);
    if (entry === undefined || entry.kind === "plugin") this.#entries.set(cls.name, { kind: "class", cls });
  }

  /** Accessor names of every available backend: built-ins, registered, discovered plug-ins. */
  names(): string[] {
    this.#ensureDiscovered();
    return [...this.#entries.keys()];
  }

  /**
   * Restore the initial state: the built-ins plus a fresh scan of installed plug-in packages
   * (from the working directory, or from `options.from`). Registered classes are removed.
   */
  reset(options: { from?: string } = {}): void {
    this.#discoveryRoot = options.from;
    this.#entries.clear();
    this.#installBuiltins();
    this.#discovered = false;
    this.#ensureDiscovered();
  }

  #unknown(name: string): PluginError {
    return new PluginError(
      `The backend ${name} is unavailable. Available backends are ${[...this.#entries.keys()].join(", ")}.${
        name.startsWith("pyhf") && !this.#entries.has("pyhf")
          ? ' The pyhf backends are registered by the subpath "spey/histfactory": add `import "spey/histfactory";` (or call its registerHistFactoryBackends()).'
          : ""
      }${
        name.startsWith("default.") && !this.#entries.has("default.poisson")
          ? ' The simple backends and the combiners are registered by the main entry "spey" ("spey/simplified" registers only the simplified likelihoods): import getBackend from "spey".'
          : ""
      }`,
    );
  }

  /** The class registered under `name`, loading a discovered plug-in on first use. */
  resolve(name: string): AnyBackendClass {
    if (typeof name !== "string") throw new InvalidInput(`backend name must be a string; got ${typeof name}.`);
    // A class already present is final (discovered plug-ins never replace one): no scan of the
    // installed packages for it, which a one-shot command would pay at every start.
    const present = this.#entries.get(name);
    if (present?.kind === "class") return present.cls;
    this.#ensureDiscovered();
    const entry = this.#entries.get(name);
    if (!entry) throw this.#unknown(name);
    if (entry.kind === "class") return entry.cls;
    let loaded: unknown;
    try {
      loaded = loadPluginSync(entry.plugin);
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
    this.#entries.set(name, { kind: "class", cls });
    return cls;
  }

  /** Load every discovered plug-in with dynamic `import()` (for ES-module plug-ins). */
  async loadPlugins(): Promise<string[]> {
    this.#ensureDiscovered();
    const loaded: string[] = [];
    for (const [name, entry] of this.#entries) {
      if (entry.kind !== "plugin") continue;
      const cls = validateClass(await loadPluginAsync(entry.plugin), `plug-in ${entry.plugin.packageName}`);
      this.#entries.set(name, { kind: "class", cls });
      loaded.push(name);
    }
    return loaded;
  }

  /** The metadata of a backend, with spey's defaults for missing fields (spey's `get_backend_metadata`). */
  metadata(name: string): BackendMetadata {
    return metadataOf(this.resolve(name));
  }
}

/** The metadata of a backend class, with spey's defaults for missing fields. */
export function metadataOf(cls: AnyBackendClass): BackendMetadata {
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
 * BibTeX entries of a backend, built offline from its metadata (no network call): one `@misc`
 * per arXiv identifier, DOI and Zenodo record. Keys are derived from the identifiers.
 */
export function bibtexOf(meta: BackendMetadata): { arXiv: string[]; doi: string[]; zenodo: string[] } {
  const key = (prefix: string, id: string) => `${prefix}:${id.replace(/[^A-Za-z0-9.]/g, "_")}`;
  const entry = (k: string, fields: Record<string, string>) =>
    `@misc{${k},\n${entriesOf(fields)
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
