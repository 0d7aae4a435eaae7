/**
 * Discovery of plug-in backends published as npm packages — the analogue of Python entry points.
 *
 * A package declares its backends in its `package.json`:
 *
 * ```json
 * { "name": "spey-my-plugin",
 *   "spey": { "backends": { "my_package.poisson": "./dist/poisson.js" } } }
 * ```
 *
 * Each value is a module path relative to the package root, optionally followed by `#ExportName`
 * (default: the exported class whose static `name` matches, else the default export). The export
 * is either the backend class itself (a module that imports `spey`), or a factory
 * `(spey) => BackendClass` that receives {@link PluginApi} — the form to use when the plug-in
 * must not depend on a particular installed copy of this package.
 * Installed packages are scanned in every `node_modules` folder from the working directory up to
 * the file-system root (and scoped `@org/*` folders). Scanning reads only `package.json` files;
 * a module is loaded when its backend is first requested. Node only: in a browser nothing is found.
 */
import * as errors from "../core/errors.js";
import { PluginError } from "../core/errors.js";
import { VERSION } from "../core/version.js";
import { ModelConfig } from "../config/model-config.js";
import { BackendBase, ConverterBase } from "./backend-base.js";
import { freeze, entriesOf } from "../core/describe.js";

/** One backend that a package offers. */
export interface PluginEntry {
  /** Accessor name (the key in `spey.backends`). */
  readonly name: string;
  /** The npm package that declares it. */
  readonly packageName: string;
  /** Absolute path of the module. */
  readonly modulePath: string;
  /** Export to use (undefined: default export or name match). */
  readonly exportName: string | undefined;
}

interface NodeFs {
  readdirSync(path: string): string[];
  readFileSync(path: string, encoding: "utf8"): string;
  existsSync(path: string): boolean;
}
interface NodePath {
  join(...parts: string[]): string;
  dirname(path: string): string;
  resolve(...parts: string[]): string;
}

function nodeModules(): { fs: NodeFs; path: NodePath } | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (!proc?.getBuiltinModule) return undefined;
  return { fs: proc.getBuiltinModule("node:fs") as NodeFs, path: proc.getBuiltinModule("node:path") as NodePath };
}

function packagesIn(fs: NodeFs, path: NodePath, dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    if (name.startsWith(".")) continue;
    if (name.startsWith("@")) {
      for (const sub of packagesIn(fs, path, path.join(dir, name))) out.push(sub);
    } else {
      out.push(path.join(dir, name));
    }
  }
  return out;
}

/**
 * Scan installed packages for `spey.backends` declarations. The first declaration of a name wins
 * (nearest `node_modules` first). Malformed `package.json` files are skipped.
 */
export function discoverPlugins(options: { from?: string } = {}): PluginEntry[] {
  const node = nodeModules();
  if (!node) return [];
  const { fs, path } = node;
  const proc = (globalThis as { process?: { cwd(): string } }).process;
  let dir = path.resolve(options.from ?? proc?.cwd() ?? ".");
  const found = new Map<string, PluginEntry>();
  for (let depth = 0; depth < 64; depth++) {
    for (const pkgDir of packagesIn(fs, path, path.join(dir, "node_modules"))) {
      const manifest = path.join(pkgDir, "package.json");
      let json: { name?: unknown; spey?: { backends?: unknown } };
      try {
        json = JSON.parse(fs.readFileSync(manifest, "utf8"));
      } catch {
        continue;
      }
      const backends = json.spey?.backends;
      if (!backends || typeof backends !== "object") continue;
      for (const [name, target] of entriesOf(backends as Record<string, unknown>)) {
        if (typeof target !== "string" || found.has(name)) continue;
        const [file, exportName] = target.split("#") as [string, string | undefined];
        found.set(name, {
          name,
          packageName: typeof json.name === "string" ? json.name : path.dirname(manifest),
          modulePath: path.resolve(pkgDir, file),
          exportName,
        });
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return [...found.values()];
}

/** What a plug-in factory receives: the base classes and helpers it builds on. */
export interface PluginApi {
  readonly BackendBase: unknown;
  readonly ConverterBase: unknown;
  readonly ModelConfig: unknown;
  readonly errors: Readonly<Record<string, unknown>>;
  readonly version: string;
}

const PLUGIN_API: PluginApi = freeze({ BackendBase, ConverterBase, ModelConfig, errors, version: VERSION });

/** A plug-in export is a class, or a factory `(api) => class`: the class. */
function materialise(exported: unknown): unknown {
  const proto = (exported as { prototype?: Record<string, unknown> } | undefined)?.prototype;
  const isClass = proto && (typeof proto.getLogpdfFunc === "function" || typeof proto.convert === "function");
  if (typeof exported === "function" && !isClass) return (exported as (api: PluginApi) => unknown)(PLUGIN_API);
  return exported;
}

/** Pick the backend class out of a loaded plug-in module. */
export function selectExport(moduleNamespace: Record<string, unknown>, entry: PluginEntry): unknown {
  if (entry.exportName) return moduleNamespace[entry.exportName];
  const candidates = Object.values(moduleNamespace).filter((v) => typeof v === "function");
  const byName = candidates.find((c) => (c as { name?: unknown }).name === entry.name);
  return byName ?? moduleNamespace.default;
}

/**
 * Load a plug-in module synchronously (CommonJS, or ES modules on Node ≥ 20.19 where `require`
 * loads them) and return its backend class (a factory export is called with {@link PluginApi}).
 * Use {@link loadPluginAsync} where that is not available.
 */
export function loadPluginSync(entry: PluginEntry): unknown {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.("node:module") as
    | { createRequire(path: string): (id: string) => Record<string, unknown> }
    | undefined;
  if (!mod)
    throw new PluginError(
      "plug-in loading needs Node.js; in a browser register the backend class with registerBackend.",
    );
  const req = mod.createRequire(entry.modulePath);
  return materialise(selectExport(req(entry.modulePath), entry));
}

/** Load a plug-in module with a dynamic `import()` and return its backend class (as {@link loadPluginSync}). */
export async function loadPluginAsync(entry: PluginEntry): Promise<unknown> {
  const url = new URL(`file://${entry.modulePath}`).href;
  const ns = (await import(url)) as Record<string, unknown>;
  return materialise(selectExport(ns, entry));
}
