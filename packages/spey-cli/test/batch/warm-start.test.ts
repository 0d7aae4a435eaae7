/**
 * `spey batch --warm-start` (issue #11): a HistFactory grid (a HEPData-style workspace + patch set)
 * computed in chains of consecutive points, each point's fits started from its predecessor's best
 * fit. The chains are a pure function of the grid and each start is read from the predecessor's
 * result line, so the results file is line for line the same with 1 or 2 workers and after an
 * interrupted run is resumed; the limits and CLs agree with a run without --warm-start.
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, startCli, temporaryDirectory } from "../cli/helpers.js";
import { countResultLines, readResultsStrict, warmStartAnalysis, writeCmsGrid } from "./helpers.js";

const tmp = temporaryDirectory("warm-start");
afterAll(() => tmp.remove());

// 9 signal points on a 3 × 3 mass grid of a 26-parameter analysis (3 regions × 3 bins).
const { bkgOnly, patchset } = warmStartAnalysis();
const POINTS = 9;
const CHAIN = 4;
const folder = join(tmp.path, "likelihoods");
const grid = join(tmp.path, "likelihoods.grid.jsonl");
const base = join(tmp.path, "likelihoods.bkgonly.json");
let warm1: ReturnType<typeof readResultsStrict>;
/** The same grid with 2 workers (one run, checked against `warm1` and cut for the resume test). */
const warm2File = join(tmp.path, "warm2.jsonl");
let warm2Code: number | null;

const args = (output: string, extra: string[] = []) => [
  "batch",
  grid,
  "--base",
  base,
  "-o",
  output,
  "--compute",
  "limit,cls",
  ...extra,
];
const warmArgs = (output: string, workers: number) =>
  args(output, ["--warm-start", "--chain-length", String(CHAIN), "--workers", String(workers)]);

beforeAll(async () => {
  const { mkdirSync } = await import("node:fs");
  mkdirSync(folder);
  writeFileSync(join(folder, "BkgOnly.json"), JSON.stringify(bkgOnly));
  writeFileSync(join(folder, "patchset.json"), JSON.stringify(patchset));
  // The archive run writes the grid and the base model beside the folder (and computes the grid).
  const first = await run(["batch", folder, "--warm-start", "--chain-length", String(CHAIN), "--workers", "1"]);
  expect(first.code).toBe(0);
  warm1 = readResultsStrict(join(tmp.path, "likelihoods.grid.results.jsonl"));
  warm2Code = (await run(warmArgs(warm2File, 2))).code;
});

describe("spey batch --warm-start", () => {
  it("records the option and every point's best fit", () => {
    expect(warm1.records).toHaveLength(POINTS);
    const task = warm1.header?.task as { warmStart?: unknown } | undefined;
    expect(task?.warmStart).toEqual({ chainLength: CHAIN });
    for (const record of warm1.records) {
      const result = record.result as { bestFit?: { nll: number; parameters: Record<string, number> } };
      expect(record.status).toBe("ok");
      expect(Number.isFinite(result.bestFit?.nll)).toBe(true);
      // 1 POI + lumi + 2 normfactors + 9 staterror + 8 systematics + the signal's theory normsys.
      expect(Object.keys(result.bestFit?.parameters ?? {})).toHaveLength(22);
      expect(result.bestFit?.parameters).toHaveProperty("mu_SIG");
    }
  });

  it("gives the same file, line for line, with 2 workers as with 1", () => {
    expect(warm2Code).toBe(0);
    const warm2 = readResultsStrict(warm2File);
    expect([...warm2.lines.keys()].sort()).toEqual([...warm1.lines.keys()].sort());
    for (const [id, line] of warm1.lines) expect(warm2.lines.get(id)).toBe(line);
  });

  it("resumes an interrupted run (cut after k lines, a torn last line) to the same file", async () => {
    // The uninterrupted 2-worker run (checked line for line against the 1-worker run above).
    expect(warm2Code).toBe(0);
    const text = readFileSync(warm2File, "utf8").split("\n");
    // After 1 line (mid first chain), 5 (into the second chain) and 8 (one point left): what a
    // killed run leaves on disk (kill-resume.test.ts kills real runs), plus a torn partial line.
    for (const kept of [1, 5, 8]) {
      const out = join(tmp.path, `resumed-${kept}.jsonl`);
      writeFileSync(out, `${text.slice(0, 1 + kept).join("\n")}\n{"id":"C1N2_WZ_5`);
      const resumed = await run(warmArgs(out, 2));
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toContain(`(${kept} already done); computed ${POINTS - kept} `);
      const parsed = readResultsStrict(out);
      expect(parsed.ids).toHaveLength(POINTS);
      for (const [id, line] of warm1.lines) expect(parsed.lines.get(id)).toBe(line);
    }
  });

  it("a run SIGKILLed mid-run resumes to the same file", async () => {
    const out = join(tmp.path, "killed.jsonl");
    const child = startCli(warmArgs(out, 2));
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    while (countResultLines(out) < 1 && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    child.kill("SIGKILL");
    await exited;
    const written = countResultLines(out);
    expect(written).toBeGreaterThanOrEqual(1);
    expect(written).toBeLessThan(POINTS);
    expect((await run(warmArgs(out, 2))).code).toBe(0);
    const parsed = readResultsStrict(out);
    expect(parsed.ids).toHaveLength(POINTS);
    for (const [id, line] of warm1.lines) expect(parsed.lines.get(id)).toBe(line);
  });

  it("agrees with the run without --warm-start (limits, bands and CLs to 1e-9)", async () => {
    const out = join(tmp.path, "cold.jsonl");
    expect((await run(args(out, ["--workers", "2"]))).code).toBe(0);
    const cold = readResultsStrict(out);
    // The same minima reached from other starts: fits stop at a projected gradient ≤ 1e-9·√|NLL|,
    // so NLLs differ by O(1e-18) and limits (roots to rtol 1e-6 along nearly the same μ) and CLs by
    // rounding; another basin (NLL ≥ 1e-7 apart) would move them by far more than 1e-9.
    const SAME_MINIMA = 1e-9;
    type Result = {
      upperLimit: { observed: number; expected: number[] };
      cls: { observed: number; expected: number[] };
    };
    for (const record of warm1.records) {
      const w = record.result as Result;
      const c = cold.records.find((r) => r.id === record.id)?.result as Result;
      const a = [w.upperLimit.observed, ...w.upperLimit.expected, w.cls.observed, ...w.cls.expected];
      const b = [c.upperLimit.observed, ...c.upperLimit.expected, c.cls.observed, ...c.cls.expected];
      a.forEach((v, i) => expect(Math.abs(v - (b[i] as number))).toBeLessThanOrEqual(SAME_MINIMA * (b[i] as number)));
      expect(c).not.toHaveProperty("bestFit");
    }
  });

  it("refuses combinations it cannot keep deterministic, and misused options, with exit code 2", async () => {
    const out = join(tmp.path, "refused.jsonl");
    const shard = await run(args(out, ["--warm-start", "--shard", "1/2"]));
    expect(shard.code).toBe(2);
    expect(shard.stderr).toMatch(/--warm-start cannot be combined with --shard/);
    const chainOnly = await run(args(out, ["--chain-length", "3"]));
    expect(chainOnly.code).toBe(2);
    expect(chainOnly.stderr).toMatch(/--chain-length is an option of --warm-start/);
    const zero = await run(args(out, ["--warm-start", "--chain-length", "0"]));
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--chain-length/);
    // Resuming with another chain length: other options, refused.
    const copy = join(tmp.path, "copy.jsonl");
    copyFileSync(join(tmp.path, "likelihoods.grid.results.jsonl"), copy);
    const other = await run(args(copy, ["--warm-start", "--chain-length", "3"]));
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/the options differ/);
    // A grid of simplified likelihoods: no HistFactory fits to warm-start.
    const cms = writeCmsGrid(tmp.path, 4);
    const simplified = await run(["batch", cms.grid, "--base", "examples/cms-8bin.json", "-o", out, "--warm-start"]);
    expect(simplified.code).toBe(2);
    expect(simplified.stderr).toMatch(
      /--warm-start applies to HistFactory models \(backend pyhf or pyhf\.uncorrelated_background\); the point on line 1 has backend "default\.correlated_background"/,
    );
  });
});
