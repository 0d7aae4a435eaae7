#!/usr/bin/env node
// The `spey` executable: a committed launcher so that npm links it at install time, before the
// TypeScript build has produced dist/ (`npm ci && npm run build && npx spey ...` on a fresh clone).
import { statSync } from "node:fs";
import module from "node:module";

// Node ≥ 22.1 keeps the compiled code of the modules on disk between runs, which one-shot commands
// (a shell loop of `spey cls`) pay for on every start; feature-detected, a no-op on older Nodes.
module.enableCompileCache?.();

// The build bundles the command line with the library (scripts/bundle-cli.mjs): a few files to load
// instead of ~120 modules. The modules tsc wrote are used when there is no bundle, or when they are
// newer than it (a tsc-only rebuild), so that the launcher never runs stale code.
const bundle = new URL("../dist/bundle/main.js", import.meta.url);
const modules = new URL("../dist/cli/main.js", import.meta.url);
const mtime = (url) => statSync(url, { throwIfNoEntry: false })?.mtimeMs ?? Number.NaN;
await import((mtime(bundle) >= mtime(modules) ? bundle : modules).href);
