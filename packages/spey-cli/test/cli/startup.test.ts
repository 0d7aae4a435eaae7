import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { CLI, ROOT } from "./helpers.js";

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

  it("`spey cls` loads neither the plotting, batch and queue stacks nor the stdlib packages one by one", () => {
    // The CommonJS modules a run loaded (ES modules importing CommonJS ones fill the same cache).
    const dir = mkdtempSync(join(tmpdir(), "spey-startup-"));
    try {
      const report = join(dir, "loaded.json");
      const preload = join(dir, "report.cjs");
      writeFileSync(
        preload,
        `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(report)}, JSON.stringify(Object.keys(require.cache))));`,
      );
      const result = spawnSync(process.execPath, ["--require", preload, CLI, "cls", "examples/cms-8bin.json"], {
        cwd: ROOT,
        encoding: "utf8",
      });
      expect(result.status).toBe(0);
      const loaded: string[] = JSON.parse(readFileSync(report, "utf8"));
      for (const heavy of ["@resvg/resvg-js", "ioredis", "bullmq", "@stdlib/"]) {
        expect(loaded.filter((path) => path.includes(`node_modules/${heavy}`))).toEqual([]);
      }
      expect(loaded.some((path) => path.includes("node_modules/commander"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
