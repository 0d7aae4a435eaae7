import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { CLI, ROOT } from "./helpers.js";

/** The committed launcher (`bin/spey.js`), which loads the bundle that the build writes. */
const LAUNCHER = join(ROOT, "packages/spey-cli/bin/spey.js");

/**
 * Run `node [entry, ...args]` in ROOT with a preload that records the CommonJS modules the process
 * loaded (ES modules importing CommonJS ones fill the same cache) into a file in `dir`.
 */
function runRecordingModules(dir: string, entry: string, args: readonly string[]) {
  const report = join(dir, "loaded.json");
  const preload = join(dir, "report.cjs");
  writeFileSync(
    preload,
    `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(report)}, JSON.stringify(Object.keys(require.cache))));`,
  );
  const result = spawnSync(process.execPath, ["--require", preload, entry, ...args], { cwd: ROOT, encoding: "utf8" });
  const loaded: string[] = result.status === 0 ? JSON.parse(readFileSync(report, "utf8")) : [];
  return { result, loaded };
}

const ALL = [
  "backends",
  "inspect",
  "cls",
  "limit",
  "significance",
  "fit",
  "scan",
  "plot",
  "patchset",
  "batch",
  "merge",
  "worker",
  "status",
  "collect",
  "validate",
];
const names = async (argv?: string[]) => (await buildProgram(argv)).commands.map((c) => c.name());

describe("start-up: only the command that runs is loaded", () => {
  it("registers the named command alone, none for --version, all for help or an unknown name", async () => {
    expect(await names(["node", "spey", "cls", "model.json"])).toEqual(["cls"]);
    expect(await names(["node", "spey", "-q", "limit", "model.json", "--json"])).toEqual(["limit"]);
    expect(await names(["node", "spey", "status", "--queue", "redis://x"])).toEqual(["worker", "status", "collect"]);
    expect(await names(["node", "spey", "--version"])).toEqual([]);
    expect(await names(["node", "spey", "--help"])).toEqual(ALL);
    expect(await names(["node", "spey", "clss"])).toEqual(ALL);
    expect(await names()).toEqual(ALL);
  });

  it("`spey cls` loads neither the plotting stack nor the batch and queue stacks", () => {
    const dir = mkdtempSync(join(tmpdir(), "spey-startup-"));
    try {
      const { result, loaded } = runRecordingModules(dir, CLI, ["cls", "examples/cms-8bin.json"]);
      expect(result.status).toBe(0);
      for (const heavy of ["@resvg/resvg-js", "ioredis", "bullmq"]) {
        expect(loaded.filter((path) => path.includes(`node_modules/${heavy}`))).toEqual([]);
      }
      expect(loaded.some((path) => path.includes("node_modules/commander"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the launcher runs the build's bundle: commander inlined, the same results as the modules, batch workers found", () => {
    const dir = mkdtempSync(join(tmpdir(), "spey-bundle-"));
    try {
      const args = ["cls", "examples/cms-8bin.json", "--json"];
      const { result: bundled, loaded } = runRecordingModules(dir, LAUNCHER, args);
      expect(bundled.status, bundled.stderr).toBe(0);
      // Commander loaded from node_modules would mean the launcher fell back to dist/cli (no bundle).
      expect(loaded.filter((path) => path.includes("node_modules/commander"))).toEqual([]);
      const modules = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8" });
      expect(modules.status, modules.stderr).toBe(0);
      expect(bundled.stdout).toBe(modules.stdout);
      // A batch run from the bundle starts its worker threads from dist/batch/worker.js (the bundle
      // keeps each module's own import.meta.url).
      const grid = join(dir, "grid.jsonl");
      writeFileSync(
        grid,
        `${readFileSync(join(ROOT, "examples/grid/grid.jsonl"), "utf8").split("\n").slice(0, 2).join("\n")}\n`,
      );
      const out = join(dir, "grid.results.jsonl");
      const { result: batch, loaded: batchLoaded } = runRecordingModules(dir, LAUNCHER, [
        "batch",
        grid,
        "--base",
        "examples/grid/background.json",
        "--workers",
        "1",
        "-o",
        out,
      ]);
      expect(batch.status, batch.stderr).toBe(0);
      // A local batch run does not load the queue client (BullMQ and ioredis are for --queue only).
      for (const heavy of ["ioredis", "bullmq"]) {
        expect(batchLoaded.filter((path) => path.includes(`node_modules/${heavy}`))).toEqual([]);
      }
      const lines = readFileSync(out, "utf8").trim().split("\n");
      expect(lines.filter((l) => /"id":"g1000_n(0|50)"/.test(l))).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
