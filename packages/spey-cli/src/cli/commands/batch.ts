import { currentRun } from "../context.js";
import { availableParallelism } from "node:os";
import { type Command, InvalidArgumentError } from "commander";
import { defaultOutputPath, runBatch } from "../../batch/runner.js";
import type { RunStatus } from "../../queue/status.js";
import type { QueueAddress } from "../../queue/connection.js";
import { QueueInputError } from "../../queue/errors.js";
import { BatchInputError } from "../../batch/errors.js";
import type { ProgressStream } from "../../batch/progress.js";
import type { Shard } from "../../batch/shard.js";
import type { BatchTask } from "../../batch/task.js";
import { ExitCode } from "../exit-codes.js";
import { print, printJson } from "../format.js";
import { readText } from "../json-input.js";
import {
  calculator,
  confidenceLevel,
  expectedBand,
  finiteNumber,
  integerAtLeast,
  numberBetween,
  shard,
} from "../options.js";
import { location, queueUrl, runName } from "./queue-options.js";

interface BatchCommandOptions {
  readonly base?: string;
  readonly output?: string;
  readonly workers?: number;
  readonly forceWorkers?: boolean;
  readonly shard?: Shard;
  readonly compute: BatchTask["compute"];
  readonly cl: number;
  readonly expected: "aposteriori" | "apriori";
  readonly poiTest: number;
  readonly calculator: "asymptotic" | "chi_square" | "toy";
  readonly retryErrors?: boolean;
  readonly timeout: number;
  readonly progress: boolean;
  readonly json?: boolean;
  readonly queue?: QueueAddress;
  readonly run: string;
  readonly tlsCa?: string;
  readonly detach?: boolean;
  readonly allowVersionMismatch?: boolean;
  readonly warmStart?: boolean;
  readonly chainLength?: number;
}

/** Default number of consecutive grid points per `--warm-start` chain. */
export const DEFAULT_CHAIN_LENGTH = 5;

const COMPUTABLE = ["limit", "cls", "significance"] as const;

/** Default per-point time limit: a point that hangs is recorded and the run goes on. */
export const DEFAULT_TIMEOUT_SECONDS = 600;

function computeList(value: string): BatchTask["compute"] {
  const items = value.split(",").map((s) => s.trim());
  const bad = items.filter((s) => !(COMPUTABLE as readonly string[]).includes(s));
  if (items.length === 0 || bad.length > 0) {
    throw new InvalidArgumentError(
      `--compute takes a comma-separated list of ${COMPUTABLE.join(", ")}; got "${value}".`,
    );
  }
  return COMPUTABLE.filter((c) => items.includes(c));
}

export function registerBatch(program: Command): void {
  program
    .command("batch")
    .description(
      "compute every point of a grid (JSON Lines, one signal point per line) on worker threads; results stream to a JSONL file and a re-run resumes",
    )
    .argument(
      "<grid>",
      'grid file: one JSON object per line, {"id"?, "meta"?, ...model arguments}; "-" reads it from standard input (then give -o); or a HEPData archive (.tar.gz, .zip) or folder: every patch of its patch set, the labels as coordinates',
    )
    .option(
      "--base <model>",
      "shared model file the grid lines are laid over (e.g. background and data; the lines give signalYields)",
    )
    .option("-o, --output <file>", "results file (default: <grid>.results.jsonl, or <grid>.results.shard-k-of-N.jsonl)")
    .option(
      "--workers <n>",
      `worker threads (default and maximum: the ${availableParallelism()} cores)`,
      integerAtLeast("--workers", 1),
    )
    .option("--force-workers", "allow more worker threads than cores")
    .option("--shard <k/N>", "compute only shard k of N (points whose position in the grid is k − 1 modulo N)", shard)
    .option("--compute <list>", "what to compute: limit, cls, significance (comma-separated)", computeList, [
      "limit",
      "cls",
    ])
    .option("--cl <level>", "confidence level", confidenceLevel, 0.95)
    .option(
      "--expected <type>",
      "expected band: aposteriori (post-fit) or apriori (pre-fit)",
      expectedBand,
      "aposteriori",
    )
    .option("--poi-test <mu>", "μ tested by --compute cls", finiteNumber("--poi-test"), 1)
    .option(
      "--calculator <name>",
      "calculator of --compute cls: asymptotic, chi_square or toy",
      calculator,
      "asymptotic",
    )
    .option(
      "--warm-start",
      `HistFactory grids: start each point's fits from the previous grid point's best fit, in chains of --chain-length consecutive points (the first of each chain cold) computed one after the other (with --queue: one job per chain), and continue profiles warm between μ (opt-in: the cold starts of every fit are replaced; each line gets result.bestFit)`,
    )
    .option(
      "--chain-length <n>",
      `with --warm-start: points per chain (default ${DEFAULT_CHAIN_LENGTH}; longer chains save more cold starts, shorter ones keep more workers busy)`,
      integerAtLeast("--chain-length", 1),
    )
    .option("--retry-errors", "recompute the points recorded as errors")
    .option(
      "--timeout <seconds>",
      `time limit per point; a point over it is recorded as a Timeout error (default ${DEFAULT_TIMEOUT_SECONDS}; 0 for none)`,
      numberBetween("--timeout", 0, 1e7),
      DEFAULT_TIMEOUT_SECONDS,
    )
    .option("--no-progress", "no progress bar (it is only drawn on a terminal anyway)")
    .option("--json", "print the run summary as JSON")
    .option(
      "--queue <url>",
      "enqueue the points on Redis (redis://[user:password@]host[:port][/db] or rediss://) for `spey worker`s, follow the progress and collect the results",
      queueUrl,
    )
    .option(
      "--run <name>",
      "with --queue: name of the run (one grid and one set of options per run)",
      runName,
      "default",
    )
    .option("--tls-ca <file>", "with --queue: certificate authority (PEM) of a rediss:// server")
    .option("--detach", "with --queue: enqueue and return (follow with spey status, fetch with spey collect)")
    .option("--allow-version-mismatch", "with --queue: add to a run enqueued by another spey version")
    .action(async (grid: string, options: BatchCommandOptions, command: Command) => {
      const task: BatchTask = {
        compute: options.compute,
        confidenceLevel: options.cl,
        expected: options.expected,
        poiTest: options.poiTest,
        calculator: options.calculator,
        ...(options.warmStart ? { warmStart: { chainLength: options.chainLength ?? DEFAULT_CHAIN_LENGTH } } : {}),
      };
      if (options.chainLength !== undefined && !options.warmStart) {
        throw new BatchInputError("--chain-length is an option of --warm-start: add --warm-start.");
      }
      if (options.queue) {
        await queueBatch(grid, options, task, command);
        return;
      }
      for (const name of ["run", "tlsCa", "detach", "allowVersionMismatch"]) {
        if (command.getOptionValueSource(name) === "cli") {
          throw new QueueInputError(
            `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is an option of queue mode: add --queue URL.`,
          );
        }
      }
      const run = currentRun();
      const cores = availableParallelism();
      let workers = options.workers ?? cores;
      if (workers > cores && !options.forceWorkers) {
        run.warn(
          `--workers ${workers} is more than the ${cores} cores: using ${cores} (more threads only compete for them; --force-workers to insist).`,
        );
        workers = cores;
      }
      if (grid === "-" && options.output === undefined) {
        throw new InvalidArgumentError("a grid read from standard input needs -o/--output for its results.");
      }
      const controller = new AbortController();
      let received: NodeJS.Signals | undefined;
      const onSigint = () => {
        received ??= "SIGINT";
        controller.abort();
      };
      const onSigterm = () => {
        received ??= "SIGTERM";
        controller.abort();
      };
      process.once("SIGINT", onSigint);
      process.once("SIGTERM", onSigterm);
      try {
        let gridPath = grid;
        let basePath = options.base;
        const outputPath = options.output;
        const { isLikelihoodArchive } = await import("../hepdata.js");
        if (options.base === undefined && grid !== "-" && isLikelihoodArchive(grid)) {
          // All signal points of the patch set: the grid and its base are written beside the results
          // (deterministically, so that a re-run resumes).
          const { archiveStem, gridFromArchive } = await import("../hepdata.js");
          const { writeFileSync } = await import("node:fs");
          const archive = await gridFromArchive(grid);
          const stem = archiveStem(grid);
          gridPath = `${stem}.grid.jsonl`;
          basePath = `${stem}.bkgonly.json`;
          writeFileSync(gridPath, `${archive.lines.join("\n")}\n`);
          writeFileSync(basePath, archive.base);
          if (!options.json) {
            print(
              `${grid}: ${archive.likelihood.points.length} signal points of ${archive.likelihood.patchesPath} (coordinates ${archive.likelihood.labels.join(", ") || "none"}) → grid ${gridPath}, base ${basePath}`,
            );
          }
        }
        const summary = await runBatch({
          gridPath,
          ...(grid === "-" ? { gridText: readText("-") } : {}),
          basePath,
          outputPath,
          workers,
          shard: options.shard,
          task,
          retryErrors: options.retryErrors,
          timeoutMs: options.timeout > 0 ? options.timeout * 1000 : undefined,
          progress: options.progress && !run.quiet ? (run.io.stderr as ProgressStream) : false,
          signal: controller.signal,
        });
        if (options.json) printJson(summary);
        else {
          const resumed = summary.skipped > 0 ? ` (${summary.skipped} already done)` : "";
          print(
            `${gridPath === "-" ? "standard input" : gridPath} → ${summary.output}: ${summary.total} points${resumed}; computed ${summary.computed} in ${summary.seconds.toFixed(1)} s: ${summary.ok} ok, ${summary.failed} failed`,
          );
        }
        if (summary.interrupted) {
          run.io.stderr.write(
            `spey: ${received === "SIGTERM" ? "terminated" : "interrupted"}; the finished points are saved: run the same command again to resume.\n`,
          );
          run.exitCode = received === "SIGTERM" ? ExitCode.Terminated : ExitCode.Interrupted;
        } else if (summary.errors > 0) {
          // Failed points make the run a failure, whether they failed now or in an earlier run being
          // resumed: scripts must notice (the errors are in the file).
          run.io.stderr.write(
            `spey: ${summary.errors} point${summary.errors === 1 ? "" : "s"} failed; their errors are recorded in ${summary.output} (--retry-errors recomputes them).\n`,
          );
          run.exitCode = ExitCode.Failed;
        } else if (run.strict && summary.warned > 0) {
          run.io.stderr.write(
            `spey: --strict: ${summary.warned} point${summary.warned === 1 ? "" : "s"} had warnings (their "warnings" in ${summary.output}).\n`,
          );
          run.exitCode = ExitCode.BadInput;
        }
      } finally {
        process.off("SIGINT", onSigint);
        process.off("SIGTERM", onSigterm);
      }
    });
}

/**
 * `spey batch --queue`: enqueue the grid as a run, then (unless --detach) follow its progress
 * until every point has a result and collect the results into the same file a local run writes.
 */
async function queueBatch(
  grid: string,
  options: BatchCommandOptions,
  task: BatchTask,
  command: Command,
): Promise<void> {
  const local = ["workers", "shard", "retryErrors", "timeout"].filter((n) => command.getOptionValueSource(n) === "cli");
  if (local.length > 0) {
    const flag = (n: string) => `--${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new QueueInputError(
      `${local.map(flag).join(", ")} ${local.length > 1 ? "are options" : "is an option"} of a local run, not of --queue (give --concurrency and --timeout to spey worker; use spey batch --shard without --queue for job arrays).`,
    );
  }
  // The queue client (BullMQ, ioredis) is loaded only here, so that a local run does not pay for it.
  const { collectRun, enqueueRun, followRun } = await import("../../queue/client.js");
  const { statusLine } = await import("../../queue/status.js");
  const where = { ...location({ queue: options.queue as QueueAddress, run: options.run, tlsCa: options.tlsCa }) };
  const enqueued = await enqueueRun({
    ...where,
    gridPath: grid,
    ...(grid === "-" ? { gridText: readText("-") } : {}),
    basePath: options.base,
    task,
    allowVersionMismatch: options.allowVersionMismatch,
  });
  const runFlag = options.run === "default" ? "" : ` --run ${options.run}`;
  const url = where.address.display;
  currentRun().io.stderr.write(
    `spey: run "${options.run}" on ${url}: ${enqueued.total} points, ${enqueued.alreadyDone} already done, ${enqueued.submitted} enqueued${enqueued.created ? "" : " (resumed an existing run: jobs already queued are not added twice)"}\n`,
  );
  if (options.detach) {
    currentRun().io.stderr.write(
      `spey: start workers with: spey worker --queue ${url}${runFlag}\n      progress: spey status --queue ${url}${runFlag}\n      results:  spey collect --queue ${url}${runFlag} -o results.jsonl\n`,
    );
    if (options.json) printJson(enqueued);
    return;
  }
  currentRun().io.stderr.write(
    `spey: waiting for workers (spey worker --queue ${url}${runFlag}); Ctrl-C stops waiting, not the run\n`,
  );
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  const tty = options.progress && Boolean(currentRun().io.stderr.isTTY);
  let lastPrinted = 0;
  let last: RunStatus | undefined;
  const started = Date.now();
  try {
    last = await followRun({
      ...where,
      signal: controller.signal,
      onStatus: (status) => {
        if (!options.progress) return;
        if (tty) currentRun().io.stderr.write(`\r${statusLine(status)}\u001b[K`);
        else if (Date.now() - lastPrinted >= 10_000 || status.complete) {
          lastPrinted = Date.now();
          currentRun().io.stderr.write(`spey: ${statusLine(status)}\n`);
        }
      },
    });
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
    if (tty) currentRun().io.stderr.write("\n");
  }
  if (!last?.complete) {
    currentRun().io.stderr.write(
      `spey: stopped waiting; the run goes on in the queue: spey status --queue ${url}${runFlag}, then spey collect --queue ${url}${runFlag} -o FILE.\n`,
    );
    currentRun().exitCode = ExitCode.Interrupted;
    return;
  }
  const output = options.output ?? defaultOutputPath(grid, undefined);
  const collected = await collectRun({ ...where, output });
  const seconds = (Date.now() - started) / 1000;
  if (options.json) printJson({ ...enqueued, output, ok: collected.ok, failed: collected.failed, seconds });
  else {
    print(
      `${grid} → ${output}: ${collected.total} points via run "${options.run}" on ${url}; ${collected.ok} ok, ${collected.failed} failed (waited ${seconds.toFixed(1)} s)`,
    );
  }
  if (collected.failed > 0) {
    // As for a local run: failed points make the run a failure (their errors are in the file).
    currentRun().io.stderr.write(
      `spey: ${collected.failed} point${collected.failed === 1 ? "" : "s"} failed; their errors are recorded in ${output}.\n`,
    );
    currentRun().exitCode = ExitCode.Failed;
  }
}
