// Bundle budgets (issue #10): production builds (Vite, minified, tree-shaken, browser platform) of
// what a web application imports, measured gzipped. Run with `npm run bench:bundle` (after
// `npm run build`: the bundles resolve `spey` to the built package, as an installed copy would).
// Exits with status 1 when a budget is exceeded or a bundle contains a `node:` import.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "vite";

const CASES = [
  {
    name: "getBackend + simplified backends",
    budgetKB: 45,
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

// Inside the repository, so that `spey` resolves through the workspace link in node_modules.
const dir = mkdtempSync(join(process.cwd(), "bench", ".bundle-"));
let failed = false;
const rows = [];
try {
  for (const [i, c] of CASES.entries()) {
    const entry = join(dir, `entry${i}.js`);
    writeFileSync(entry, c.code);
    const result = await build({
      configFile: false,
      logLevel: "silent",
      root: process.cwd(),
      build: {
        write: false,
        minify: true,
        // Application mode (library mode keeps whitespace in ES output): one entry, its exports kept.
        rollupOptions: { input: entry, preserveEntrySignatures: "exports-only", treeshake: true },
      },
    });
    const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
    const code = outputs.map((o) => o.code ?? "").join("\n");
    const gzipKB = gzipSync(code).length / 1024;
    // Static or dynamic imports of Node built-ins (the library reaches `node:fs` only through
    // `process.getBuiltinModule("node:fs")` at call time, which is not an import).
    const nodeImports = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']node:/.test(code);
    const ok = gzipKB <= c.budgetKB && !nodeImports;
    failed ||= !ok;
    rows.push({
      bundle: c.name,
      "raw KB": (code.length / 1024).toFixed(1),
      "gzip KB": gzipKB.toFixed(1),
      "budget KB": c.budgetKB,
      "node: imports": nodeImports ? "yes" : "none",
      result: ok ? "ok" : "OVER",
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.table(rows);
if (failed) {
  console.error("bundle budgets: exceeded (see the table)");
  process.exitCode = 1;
}
