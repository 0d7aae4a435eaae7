import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { isObject } from "../batch/description.js";
import type { ResultRecord } from "../batch/task.js";
import { type RunKeys, type RunMeta, checkPayload } from "./run.js";
import { recordResult } from "./store.js";

/** Tries of a job whose failures are not computational (a crashed thread, Redis errors). */
export const JOB_ATTEMPTS = 5;

/** First retry delay (ms); each later retry waits twice as long. */
export const BACKOFF_MS = 1000;

/** BullMQ options of every job: retries with exponential backoff; a finished job is deleted (its result is kept). */
export const JOB_OPTIONS = {
  attempts: JOB_ATTEMPTS,
  backoff: { type: "exponential", delay: BACKOFF_MS },
  removeOnComplete: true,
  removeOnFail: false,
} as const;

/** An error results line for a point, as a local `spey batch` writes one. */
export function errorRecord(
  point: { id: string | number; line: number; value: Record<string, unknown> },
  type: string,
  message: string,
): ResultRecord {
  return {
    id: point.id,
    line: point.line,
    status: "error",
    error: { type, message },
    ...(isObject(point.value.meta) ? { meta: point.value.meta } : {}),
  };
}

/**
 * Give every job that BullMQ has failed for good (a job whose workers died more often than the
 * stall limit, or whose retries ran out) an error results line, unless its point already has a
 * result; jobs whose data is not a valid point of the run are counted, not recorded. Idempotent.
 */
export async function recordFailedJobs(
  redis: Redis,
  keys: RunKeys,
  meta: RunMeta,
  queue: Queue,
): Promise<{ failedJobs: number; rejected: number }> {
  const total = await queue.getFailedCount();
  let rejected = 0;
  const page = 500;
  for (let start = 0; start < total; start += page) {
    const jobs = await queue.getFailed(start, start + page - 1);
    for (const job of jobs) {
      const checked = checkPayload(job.data, meta);
      if (!checked.ok) {
        rejected += 1;
        continue;
      }
      const reason = job.failedReason || "the job failed";
      // (A --warm-start chain: every point of it that has no result yet; HSETNX keeps the others.)
      for (const input of [checked.input, ...checked.rest]) {
        await recordResult(redis, keys, errorRecord(input, "QueueError", reason));
      }
    }
  }
  return { failedJobs: total, rejected };
}
