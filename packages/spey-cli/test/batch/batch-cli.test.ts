/**
 * `spey batch`, `merge` and `plot grid` on the shipped 400-point example grid: the 400-point run
 * with the built CLI, the other calls in-process (`run`); results checked against the library
 * called directly on the same points.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getBackend } from "spey";
import { parseJsonOutput, ROOT, run, runCli, temporaryDirectory } from "../cli/helpers.js";
import { readResultsStrict } from "./helpers.js";

const tmp = temporaryDirectory("grid");
const results = join(tmp.path, "grid.results.jsonl");
const base = JSON.parse(readFileSync(join(ROOT, "examples/grid/background.json"), "utf8")) as Record<string, unknown>;
const gridLines = readFileSync(join(ROOT, "examples/grid/grid.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as { id: string; meta: Record<string, number>; signal_yields: number[] });

let summary: Record<string, unknown>;
beforeAll(() => {
  const first = runCli([
    "batch",
    "examples/grid/grid.jsonl",
    "--base",
    "examples/grid/background.json",
    "-o",
    results,
    "--workers",
    "2",
    "--force-workers",
    "--json",
  ]);
  expect(first.stderr).toBe("");
  expect(first.code).toBe(0);
  summary = JSON.parse(first.stdout) as Record<string, unknown>;
});
afterAll(() => tmp.remove());

describe("spey batch on examples/grid", () => {
  it("computes all 400 points", async () => {
    expect(summary).toMatchObject({ total: 400, skipped: 0, computed: 400, ok: 400, failed: 0, interrupted: false });
    const parsed = readResultsStrict(results);
    expect(parsed.records).toHaveLength(400);
    expect(parsed.header).toMatchObject({
      grid: { file: "examples/grid/grid.jsonl", points: 400 },
      shard: null,
      task: { compute: ["limit", "cls"], confidenceLevel: 0.95, expected: "aposteriori", poiTest: 1 },
    });
  });

  it("each result equals the library's on the same model", async () => {
    const parsed = readResultsStrict(results);
    const byId = new Map(parsed.records.map((r) => [String(r.id), r]));
    // A sample across the plane (every 37th point) keeps the test short.
    for (const line of gridLines.filter((_, i) => i % 37 === 0)) {
      const { backend, ...args } = base;
      const model = getBackend(backend as string)({ analysis: line.id, ...args, signal_yields: line.signal_yields });
      const record = parseJsonOutput(JSON.stringify(byId.get(line.id))) as {
        meta: unknown;
        result: { upperLimit: { observed: number; expected: number[] }; cls: { observed: number; excluded: boolean } };
      };
      expect(record.meta).toEqual(line.meta);
      // Same code, same inputs (limitSummary: both limits from one preparation): identical numbers.
      const limits = model.poiUpperLimitWithBand({ expected: "aposteriori" });
      expect(record.result.upperLimit.observed).toBe(limits.observed);
      expect(record.result.upperLimit.expected).toEqual(limits.expected);
      const tails = model.exclusionConfidenceLevel({ poiTest: 1, expected: "all", returnTailProbabilities: true });
      const cls = tails.observed.cls[0] as number;
      expect(record.result.cls.observed).toBe(cls);
      expect(record.result.cls.excluded).toBe(cls < 0.05);
    }
  });

  it("re-running skips every point", async () => {
    const again = await run([
      "batch",
      "examples/grid/grid.jsonl",
      "--base",
      "examples/grid/background.json",
      "-o",
      results,
      "--json",
    ]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ total: 400, skipped: 400, computed: 0 });
  });

  it("merge of a single complete file reorders it by grid line", async () => {
    const merged = join(tmp.path, "merged.jsonl");
    const { code, stdout } = await run(["merge", results, "-o", merged, "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ total: 400, merged: 400, missingCount: 0, complete: true });
    expect(readResultsStrict(merged).ids).toEqual(gridLines.map((l) => l.id));
  });

  it("plot grid draws the mass plane with the exclusion contours", async () => {
    const svgPath = join(tmp.path, "grid.svg");
    const pngPath = join(tmp.path, "grid.png");
    const { code } = await run(["plot", "grid", results, "--x-label", "m(g̃) [GeV]", "-o", svgPath, "-o", pngPath]);
    expect(code).toBe(0);
    const svg = readFileSync(svgPath, "utf8");
    for (const text of ["Observed μ_UL = 1", "Expected μ_UL = 1", "m(g̃) [GeV]", "m_neutralino", "μ_UL (observed)"]) {
      expect(svg).toContain(text);
    }
    expect(readFileSync(pngPath).subarray(1, 4).toString()).toBe("PNG");
  });

  it("validate and plot grid name the problem of a bad results file (exit 2)", async () => {
    const { code, stderr } = await run(["plot", "grid", "examples/grid/grid.jsonl"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/not a spey batch results file/);
  });
});

describe("bad batch inputs", () => {
  it("never overwrites a file that is not a results file (exit 2)", async () => {
    const precious = join(tmp.path, "notes.txt");
    writeFileSync(precious, "my notes\n");
    const { code, stderr } = await run([
      "batch",
      "examples/grid/grid.jsonl",
      "--base",
      "examples/grid/background.json",
      "-o",
      precious,
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/notes\.txt exists but is not a spey batch results file/);
    expect(readFileSync(precious, "utf8")).toBe("my notes\n");
  });

  it("a broken grid names its lines before anything runs (exit 2)", async () => {
    const grid = join(tmp.path, "broken.jsonl");
    writeFileSync(grid, '{"id": "a", "signal_yields": [1, 1, 1]}\n{"id": "a"}\n{oops\n');
    const { code, stderr } = await run([
      "batch",
      grid,
      "--base",
      "examples/grid/background.json",
      "-o",
      join(tmp.path, "b.jsonl"),
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /broken\.jsonl has 2 problem\(s\):\n {2}.*broken\.jsonl:2: duplicate id "a" \(also on line 1\)\n {2}.*broken\.jsonl:3: not valid JSON/,
    );
  });

  it("a grid without backends and no --base is refused (exit 2)", async () => {
    const { code, stderr } = await run(["batch", "examples/grid/grid.jsonl", "-o", join(tmp.path, "c.jsonl")]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/grid\.jsonl:1: no "backend": give one on every line, or a shared model with --base/);
  });
});

describe("per-point time limit", () => {
  it("a point over --timeout is recorded as a Timeout error and the run goes on", async () => {
    const grid = join(tmp.path, "slow.jsonl");
    const point = { backend: "default.poisson", signalYields: [3], backgroundYields: [2], data: [2] };
    writeFileSync(
      grid,
      [
        JSON.stringify({ id: "fast", ...point, ntoys: 20 }),
        JSON.stringify({ id: "slow", ...point, ntoys: 5_000_000 }),
        JSON.stringify({ id: "fast2", ...point, ntoys: 20 }),
        "",
      ].join("\n"),
    );
    const out = join(tmp.path, "slow.results.jsonl");
    const { code } = await run([
      "batch",
      grid,
      "-o",
      out,
      "--compute",
      "cls",
      "--calculator",
      "toy",
      "--timeout",
      "1",
      "--workers",
      "1",
    ]);
    expect(code).toBe(1); // a point failed (timed out): the run is not a success
    const parsed = readResultsStrict(out);
    const status = Object.fromEntries(parsed.records.map((r) => [r.id, r.status]));
    expect(status).toEqual({ fast: "ok", slow: "error", fast2: "ok" });
    expect(parsed.records.find((r) => r.id === "slow")?.error).toEqual({
      type: "Timeout",
      message: "the point took longer than 1 s",
    });
  });
});

describe("batch hygiene", () => {
  const firstLines = readFileSync(join(ROOT, "examples/grid/grid.jsonl"), "utf8").split("\n").slice(0, 5).join("\n");
  const common = ["--base", "examples/grid/background.json", "--compute", "limit", "--json"];

  it("--workers above the core count is capped with a warning, unless --force-workers", async () => {
    const cores = availableParallelism();
    const capped = await run(["batch", "-", "-o", join(tmp.path, "capped.jsonl"), "--workers", "999", ...common], {
      input: firstLines,
    });
    expect(capped.code).toBe(0);
    expect(capped.stderr).toContain(`spey: warning: --workers 999 is more than the ${cores} cores: using ${cores}`);
    expect((JSON.parse(capped.stdout) as { workers: number }).workers).toBe(Math.min(cores, 5));
    const forced = await run(
      ["batch", "-", "-o", join(tmp.path, "forced.jsonl"), "--workers", "3", "--force-workers", ...common],
      { input: firstLines },
    );
    expect(forced.code).toBe(0);
    expect(forced.stderr).toBe("");
    expect((JSON.parse(forced.stdout) as { workers: number }).workers).toBe(3);
  });

  it("`batch -` reads the grid from standard input: the same results as from the file", async () => {
    const out = join(tmp.path, "stdin.jsonl");
    const fromInput = await run(["batch", "-", "-o", out, ...common], { input: firstLines });
    expect(fromInput.code).toBe(0);
    const fromStdin = readResultsStrict(out);
    expect((fromStdin.header as { grid: { file: string } }).grid.file).toBe("standard input");
    const fromFile = readResultsStrict(results);
    // Lines are written as points finish: compare as sets.
    expect([...fromStdin.ids].sort()).toEqual(["g1000_n0", "g1000_n100", "g1000_n150", "g1000_n200", "g1000_n50"]);
    for (const id of fromStdin.ids) {
      const a = JSON.parse(fromStdin.lines.get(id) as string) as { result: { upperLimit: unknown } };
      const b = JSON.parse(fromFile.lines.get(id) as string) as { result: { upperLimit: unknown } };
      expect(a.result.upperLimit).toEqual(b.result.upperLimit);
    }
    // Resuming from standard input works too (same grid text, same digest).
    const again = await run(["batch", "-", "-o", out, ...common], { input: firstLines });
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { skipped: number }).skipped).toBe(5);
    const noOutput = await run(["batch", "-", ...common], { input: firstLines });
    expect(noOutput.code).toBe(2);
    expect(noOutput.stderr).toMatch(/standard input needs -o\/--output/);
  });

  it("merge and batch refuse to overwrite their own inputs (exit 2, the file unchanged)", async () => {
    const before = readFileSync(results, "utf8");
    const merge = await run(["merge", results, "-o", results]);
    expect(merge.code).toBe(2);
    expect(merge.stderr).toMatch(/is also an input .*merging would overwrite it/);
    expect(readFileSync(results, "utf8")).toBe(before);
    const grid = join(tmp.path, "self.jsonl");
    writeFileSync(grid, `${firstLines}\n`);
    const batch = await run(["batch", grid, "-o", grid, ...common]);
    expect(batch.code).toBe(2);
    expect(batch.stderr).toMatch(/the results file .* is also an input/);
    expect(readFileSync(grid, "utf8")).toBe(`${firstLines}\n`);
  });
});
