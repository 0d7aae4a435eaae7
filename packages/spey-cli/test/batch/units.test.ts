/** Unit tests of the batch building blocks: grid parsing, shards, results files, progress, pool. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pointDescription } from "../../src/batch/description.js";
import { parseGrid } from "../../src/batch/grid.js";
import { compactJson, splitLines } from "../../src/batch/jsonl.js";
import { type JobOutcome, WorkerPool } from "../../src/batch/pool.js";
import { formatDuration, ProgressBar, progressLine } from "../../src/batch/progress.js";
import { parseResults, repairResults } from "../../src/batch/results-file.js";
import { parseShard, selectShard } from "../../src/batch/shard.js";
import { temporaryDirectory } from "../cli/helpers.js";

const tmp = temporaryDirectory("units");
afterAll(() => tmp.remove());

describe("grid files", () => {
  it("ids default to line numbers; blank lines are skipped but counted", () => {
    const { points, problems } = parseGrid(
      '{"backend": "b"}\n\n{"id": "x", "backend": "b"}\n{"id": 7, "backend": "b"}\n',
      {
        requireBackend: true,
      },
    );
    expect(problems).toEqual([]);
    expect(points.map((p) => [p.id, p.line, p.index])).toEqual([
      [1, 1, 0],
      ["x", 3, 1],
      [7, 4, 2],
    ]);
  });

  it("collects every problem with its line", () => {
    const { problems } = parseGrid('{"id": 1}\n[1]\n{"id": {}}\n{bad\n{"id": "1", "meta": 3}\n', {
      requireBackend: true,
    });
    expect(problems.map((p) => p.line)).toEqual([1, 2, 3, 4, 5, 5, 5]);
    expect(problems.map((p) => p.message).join("\n")).toMatch(/duplicate id "1" \(also on line 1\)/);
  });

  it("lays a line over the base, whatever the spelling", () => {
    const merged = pointDescription(
      { backend: "default.poisson", signalYields: [1], backgroundYields: [2], data: [3] },
      { id: 4, meta: { m: 1 }, signal_yields: [5] },
    );
    expect(merged).toEqual({ backend: "default.poisson", signalYields: [5], backgroundYields: [2], data: [3] });
    expect(() => pointDescription(undefined, { data: [1] })).toThrow(/no "backend"/);
  });
});

describe("shards", () => {
  it("k/N selects positions k − 1 modulo N, and the shards partition the grid", () => {
    const points = Array.from({ length: 7 }, (_, index) => ({ index }));
    const parts = [1, 2, 3].map((k) => selectShard(points, parseShard(`${k}/3`)).map((p) => p.index));
    expect(parts).toEqual([
      [0, 3, 6],
      [1, 4],
      [2, 5],
    ]);
    expect(() => parseShard("0/2")).toThrow(/1 ≤ k ≤ N/);
    expect(() => parseShard("1-2")).toThrow(/k\/N/);
  });
});

describe("results files", () => {
  // A complete header: a damaged one (missing grid, base, shard or task) is not recognised as one.
  const header = compactJson({
    format: "spey-batch-results",
    version: 1,
    spey: "0.1.0",
    grid: { file: "grid.jsonl", sha256: "0".repeat(64), points: 3 },
    base: null,
    shard: null,
    task: {},
  });
  const line = (id: string, status = "ok") => compactJson({ id, line: 1, status });

  it("JSONL splitting keeps byte offsets (UTF-8) and flags a torn tail", () => {
    const lines = splitLines('{"a":"μ"}\n{"b":1');
    expect(lines.map((l) => [l.line, l.end, l.terminated])).toEqual([
      [1, 11, true],
      [2, 17, false],
    ]);
  });

  it("a torn last line is cut off in place", () => {
    const path = join(tmp.path, "torn.jsonl");
    const intact = `${header}\n${line("a")}\n${line("b")}\n`;
    writeFileSync(path, `${intact}{"id":"c","li`);
    const content = parseResults(readFileSync(path, "utf8"));
    expect(content.tornTail).toBe(true);
    expect(content.records.map((r) => r.id)).toEqual(["a", "b"]);
    repairResults(path, content);
    expect(readFileSync(path, "utf8")).toBe(intact);
  });

  it("damaged or repeated lines inside are dropped by a rewrite; errors can be dropped for a retry", () => {
    const path = join(tmp.path, "damaged.jsonl");
    writeFileSync(path, `${header}\n${line("a")}\ngarbage\n${line("a")}\n${line("b", "error")}\n${line("c")}\n`);
    const content = parseResults(readFileSync(path, "utf8"));
    expect(content.invalidLines).toEqual([3]);
    expect(content.duplicateLines).toEqual([4]);
    const kept = repairResults(path, content, (r) => r.status === "error");
    expect(kept.map((r) => r.id)).toEqual(["a", "c"]);
    expect(readFileSync(path, "utf8")).toBe(`${header}\n${line("a")}\n${line("c")}\n`);
  });

  it("non-finite numbers are written as strings", () => {
    expect(compactJson({ a: Number.POSITIVE_INFINITY, b: [Number.NaN, -Infinity, 1] })).toBe(
      '{"a":"Infinity","b":["NaN","-Infinity",1]}',
    );
  });
});

describe("progress", () => {
  it("shows done/total, percentage, rate, ETA and failures", () => {
    const text = progressLine({ done: 150, total: 400, failed: 2, sessionDone: 100, elapsed: 20, width: 100 });
    expect(text).toBe("[###############.........................] 150/400  37%  5.0 pt/s  ETA 0:50  2 failed");
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(Number.NaN)).toBe("--:--");
  });

  it("draws on a terminal at most every interval, and not at all elsewhere", () => {
    const writes: string[] = [];
    const tty = { isTTY: true, columns: 80, write: (t: string) => writes.push(t) };
    const bar = new ProgressBar(tty, 1000, { intervalMs: 60_000 });
    for (let i = 0; i < 999; i++) bar.tick(false);
    expect(writes).toHaveLength(1); // the first tick draws, the next 998 fall inside the interval
    bar.tick(true); // the last point always draws
    bar.finish();
    expect(writes.at(-1)).toBe("\n");
    expect(writes.at(-2)).toMatch(/1000\/1000 100%.*1 failed/);
    const silent: string[] = [];
    const pipe = new ProgressBar({ isTTY: false, write: (t: string) => silent.push(t) }, 10);
    pipe.tick(false);
    pipe.finish();
    expect(silent).toEqual([]);
  });
});

describe("worker pool", () => {
  const script = new URL("./fixtures/crash-worker.mjs", import.meta.url);

  async function run(inputs: unknown[], size: number, timeoutMs?: number) {
    const pool = new WorkerPool<unknown, number, null>({
      size,
      script,
      init: null,
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    const results = new Map<string, JobOutcome<number>>();
    await pool.run(inputs, (input, outcome) => results.set(String(input), outcome));
    return results;
  }

  it("runs every job once, on several threads", async () => {
    const results = await run([1, 2, 3, 4, 5, 6, 7], 3);
    expect([...results.keys()].sort()).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
    expect(results.get("7")).toEqual({ ok: true, value: 14 });
  });

  it("a crashing or throwing job fails alone; its worker is replaced and the run goes on", async () => {
    const results = await run([1, "exit", 2, "throw", 3], 1);
    expect(results.get("exit")).toEqual({
      ok: false,
      type: "WorkerError",
      message: "the worker thread exited with code 3",
    });
    expect(results.get("throw")).toMatchObject({
      ok: false,
      type: "WorkerError",
      message: expect.stringMatching(/boom/),
    });
    expect([1, 2, 3].map((k) => results.get(String(k)))).toEqual([1, 2, 3].map((k) => ({ ok: true, value: 2 * k })));
  });

  it("a job over the time limit is failed as a timeout", async () => {
    const results = await run(["hang", 4], 1, 300);
    expect(results.get("hang")).toEqual({ ok: false, type: "Timeout", message: "the point took longer than 0.3 s" });
    expect(results.get("4")).toEqual({ ok: true, value: 8 });
  });

  it("the time limit counts from the worker's start of the job, not from the thread's start-up", async () => {
    // "late" starts 600 ms after it was sent (twice the limit), as a fresh thread loading the
    // library on a busy machine does; after the timeout of "hang" its replacement thread starts 4.
    const results = await run(["late", "hang", 4], 1, 300);
    expect(results.get("late")).toEqual({ ok: true, value: 0 });
    expect(results.get("hang")).toMatchObject({ ok: false, type: "Timeout" });
    expect(results.get("4")).toEqual({ ok: true, value: 8 });
  });

  it("stop() ends the run and drops the jobs in flight", async () => {
    const pool = new WorkerPool<unknown, number, null>({ size: 1, script, init: null });
    const seen: unknown[] = [];
    const done = pool.run(["hang", 1, 2], (input) => seen.push(input));
    setTimeout(() => void pool.stop(), 100);
    await done;
    expect(seen).toEqual([]);
  });
});
