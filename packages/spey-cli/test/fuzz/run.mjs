// `npm run fuzz`: ≥ 10,000 inputs per entry point (fixed seeds), on the built packages.
//   node packages/spey-cli/test/fuzz/run.mjs [--runs N] [--first K] [--seed S] [--threads T] [--only text] [--no-queue]
// The queue commands' targets run against a redis-server started here on 127.0.0.1 (--no-queue
// leaves them out), with two runs seeded first: fz-a enqueued (pending), fz-b enqueued and computed.
// Exit code 1 when any input ended in an untyped error, a hang, a bad result or a harness failure.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFuzzRedis } from "./redis.mjs";
import { formatSummary, runFuzz } from "./runner.mjs";
import { runCli } from "./targets.mjs";

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

/** Seed the queue runs the fuzzed worker/status/collect commands find (exit codes checked). */
async function seedRuns(url) {
  const root = fileURLToPath(new URL("../../../../", import.meta.url));
  const sink = { write: () => true, isTTY: false };
  const cli = async (argv) => {
    const code = await runCli(["node", "spey", ...argv], { stdout: sink, stderr: sink, stdin: () => Buffer.alloc(0) });
    if (code !== 0) throw new Error(`seeding the fuzz runs: spey ${argv.join(" ")} exited with ${code}`);
  };
  // three points of the example grid (a fuzzed worker computes fz-a's within its 20 s watchdog)
  const lines = readFileSync(join(root, "examples/grid/grid.jsonl"), "utf8").trim().split("\n").slice(0, 3);
  const grid = join(mkdtempSync(join(tmpdir(), "spey-fuzz-seed-")), "grid.jsonl");
  writeFileSync(grid, `${lines.join("\n")}\n`);
  const base = join(root, "examples/grid/background.json");
  for (const run of ["fz-a", "fz-b"]) {
    await cli(["batch", grid, "--base", base, "--compute", "limit", "--queue", url, "--run", run, "--detach", "-q"]);
  }
  await cli(["worker", "--queue", url, "--run", "fz-b", "--exit-when-done", "--concurrency", "2", "-q"]);
}

const redis = args.includes("--no-queue") ? undefined : await startFuzzRedis();
if (redis) await seedRuns(redis.url);
const started = Date.now();
let last = 0;
const summaries = await runFuzz({
  runs,
  first,
  seed,
  threads,
  only,
  failuresDir: "fuzz-failures",
  redisUrl: redis?.url,
  onProgress: (done, total) => {
    if (Date.now() - last > 10_000 || done === total) {
      last = Date.now();
      process.stderr.write(`fuzz: ${done}/${total} inputs, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    }
  },
});
await redis?.stop();
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
