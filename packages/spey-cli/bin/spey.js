#!/usr/bin/env node
// The `spey` executable: a committed launcher so that npm links it at install time, before the
// TypeScript build has produced dist/ (`npm ci && npm run build && npx spey ...` on a fresh clone).
import module from "node:module";

// Node ≥ 22.1 keeps the compiled code of the modules on disk between runs, which one-shot commands
// (a shell loop of `spey cls`) pay for on every start; feature-detected, a no-op on older Nodes.
module.enableCompileCache?.();
await import("../dist/cli/main.js");
