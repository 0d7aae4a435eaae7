import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { formatDuration } from "../batch/progress.js";
import { recordFailedJobs } from "./jobs.js";
import type { RunKeys, RunMeta } from "./run.js";
import { recentRate, resultCounts } from "./store.js";

/** The state of a queued run, as `spey status` shows it. */
export interface RunStatus {
  run: string;
  queue: string;
  spey: string;
  grid: string;
  /** Points of the run. */
  total: number;
  /** Points with a result (ok or error). */
  done: number;
  ok: number;
  /** Points recorded as errors (computational failures, and jobs that failed for good). */
  failed: number;
  /** Jobs waiting to be taken (including prioritized ones). */
  waiting: number;
  /** Jobs being computed. */
  active: number;
  /** Jobs waiting for a retry after a transient failure (or refused by a worker of another version). */
  delayed: number;
  /** Jobs that BullMQ failed for good (each is recorded as an error result). */
  failedJobs: number;
  /** Failed jobs whose data was not a valid point of the run (not counted as points). */
  rejectedJobs: number;
  /** Workers connected to the run's queue. */
  workers: number;
  /** Points per second over the last minute (null when none finished lately). */
  rate: number | null;
  /** Seconds to go at that rate (null when unknown). */
  eta: number | null;
  /** Every point has a result. */
  complete: boolean;
}

/** Read a run's state (and give jobs that failed for good their error line, see {@link recordFailedJobs}). */
export async function readStatus(
  redis: Redis,
  keys: RunKeys,
  meta: RunMeta,
  queue: Queue,
  queueDisplay: string,
): Promise<RunStatus> {
  const { failedJobs, rejected } = await recordFailedJobs(redis, keys, meta, queue);
  const [results, counts, rate, workers] = await Promise.all([
    resultCounts(redis, keys),
    queue.getJobCounts("wait", "prioritized", "active", "delayed"),
    recentRate(redis, keys),
    queue.getWorkersCount().catch(() => -1),
  ]);
  const total = meta.header.grid.points;
  const remaining = Math.max(0, total - results.done);
  const hasRate = Number.isFinite(rate) && rate > 0;
  return {
    run: meta.run,
    queue: queueDisplay,
    spey: meta.spey,
    grid: meta.header.grid.file,
    total,
    done: results.done,
    ok: results.ok,
    failed: results.error,
    waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0),
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    failedJobs,
    rejectedJobs: rejected,
    workers,
    rate: hasRate ? rate : null,
    eta: remaining === 0 ? 0 : hasRate ? remaining / rate : null,
    complete: results.done >= total,
  };
}

/** One progress line: done/total, rate, ETA, queue counts. */
export function statusLine(s: RunStatus): string {
  const percent = s.total > 0 ? Math.floor((100 * s.done) / s.total) : 100;
  const rate = s.rate === null ? "–" : s.rate.toFixed(1);
  const eta = s.eta === null ? "--:--" : formatDuration(s.eta);
  const failed = s.failed > 0 ? `, ${s.failed} failed` : "";
  return `${s.done}/${s.total} ${percent}%${failed}  ${rate} pt/s  ETA ${eta}  (waiting ${s.waiting}, active ${s.active}, delayed ${s.delayed}, workers ${s.workers < 0 ? "?" : s.workers})`;
}

/** The multi-line report of `spey status`. */
export function statusReport(s: RunStatus): string {
  const percent = s.total > 0 ? ((100 * s.done) / s.total).toFixed(1) : "100.0";
  const lines = [
    `run "${s.run}" on ${s.queue}: grid ${s.grid}, ${s.total} points, enqueued by spey ${s.spey}`,
    `  done     ${s.done} of ${s.total} (${percent}%): ${s.ok} ok, ${s.failed} failed`,
    `  queue    ${s.waiting} waiting, ${s.active} active, ${s.delayed} delayed (retry), ${s.failedJobs} failed jobs${s.rejectedJobs > 0 ? ` (${s.rejectedJobs} rejected: not a point of this run)` : ""}`,
    `  rate     ${s.rate === null ? "none in the last minute" : `${s.rate.toFixed(1)} points/s (last minute)`}; ETA ${s.complete ? "done" : s.eta === null ? "unknown" : formatDuration(s.eta)}`,
    `  workers  ${s.workers < 0 ? "unknown (CLIENT LIST refused)" : s.workers}`,
  ];
  return lines.join("\n");
}
