// `npm run fuzz`: ≥ 10,000 inputs per entry point (fixed seeds), on the built packages.
//   node packages/spey-cli/test/fuzz/run.mjs [--runs N] [--first K] [--seed S] [--threads T] [--only text]
// Exit code 1 when any input ended in an untyped error, a hang, a bad result or a harness failure.
import { rmSync, writeFileSync } from "node:fs";
import { formatSummary, runFuzz } from "./runner.mjs";

const args = process.argv.slice(2);
const value = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const runs = Number(value("--runs", "10000"));
const first = Number(value("--first", "0"));
const seed = Number(value("--seed", "1"));
const threads = Number(value("--threads", "2"));
const only = args.includes("--only") ? [value("--only")] : undefined;
rmSync("fuzz-failures", { recursive: true, force: true });
const started = Date.now();
let last = 0;
const summaries = await runFuzz({
  runs,
  first,
  seed,
  threads,
  only,
  failuresDir: "fuzz-failures",
  onProgress: (done, total) => {
    if (Date.now() - last > 10_000 || done === total) {
      last = Date.now();
      process.stderr.write(`fuzz: ${done}/${total} inputs, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    }
  },
});
console.log(formatSummary(summaries));
const failures = summaries.flatMap((s) => s.examples);
for (const f of failures)
  console.log(`\n${f.kind} in input ${f.input} (seed ${f.seed}): ${f.detail}\n  argv: ${JSON.stringify(f.argv ?? [])}`);
writeFileSync(
  "fuzz-summary.json",
  `${JSON.stringify({ runs, first, seed, seconds: (Date.now() - started) / 1000, summaries }, null, 1)}\n`,
);
const bad = summaries.reduce((n, s) => n + s.untyped + s.bad + s.hang + s.harness, 0);
console.log(
  `\n${summaries.reduce((n, s) => n + s.inputs, 0)} inputs in ${((Date.now() - started) / 1000).toFixed(0)} s: ${bad} failures`,
);
process.exitCode = bad > 0 ? 1 : 0;
