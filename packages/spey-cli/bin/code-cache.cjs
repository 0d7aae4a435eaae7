"use strict";
// Runs a CommonJS script bundle (dist/bundle/cli.cjs, see scripts/bundle-cli.mjs) through
// `vm.Script` with a V8 code cache, so that a one-shot command skips parsing and compiling the
// command line and the library (Node 20 has no compile cache of its own; `module.enableCompileCache`
// is Node ≥ 22.1 and covers files that Node's loaders compile, not this one).
//
// The cache file is `<script>.v8cache`: one header line, the script's bytes, then V8's data.
// It is used only when the header names this Node version and architecture and the stored bytes
// equal the script's current bytes (a rebuilt or edited script never meets an old cache);
// V8 itself refuses data of another V8 version or other V8 flags (`cachedDataRejected`). Any
// refusal runs the script without a cache, with the same results; a plain `node` (no flags)
// then writes a fresh cache for the next run, atomically, silently giving up where the
// directory is read-only.
const { isAscii } = require("node:buffer");
const { readFileSync, renameSync, unlinkSync, writeFileSync } = require("node:fs");
const { createRequire } = require("node:module");
const { dirname } = require("node:path");
const vm = require("node:vm");

const MAGIC = "spey-v8-code-cache 1";

/** The header line of a cache of `sourceBytes` of script and `dataBytes` of V8 data, made by this Node. */
function header(sourceBytes, dataBytes) {
  return `${MAGIC} ${process.version} ${process.arch} ${sourceBytes} ${dataBytes}\n`;
}

/**
 * The V8 data of `cacheFile` when it was made from exactly `source` (a Buffer) by this Node
 * version: `{ state: "found", data }`; otherwise `{ state: "missing" }` (no file) or
 * `{ state: "stale" }` (another script, another Node, or not a cache file).
 */
function readCache(cacheFile, source) {
  let file;
  try {
    file = readFileSync(cacheFile);
  } catch {
    return { state: "missing" };
  }
  const end = file.indexOf(10);
  const start = end + 1 + source.length;
  if (end < 0 || start >= file.length) return { state: "stale" };
  if (file.toString("latin1", 0, end + 1) !== header(source.length, file.length - start)) return { state: "stale" };
  if (!file.subarray(end + 1, start).equals(source)) return { state: "stale" };
  return { state: "found", data: file.subarray(start) };
}

/** Write a cache of `source` atomically (a temporary file renamed); false when it cannot be written. */
function writeCache(cacheFile, source, data) {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, Buffer.concat([Buffer.from(header(source.length, data.length), "latin1"), source, data]));
    renameSync(temporary, cacheFile);
    return true;
  } catch {
    try {
      unlinkSync(temporary);
    } catch {}
    return false;
  }
}

/** `import()` in the script resolves as in a module of the main context (plug-ins, ES-module packages). */
const importModuleDynamically = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER ?? ((specifier) => import(specifier));

/**
 * Run the CommonJS script `file` (an absolute path) with the code cache `cacheFile`.
 * Returns its `exports`, how the cache was met (`state`: "used", "rejected" by V8, "stale",
 * "missing") and `save()`, which writes a cache of everything V8 has compiled of the script so far
 * (call it after the work whose code the cache should hold); true when written.
 */
function runScript(file, cacheFile = `${file}.v8cache`) {
  const source = readFileSync(file);
  const cache = readCache(cacheFile, source);
  // The build writes the script in ASCII, whose Latin-1 decoding is a plain copy (UTF-8's is slower).
  const text = source.toString(isAscii(source) ? "latin1" : "utf8");
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${text}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData: cache.data, importModuleDynamically });
  const state = cache.data === undefined ? cache.state : script.cachedDataRejected ? "rejected" : "used";
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, state, save: () => writeCache(cacheFile, source, script.createCachedData()) };
}

/** Whether this process may replace a cache: a plain `node`, whose V8 flags every plain run shares. */
function plainNode() {
  return process.execArgv.length === 0 && !process.env.NODE_OPTIONS;
}

module.exports = { runScript, plainNode, readCache, MAGIC };
