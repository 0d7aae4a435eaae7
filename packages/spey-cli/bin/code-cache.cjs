"use strict";
// Runs a CommonJS script bundle (dist/bundle/cli.cjs, see scripts/bundle-cli.mjs) through
// `vm.Script` with a V8 code cache, so that a one-shot command skips parsing and compiling the
// command line and the library (Node 20 has no compile cache of its own; `module.enableCompileCache`
// is Node ≥ 22.1 and covers files that Node's loaders compile, not this one).
//
// The cache file is `<script>.v8cache`: one header line, the script's bytes, then V8's data made
// from exactly those bytes; the script runs from the bytes stored there, so that V8 never meets data
// of other bytes (its own check compares lengths only). The header names the Node version, the
// architecture and the script file's size, modification time and inode when the cache was made:
// a rebuilt, edited or replaced script no longer matches, nor does another Node. V8 itself refuses
// data of other V8 flags (`cachedDataRejected`). Any refusal runs the script file without a cache,
// with the same results; a plain `node` (no flags) then writes a fresh cache for the next run,
// atomically, silently giving up where the directory is read-only.
const { isAscii } = require("node:buffer");
const { closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } = require("node:fs");
const { createRequire } = require("node:module");
const { dirname } = require("node:path");
const vm = require("node:vm");

const MAGIC = "spey-v8-code-cache 2";

/** What identifies the script file's current contents: size, modification time, inode. */
function identity(stats) {
  return `${stats.size} ${stats.mtimeMs} ${stats.ino}`;
}

/** The header line of a cache of `sourceBytes` of script and `dataBytes` of V8 data, made by this Node. */
function header(fileIdentity, sourceBytes, dataBytes) {
  return `${MAGIC} ${process.version} ${process.arch} ${fileIdentity} ${sourceBytes} ${dataBytes}\n`;
}

/**
 * The cache `cacheFile` of the script file `file`, when made by this Node from the file as it is
 * now: `{ state: "found", source, data, identity }` (the script's bytes, V8's data, the file's
 * identity); otherwise
 * `{ state: "missing" }` (no cache file) or `{ state: "stale" }` (another script, another Node,
 * or not a cache file).
 */
function readCache(cacheFile, file) {
  let cache;
  try {
    cache = readFileSync(cacheFile);
  } catch {
    return { state: "missing" };
  }
  const end = cache.indexOf(10);
  if (end < 0 || end > 1000) return { state: "stale" };
  const fields = cache.toString("latin1", 0, end).split(" ");
  const sourceBytes = Number(fields.at(-2));
  const start = end + 1 + sourceBytes;
  if (!(Number.isSafeInteger(sourceBytes) && start < cache.length)) return { state: "stale" };
  let stats;
  try {
    stats = statSync(file);
  } catch {
    return { state: "stale" };
  }
  if (cache.toString("latin1", 0, end + 1) !== header(identity(stats), sourceBytes, cache.length - start)) {
    return { state: "stale" };
  }
  const source = cache.subarray(end + 1, start);
  return { state: "found", source, data: cache.subarray(start), identity: identity(stats) };
}

/**
 * Write a cache atomically (a temporary file renamed); false when it cannot be written. V8's data
 * (`data()`, milliseconds to serialise) is made only once the temporary file could be created.
 */
function writeCache(cacheFile, fileIdentity, source, data) {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  let fd;
  try {
    fd = openSync(temporary, "w");
    const bytes = data();
    for (const part of [Buffer.from(header(fileIdentity, source.length, bytes.length), "latin1"), source, bytes]) {
      for (let done = 0; done < part.length; ) done += writeSync(fd, part, done);
    }
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, cacheFile);
    return true;
  } catch {
    try {
      if (fd !== undefined) closeSync(fd);
      unlinkSync(temporary);
    } catch {}
    return false;
  }
}

/**
 * The script's `import()`: the build writes it as `__import()` (scripts/bundle-cli.mjs), since a
 * script compiled from a V8 code cache has no dynamic-import callback on Node 20
 * (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING); specifiers are absolute URLs, `node:` built-ins or
 * packages (resolved from here, as from the script's directory).
 */
const dynamicImport = (specifier) => import(specifier);

/**
 * Run the CommonJS script `file` (an absolute path) with the code cache `cacheFile`.
 * Returns its `exports`, how the cache was met (`state`: "used", "rejected" by V8, "stale",
 * "missing") and `save()`, which writes a cache of everything V8 has compiled of the script so far
 * (call it after the work whose code the cache should hold); true when written.
 */
function runScript(file, cacheFile = `${file}.v8cache`) {
  const cache = readCache(cacheFile, file);
  let { source, identity: fileIdentity } = cache;
  if (source === undefined) {
    fileIdentity = identity(statSync(file)); // before reading: a later change makes the cache stale
    source = readFileSync(file);
  }
  // The build writes the script in ASCII, whose Latin-1 decoding is a plain copy (UTF-8's is slower).
  const text = source.toString(isAscii(source) ? "latin1" : "utf8");
  const wrapped = `(function (exports, require, module, __filename, __dirname, __import) {${text}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData: cache.data });
  const state = cache.data === undefined ? cache.state : script.cachedDataRejected ? "rejected" : "used";
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), dynamicImport);
  const save = () => writeCache(cacheFile, fileIdentity, source, () => script.createCachedData());
  return { exports: module.exports, state, save };
}

/** Whether this process may replace a cache: a plain `node`, whose V8 flags every plain run shares. */
function plainNode() {
  return process.execArgv.length === 0 && !process.env.NODE_OPTIONS;
}

module.exports = { runScript, plainNode, readCache, MAGIC };
