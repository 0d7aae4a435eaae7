#!/usr/bin/env node
// The `spey` executable: a committed launcher so that npm links it at install time, before the
// TypeScript build has produced dist/ (`npm ci && npm run build && npx spey ...` on a fresh clone).
await import("../dist/cli/main.js");
