// Bundle sizes of what a web application imports from the library (issue #10's budgets): production
// builds with Vite (minified, tree-shaken, browser platform), measured gzipped, plus a check for
// `node:` imports. Used by bench/bundle.js (`npm run bench:bundle`, the report) and by
// packages/spey/test/core/bundle-budgets.test.ts (the test). Both resolve `spey` through the
// workspace link to packages/spey/dist, as an installed copy would: build first.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "vite";

/** The repository root (where node_modules links `spey` to packages/spey). */
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** What is bundled, and the budget (KB gzip) for it (undefined: the issue sets none). */
export const BUNDLES = [
  {
    // What a web page that uses the simplified likelihoods writes: the lean entry's getBackend, whose
    // models give CLs, upper limits and significance (no toys, no chi2Test method).
    name: "getBackend + simplified backends",
    budgetKB: 45,
    code: `import { getBackend } from "spey/simplified";
export const model = (args) => getBackend("default.correlated_background")(args);
export const uncorrelated = (args) => getBackend("default.uncorrelated_background")(args);`,
  },
  {
    // The main entry's getBackend carries every built-in it registers (simple backends, combiners)
    // and StatisticalModel with toys and chi2Test: no budget in the issue, a regression ceiling in the test.
    name: "getBackend of the main entry (every built-in)",
    budgetKB: undefined,
    code: `import { getBackend } from "spey";
export const model = (args) => getBackend("default.correlated_background")(args);
export const uncorrelated = (args) => getBackend("default.uncorrelated_background")(args);`,
  },
  { name: "whole library (spey)", budgetKB: 95, code: `export * from "spey";` },
  {
    name: "spey/plots data helper, no Observable Plot",
    budgetKB: 2,
    code: `export { brazilBandData } from "spey/plots";`,
  },
];

/** Static or dynamic imports of Node built-ins (`process.getBuiltinModule("node:fs")` is not an import). */
export const hasNodeImport = (code) => /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']node:/.test(code);

/** Bundle each of `bundles`: {name, budgetKB, rawKB, gzipKB, nodeImports, code, modules: [{module, renderedKB}]}. */
export async function measureBundles(bundles = BUNDLES) {
  // Inside the repository, so that `spey` resolves through the workspace link in node_modules.
  const dir = mkdtempSync(join(ROOT, "bench", ".bundle-"));
  const results = [];
  try {
    for (const [i, c] of bundles.entries()) {
      const entry = join(dir, `entry${i}.js`);
      writeFileSync(entry, c.code);
      const result = await build({
        configFile: false,
        logLevel: "silent",
        root: ROOT,
        build: {
          write: false,
          minify: true,
          // Application mode (library mode keeps whitespace in ES output): one entry, its exports kept.
          rollupOptions: { input: entry, preserveEntrySignatures: "exports-only", treeshake: true },
        },
      });
      const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
      const code = outputs.map((o) => o.code ?? "").join("\n");
      // what each module contributes after tree-shaking (before minification), largest first
      const modules = outputs
        .flatMap((o) => Object.entries(o.modules ?? {}))
        .map(([id, m]) => ({ module: id.replace(/^.*\/packages\/spey\/dist\//, ""), renderedKB: m.renderedLength / 1024 }))
        .filter((m) => m.renderedKB > 0)
        .sort((a, b) => b.renderedKB - a.renderedKB);
      results.push({
        name: c.name,
        budgetKB: c.budgetKB,
        rawKB: code.length / 1024,
        gzipKB: gzipSync(code).length / 1024,
        nodeImports: hasNodeImport(code),
        code,
        modules,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
