/**
 * src/plots must run in a browser: no Node built-ins, no PNG renderer, no file system; the DOM
 * comes from the caller. Checked on the sources and their transitive local imports.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const PLOTS = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/plots");

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)[^"']*from\s*["']([^"']+)["']/gm)].map((m) => m[1] as string);
}

describe("src/plots is browser-safe", () => {
  it("no module under src/plots (or what it imports from the library) uses Node built-ins or resvg", () => {
    const seen = new Set<string>();
    const queue = readdirSync(PLOTS).map((f) => join(PLOTS, f));
    const offenders: string[] = [];
    while (queue.length > 0) {
      const file = queue.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const specifier of importsOf(file)) {
        if (
          specifier.startsWith("node:") ||
          ["fs", "path", "os", "worker_threads", "child_process"].includes(specifier)
        ) {
          offenders.push(`${file}: ${specifier}`);
        }
        if (specifier.includes("resvg") || specifier.includes("linkedom")) offenders.push(`${file}: ${specifier}`);
        if (specifier.startsWith(".")) queue.push(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")));
      }
    }
    expect(offenders).toEqual([]);
    expect(seen.size).toBeGreaterThan(10);
  });
});
