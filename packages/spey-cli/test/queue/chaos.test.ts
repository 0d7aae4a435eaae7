/**
 * Delivery semantics of queue mode under failure, against a real redis-server: a 5,000-point grid
 * computed by 3 `spey worker` processes that are SIGKILLed at random moments (after each tenth of the
 * grid) and restarted, while
 * Redis itself is SIGKILLed once mid-run and restarted from its append-only file. The collected
 * results must equal a local `spey batch` run point for point: no point missing, none twice, every
 * results line byte-identical. The workers are processes of the built CLI (they are killed); the
 * local run, the enqueuing and the collection run in-process (`run`).
 */
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { QUEUE_NAME, runKeys } from "../../src/queue/run.js";
import { readResultsStrict } from "../batch/helpers.js";
import { run, startCli, temporaryDirectory } from "../cli/helpers.js";
import { mulberry32 } from "../../../spey/test/support/mulberry32.js";
import { type RedisServer, startRedis } from "./redis-server.js";
import { bullmq, ioredis } from "../../src/queue/cjs-packages.js";
// bullmq and ioredis through require, as the CLI loads them (src/queue/cjs-packages.ts explains why).
const { Queue } = bullmq();
const { Redis } = ioredis();

const POINTS = 5000;
const WORKERS = 3;
const RUN = "chaos";
const tmp = temporaryDirectory("chaos");
let redis: RedisServer;
let grid: string;
let ids: string[];
const workers: (ChildProcess | undefined)[] = [];

/**
 * Cheap points (the example grid's three-bin model, CLs with its expected band: about a
 * millisecond each, so that the queue's own work — delivery, redelivery, results — dominates):
 * signal yields over a 100 × 50 plane; every 1000th point has a wrong number of yields (an error line).
 */
function writeGrid(): void {
  const lines: string[] = [];
  ids = [];
  for (let i = 0; i < POINTS; i++) {
    const x = i % 100;
    const y = Math.floor(i / 100);
    const scale = 0.05 + 0.02 * x + 0.01 * y;
    const yields = [4 * scale, 2.5 * scale, 1.2 * scale].map((v) => Number(v.toFixed(6)));
    const id = `p${i}`;
    ids.push(id);
    lines.push(JSON.stringify({ id, meta: { x, y }, signal_yields: i % 1000 === 999 ? yields.slice(0, 2) : yields }));
  }
  grid = join(tmp.path, "grid.jsonl");
  writeFileSync(grid, `${lines.join("\n")}\n`);
}

const ARGS = ["--base", "examples/grid/background.json", "--compute", "cls"];

function startWorker(slot: number): void {
  workers[slot] = startCli([
    "worker",
    "--queue",
    redis.url,
    "--run",
    RUN,
    "--concurrency",
    "1",
    "--lock-seconds",
    "3",
    "--exit-when-done",
  ]);
}

function killed(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

beforeAll(async () => {
  redis = await startRedis();
  writeGrid();
});
afterAll(async () => {
  for (const w of workers) w?.kill("SIGKILL");
  await Promise.all(workers.map(killed));
  await redis?.remove();
  tmp.remove();
});

it("5,000 points, 3 workers SIGKILLed at random and restarted, Redis killed once: results identical to a local run", async () => {
  const local = join(tmp.path, "local.jsonl");
  // One thread: a second would add its start-up, not speed (the points take ~0.2 ms each).
  const reference = await run(["batch", grid, ...ARGS, "-o", local, "--workers", "1"]);
  expect(reference.code).toBe(1); // the grid's invalid points are recorded as errors: a local run then exits with 1
  const expected = readResultsStrict(local);
  expect(expected.ids).toHaveLength(POINTS);

  const enqueue = await run(["batch", grid, ...ARGS, "--queue", redis.url, "--run", RUN, "--detach"]);
  expect(enqueue.code).toBe(0);
  expect(enqueue.stderr).toMatch(/5000 points, 0 already done, 5000 enqueued/);

  const keys = runKeys(RUN);
  // One connection for the progress polls (a fresh client per poll cost ~1.6 ms CPU each, ~0.25 s
  // over a run), replaced after Redis went down: no reconnection attempts of its own.
  let poller: InstanceType<typeof Redis> | undefined;
  const done = async (): Promise<number> => {
    try {
      if (!poller) {
        poller = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
        poller.on("error", () => undefined); // a refused or lost connection: the poll answers -1
        await poller.connect();
      }
      return await poller.hlen(keys.results);
    } catch {
      poller?.disconnect();
      poller = undefined;
      return -1; // Redis is down
    }
  };

  for (let slot = 0; slot < WORKERS; slot++) startWorker(slot);
  const rng = mulberry32(15);
  // Disturbances are tied to progress, not to the clock, so that a fast (idle) machine sees as many
  // as a slow one: a worker is SIGKILLed at a random moment after each tenth of the grid is done
  // (at most one per poll), and Redis is killed once, after 40%.
  const killAt = [0.05, 0.15, 0.25, 0.35, 0.5, 0.6, 0.7, 0.8, 0.9].map((f) => Math.floor((f + 0.04 * rng()) * POINTS));
  let kills = 0;
  let redisRestartedAt = -1;
  const deadline = Date.now() + 400_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 40 + 160 * rng()));
    const finished = await done();
    if (finished >= POINTS) break;
    expect(Date.now(), "the run should finish well within the deadline").toBeLessThan(deadline);
    if (redisRestartedAt < 0 && finished >= 0.4 * POINTS) {
      await redis.kill();
      await new Promise((r) => setTimeout(r, 1000));
      await redis.start();
      redisRestartedAt = finished;
      continue;
    }
    if (killAt.length === 0 || finished < (killAt[0] as number)) continue;
    killAt.shift();
    // SIGKILL a random worker, then start a new one in its place.
    const slot = Math.floor(rng() * WORKERS);
    const victim = workers[slot];
    if (victim && victim.exitCode === null && victim.signalCode === null) {
      victim.kill("SIGKILL");
      await killed(victim);
      kills += 1;
    }
    startWorker(slot);
  }
  // The run really was disturbed while it was going on.
  expect(kills).toBeGreaterThanOrEqual(5);
  expect(redisRestartedAt).toBeGreaterThan(0);
  expect(redisRestartedAt).toBeLessThan(POINTS);
  poller?.disconnect();
  // The workers exit by themselves once every point has a result (--exit-when-done).
  await Promise.all(workers.map(killed));

  const client = new Redis(redis.url);
  const queue = new Queue(QUEUE_NAME, { connection: client, prefix: keys.prefix });
  expect(await queue.getFailedCount()).toBe(0);
  expect(await client.hlen(keys.results)).toBe(POINTS);
  await queue.close();
  client.disconnect();

  const out = join(tmp.path, "collected.jsonl");
  const collect = await run(["collect", "--queue", redis.url, "--run", RUN, "-o", out]);
  expect(collect.code).toBe(0);
  expect(collect.stdout).toMatch(/5000\/5000 points \(4995 ok, 5 failed\)/);
  const got = readResultsStrict(out);
  expect(got.header).toEqual(expected.header);
  // No point missing, none twice, in grid order…
  expect(got.ids).toEqual(ids);
  // …and every line byte for byte the local run's line.
  const different = ids.filter((id) => got.lines.get(id) !== expected.lines.get(id));
  expect(different).toEqual([]);
}, 600_000);
