import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT } from "./helpers.js";

/** bin/code-cache.cjs: how bin/spey.js runs the script bundle with a V8 code cache. */
interface CodeCache {
  runScript(
    file: string,
    cacheFile?: string,
  ): { exports: Record<string, unknown>; state: "used" | "rejected" | "stale" | "missing"; save(): boolean };
  readCache(cacheFile: string, file: string): { state: "found" | "stale" | "missing"; source?: Buffer; data?: Buffer };
  MAGIC: string;
}
const BIN = join(ROOT, "packages/spey-cli/bin");
const BUNDLE = join(ROOT, "packages/spey-cli/dist/bundle");
const codeCache = createRequire(import.meta.url)(join(BIN, "code-cache.cjs")) as CodeCache;

/** Run `node [args]` in the repository root (a plain `node`: no flags, no NODE_OPTIONS). */
function node(args: readonly string[], flags: readonly string[] = []) {
  const env: NodeJS.ProcessEnv = { ...process.env, SPEY_LOGLEVEL: "" };
  delete env.NODE_OPTIONS;
  return spawnSync(process.execPath, [...flags, ...args], { cwd: ROOT, encoding: "utf8", env });
}

/**
 * `runScript` in a fresh plain `node` (V8 flags of this test process may differ, and V8 rejects a
 * cache made under other flags): state and result, and with `save` whether `save()` wrote the cache.
 */
function runInFreshNode(
  file: string,
  options: { save?: boolean } = {},
): { state: string; value: unknown; saved?: boolean } {
  const code = `const r = require(${JSON.stringify(join(BIN, "code-cache.cjs"))}).runScript(${JSON.stringify(file)});
    process.stdout.write(JSON.stringify({ state: r.state, value: r.exports.value${options.save ? ", saved: r.save()" : ""} }));`;
  const result = node(["-e", code]);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe("code cache of a script (bin/code-cache.cjs)", () => {
  let dir: string;
  let script: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "spey-code-cache-"));
    script = join(dir, "script.cjs");
    // Non-ASCII text too: the script is decoded as UTF-8 unless it is ASCII.
    writeFileSync(script, 'exports.value = ["σ μ", [1, 2, 3].map((x) => x * 7).join(",")].join(" ");\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const expected = "σ μ 7,14,21";

  it("without a cache: runs, then save() writes one that the next run uses with the same result", () => {
    // Both runs in a fresh plain node: the test workers run V8 with other flags (vitest.config.ts).
    expect(runInFreshNode(script, { save: true })).toEqual({ state: "missing", value: expected, saved: true });
    const cache = readFileSync(`${script}.v8cache`);
    const stats = statSync(script);
    const dataBytes = cache.length - cache.indexOf(10) - 1 - stats.size;
    expect(cache.toString("latin1", 0, cache.indexOf(10))).toBe(
      `${codeCache.MAGIC} ${process.version} ${process.arch} ${stats.size} ${stats.mtimeMs} ${stats.ino} ${stats.size} ${dataBytes}`,
    );
    expect(codeCache.readCache(`${script}.v8cache`, script).source?.equals(readFileSync(script))).toBe(true);
    expect(runInFreshNode(script)).toEqual({ state: "used", value: expected });
  });

  it("a cache of an edited script (same length), of another Node, or truncated is stale: not given to V8", () => {
    codeCache.runScript(script).save();
    const source = readFileSync(script);
    expect(codeCache.readCache(`${script}.v8cache`, script).state).toBe("found");
    // The same length, one byte different (V8's own check compares lengths only): a new
    // modification time; the edited script runs, not the bytes stored in the cache.
    const edited = Buffer.from(source);
    edited[edited.indexOf("7")] = "8".charCodeAt(0);
    writeFileSync(script, edited);
    utimesSync(script, new Date(), new Date(statSync(script).mtimeMs + 1000));
    expect(codeCache.readCache(`${script}.v8cache`, script).state).toBe("stale");
    expect(codeCache.runScript(script)).toMatchObject({ state: "stale", exports: { value: "σ μ 8,16,24" } });
    writeFileSync(script, source);
    codeCache.runScript(script).save();
    const fresh = readFileSync(`${script}.v8cache`);
    writeFileSync(
      `${script}.v8cache`,
      Buffer.from(fresh.toString("latin1").replace(process.version, "v0.0.0"), "latin1"),
    );
    expect(codeCache.readCache(`${script}.v8cache`, script).state).toBe("stale");
    writeFileSync(`${script}.v8cache`, fresh.subarray(0, fresh.length - 10));
    expect(codeCache.readCache(`${script}.v8cache`, script).state).toBe("stale");
    writeFileSync(`${script}.v8cache`, "not a cache");
    expect(codeCache.readCache(`${script}.v8cache`, script).state).toBe("stale");
    expect(codeCache.runScript(script)).toMatchObject({ state: "stale", exports: { value: expected } });
    rmSync(`${script}.v8cache`);
    expect(codeCache.readCache(`${script}.v8cache`, script).state).toBe("missing");
  });

  it("V8 data that V8 refuses (corrupted) runs without it, with the same result", () => {
    codeCache.runScript(script).save();
    const cache = readFileSync(`${script}.v8cache`);
    const start = cache.indexOf(10) + 1 + statSync(script).size;
    cache.fill(0x5a, start); // the header and the script's bytes stay valid, V8's data does not
    writeFileSync(`${script}.v8cache`, cache);
    expect(runInFreshNode(script)).toEqual({ state: "rejected", value: expected });
  });

  it("__import() (the bundle's import()) loads ES modules (plug-ins, ES-module packages), with and without a cache", () => {
    const module = join(dir, "plugin.mjs");
    writeFileSync(module, "export const answer = 42;\n");
    const importing = join(dir, "importing.cjs");
    writeFileSync(
      importing,
      `exports.value = 0;\nexports.loaded = __import(${JSON.stringify(pathToFileURL(module).href)});\n`,
    );
    const code = `const r = require(${JSON.stringify(join(BIN, "code-cache.cjs"))}).runScript(${JSON.stringify(importing)});
      r.exports.loaded.then((m) => { process.stdout.write(r.state + " " + m.answer); r.save(); });`;
    for (const state of ["missing", "used"]) {
      const result = node(["-e", code]);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toBe(`${state} 42`);
    }
  });

  it("save() reports false where the cache cannot be written", () => {
    const run = codeCache.runScript(script, join(dir, "no-such-directory", "script.cjs.v8cache"));
    expect(run.exports.value).toBe(expected);
    expect(run.save()).toBe(false);
  });
});

describe("bin/spey.js with the script bundle and its code cache", () => {
  let dir: string;
  let script: string;
  let cacheFile: string;
  let launcher: string;
  const args = ["cls", "examples/cms-8bin.json", "--json"];
  let reference: string;

  beforeAll(() => {
    // A copy of the launcher and the build's script bundle (the real ones are shared by test files
    // running in parallel); dist/cli/main.js is an old placeholder, so the launcher takes the bundle.
    dir = mkdtempSync(join(tmpdir(), "spey-launcher-"));
    mkdirSync(join(dir, "bin"));
    mkdirSync(join(dir, "dist/bundle"), { recursive: true });
    mkdirSync(join(dir, "dist/cli"));
    for (const file of ["spey.js", "code-cache.cjs", "package.json"])
      copyFileSync(join(BIN, file), join(dir, "bin", file));
    script = join(dir, "dist/bundle/cli.cjs");
    cacheFile = `${script}.v8cache`;
    copyFileSync(join(BUNDLE, "cli.cjs"), script);
    copyFileSync(join(BUNDLE, "cli.cjs.v8cache"), cacheFile);
    writeFileSync(join(dir, "dist/cli/main.js"), 'throw new Error("the launcher ran the modules");\n');
    utimesSync(join(dir, "dist/cli/main.js"), new Date(0), new Date(0));
    launcher = join(dir, "bin/spey.js");
    const modules = node([CLI, ...args]);
    expect(modules.status, modules.stderr).toBe(0);
    reference = modules.stdout;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cacheState = () => codeCache.readCache(cacheFile, script).state;

  it("the build's cache is accepted by V8; a used cache is left as it is; the output is the modules' output", () => {
    expect(codeCache.readCache(join(BUNDLE, "cli.cjs.v8cache"), join(BUNDLE, "cli.cjs")).state).toBe("found");
    expect(runInFreshNode(join(BUNDLE, "cli.cjs")).state).toBe("used");
    // The copy is another file (inode, modification time): its first run makes its own cache.
    expect(cacheState()).toBe("stale");
    const first = node([launcher, ...args]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(reference);
    expect(cacheState()).toBe("found");
    const before = readFileSync(cacheFile);
    const run = node([launcher, ...args]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(reference);
    expect(readFileSync(cacheFile).equals(before)).toBe(true);
  });

  it("a corrupted, a stale or a missing cache: the same output, and a fresh cache for the next run", () => {
    const cache = readFileSync(cacheFile);
    cache.fill(0, cache.indexOf(10) + 1 + statSync(script).size);
    writeFileSync(cacheFile, cache);
    const corrupted = node([launcher, ...args]);
    expect(corrupted.status, corrupted.stderr).toBe(0);
    expect(corrupted.stdout).toBe(reference);
    expect(cacheState()).toBe("found");
    expect(readFileSync(cacheFile).equals(cache)).toBe(false);

    appendFileSync(script, "// edited\n");
    utimesSync(script, new Date(), new Date(statSync(script).mtimeMs + 1000));
    expect(cacheState()).toBe("stale");
    const stale = node([launcher, ...args]);
    expect(stale.status, stale.stderr).toBe(0);
    expect(stale.stdout).toBe(reference);
    expect(cacheState()).toBe("found");

    rmSync(cacheFile);
    const missing = node([launcher, ...args]);
    expect(missing.status, missing.stderr).toBe(0);
    expect(missing.stdout).toBe(reference);
    expect(cacheState()).toBe("found");
  });

  it("a node with flags (other V8 flags, other code) runs without writing a cache", () => {
    rmSync(cacheFile, { force: true });
    const flagged = node([launcher, ...args], ["--max-semi-space-size=4"]);
    expect(flagged.status, flagged.stderr).toBe(0);
    expect(flagged.stdout).toBe(reference);
    expect(cacheState()).toBe("missing");
  });

  it("the script registers what the modules register: backends (pyhf included), commands, version", () => {
    for (const command of [["backends", "--json"], ["--help"], ["--version"], ["help", "cls"]]) {
      const script = node([launcher, ...command]);
      const modules = node([CLI, ...command]);
      expect(script.status, script.stderr).toBe(modules.status);
      expect(script.stdout, command.join(" ")).toBe(modules.stdout);
    }
    expect(node([launcher, "backends"]).stdout).toContain("pyhf.uncorrelated_background");
  });

  it("errors keep their exit code and message from the script", () => {
    const bad = node([launcher, "cls", "examples/no-such-model.json"]);
    const modules = node([CLI, "cls", "examples/no-such-model.json"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(modules.stderr);
  });
});

describe("bin/spey.js: `spey plot` runs from the ES-module bundle", () => {
  it("draws the Brazil band plot (SVG on standard output) although the script has no plots", () => {
    const plot = node([join(BIN, "spey.js"), "plot", "brazil", "examples/single-bin.json"]);
    expect(plot.status, plot.stderr).toBe(0);
    expect(plot.stdout.startsWith("<svg")).toBe(true);
    expect(readFileSync(join(BUNDLE, "cli.cjs"), "utf8")).not.toContain("@observablehq/plot");
  });
});
