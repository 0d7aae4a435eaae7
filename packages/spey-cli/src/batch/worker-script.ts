/**
 * The batch worker thread's script. The build bundles it with the library into one file,
 * `dist/bundle/worker.js` (scripts/bundle-cli.mjs): a thread then loads one file instead of ~140
 * modules. The modules tsc wrote (`dist/batch/worker.js`) are used when there is no bundle, or when
 * they are newer than it (a tsc-only rebuild), so that a thread never runs stale code (the rule of
 * bin/spey.js). Worker threads run built JavaScript only, so when this module itself runs from the
 * TypeScript sources (the tests run the command line in-process) it is the build in dist/, which
 * the tests build first.
 */
import { statSync } from "node:fs";

const fromSources = import.meta.url.endsWith(".ts");
const modules = new URL(fromSources ? "../../dist/batch/worker.js" : "./worker.js", import.meta.url);
const bundled = new URL(fromSources ? "../../dist/bundle/worker.js" : "../bundle/worker.js", import.meta.url);
const mtime = (url: URL) => statSync(url, { throwIfNoEntry: false })?.mtimeMs ?? Number.NaN;

export const WORKER_SCRIPT: URL = mtime(bundled) >= mtime(modules) ? bundled : modules;
