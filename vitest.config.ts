import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Builds both packages (skipped when dist/ is fresh): the spawned CLI, batch and pool workers run dist/. */
const BUILD = "packages/spey-cli/test/cli/global-setup.ts";
const lib = (path: string) => fileURLToPath(new URL(`./packages/spey/src/${path}`, import.meta.url));

/**
 * The files that take longest go first, also on a fresh clone where vitest has no durations cached
 * yet (it then starts the largest files, and every library file after the command-line ones, so a
 * long library file would run alone at the end).
 */
const LONGEST = [
  "spey-cli/test/queue/chaos.test.ts",
  "spey-cli/test/fuzz/fuzz.test.ts",
  "playground/test/e2e.test.ts",
  "spey/test/backends/simplified/profile-global.test.ts",
  "spey-cli/test/cli/hardening.test.ts",
  "spey-cli/test/batch/job-array.test.ts",
  "spey-cli/test/queue/queue.test.ts",
  "spey-cli/test/batch/kill-resume.test.ts",
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const index = LONGEST.findIndex((end) => spec.moduleId.endsWith(end));
      return index < 0 ? LONGEST.length : index;
    };
    // Stable: the other files keep vitest's order (its cached durations, or file sizes).
    return sorted
      .map((spec, index) => ({ spec, index }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.index - b.index)
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
    projects: [
      {
        extends: true,
        // The library's tests share their worker processes (no fresh process and module graph per
        // file): they hold no global state between files (plugins.test.ts resets the registry).
        test: {
          name: "library",
          include: ["packages/spey/test/**/*.test.ts"],
          globalSetup: [BUILD],
          isolate: false,
        },
      },
      {
        extends: true,
        // The command line, batch, queue and playground tests share their worker processes too, so
        // that the library and the CLI are loaded once per worker and not once per file (≈ 0.6
        // CPU-s a file): the environment variables they set are restored, and the servers and
        // processes they start are stopped, by the test that starts them.
        test: {
          name: "cli",
          include: ["packages/spey-cli/test/**/*.test.ts", "apps/*/test/**/*.test.ts"],
          globalSetup: [BUILD],
          isolate: false,
        },
      },
    ],
  },
});
