/**
 * `spey batch --warm-start --queue` against a real redis-server: one job per chain of consecutive
 * grid points (batch/chains.ts), computed in order by one worker, each point from its
 * predecessor's recorded best fit. The collected results equal a local `spey batch --warm-start`
 * line for line, with two workers, and when a chain is taken up after some of its points were
 * recorded (a worker that died mid-chain): the rest go on from the recorded lines.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResultRecord } from "../../src/batch/task.js";
import { parseQueueUrl } from "../../src/queue/connection.js";
import { runQueueWorker } from "../../src/queue/queue-worker.js";
import { checkPayload, type RunMeta, runKeys } from "../../src/queue/run.js";
import { recordResult } from "../../src/queue/store.js";
import { readResultsStrict, warmStartAnalysis } from "../batch/helpers.js";
import { run, temporaryDirectory } from "../cli/helpers.js";
import { type RedisServer, startRedis } from "./redis-server.js";
import { ioredis } from "../../src/queue/cjs-packages.js";
// bullmq and ioredis through require, as the CLI loads them (src/queue/cjs-packages.ts explains why).
const { Redis } = ioredis();

const tmp = temporaryDirectory("queue-warm");
let redis: RedisServer;
// 9 signal points of a 26-parameter HEPData-style analysis (as test/batch/warm-start.test.ts).
const { bkgOnly, patchset } = warmStartAnalysis();
const grid = join(tmp.path, "likelihoods.grid.jsonl");
const base = join(tmp.path, "likelihoods.bkgonly.json");
const WARM = ["--compute", "limit,cls", "--warm-start", "--chain-length", "4"];
let reference: ReturnType<typeof readResultsStrict>;

beforeAll(async () => {
  redis = await startRedis();
  const folder = join(tmp.path, "likelihoods");
  mkdirSync(folder);
  writeFileSync(join(folder, "BkgOnly.json"), JSON.stringify(bkgOnly));
  writeFileSync(join(folder, "patchset.json"), JSON.stringify(patchset));
  // The archive run writes the grid and the base beside the folder; the local reference run.
  expect((await run(["batch", folder, ...WARM, "--workers", "1"])).code).toBe(0);
  reference = readResultsStrict(join(tmp.path, "likelihoods.grid.results.jsonl"));
  expect(reference.records).toHaveLength(9);
});
afterAll(async () => {
  await redis?.remove();
  tmp.remove();
});

const enqueue = (name: string) =>
  run(["batch", grid, "--base", base, ...WARM, "--queue", redis.url, "--run", name, "--detach", "--json"]);
const worker = (name: string) =>
  runQueueWorker({ address: parseQueueUrl(redis.url), run: name, concurrency: 1, exitWhenDone: true });

function expectReferenceLines(file: string): void {
  const parsed = readResultsStrict(file);
  expect(parsed.ids).toHaveLength(9);
  for (const [id, line] of reference.lines) expect(parsed.lines.get(id)).toBe(line);
}

describe("spey batch --warm-start --queue", () => {
  it("enqueues one job per chain; two workers; collected lines equal the local run's", async () => {
    const enqueued = await enqueue("w1");
    expect(enqueued.code).toBe(0);
    // 9 points in chains of 4: 3 jobs.
    expect(JSON.parse(enqueued.stdout)).toMatchObject({ total: 9, alreadyDone: 0, submitted: 3 });
    const [a, b] = await Promise.all([worker("w1"), worker("w1")]);
    expect(a.recorded + b.recorded).toBe(9);
    const out = join(tmp.path, "w1.jsonl");
    expect((await run(["collect", "--queue", redis.url, "--run", "w1", "-o", out])).code).toBe(0);
    expectReferenceLines(out);
    // Enqueuing again adds nothing: every chain is done.
    expect(JSON.parse((await enqueue("w1")).stdout)).toMatchObject({ alreadyDone: 9, submitted: 0 });
  });

  it("a chain whose first points were recorded (a worker died mid-chain) goes on from their lines", async () => {
    expect((await enqueue("w2")).code).toBe(0);
    // What a worker that died after two points of the first chain and one of the second left.
    const client = new Redis(redis.url);
    const keys = runKeys("w2");
    const text = readFileSync(join(tmp.path, "likelihoods.grid.results.jsonl"), "utf8").split("\n");
    const byId = new Map(
      text
        .slice(1)
        .filter(Boolean)
        .map((l) => [String((JSON.parse(l) as ResultRecord).id), JSON.parse(l) as ResultRecord]),
    );
    const gridIds = readFileSync(grid, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => String((JSON.parse(l) as { id: string }).id));
    for (const k of [0, 1, 4]) await recordResult(client, keys, byId.get(gridIds[k] as string) as ResultRecord);
    client.disconnect();
    const summary = await worker("w2");
    expect(summary).toMatchObject({ recorded: 6, duplicates: 0, reason: "done" });
    const out = join(tmp.path, "w2.jsonl");
    expect((await run(["collect", "--queue", redis.url, "--run", "w2", "-o", out])).code).toBe(0);
    expectReferenceLines(out);
  });

  it("a chain payload is refused in a run without --warm-start", () => {
    const meta = {
      settings: "s",
      base: { backend: "pyhf" },
      header: {
        task: {
          compute: ["limit"],
          confidenceLevel: 0.95,
          expected: "aposteriori",
          poiTest: 1,
          calculator: "asymptotic",
        },
      },
    } as unknown as RunMeta;
    const point = { id: "a", signalYields: [1] };
    const job = { v: "0", s: "s", id: "a", line: 1, point, chain: [{ id: "b", line: 2, point: { id: "b" } }] };
    expect(checkPayload(job, meta)).toEqual({ ok: false, problem: '"chain" is only for runs with --warm-start' });
    const warmMeta = { ...meta, header: { task: { ...meta.header.task, warmStart: { chainLength: 2 } } } } as RunMeta;
    expect(checkPayload(job, warmMeta)).toMatchObject({ ok: true, rest: [{ id: "b", line: 2 }] });
    expect(checkPayload({ ...job, chain: [{ id: "c", line: 2, point: { id: "b" } }] }, warmMeta)).toEqual({
      ok: false,
      problem: 'chain point 0: "id" "c" is not the grid line\'s id',
    });
  });

  it("refuses --warm-start for simplified models (exit 2)", async () => {
    const refused = await run([
      "batch",
      "examples/grid/grid.jsonl",
      "--base",
      "examples/grid/background.json",
      "--warm-start",
      "--queue",
      redis.url,
      "--run",
      "w3",
      "--detach",
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--warm-start applies to HistFactory models/);
  });
});
