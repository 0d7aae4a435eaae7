import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { MAX_JSON_DEPTH, nestedDeeperThan, VERSION } from "spey";
import { baseDescription, isObject, type ModelDescription } from "./description.js";
import { BatchInputError, fsErrorReason } from "./errors.js";
import { lockResultsFile } from "./lock.js";
import { canonicalPath } from "./paths.js";
import { type GridPoint, readGrid } from "./grid.js";
import { jsonSyntaxReason } from "./jsonl.js";
import { WorkerPool } from "./pool.js";
import { ProgressBar, type ProgressStream } from "./progress.js";
import { type ResultsHeader, RESULTS_FORMAT, readResults, repairResults, ResultsWriter } from "./results-file.js";
import { type Shard, selectShard } from "./shard.js";
import {
  type BatchTask,
  type PointInput,
  type ResultRecord,
  WARM_START_BACKENDS,
  warmStartBackendRefusal,
} from "./task.js";
import { ChainQueue, chainPredecessors } from "./chains.js";
import { WORKER_SCRIPT } from "./worker-script.js";

/** Options of {@link runBatch}. */
export interface BatchOptions {
  /** The grid file ("-" with `gridText`: the grid came from standard input). */
  readonly gridPath: string;
  /** The grid's content when it is not read from `gridPath` (standard input). */
  readonly gridText?: string | undefined;
  /** Shared model the grid lines are laid over. */
  readonly basePath?: string | undefined;
  /** Results file (default: the grid's name with `.results.jsonl`, or `.results.shard-k-of-N.jsonl`). */
  readonly outputPath?: string | undefined;
  readonly workers: number;
  readonly shard?: Shard | undefined;
  readonly task: BatchTask;
  /** Recompute the points recorded as errors (default: keep them, they are finished). */
  readonly retryErrors?: boolean | undefined;
  /** Per-point time limit in ms (0 or undefined: none; the command line's default is 600 s). */
  readonly timeoutMs?: number | undefined;
  /** Where the progress bar goes (drawn only if it is a TTY); false for none. */
  readonly progress?: ProgressStream | false | undefined;
  /** Stops the run: points in flight are dropped, finished ones are already on disk. */
  readonly signal?: AbortSignal | undefined;
  /** The worker script (default {@link WORKER_SCRIPT}, the built `worker.js`). */
  readonly workerScript?: URL | undefined;
}

/** What a run did. */
export interface BatchSummary {
  output: string;
  /** Points in the grid (or in the shard). */
  total: number;
  /** Points already in the results file when the run started. */
  skipped: number;
  /** Points computed by this run. */
  computed: number;
  ok: number;
  failed: number;
  /** Points of this run whose computation emitted warnings (kept in their result lines). */
  warned: number;
  /** Worker threads used (at most one per pending point). */
  workers: number;
  /** Points recorded as errors in the results file after the run (earlier runs' and this run's). */
  errors: number;
  interrupted: boolean;
  seconds: number;
}

/** Default results path of a grid (and shard). */
export function defaultOutputPath(gridPath: string, shard: Shard | undefined): string {
  const stem = gridPath.replace(/\.jsonl?$/i, "");
  return shard ? `${stem}.results.shard-${shard.index}-of-${shard.count}.jsonl` : `${stem}.results.jsonl`;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export function readBase(path: string): { description: ModelDescription; text: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new BatchInputError(`cannot read the base model ${path}: ${fsErrorReason(error)}.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BatchInputError(
      `the base model ${path} is not valid JSON: ${jsonSyntaxReason((error as Error).message)}.`,
    );
  }
  if (!isObject(value)) {
    throw new BatchInputError(
      `the base model ${path} must be a JSON object { "backend": ..., ...arguments } or a pyhf workspace.`,
    );
  }
  if (nestedDeeperThan(value)) {
    throw new BatchInputError(`the base model ${path} is nested more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  try {
    return { description: baseDescription(value), text };
  } catch (error) {
    throw new BatchInputError(`the base model ${path}: ${(error as Error).message}`);
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Refuse to resume a file started with other inputs or options. */
function checkResumable(path: string, found: ResultsHeader, wanted: ResultsHeader): void {
  const problems: string[] = [];
  if (found.grid.sha256 !== wanted.grid.sha256) problems.push(`the grid differs (it was ${found.grid.file})`);
  if (found.base?.sha256 !== wanted.base?.sha256) problems.push("the base model differs");
  if (!sameJson(found.shard, wanted.shard)) {
    const show = (s: ResultsHeader["shard"]) => (s ? `${s.index}/${s.count}` : "none");
    problems.push(`the shard differs (${show(found.shard)} there, ${show(wanted.shard)} now)`);
  }
  if (!sameJson(found.task, wanted.task)) {
    problems.push(`the options differ (${JSON.stringify(found.task)} there, ${JSON.stringify(wanted.task)} now)`);
  }
  if (problems.length > 0) {
    throw new BatchInputError(
      `${path} was started by another batch run: ${problems.join("; ")}. Re-run with the same inputs and options to resume, or write to a new --output file.`,
    );
  }
}

function onlyTornFirstLine(invalidLines: readonly number[], tornTail: boolean): boolean {
  return invalidLines.length === 0 || (tornTail && invalidLines.length === 1 && invalidLines[0] === 1);
}

function toInput(point: GridPoint): PointInput {
  return { id: point.id, line: point.line, value: point.value };
}

/**
 * Run a grid: every pending point through a pool of worker threads, each result appended to the
 * results file as soon as it is known. Points already in the file are skipped (resume), a torn
 * last line is cut off first, and per-point failures are recorded as error lines.
 */
export async function runBatch(options: BatchOptions): Promise<BatchSummary> {
  const started = Date.now();
  const base = options.basePath ? readBase(options.basePath) : undefined;
  const gridName = options.gridText !== undefined ? "standard input" : options.gridPath;
  const { points, text } = readGrid(
    gridName,
    { requireBackend: typeof base?.description.backend !== "string" },
    options.gridText,
  );
  checkWarmStart(options, base?.description, points);
  const selected = selectShard(points, options.shard);
  const output = options.outputPath ?? defaultOutputPath(options.gridPath, options.shard);
  const header: ResultsHeader = {
    format: RESULTS_FORMAT,
    version: 1,
    spey: VERSION,
    grid: { file: gridName, sha256: sha256(text), points: points.length },
    base: options.basePath && base ? { file: options.basePath, sha256: sha256(base.text) } : null,
    shard: options.shard ? { index: options.shard.index, count: options.shard.count, points: selected.length } : null,
    task: options.task,
  };

  refuseToOverwriteInputs(output, [options.gridText === undefined ? options.gridPath : undefined, options.basePath]);
  const lock = lockResultsFile(output);
  try {
    return await runLocked(options, { started, base, points, selected, output, header });
  } finally {
    lock.release();
  }
}

/**
 * `--warm-start` needs chains that are a pure function of the whole grid and HistFactory models:
 * a shard would cut chains (refused), and so would a chain length that is not a positive integer;
 * every point's backend must take a `warmStart` (the line's backend, else the base model's).
 */
export function checkWarmStart(
  options: { readonly task: BatchTask; readonly shard?: Shard | undefined },
  base: ModelDescription | undefined,
  points: readonly GridPoint[],
): void {
  const warm = options.task.warmStart;
  if (!warm) return;
  if (!(Number.isInteger(warm.chainLength) && warm.chainLength >= 1)) {
    throw new BatchInputError(`--chain-length must be an integer ≥ 1; got ${warm.chainLength}.`);
  }
  if (options.shard) {
    throw new BatchInputError(
      "--warm-start cannot be combined with --shard: a shard would cut the chains of neighbouring points. Run the grid without --shard, or without --warm-start.",
    );
  }
  for (const point of points) {
    const backend = typeof point.value.backend === "string" ? point.value.backend : base?.backend;
    if (typeof backend === "string" && !WARM_START_BACKENDS.includes(backend)) {
      throw new BatchInputError(warmStartBackendRefusal(`the point on line ${point.line}`, backend));
    }
  }
}

/** Refuse an output file that is one of the run's inputs (it would be truncated). */
function refuseToOverwriteInputs(output: string, inputs: readonly (string | undefined)[]): void {
  const target = canonicalPath(output);
  for (const input of inputs) {
    if (input !== undefined && canonicalPath(input) === target) {
      throw new BatchInputError(`the results file ${output} is also an input (${input}); choose another --output.`);
    }
  }
}

async function runLocked(
  options: BatchOptions,
  run: {
    started: number;
    base: { description: ModelDescription; text: string } | undefined;
    points: GridPoint[];
    selected: GridPoint[];
    output: string;
    header: ResultsHeader;
  },
): Promise<BatchSummary> {
  const { started, base, points, selected, output, header } = run;
  const existing = readResults(output);
  let finished: ResultRecord[] = [];
  if (existing?.header) {
    checkResumable(output, existing.header, header);
    finished = repairResults(output, existing, (r) => Boolean(options.retryErrors) && r.status === "error");
  } else if (
    existing &&
    !(existing.records.length === 0 && onlyTornFirstLine(existing.invalidLines, existing.tornTail))
  ) {
    // Never overwrite a file that is not ours; an empty file, or one whose header was cut, is.
    throw new BatchInputError(
      `${output} exists but is not a spey batch results file (no header line); choose another --output.`,
    );
  }
  if (!existing?.header) writeFileSync(output, "");
  const done = new Set(finished.map((r) => String(r.id)));
  const pending = selected.filter((p) => !done.has(p.key));
  const skipped = selected.length - pending.length;

  const writer = new ResultsWriter(output);
  if (!existing?.header) writer.write(header);
  const summary: BatchSummary = {
    output,
    total: selected.length,
    skipped,
    computed: 0,
    ok: 0,
    failed: 0,
    warned: 0,
    workers: 0,
    errors: finished.filter((r) => r.status === "error").length,
    interrupted: false,
    seconds: 0,
  };
  const bar = options.progress
    ? new ProgressBar(options.progress, selected.length, { alreadyDone: skipped })
    : undefined;
  try {
    if (pending.length > 0 && !options.signal?.aborted) {
      summary.workers = Math.max(1, Math.min(options.workers, pending.length));
      const pool = new WorkerPool<PointInput, ResultRecord, { base: ModelDescription | undefined; task: BatchTask }>({
        size: summary.workers,
        script: options.workerScript ?? WORKER_SCRIPT,
        init: { base: base?.description, task: options.task },
        timeoutMs: options.timeoutMs,
      });
      const abort = () => {
        summary.interrupted = true;
        void pool.stop();
      };
      options.signal?.addEventListener("abort", abort, { once: true });
      // With --warm-start the points come in chain order, each once its predecessor is finished.
      const warm = options.task.warmStart;
      const chains = warm
        ? new ChainQueue(
            pending,
            chainPredecessors(points, warm.chainLength),
            new Map(finished.map((r) => [String(r.id), r])),
            (point, warmStart) => ({ ...toInput(point), ...(warmStart ? { warmStart } : {}) }),
          )
        : undefined;
      try {
        await pool.run(chains ?? pending.map(toInput), (input, outcome) => {
          const record: ResultRecord = outcome.ok
            ? outcome.value
            : {
                id: input.id,
                line: input.line,
                status: "error",
                error: { type: outcome.type, message: outcome.message },
                ...(isObject(input.value.meta) ? { meta: input.value.meta } : {}),
              };
          writer.write(record);
          chains?.finished(String(input.id), record);
          summary.computed += 1;
          if (record.status === "ok") summary.ok += 1;
          else {
            summary.failed += 1;
            summary.errors += 1;
          }
          if (record.warnings && record.warnings.length > 0) summary.warned += 1;
          bar?.tick(record.status !== "ok");
        });
      } finally {
        options.signal?.removeEventListener("abort", abort);
      }
    }
  } finally {
    writer.close();
    bar?.finish();
  }
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
