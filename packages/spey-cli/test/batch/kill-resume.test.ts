/**
 * Crash safety of `spey batch`: a run of the built CLI killed with SIGKILL at an arbitrary moment
 * (or stopped by SIGINT/SIGTERM) and then resumed ends with every point exactly once and each
 * result line identical to the line of an uninterrupted run; the same for two shards joined by
 * `spey merge`. The processes that get signals are the built CLI; the reference run, the resumed
 * runs and the merges run in-process (`run`).
 */
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, startCli, temporaryDirectory } from "../cli/helpers.js";
import { countResultLines, readResultsStrict, writeCmsGrid } from "./helpers.js";

// 40 points (limits on the CMS model): the runs below are killed or signalled once their first 4–8
// results are on disk (polled every 5 ms), well before the last point, and then resumed.
const POINTS = 40;
const tmp = temporaryDirectory("kill");
let grid: string;
let ids: string[];
let reference: Map<string, string>;

function batchArgs(output: string, extra: string[] = []): string[] {
  return [
    "batch",
    grid,
    "--base",
    "examples/cms-8bin.json",
    "-o",
    output,
    "--workers",
    "2",
    "--compute",
    "limit",
    ...extra,
  ];
}

/** Start a batch run and SIGKILL it once `after` result lines are on disk. */
async function killMidRun(output: string, after: number, extra: string[] = []): Promise<number> {
  const child = startCli(batchArgs(output, extra));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  for (;;) {
    if (countResultLines(output) >= after) break;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill("SIGKILL");
  await exited;
  return countResultLines(output);
}

function expectIdenticalToReference(file: string, expectedIds: readonly string[]): void {
  const parsed = readResultsStrict(file);
  expect(parsed.header?.format).toBe("spey-batch-results");
  // Every point exactly once…
  expect([...parsed.ids].sort()).toEqual([...expectedIds].sort());
  // …and each line byte-for-byte the line of the uninterrupted run (results are deterministic).
  for (const id of expectedIds) expect(parsed.lines.get(id)).toBe(reference.get(id));
}

beforeAll(async () => {
  ({ grid, ids } = writeCmsGrid(tmp.path, POINTS));
  const ref = join(tmp.path, "reference.jsonl");
  // One thread (the runs under test have two): the lines must not depend on the thread count.
  const { code, stderr } = await run(batchArgs(ref, ["--workers", "1"]));
  // The grid holds one invalid point: recorded as an error, and the run exits with 1 (issue #13).
  expect(stderr).toBe(`spey: 1 point failed; their errors are recorded in ${ref} (--retry-errors recomputes them).\n`);
  expect(code).toBe(1);
  reference = readResultsStrict(ref).lines;
});
afterAll(() => tmp.remove());

describe("uninterrupted reference run", () => {
  it("has every point once; the invalid point is an error line, the run went on", async () => {
    expect(reference.size).toBe(POINTS);
    const bad = JSON.parse(reference.get("bad") as string) as {
      status: string;
      error: { type: string; message: string };
    };
    expect(bad.status).toBe("error");
    expect(bad.error.type).toBe("InvalidInput");
    expect(bad.error.message).toMatch(/signalYields/);
    const ok = JSON.parse(reference.get("p00") as string) as { status: string; line: number; meta: unknown };
    expect(ok).toMatchObject({ status: "ok", line: 1, meta: { scale: 0.3 } });
  });
});

describe("kill and resume", () => {
  it("SIGKILL mid-run, a torn last line, then the same command again", async () => {
    const out = join(tmp.path, "killed.jsonl");
    const written = await killMidRun(out, 8);
    // The kill came mid-run: some points are done, not all.
    expect(written).toBeGreaterThanOrEqual(8);
    expect(written).toBeLessThan(POINTS);
    // A kill during a write leaves a partial line: simulate the worst case explicitly.
    appendFileSync(out, '{"id":"p30","line":32,"status":"ok","result":{"backe');
    // Every run below ends with the invalid point recorded as an error: exit code 1.
    const resumed = await run(batchArgs(out));
    expect(resumed.code).toBe(1);
    expect(resumed.stdout).toMatch(
      new RegExp(`${POINTS} points \\(${written} already done\\); computed ${POINTS - written} `),
    );
    expectIdenticalToReference(out, ids);

    const again = await run(batchArgs(out));
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`(${POINTS} already done); computed 0 `);
    expectIdenticalToReference(out, ids);

    // --retry-errors recomputes the recorded failure (still an error) and nothing else.
    const retry = await run(batchArgs(out, ["--retry-errors"]));
    expect(retry.code).toBe(1);
    expect(retry.stdout).toContain(`(${POINTS - 1} already done); computed 1 `);
    expectIdenticalToReference(out, ids);
  });

  /** Start the built CLI on the grid, send `signal` once 5 results are written, and wait for its exit. */
  async function signalMidRun(out: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
    const child = startCli(batchArgs(out));
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    while (countResultLines(out) < 5 && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    child.kill(signal);
    return { code: await exited, stderr };
  }

  it("Ctrl-C (SIGINT) stops cleanly with exit code 130, and the run resumes", async () => {
    const out = join(tmp.path, "interrupted.jsonl");
    const { code, stderr } = await signalMidRun(out, "SIGINT");
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted; the finished points are saved/);
    expect(readResultsStrict(out).records.length).toBeLessThan(POINTS);
    expect((await run(batchArgs(out))).code).toBe(1); // the invalid point
    expectIdenticalToReference(out, ids);
  });

  it("SIGTERM stops cleanly with exit code 143 (128 + 15), and the run resumes", async () => {
    const out = join(tmp.path, "terminated.jsonl");
    const { code, stderr } = await signalMidRun(out, "SIGTERM");
    expect(code).toBe(143);
    expect(stderr).toMatch(/terminated; the finished points are saved/);
    expect(existsSync(`${out}.lock`)).toBe(false);
    expect((await run(batchArgs(out))).code).toBe(1); // the invalid point
    expectIdenticalToReference(out, ids);
  });

  it("a second run on the same results file is refused while the first holds its lock (exit 2)", async () => {
    // One point that takes minutes (5 million toys), so that the first run surely still runs.
    const slowGrid = join(tmp.path, "slow-lock.jsonl");
    const point = { id: "slow", backend: "default.poisson", signalYields: [3], backgroundYields: [2], data: [2] };
    writeFileSync(slowGrid, `${JSON.stringify({ ...point, ntoys: 5_000_000 })}\n`);
    const out = join(tmp.path, "locked.jsonl");
    const args = ["batch", slowGrid, "-o", out, "--workers", "1", "--compute", "cls", "--calculator", "toy"];
    const first = startCli(args);
    const exited = new Promise<number | null>((resolve) => first.on("exit", (code) => resolve(code)));
    while (!existsSync(`${out}.lock`) && first.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    const second = await run(args);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/is being written by another spey batch run \(process \d+ on /);
    first.kill("SIGKILL");
    await exited;
    // A lock left by a killed run is stale: the next run takes it over (here the point then times out).
    expect(existsSync(`${out}.lock`)).toBe(true);
    // The limit counts from the thread's start message: 0.1 s of toys, then the Timeout error.
    const third = await run([...args, "--timeout", "0.1"]);
    expect(third.code).toBe(1);
    expect(readResultsStrict(out).records.map((r) => [r.id, r.status])).toEqual([["slow", "error"]]);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });

  it("refuses to resume with other options (exit 2)", async () => {
    const { code, stderr } = await run(batchArgs(join(tmp.path, "reference.jsonl"), ["--cl", "0.9"]));
    expect(code).toBe(2);
    expect(stderr).toMatch(/was started by another batch run: the options differ/);
  });
});

describe("shards and merge", () => {
  it("shard 1/2 killed and resumed, shard 2/2, merge: identical to the single run", async () => {
    const one = join(tmp.path, "shard1.jsonl");
    const two = join(tmp.path, "shard2.jsonl");
    const written = await killMidRun(one, 4, ["--shard", "1/2"]);
    expect(written).toBeLessThan(POINTS / 2);
    // The invalid point is at position 7: shard 2/2 holds it (exit 1), shard 1/2 does not.
    expect((await run(batchArgs(one, ["--shard", "1/2"]))).code).toBe(0);
    expect((await run(batchArgs(two, ["--shard", "2/2"]))).code).toBe(1);
    // Shard k holds the points at positions k − 1 modulo 2.
    expectIdenticalToReference(
      one,
      ids.filter((_, i) => i % 2 === 0),
    );
    expectIdenticalToReference(
      two,
      ids.filter((_, i) => i % 2 === 1),
    );

    const merged = join(tmp.path, "merged.jsonl");
    const { code, stdout } = await run(["merge", one, two, "-o", merged, "--grid", grid]);
    expect(code).toBe(0);
    expect(stdout).toContain(`${POINTS}/${POINTS} points (${POINTS - 1} ok, 1 failed) from 2 file(s)`);
    expectIdenticalToReference(merged, ids);
    // Merged lines follow the grid order.
    expect(readResultsStrict(merged).ids).toEqual(ids);
  });

  it("an incomplete merge exits with 1 and names what is missing", async () => {
    const one = join(tmp.path, "shard1.jsonl");
    const merged = join(tmp.path, "partial.jsonl");
    const { code, stderr } = await run(["merge", one, "-o", merged]);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`incomplete merge: ${POINTS / 2} point\\(s\\) missing; shard\\(s\\) 2 absent`));
    const allowed = await run(["merge", one, "-o", merged, "--allow-incomplete", "--grid", grid]);
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toMatch(new RegExp(`${POINTS / 2} point\\(s\\) missing \\("p01", "p03"`));
  });

  it("refuses to merge results of different grids (exit 2)", async () => {
    const other = join(tmp.path, "other.jsonl");
    const { code } = await run([
      "batch",
      "examples/grid/grid.jsonl",
      "--base",
      "examples/grid/background.json",
      "-o",
      other,
      "--shard",
      "1/20",
      "--compute",
      "limit",
      "--workers",
      "1",
    ]);
    expect(code).toBe(0);
    const merged = await run(["merge", join(tmp.path, "shard1.jsonl"), other, "-o", join(tmp.path, "x.jsonl")]);
    expect(merged.code).toBe(2);
    expect(merged.stderr).toMatch(/cannot be merged: they were computed on different grids/);
  });
});
