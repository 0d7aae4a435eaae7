/**
 * The library's production dependency tree (what `npm ls --omit=dev` lists in packages/spey) is
 * pure JavaScript: no package builds or loads a native addon (no `gypfile`, `binding.gyp`,
 * install scripts or `.node` binaries), and `engines` states the Node version the library needs
 * (`process.getBuiltinModule`, used for its optional file helpers, exists from Node 20.16).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const LIBRARY = fileURLToPath(new URL("../..", import.meta.url));

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  gypfile?: boolean;
  engines?: Record<string, string>;
}

const readPackage = (dir: string): PackageJson => JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));

/** Node's lookup: node_modules/<name> in `from` and each parent directory. */
function resolvePackage(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} (needed by ${from}) is not installed`);
  }
}

/** Every installed production dependency of the library, by directory. */
function productionTree(): Map<string, PackageJson> {
  const seen = new Map<string, PackageJson>();
  const queue = [LIBRARY];
  while (queue.length > 0) {
    const dir = queue.pop() as string;
    const pkg = readPackage(dir);
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const depDir = resolvePackage(name, dir);
      if (seen.has(depDir)) continue;
      seen.set(depDir, readPackage(depDir));
      queue.push(depDir);
    }
  }
  return seen;
}

const hasNodeBinary = (dir: string): boolean =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).some(
    (e) => e.isFile() && e.name.endsWith(".node") && !e.parentPath.includes("node_modules"),
  );

describe("the library's production dependencies", () => {
  it("are pure JavaScript: no native addon, no install script", () => {
    const tree = productionTree();
    // @observablehq/plot with d3 and its modules (the walk finds them all): over 30 packages
    expect(tree.size).toBeGreaterThan(30);
    const native: string[] = [];
    for (const [dir, pkg] of tree) {
      const scripts = pkg.scripts ?? {};
      if (
        pkg.gypfile === true ||
        existsSync(join(dir, "binding.gyp")) ||
        ["preinstall", "install", "postinstall"].some((s) => s in scripts) ||
        hasNodeBinary(dir)
      ) {
        native.push(`${pkg.name}@${pkg.version}`);
      }
    }
    expect(native).toEqual([]);
  });

  it("leave out the CLI's packages (commander is only d3-dsv's own, linkedom and resvg not at all)", () => {
    const names = new Set([...productionTree().values()].map((p) => p.name));
    expect(names.has("linkedom")).toBe(false);
    expect(names.has("@resvg/resvg-js")).toBe(false);
    expect(names.has("pure-rand")).toBe(false);
    // the special functions are the library's own (src/math/special/), not stdlib.js packages
    expect([...names].filter((n) => n.startsWith("@stdlib/"))).toEqual([]);
    expect(Object.keys(readPackage(LIBRARY).dependencies ?? {})).not.toContain("commander");
  });

  it("engines: node >= 20.16 in the library and the CLI", () => {
    expect(readPackage(LIBRARY).engines?.node).toBe(">=20.16");
    expect(readPackage(join(LIBRARY, "..", "spey-cli")).engines?.node).toBe(">=20.16");
  });
});
