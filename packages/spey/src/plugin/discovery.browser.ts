/**
 * Plug-in discovery in browser builds: package.json's `"browser"` field maps `discovery.js` to this
 * module, which bundlers (Vite, webpack, esbuild, Rollup's node-resolve) follow for browser targets.
 * It behaves as `discovery.ts` does in a browser — there is no file system to scan, so nothing is
 * discovered, and loading a plug-in package says to register the class instead — without carrying
 * the scanning and loading code. Node (and tests) use `discovery.ts`.
 */
import { PluginError } from "../core/errors.js";
import type { PluginEntry } from "./discovery.js";

export type { PluginApi, PluginEntry } from "./discovery.js";

const NEEDS_NODE = "plug-in loading needs Node.js; in a browser register the backend class with registerBackend.";

/** Installed plug-in packages: none in a browser (see `discovery.ts`). */
export function discoverPlugins(_options: { from?: string } = {}): PluginEntry[] {
  return [];
}

/** Plug-in packages cannot be loaded in a browser: throws a `PluginError` that says what to do. */
export function loadPluginSync(_entry: PluginEntry): unknown {
  throw new PluginError(NEEDS_NODE);
}

/** As {@link loadPluginSync}, rejected. */
export async function loadPluginAsync(_entry: PluginEntry): Promise<unknown> {
  throw new PluginError(NEEDS_NODE);
}
