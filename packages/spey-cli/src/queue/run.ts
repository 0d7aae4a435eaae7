import type { Redis } from "ioredis";
import { VERSION } from "spey";
import { isObject, type ModelDescription } from "../batch/description.js";
import { gridLineProblems } from "../batch/grid.js";
import { compactJson } from "../batch/jsonl.js";
import type { ResultsHeader } from "../batch/results-file.js";
import { sha256 } from "../batch/runner.js";
import type { PointInput } from "../batch/task.js";
import { QueueInputError, QueueRunMismatch } from "./errors.js";

/** The BullMQ queue of a run (its keys are `spey:<run>:points:*`). */
export const QUEUE_NAME = "points";

/** `format` of a run's description stored in Redis. */
export const RUN_FORMAT = "spey-queue-run";

/** Default run name. */
export const DEFAULT_RUN = "default";

/**
 * What a run is: stored once in Redis by the first `spey batch --queue` of the run and read by
 * workers (the shared model and the task), `status` and `collect` (the results header).
 */
export interface RunMeta {
  format: typeof RUN_FORMAT;
  version: 1;
  run: string;
  /** Hash of the run's settings (grid, base model, task, spey version); part of every job id. */
  settings: string;
  /** spey version that enqueued the run; workers of another version refuse its jobs. */
  spey: string;
  /** The header the collected results file starts with (as a local `spey batch` writes it). */
  header: ResultsHeader;
  /** The shared model the grid lines are laid over (already normalised), or null. */
  base: ModelDescription | null;
  created: string;
}

/** Redis keys of a run: everything lives under `spey:<run>:`. */
export interface RunKeys {
  /** BullMQ key prefix of the run's queue. */
  readonly prefix: string;
  /** The {@link RunMeta} (a JSON string). */
  readonly meta: string;
  /** Hash point id → results line (JSON): one entry per finished point. */
  readonly results: string;
  /** Sorted set of point ids scored by grid line (the order `collect` writes them in). */
  readonly order: string;
  /** Hash with the fields `ok` and `error`: how many results of each kind are recorded. */
  readonly counts: string;
  /** Prefix of the 5-second completion counters behind the rate and ETA of `status`. */
  readonly rate: string;
}

/** Validate a run name: 1–64 characters among letters, digits, `_`, `-` and `.`. */
export function checkRunName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) {
    throw new QueueInputError(
      `--run "${name}" is not a valid run name: use 1–64 letters, digits, "_", "-" or "." (starting with a letter or digit).`,
    );
  }
  return name;
}

/** The keys of run `name` (a queue-name prefix per run: runs never share a key). */
export function runKeys(name: string): RunKeys {
  const prefix = `spey:${checkRunName(name)}`;
  return {
    prefix,
    meta: `${prefix}:meta`,
    results: `${prefix}:results`,
    order: `${prefix}:order`,
    counts: `${prefix}:counts`,
    rate: `${prefix}:rate:`,
  };
}

/**
 * The hash of a run's settings: grid content, base model content, task options and spey version.
 * Two enqueues with the same settings give the same job ids, so enqueuing twice is idempotent.
 */
export function settingsHash(header: ResultsHeader): string {
  return sha256(
    compactJson({
      grid: header.grid.sha256,
      points: header.grid.points,
      base: header.base?.sha256 ?? null,
      task: header.task,
      spey: header.spey,
    }),
  );
}

/**
 * Job id of a point: the settings hash (16 hex digits) and the point id (percent-encoded, as
 * BullMQ ids may not contain ":").
 */
export function jobId(settings: string, key: string): string {
  return `${settings.slice(0, 16)}.${encodeURIComponent(key)}`;
}

/** The data of a job: one grid line, with the version and settings it was enqueued with. */
export interface JobPayload {
  /** spey version of the enqueuer. */
  readonly v: string;
  /** Settings hash of the run. */
  readonly s: string;
  readonly id: string | number;
  readonly line: number;
  /** The grid line as it is in the grid file. */
  readonly point: Record<string, unknown>;
  /**
   * With `--warm-start`: the job is a chain (batch/chains.ts) whose first point is the one above
   * and whose other points follow here, in grid order; they are computed one after the other.
   */
  readonly chain?: readonly { readonly id: string | number; readonly line: number; readonly point: unknown }[];
}

/** The longest chain a job may carry (far above any sensible --chain-length). */
export const MAX_CHAIN_POINTS = 10_000;

/**
 * Check a job's data as untrusted input, with the same rules as a grid file line (it is parsed
 * JSON, never evaluated). Returns the point to compute, or what is wrong.
 */
export function checkPayload(
  data: unknown,
  meta: RunMeta,
): { ok: true; input: PointInput; rest: PointInput[]; version: string } | { ok: false; problem: string } {
  if (!isObject(data)) return { ok: false, problem: "the job data is not an object" };
  const { v, s, id, line, point, chain } = data;
  if (typeof v !== "string") return { ok: false, problem: 'no spey version "v"' };
  if (s !== meta.settings) return { ok: false, problem: "it was enqueued with other settings than the run's" };
  const first = checkPoint(id, line, point, meta);
  if (!first.ok) return first;
  const rest: PointInput[] = [];
  if (chain !== undefined) {
    if (!meta.header.task.warmStart) return { ok: false, problem: '"chain" is only for runs with --warm-start' };
    if (!Array.isArray(chain) || chain.length > MAX_CHAIN_POINTS) {
      return { ok: false, problem: `"chain" must be an array of at most ${MAX_CHAIN_POINTS} points` };
    }
    for (const [k, entry] of chain.entries()) {
      const checked = isObject(entry)
        ? checkPoint(entry.id, entry.line, entry.point, meta)
        : { ok: false as const, problem: "it is not an object" };
      if (!checked.ok) return { ok: false, problem: `chain point ${k}: ${checked.problem}` };
      rest.push(checked.input);
    }
  }
  return { ok: true, input: first.input, rest, version: v };
}

/** One point of a job (the job's own, or one of its chain): the rules of a grid line. */
function checkPoint(
  id: unknown,
  line: unknown,
  point: unknown,
  meta: RunMeta,
): { ok: true; input: PointInput } | { ok: false; problem: string } {
  if (!(Number.isInteger(line) && (line as number) >= 1)) return { ok: false, problem: '"line" is not a line number' };
  const check = gridLineProblems(point, { requireBackend: typeof meta.base?.backend !== "string" });
  if (check.problems.length > 0)
    return { ok: false, problem: `the grid line is invalid: ${check.problems.join("; ")}` };
  if (!check.usable) return { ok: false, problem: "the grid line is invalid" };
  const value = point as Record<string, unknown>;
  const expectedId = value.id ?? line;
  if (id !== expectedId) return { ok: false, problem: `"id" ${JSON.stringify(id)} is not the grid line's id` };
  return { ok: true, input: { id: expectedId as string | number, line: line as number, value } };
}

function isRunMeta(value: unknown): value is RunMeta {
  return (
    isObject(value) &&
    value.format === RUN_FORMAT &&
    typeof value.settings === "string" &&
    typeof value.spey === "string" &&
    isObject(value.header) &&
    (value.base === null || isObject(value.base))
  );
}

/** Read a run's description; undefined when there is no such run. */
export async function readMeta(redis: Redis, keys: RunKeys): Promise<RunMeta | undefined> {
  const text = await redis.get(keys.meta);
  if (text === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!isRunMeta(value)) {
    throw new QueueRunMismatch(`${keys.meta} in Redis is not a spey run description; use another --run name.`);
  }
  return value;
}

/**
 * Store a new run's description, or check that the stored one has the same settings (resuming
 * a run with other inputs or options is refused, as for a local results file).
 */
export async function createOrCheckMeta(
  redis: Redis,
  keys: RunKeys,
  wanted: RunMeta,
  allowVersionMismatch: boolean,
): Promise<{ meta: RunMeta; created: boolean }> {
  const created = (await redis.set(keys.meta, compactJson(wanted), "NX")) === "OK";
  if (created) return { meta: wanted, created };
  const found = await readMeta(redis, keys);
  if (!found) throw new QueueRunMismatch(`run "${wanted.run}" disappeared while it was being created; retry.`);
  const problems: string[] = [];
  const a = found.header;
  const b = wanted.header;
  if (a.grid.sha256 !== b.grid.sha256) problems.push(`the grid differs (it was ${a.grid.file})`);
  if (a.base?.sha256 !== b.base?.sha256) problems.push("the base model differs");
  if (compactJson(a.task) !== compactJson(b.task)) {
    problems.push(`the options differ (${JSON.stringify(a.task)} there, ${JSON.stringify(b.task)} now)`);
  }
  if (found.spey !== wanted.spey && !allowVersionMismatch) {
    problems.push(
      `it was enqueued by spey ${found.spey}, this is spey ${wanted.spey} (--allow-version-mismatch to add to it anyway)`,
    );
  }
  if (problems.length > 0) {
    throw new QueueRunMismatch(
      `run "${wanted.run}" already exists with other settings: ${problems.join("; ")}. Use another --run name, or enqueue the same grid with the same options to resume it.`,
    );
  }
  return { meta: found, created };
}

/** The version check of workers: undefined when a job of `version` may be computed here. */
export function versionProblem(version: string, allowVersionMismatch: boolean): string | undefined {
  if (version === VERSION || allowVersionMismatch) return undefined;
  return `it was enqueued by spey ${version} and this worker is spey ${VERSION} (results could differ); run a worker of spey ${version}, or pass --allow-version-mismatch`;
}
