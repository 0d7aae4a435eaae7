// Bundle budgets (issue #10): production builds (Vite, minified, tree-shaken, browser platform) of
// what a web application imports, measured gzipped. Run with `npm run bench:bundle` (after
// `npm run build`: the bundles resolve `spey` to the built package, as an installed copy would).
// Exits with status 1 when a budget is exceeded or a bundle contains a `node:` import. The test
// packages/spey/test/core/bundle-budgets.test.ts measures the same bundles (scripts/bundle-sizes.mjs).
import { measureBundles } from "../packages/spey/scripts/bundle-sizes.mjs";

const results = await measureBundles();
const rows = results.map((r) => ({
  bundle: r.name,
  "raw KB": r.rawKB.toFixed(1),
  "gzip KB": r.gzipKB.toFixed(1),
  "budget KB": r.budgetKB ?? "—",
  "node: imports": r.nodeImports ? "yes" : "none",
  result: r.nodeImports ? "node: import" : r.budgetKB === undefined ? "—" : r.gzipKB <= r.budgetKB ? "ok" : "OVER",
}));
console.table(rows);
// Where the bytes of an over-budget bundle are: its largest modules after tree-shaking (unminified).
for (const r of results) {
  if (r.budgetKB === undefined || r.gzipKB <= r.budgetKB) continue;
  console.log(`\n${r.name}: largest modules (KB after tree-shaking, before minification)`);
  for (const m of r.modules.slice(0, 15)) console.log(`  ${m.renderedKB.toFixed(1).padStart(6)}  ${m.module}`);
}
if (rows.some((r) => r.result !== "ok" && r.result !== "—")) {
  console.error("bundle budgets: exceeded (see the table)");
  process.exitCode = 1;
}
