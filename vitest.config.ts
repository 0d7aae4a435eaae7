import { availableParallelism } from "node:os";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Builds both packages (skipped when dist/ is fresh): the spawned CLI, batch and pool workers run dist/. */
const BUILD = "packages/spey-cli/test/cli/global-setup.ts";
const lib = (path: string) => fileURLToPath(new URL(`./packages/spey/src/${path}`, import.meta.url));

/**
 * Wall seconds of the longest files, roughly as on an idle 2-core machine (whole suite): the
 * sequencer's estimate for a file that vitest has no cached duration for (a fresh clone, as in CI),
 * so that the longest files start first and short ones fill the gaps at the end.
 */
const LONGEST: Record<string, number> = {
  "playground/test/e2e.test.ts": 18,
  "spey-cli/test/queue/chaos.test.ts": 16,
  "spey-cli/test/cli/hardening.test.ts": 11,
  "spey-cli/test/fuzz/fuzz.test.ts": 9,
  "spey-cli/test/queue/queue.test.ts": 8,
  "spey-cli/test/cli/code-cache.test.ts": 7,
  "spey/test/hypothesis/toys.test.ts": 6,
  "spey/test/backends/simplified/large-model.test.ts": 6,
  "spey/test/backends/histfactory/simplify.test.ts": 5.5,
  "spey-cli/test/batch/warm-start.test.ts": 5.5,
  "spey/test/backends/simplified/profile-global.test.ts": 4.5,
  "spey/test/combiner/convex-certificates.test.ts": 4.5,
  "spey-cli/test/cli/commands.test.ts": 4,
  "spey-cli/test/batch/kill-resume.test.ts": 4,
  "spey-cli/test/batch/batch-cli.test.ts": 3,
  "spey/test/combiner/global-fit.test.ts": 4.5,
  "spey/test/backends/histfactory/limit-path.test.ts": 3,
  "spey/test/worker/pool.test.ts": 3,
  "spey/test/core/readme.test.ts": 3,
  "spey-cli/test/batch/job-array.test.ts": 3,
  "spey/test/reference/simplified-backends.test.ts": 2.5,
  "spey-cli/test/queue/warm-start.test.ts": 2.5,
};

/**
 * Longest first (the classic schedule for files on a few workers): by vitest's cached duration of
 * the file's last run, else by the estimate above; files with neither keep vitest's order (larger
 * files first) after them.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const seconds = (spec: TestSpecification) => {
      const key = `${spec.project.name}:${relative(this.ctx.config.root, spec.moduleId)}`;
      const cached = this.ctx.cache.getFileTestResults(key);
      if (cached) return cached.duration / 1000;
      const known = Object.keys(LONGEST).find((end) => spec.moduleId.endsWith(end));
      return known === undefined ? 0 : (LONGEST[known] as number);
    };
    return sorted
      .map((spec, index) => ({ spec, index, seconds: seconds(spec) }))
      .sort((a, b) => b.seconds - a.seconds || a.index - b.index)
      .map(({ spec }) => spec);
  }
}

export default defineConfig({
  resolve: {
    // Tests run the library from source; the built CLI (spawned by the end-to-end tests) resolves
    // `spey` through the workspace link to packages/spey/dist as an installed copy would.
    alias: [
      { find: /^spey$/, replacement: lib("index.ts") },
      { find: /^spey\/plots$/, replacement: lib("plots/index.ts") },
      { find: /^spey\/node$/, replacement: lib("node.ts") },
      { find: /^spey\/histfactory$/, replacement: lib("histfactory.ts") },
      { find: /^spey\/simplified$/, replacement: lib("simplified.ts") },
      { find: /^spey\/testing$/, replacement: lib("testing.ts") },
      { find: /^spey\/io$/, replacement: lib("io/index.ts") },
      { find: /^spey\/worker$/, replacement: lib("worker/index.ts") },
      { find: /^spey\/worker\/tasks$/, replacement: lib("worker/tasks.ts") },
    ],
  },
  test: {
    testTimeout: 60_000,
    // Set-up hooks compute references (a 400-point batch run, a local run of the queue's grid):
    // with files running side by side they need more than the default 10 s on a loaded machine.
    hookTimeout: 60_000,
    sequence: { sequencer: LongestFirst },
    // Vitest's default is one worker fewer than the cores (a single worker on 2 cores). Most of the
    // heavy files wait on child processes (the built CLI, batch workers, redis-server, Chromium), so
    // one file more than the cores keeps the cores busy.
    maxWorkers: availableParallelism() + 1,
    // One project for all tests, sharing worker processes (no fresh process and module graph per
    // file; the library and the CLI are loaded once per worker, ≈ 0.6 CPU-s a file otherwise):
    // the files hold no global state between them (plugins.test.ts resets the registry; the
    // environment variables the CLI tests set are restored, and the servers and processes they
    // start are stopped, by the test that starts them). One project also lets the sequencer order
    // every file by its duration: vitest runs projects one after the other and restarts the
    // workers between them, which left the long library files at the tail of the run.
    include: ["packages/spey/test/**/*.test.ts", "packages/spey-cli/test/**/*.test.ts", "apps/*/test/**/*.test.ts"],
    globalSetup: [BUILD],
    isolate: false,
    // V8 without background threads in the test workers (and the worker threads they start): its
    // concurrent compiler and parallel garbage collector cost more CPU in total than they save in
    // wall time on 2 cores that the files already keep busy (the library's tests: ~6% fewer
    // CPU-seconds, measured against the default in alternating runs). Results are the same: the
    // flag changes where V8 compiles and collects, not what the code computes.
    execArgv: ["--single-threaded"],
    experimental: {
      // Vite's transforms of the TypeScript sources and tests kept on disk between runs
      // (node_modules/.experimental-vitest-cache), keyed by each file's content, the Vite
      // configuration and the lockfile: a second run transforms only what changed (~2 CPU-s less).
      fsModuleCache: true,
    },
  },
});
