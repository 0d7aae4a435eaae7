import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL("../../src", import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("architecture", () => {
  const library = files(src);

  it("the library package has no static Node.js imports, so it bundles for browsers", () => {
    const offenders = library.filter((f) => /from\s+["']node:|require\(/.test(readFileSync(f, "utf8")));
    expect(offenders.map((f) => relative(src, f))).toEqual([]);
  });

  it("src/index.ts is a pure list of exports and does not pull in the CLI, plots or batch runner", () => {
    const text = readFileSync(join(src, "index.ts"), "utf8");
    const statements = text
      .split(/;\s*\n/)
      .map((s) => s.replace(/\/\/[^\n]*\n?/g, "").trim())
      .filter((s) => s.length > 0);
    for (const s of statements) expect(s).toMatch(/^export /);
    expect(text).not.toMatch(/\.\/(cli|plots|batch)\//);
  });
});
