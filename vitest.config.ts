import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const lib = (path: string) => fileURLToPath(new URL(`./packages/spey/src/${path}`, import.meta.url));

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
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts"],
    testTimeout: 60_000,
    globalSetup: ["packages/spey-cli/test/cli/global-setup.ts"],
  },
});
