import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { SpeyError, VERSION } from "spey";
import { fsErrorReason } from "../batch/errors.js";
import { type GridPoint, readGrid } from "../batch/grid.js";
import { compactJson } from "../batch/jsonl.js";
import { RESULTS_FORMAT, type ResultsHeader } from "../batch/results-file.js";
import { gridChains } from "../batch/chains.js";
import { checkWarmStart, readBase, sha256 } from "../batch/runner.js";
import type { BatchTask } from "../batch/task.js";
import { bullmq } from "./cjs-packages.js";
import { type ConnectOptions, connect, type QueueAddress } from "./connection.js";
import { QueueInputError, QueueRunMismatch } from "./errors.js";
import { BACKOFF_MS, JOB_OPTIONS, recordFailedJobs } from "./jobs.js";
import {
  createOrCheckMeta,
  type JobPayload,
  jobId,
  QUEUE_NAME,
  RUN_FORMAT,
  type RunKeys,
  type RunMeta,
  readMeta,
  runKeys,
  settingsHash,
} from "./run.js";
import { sleep } from "./queue-worker.js";
import { readStatus, type RunStatus } from "./status.js";

/** Where a run is: the Redis server and the run's name. */
export interface RunLocation {
  readonly address: QueueAddress;
  readonly tlsCa?: string | undefined;
  readonly run: string;
}

/** An open connection to a run (close it with `close`). */
export interface RunSession {
  readonly redis: Redis;
  readonly keys: RunKeys;
  readonly queue: Queue;
  close(): Promise<void>;
}

/** Connect to a run's keys and queue. */
export async function openRun(location: RunLocation, persistent: boolean, role: string): Promise<RunSession> {
  const keys = runKeys(location.run);
  const options: ConnectOptions = { persistent, tlsCa: location.tlsCa, name: `spey-${role}-${process.pid}` };
  const redis = await connect(location.address, options);
  const queue = new (bullmq().Queue)(QUEUE_NAME, { connection: redis, prefix: keys.prefix });
  return {
    redis,
    keys,
    queue,
    close: async () => {
      await queue.close().catch(() => undefined);
      redis.disconnect();
    },
  };
}

/** Read the run's description, or fail naming the fix. */
export async function requireMeta(session: RunSession, location: RunLocation): Promise<RunMeta> {
  const meta = await readMeta(session.redis, session.keys);
  if (!meta) {
    throw new QueueRunMismatch(
      `there is no run "${location.run}" on ${location.address.display}: enqueue one with spey batch GRID --queue URL${location.run === "default" ? "" : ` --run ${location.run}`} (or check --run).`,
    );
  }
  return meta;
}

/** Options of {@link enqueueRun}. */
export interface EnqueueOptions extends RunLocation {
  /** The grid file ("-" with `gridText`: the grid came from standard input). */
  readonly gridPath: string;
  readonly gridText?: string | undefined;
  readonly basePath?: string | undefined;
  readonly task: BatchTask;
  /** Add to a run enqueued by another spey version. */
  readonly allowVersionMismatch?: boolean | undefined;
  /** First retry delay of a job in ms (default {@link BACKOFF_MS}); each later retry waits twice as long. */
  readonly backoffMs?: number | undefined;
}

/** What an enqueue did. */
export interface EnqueueSummary {
  run: string;
  /** A new run (false: an existing run with the same settings, resumed). */
  created: boolean;
  total: number;
  /** Points that already had a result (not enqueued again). */
  alreadyDone: number;
  /** Jobs handed to BullMQ (a job id already in the queue is not added twice). */
  submitted: number;
}

const CHUNK = 1000;

/**
 * Enqueue a grid as a run: its description (results header, shared model, task) is stored once,
 * and one job per point that has no result yet, with job id = settings hash + point id, so
 * enqueuing the same grid again adds nothing new (BullMQ keeps one job per id; finished points
 * are skipped). A run that exists with other settings is refused.
 */
export async function enqueueRun(options: EnqueueOptions): Promise<EnqueueSummary> {
  const base = options.basePath ? readBase(options.basePath) : undefined;
  const { points, text } = readGrid(
    options.gridPath,
    { requireBackend: typeof base?.description.backend !== "string" },
    options.gridText,
  );
  checkWarmStart(options, base?.description, points);
  const header: ResultsHeader = {
    format: RESULTS_FORMAT,
    version: 1,
    spey: VERSION,
    grid: { file: options.gridPath, sha256: sha256(text), points: points.length },
    base: options.basePath && base ? { file: options.basePath, sha256: sha256(base.text) } : null,
    shard: null,
    task: options.task,
  };
  const wanted: RunMeta = {
    format: RUN_FORMAT,
    version: 1,
    run: options.run,
    settings: settingsHash(header),
    spey: VERSION,
    header,
    base: base?.description ?? null,
    created: new Date().toISOString(),
  };
  const session = await openRun(options, false, "enqueue");
  try {
    const { meta, created } = await createOrCheckMeta(
      session.redis,
      session.keys,
      wanted,
      Boolean(options.allowVersionMismatch),
    );
    const jobOptions = {
      ...JOB_OPTIONS,
      backoff: { type: "exponential", delay: options.backoffMs ?? BACKOFF_MS },
    };
    let alreadyDone = 0;
    let submitted = 0;
    const warm = options.task.warmStart;
    if (warm) {
      // --warm-start: one job per chain of consecutive points (batch/chains.ts), computed in order
      // by one worker; a chain with every point done is not enqueued again.
      for (const chain of gridChains(points, warm.chainLength)) {
        const pipeline = session.redis.pipeline();
        for (const p of chain) pipeline.hexists(session.keys.results, p.key);
        const done = ((await pipeline.exec()) ?? []).filter(([error, value]) => {
          if (error) throw error;
          return value === 1;
        }).length;
        alreadyDone += done;
        if (done === chain.length) continue;
        const [first, ...rest] = chain as [GridPoint, ...GridPoint[]];
        const data: JobPayload = {
          v: VERSION,
          s: meta.settings,
          id: first.id,
          line: first.line,
          point: first.value,
          chain: rest.map((p) => ({ id: p.id, line: p.line, point: p.value })),
        };
        await session.queue.add("chain", data, { ...jobOptions, jobId: jobId(meta.settings, first.key) });
        submitted += 1;
      }
      return { run: options.run, created, total: points.length, alreadyDone, submitted };
    }
    for (let start = 0; start < points.length; start += CHUNK) {
      const chunk = points.slice(start, start + CHUNK);
      const pipeline = session.redis.pipeline();
      for (const p of chunk) pipeline.hexists(session.keys.results, p.key);
      const exists = ((await pipeline.exec()) ?? []).map(([error, value]) => {
        if (error) throw error;
        return value === 1;
      });
      const jobs = chunk
        .filter((_, i) => !exists[i])
        .map((p) => {
          const data: JobPayload = { v: VERSION, s: meta.settings, id: p.id, line: p.line, point: p.value };
          return { name: "point", data, opts: { ...jobOptions, jobId: jobId(meta.settings, p.key) } };
        });
      alreadyDone += chunk.length - jobs.length;
      if (jobs.length > 0) await session.queue.addBulk(jobs);
      submitted += jobs.length;
    }
    return { run: options.run, created, total: points.length, alreadyDone, submitted };
  } finally {
    await session.close();
  }
}

/** Options of {@link followRun}. */
export interface FollowOptions extends RunLocation {
  /** Called with the status at every poll. */
  readonly onStatus: (status: RunStatus) => void;
  /** Poll interval in ms (default 500). */
  readonly intervalMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Poll a run until every point has a result (or the signal aborts); returns the last status. */
export async function followRun(options: FollowOptions): Promise<RunStatus | undefined> {
  const session = await openRun(options, true, "follow");
  try {
    const meta = await requireMeta(session, options);
    let last: RunStatus | undefined;
    while (!options.signal?.aborted) {
      try {
        last = await readStatus(session.redis, session.keys, meta, session.queue, options.address.display);
        options.onStatus(last);
        if (last.complete) break;
      } catch {
        // Redis restarting: the connection comes back by itself; ask again.
      }
      await sleep(options.intervalMs ?? 500, options.signal);
    }
    return last;
  } finally {
    await session.close();
  }
}

/** The state of a run (`spey status`). */
export async function runStatus(location: RunLocation): Promise<RunStatus> {
  const session = await openRun(location, false, "status");
  try {
    const meta = await requireMeta(session, location);
    return await readStatus(session.redis, session.keys, meta, session.queue, location.address.display);
  } finally {
    await session.close();
  }
}

/** What `collect` wrote. */
export interface CollectSummary {
  output: string;
  total: number;
  /** Result lines written. */
  written: number;
  ok: number;
  failed: number;
  /** Points without a result yet. */
  missing: number;
}

/**
 * Write a run's results as a local `spey batch` results file: its header line, then one line per
 * point that has a result, in grid order (so `spey plot grid` and `spey merge` read it as they
 * read a local one). Jobs that failed for good are first recorded as error lines. Streams from
 * Redis in pages (memory does not grow with the run); written to a temporary file, then renamed.
 */
export async function collectRun(location: RunLocation & { readonly output: string }): Promise<CollectSummary> {
  if (location.output === "") throw new QueueInputError("-o/--output needs a file name (got an empty one).");
  const session = await openRun(location, false, "collect");
  const temporary = `${location.output}.tmp-${process.pid}`;
  let fd: number | undefined;
  try {
    const meta = await requireMeta(session, location);
    await recordFailedJobs(session.redis, session.keys, meta, session.queue);
    fd = openSync(temporary, "w");
    writeSync(fd, `${compactJson(meta.header)}\n`);
    const summary: CollectSummary = {
      output: location.output,
      total: meta.header.grid.points,
      written: 0,
      ok: 0,
      failed: 0,
      missing: 0,
    };
    const count = await session.redis.zcard(session.keys.order);
    for (let start = 0; start < count; start += CHUNK) {
      const ids = await session.redis.zrange(session.keys.order, String(start), String(start + CHUNK - 1));
      if (ids.length === 0) break;
      const lines = await session.redis.hmget(session.keys.results, ...ids);
      let text = "";
      for (const line of lines) {
        if (line === null) continue;
        text += `${line}\n`;
        summary.written += 1;
        if ((JSON.parse(line) as { status?: unknown }).status === "ok") summary.ok += 1;
        else summary.failed += 1;
      }
      writeSync(fd, text);
    }
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, location.output);
    summary.missing = summary.total - summary.written;
    return summary;
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      rmSync(temporary, { force: true });
    } catch {
      // nothing was created there (e.g. a part of the path is a file)
    }
    // a file-system failure (missing directory, a directory as output…) in words, as a typed error
    if (typeof (error as NodeJS.ErrnoException | undefined)?.code === "string" && !(error instanceof SpeyError)) {
      throw new QueueInputError(`cannot write ${location.output}: ${fsErrorReason(error)}.`);
    }
    throw error;
  } finally {
    await session.close();
  }
}
