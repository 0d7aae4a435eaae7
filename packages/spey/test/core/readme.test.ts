/**
 * The README's library snippets run as written: "Use it as a library" and "Toys, combinations,
 * contours" (which uses the first one's `model`), transpiled from TypeScript and executed against
 * the library. A snippet using a name it never defines, or a call that throws, fails here.
 */
import { readFileSync } from "node:fs";
import { transformSync } from "rolldown/utils";
import { describe, expect, it } from "vitest";
import * as spey from "../../src/index.js";
import * as simplified from "../../src/simplified.js";
import { setLogHandler } from "../../src/core/logger.js";

const README = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");

/** The first ```ts block after a heading. */
function snippet(heading: string): string {
  const at = README.indexOf(heading);
  if (at < 0) throw new Error(`README has no heading "${heading}"`);
  const start = README.indexOf("```ts\n", at);
  return README.slice(start + 6, README.indexOf("\n```", start + 6));
}

/** JavaScript of TypeScript snippets, `import {…} from "<entry>"` turned into reads of the library. */
function program(...sources: string[]): string {
  return programOf("spey", "spey", sources);
}

/** As {@link program} for the imports from `entry`, read from the variable `variable`. */
function programOf(entry: string, variable: string, sources: string[]): string {
  const from = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*"${entry}";?`, "g");
  // Types stripped by oxc (rolldown's transformer, a fraction of loading the TypeScript compiler).
  return sources
    .map((source) => {
      const out = transformSync("snippet.ts", source, { target: "es2022" });
      if (out.errors.length > 0) throw new Error(`README snippet: ${out.errors.map((e) => e.message).join("; ")}`);
      return out.code;
    })
    .join("\n")
    .replace(from, (_match, names: string) => {
      const kept = names
        .split(",")
        .map((n) => n.trim())
        .filter((n) => n !== "" && !n.startsWith("type "));
      return `({ ${kept.join(", ")} } = ${variable});`;
    })
    .replace(/^export \{\};?$/gm, "");
}

describe("README snippets", () => {
  it("the library and the toys/combinations/contours snippets run without undefined names or errors", async () => {
    const code = program(snippet("## Use it as a library"), snippet("### Toys, combinations, contours"));
    // Names the snippets import are declared up front (the imports become assignments).
    const declared = [
      ...new Set([...code.matchAll(/\(\{ ([^}]*) \} = spey\)/g)].flatMap((m) => (m[1] as string).split(", "))),
    ];
    const body = `"use strict"; let ${declared.join(", ")};\n${code}`;
    setLogHandler(() => {});
    try {
      await new Function("spey", `return (async () => { ${body} })();`)(spey);
    } finally {
      setLogHandler(null);
    }
    expect(declared).toEqual(expect.arrayContaining(["getBackend", "findContour", "UnCorrStatisticsCombiner"]));
    // The CorrelatedCombiner example ran above: its joint model's indexMap and splitData are read.
    expect(code).toContain("default.correlated_combiner");
  }, 120_000);

  it("the spey/simplified snippet runs on the lean entry", async () => {
    const code = programOf("spey/simplified", "simplified", [snippet("### In a web page: `spey/simplified`")]);
    expect(code).toContain("({ getBackend } = simplified);");
    const body = `"use strict"; let getBackend;\n${code}\nreturn model;`;
    const model = await new Function("simplified", `return (async () => { ${body} })();`)(simplified);
    expect(model).toBeInstanceOf(simplified.LeanStatisticalModel);
  });
});
