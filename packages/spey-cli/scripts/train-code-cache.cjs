"use strict";
// The code-cache training run of the build (scripts/bundle-cli.mjs runs it in a fresh `node`):
// runs typical one-shot commands from the script bundle dist/bundle/cli.cjs in this process, with
// their output discarded, then saves what V8 compiled as dist/bundle/cli.cjs.v8cache (see
// bin/code-cache.cjs), which bin/spey.js loads so that a one-shot command skips compilation.
const { existsSync, rmSync } = require("node:fs");
const { join } = require("node:path");
const { runScript } = require("../bin/code-cache.cjs");

const script = join(__dirname, "..", "dist", "bundle", "cli.cjs");
const examples = join(__dirname, "..", "..", "..", "examples");
rmSync(`${script}.v8cache`, { force: true });
const { exports: cli, save } = runScript(script);
const sink = { write: () => true, isTTY: false };
const io = { stdout: sink, stderr: sink, stdin: () => Buffer.alloc(0) };

/** The commands whose code the cache holds (those the start-up benchmark times, bench/startup.js). */
const COMMANDS = [
  ["--version"],
  ["cls", "cms-8bin.json"],
  ["limit", "single-bin.json"],
  ["cls", "histfactory/BkgOnly.json", "histfactory/patchset.json:stop_300"],
];

(async () => {
  for (const [name, ...files] of COMMANDS) {
    // Without the repository's examples (an installed package), only the start-up code is cached.
    if (!files.every((file) => existsSync(join(examples, file.replace(/:.*$/, ""))))) continue;
    const code = await cli.runCli(["node", "spey", name, ...files.map((file) => join(examples, file))], io);
    if (code !== 0) throw new Error(`spey ${name} ${files.join(" ")} exited with ${code} in the code-cache training`);
  }
  if (!save()) throw new Error(`cannot write ${script}.v8cache`);
})();
