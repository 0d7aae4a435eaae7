#!/usr/bin/env node
"use strict";
// The `spey` executable: a committed launcher so that npm links it at install time, before the
// TypeScript build has produced dist/ (`npm ci && npm run build && npx spey ...` on a fresh clone).
// It is CommonJS (bin/package.json): Node's ES-module loader is not started for a one-shot command.
const { statSync } = require("node:fs");
const { join } = require("node:path");
const { pathToFileURL } = require("node:url");

// The build bundles the command line with the library (scripts/bundle-cli.mjs) twice: as one
// script, dist/bundle/cli.cjs, run with a V8 code cache (bin/code-cache.cjs), and as ES modules,
// dist/bundle/main.js and its lazily loaded chunks, which also hold `spey plot` (the script does
// not: its plotting library is an ES module). The modules tsc wrote are used when there is no
// bundle, or when they are newer than it (a tsc-only rebuild), so that the launcher never runs
// stale code.
const dist = join(__dirname, "..", "dist");
const modules = join(dist, "cli", "main.js");
const script = join(dist, "bundle", "cli.cjs");
const bundle = join(dist, "bundle", "main.js");
const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Number.NaN;

if (!process.argv.slice(2).includes("plot") && mtime(script) >= mtime(modules)) {
  const { plainNode, runScript } = require("./code-cache.cjs");
  const run = runScript(script);
  run.exports.start(process.argv).then((done) => {
    // Without a usable cache, this run's compiled code becomes the next runs' cache.
    if (run.state !== "used" && plainNode()) run.save();
    if (done) process.exit();
  });
} else {
  // Node ≥ 22.1 keeps the compiled code of ES modules on disk between runs; a no-op on older Nodes.
  require("node:module").enableCompileCache?.();
  import(pathToFileURL(mtime(bundle) >= mtime(modules) ? bundle : modules).href);
}
