import type { Redis } from "ioredis";
import { compactJson } from "../batch/jsonl.js";
import type { ResultRecord } from "../batch/task.js";
import type { RunKeys } from "./run.js";

/** Width of the completion counters behind `status`'s rate (seconds). */
export const RATE_BUCKET_SECONDS = 5;

/**
 * Record a point's result once: HSETNX keeps the first results line of a point, so a point
 * computed twice (a redelivered job whose first worker finished but died before acknowledging)
 * still has exactly one line. Only a new line is added to the order set and the counters.
 * KEYS: results, order, counts. ARGV: id, grid line, results line, "ok" | "error", rate prefix,
 * bucket width (s).
 */
const RECORD_SCRIPT = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[3]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
local now = redis.call('TIME')
local key = ARGV[5] .. math.floor(tonumber(now[1]) / tonumber(ARGV[6]))
redis.call('INCR', key)
redis.call('EXPIRE', key, 3600)
return 1
`;

type RecordCommand = (
  results: string,
  order: string,
  counts: string,
  id: string,
  line: number,
  text: string,
  status: string,
  ratePrefix: string,
  width: number,
) => Promise<number>;

/** Store a results line unless the point already has one; true when it was new. */
export async function recordResult(redis: Redis, keys: RunKeys, record: ResultRecord): Promise<boolean> {
  const commands = redis as unknown as { speyRecord?: RecordCommand };
  if (!commands.speyRecord) redis.defineCommand("speyRecord", { numberOfKeys: 3, lua: RECORD_SCRIPT });
  const command = (redis as unknown as { speyRecord: RecordCommand }).speyRecord.bind(redis);
  const added = await command(
    keys.results,
    keys.order,
    keys.counts,
    String(record.id),
    record.line,
    compactJson(record),
    record.status,
    keys.rate,
    RATE_BUCKET_SECONDS,
  );
  return added === 1;
}

/** The results line recorded for a point, or undefined when it has none yet. */
export async function storedResult(
  redis: Redis,
  keys: RunKeys,
  id: string | number,
): Promise<ResultRecord | undefined> {
  const stored = await redis.hget(keys.results, String(id));
  return stored === null ? undefined : (JSON.parse(stored) as ResultRecord);
}

/** Recorded results: total, ok and error counts. */
export async function resultCounts(redis: Redis, keys: RunKeys): Promise<{ done: number; ok: number; error: number }> {
  const [done, counts] = await Promise.all([redis.hlen(keys.results), redis.hgetall(keys.counts)]);
  return { done, ok: Number(counts.ok ?? 0), error: Number(counts.error ?? 0) };
}

/**
 * Points finished per second over the last minute (or since the first completion in that minute),
 * from the 5-second counters written by {@link recordResult}; NaN when nothing finished lately.
 */
export async function recentRate(redis: Redis, keys: RunKeys, windowSeconds = 60): Promise<number> {
  const [seconds, micro] = await redis.time();
  const now = Number(seconds) + Number(micro) / 1e6;
  const current = Math.floor(now / RATE_BUCKET_SECONDS);
  const count = Math.ceil(windowSeconds / RATE_BUCKET_SECONDS);
  const buckets = Array.from({ length: count + 1 }, (_, i) => current - count + i);
  const values = (await redis.mget(buckets.map((b) => `${keys.rate}${b}`))).map((v) => Number(v ?? 0));
  const first = values.findIndex((v) => v > 0);
  if (first < 0) return Number.NaN;
  const total = values.reduce((a, b) => a + b, 0);
  const start = (buckets[first] as number) * RATE_BUCKET_SECONDS;
  // Never divide by less than one bucket: a burst in the first second is not a rate.
  const elapsed = Math.max(now - start, RATE_BUCKET_SECONDS);
  return total / elapsed;
}
