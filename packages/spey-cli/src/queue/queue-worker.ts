import { hostname } from "node:os";
import type { Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { VERSION } from "spey";
import type { JobOutcome } from "../batch/pool.js";
import type { ResultRecord } from "../batch/task.js";
import { type ConnectOptions, connect, type QueueAddress } from "./connection.js";
import { QueueInputError, QueueRunMismatch } from "./errors.js";
import { errorRecord } from "./jobs.js";
import { warmStartOf } from "../batch/chains.js";
import { bullmq } from "./cjs-packages.js";
import { PointPool } from "./point-pool.js";
import { checkPayload, QUEUE_NAME, type RunKeys, type RunMeta, readMeta, runKeys, versionProblem } from "./run.js";
import { recordResult, resultCounts, storedResult } from "./store.js";

/** Options of {@link runQueueWorker}. */
export interface QueueWorkerOptions {
  readonly address: QueueAddress;
  readonly tlsCa?: string | undefined;
  readonly run: string;
  /** Points computed at the same time (worker threads). */
  readonly concurrency: number;
  /** Per-point time limit in ms (the point is recorded as a `Timeout` error). */
  readonly timeoutMs?: number | undefined;
  /** Compute jobs enqueued by another spey version. */
  readonly allowVersionMismatch?: boolean | undefined;
  /** Stop once every point of the run has a result (default: keep serving the queue). */
  readonly exitWhenDone?: boolean | undefined;
  /**
   * How long to wait for the run to be enqueued, in ms (default: until it is, so that workers can
   * be started before their batch); past it the worker stops with a {@link QueueInputError}.
   */
  readonly waitMs?: number | undefined;
  /**
   * Job lock in ms (default 15 000): a worker that dies holds its jobs at most this long (plus
   * the stalled-check interval, the same) before they are given to another worker.
   */
  readonly lockMs?: number | undefined;
  /** Times a job may be taken back from a dead worker before it is failed (default 10). */
  readonly maxStalls?: number | undefined;
  /** Stops the worker: no new jobs; the points in flight are finished first (abort twice to drop them). */
  readonly signal?: AbortSignal | undefined;
  /** The worker-thread script (default the batch runner's built `worker.js`). */
  readonly workerScript?: URL | undefined;
  /** Progress and problems (one line each). */
  readonly log?: ((line: string) => void) | undefined;
}

/** What a worker did. */
export interface QueueWorkerSummary {
  /** Points this worker recorded. */
  recorded: number;
  /** Points it computed whose result another worker had already recorded (redelivered jobs). */
  duplicates: number;
  /** Jobs it refused (other spey version) or rejected (invalid payload). */
  refused: number;
  rejected: number;
  /** Why it stopped. */
  reason: "done" | "signal";
}

/** Wait `ms`, or less if the signal aborts (its listener is removed either way). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

async function waitForRun(redis: Redis, keys: RunKeys, options: QueueWorkerOptions): Promise<RunMeta | undefined> {
  let said = false;
  const deadline = options.waitMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.waitMs;
  for (;;) {
    const meta = await readMeta(redis, keys);
    if (meta) return meta;
    if (options.signal?.aborted) return undefined;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new QueueInputError(
        `run "${options.run}" was not enqueued on ${options.address.display} within ${((options.waitMs ?? 0) / 1000).toString()} s (--wait-seconds); enqueue it with spey batch GRID --queue URL --run ${options.run}, or check the run name.`,
      );
    }
    if (!said) {
      options.log?.(`waiting for run "${options.run}" to be enqueued on ${options.address.display}`);
      said = true;
    }
    await sleep(Math.min(1000, left), options.signal);
  }
}

/**
 * Serve a run's queue: take jobs (grid points), compute them on worker threads and record each
 * result once. Delivery (BullMQ): a job is locked while it is computed and the lock is renewed;
 * the jobs of a worker that dies are given to another worker once the lock has expired. A point
 * that fails computationally is an error result (not retried); a crashed thread or a Redis error
 * is retried with exponential backoff, and recorded as an error after the last try.
 */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<QueueWorkerSummary> {
  const connectOptions: ConnectOptions = {
    persistent: true,
    tlsCa: options.tlsCa,
    name: `spey-worker-${hostname()}-${process.pid}`,
  };
  const redis = await connect(options.address, connectOptions);
  const { DelayedError, UnrecoverableError, Worker: BullWorker } = bullmq();
  const keys = runKeys(options.run);
  const summary: QueueWorkerSummary = { recorded: 0, duplicates: 0, refused: 0, rejected: 0, reason: "signal" };
  let pool: PointPool | undefined;
  let worker: Worker | undefined;
  const workerConnection = redis.duplicate();
  try {
    const meta = await waitForRun(redis, keys, options);
    if (!meta) return summary;
    const problem = versionProblem(meta.spey, Boolean(options.allowVersionMismatch));
    if (problem) throw new QueueRunMismatch(`run "${options.run}": ${problem}.`);
    pool = new PointPool({
      size: options.concurrency,
      init: { base: meta.base ?? undefined, task: meta.header.task },
      timeoutMs: options.timeoutMs,
      script: options.workerScript,
    });
    const points = pool;
    const warned = new Set<string>();
    const processor = async (job: Job, token?: string): Promise<null> => {
      const checked = checkPayload(job.data, meta);
      if (!checked.ok) {
        summary.rejected += 1;
        throw new UnrecoverableError(`invalid job payload (job ${job.id}): ${checked.problem}`);
      }
      const refusal = versionProblem(checked.version, Boolean(options.allowVersionMismatch));
      if (refusal) {
        summary.refused += 1;
        if (!warned.has(checked.version)) {
          warned.add(checked.version);
          options.log?.(`refusing jobs: ${refusal}`);
        }
        // Back to the queue for a worker of the right version (not a failure).
        await job.moveToDelayed(Date.now() + 10_000, token);
        throw new DelayedError();
      }
      // A job is one point, or with --warm-start a chain of points (batch/chains.ts) computed in
      // order, each from its predecessor's recorded best fit. Points that already have a result
      // (a chain taken back from a worker that died) are skipped and their line read back.
      const warm = meta.header.task.warmStart !== undefined;
      let previous: ResultRecord | undefined;
      for (const [k, input] of [checked.input, ...checked.rest].entries()) {
        if (warm) {
          const stored = await storedResult(redis, keys, input.id);
          if (stored !== undefined) {
            previous = stored;
            continue;
          }
        }
        const warmStart = k > 0 ? warmStartOf(previous) : undefined;
        const outcome: JobOutcome<ResultRecord> = await points.submit(warmStart ? { ...input, warmStart } : input);
        if (!outcome.ok && outcome.type === "WorkerError") {
          // Not the point's fault as far as we know: retry (backoff) unless this was the last try.
          const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          if (!last) throw new Error(outcome.message);
        }
        const record = outcome.ok ? outcome.value : errorRecord(input, outcome.type, outcome.message);
        previous = record;
        if (await recordResult(redis, keys, record)) summary.recorded += 1;
        else {
          summary.duplicates += 1;
          // Another worker recorded this point first: its line is the one the chain goes on from.
          if (warm) previous = (await storedResult(redis, keys, input.id)) ?? previous;
        }
      }
      return null;
    };
    const lockMs = options.lockMs ?? 15_000;
    worker = new BullWorker(QUEUE_NAME, processor, {
      connection: workerConnection,
      prefix: keys.prefix,
      // One job waiting per thread: the next point is fetched from Redis while one computes.
      concurrency: 2 * options.concurrency,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: options.maxStalls ?? 10,
      // After a lost connection, fetch again after 1 s (not BullMQ's default 15 s).
      runRetryDelay: 1000,
      drainDelay: 1,
      autorun: false,
      name: `spey ${VERSION} ${hostname()} ${process.pid}`,
    });
    let lastError = "";
    worker.on("error", (error: Error) => {
      if (error.message !== lastError) options.log?.(`queue error (retrying): ${error.message}`);
      lastError = error.message;
    });
    const running = worker.run();
    const stop = new Promise<void>((resolve) => {
      if (options.signal?.aborted) resolve();
      options.signal?.addEventListener("abort", () => resolve(), { once: true });
    });
    const done = options.exitWhenDone
      ? (async () => {
          const total = meta.header.grid.points;
          while (!options.signal?.aborted) {
            try {
              if ((await resultCounts(redis, keys)).done >= total) return true;
            } catch {
              // Redis restarting: ask again.
            }
            await sleep(1000, options.signal);
          }
          return false;
        })()
      : new Promise<boolean>(() => {});
    const finished = await Promise.race([stop.then(() => false), done, running.then(() => false)]);
    summary.reason = finished ? "done" : "signal";
    await worker.close();
    await running.catch(() => undefined);
    return summary;
  } finally {
    await worker?.close(true).catch(() => undefined);
    await pool?.close();
    workerConnection.disconnect();
    redis.disconnect();
  }
}
