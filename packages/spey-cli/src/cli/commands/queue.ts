import { currentRun } from "../context.js";
import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { collectRun, runStatus } from "../../queue/client.js";
import { QueueInputError } from "../../queue/errors.js";
import { runQueueWorker } from "../../queue/queue-worker.js";
import { statusReport } from "../../queue/status.js";
import { ExitCode } from "../exit-codes.js";
import { print, printJson } from "../format.js";
import { finiteNumber, integerAtLeast, numberBetween } from "../options.js";
import { DEFAULT_TIMEOUT_SECONDS } from "./batch.js";
import { location, type QueueCommandOptions, queueUrl, withRunOptions } from "./queue-options.js";

const QUEUE_HELP = "Redis URL: redis://[user:password@]host[:port][/db], or rediss://… for TLS";

interface WorkerCommandOptions extends QueueCommandOptions {
  readonly concurrency: number;
  readonly timeout: number;
  readonly allowVersionMismatch?: boolean;
  readonly exitWhenDone?: boolean;
  readonly lockSeconds: number;
  readonly waitSeconds?: number;
  readonly json?: boolean;
}

interface StatusCommandOptions extends QueueCommandOptions {
  readonly json?: boolean;
}

interface CollectCommandOptions extends QueueCommandOptions {
  readonly output: string;
  readonly allowIncomplete?: boolean;
  readonly json?: boolean;
}

export function registerQueueCommands(program: Command): void {
  withRunOptions(
    program
      .command("worker")
      .description(
        "compute the points of a queued run (spey batch --queue): start any number of workers on any machines; a worker that dies loses nothing",
      )
      .requiredOption("--queue <url>", QUEUE_HELP, queueUrl),
  )
    .option(
      "--concurrency <n>",
      "points computed at the same time (worker threads)",
      integerAtLeast("--concurrency", 1),
      availableParallelism(),
    )
    .option(
      "--timeout <seconds>",
      `time limit per point; a point over it is recorded as a Timeout error (default ${DEFAULT_TIMEOUT_SECONDS}, as spey batch; 0 for none)`,
      numberBetween("--timeout", 0, 1e7),
      DEFAULT_TIMEOUT_SECONDS,
    )
    .option("--allow-version-mismatch", "compute jobs enqueued by another spey version (by default they are refused)")
    .option(
      "--exit-when-done",
      "exit once every point of the run has a result (default: serve the queue until stopped)",
    )
    .option(
      "--lock-seconds <s>",
      "job lock: the jobs of a dead worker go to another worker after about twice this",
      finiteNumber("--lock-seconds"),
      15,
    )
    .option(
      "--wait-seconds <s>",
      "how long to wait for the run to be enqueued (default: until it is); past it the worker exits with an error",
      numberBetween("--wait-seconds", 0, 1e7),
    )
    .option("--json", "print the worker's summary as JSON when it stops")
    .action(async (options: WorkerCommandOptions) => {
      if (!(options.lockSeconds >= 1)) throw new QueueInputError("--lock-seconds must be at least 1.");
      const controller = new AbortController();
      let signals = 0;
      let received: NodeJS.Signals | undefined;
      const stop = (signal: NodeJS.Signals) => {
        signals += 1;
        received ??= signal;
        if (signals === 1) {
          currentRun().io.stderr.write(
            "spey worker: stopping after the points in flight (signal again to drop them: they go back to the queue)\n",
          );
          controller.abort();
        } else process.exit(signal === "SIGTERM" ? ExitCode.Terminated : ExitCode.Interrupted);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      try {
        const summary = await runQueueWorker({
          address: options.queue,
          tlsCa: options.tlsCa,
          run: options.run,
          concurrency: options.concurrency,
          timeoutMs: options.timeout > 0 ? options.timeout * 1000 : undefined,
          allowVersionMismatch: options.allowVersionMismatch,
          exitWhenDone: options.exitWhenDone,
          waitMs: options.waitSeconds === undefined ? undefined : options.waitSeconds * 1000,
          lockMs: options.lockSeconds * 1000,
          signal: controller.signal,
          log: (line) => currentRun().io.stderr.write(`spey worker: ${line}\n`),
        });
        if (options.json) printJson(summary);
        else {
          print(
            `spey worker (run "${options.run}"): recorded ${summary.recorded} points${summary.duplicates > 0 ? `, ${summary.duplicates} already recorded by another worker` : ""}${summary.refused > 0 ? `, refused ${summary.refused} jobs of another spey version` : ""}${summary.rejected > 0 ? `, rejected ${summary.rejected} invalid jobs` : ""}; ${summary.reason === "done" ? "the run is complete" : "stopped"}`,
          );
        }
        if (summary.reason === "signal") {
          currentRun().exitCode = received === "SIGTERM" ? ExitCode.Terminated : ExitCode.Interrupted;
        }
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
    });

  withRunOptions(
    program
      .command("status")
      .description("progress of a queued run: done/failed/waiting/active points, workers, rate and ETA")
      .requiredOption("--queue <url>", QUEUE_HELP, queueUrl),
  )
    .option("--json", "print the status as JSON")
    .action(async (options: StatusCommandOptions) => {
      const status = await runStatus(location(options));
      if (options.json) printJson(status);
      else print(statusReport(status));
    });

  withRunOptions(
    program
      .command("collect")
      .description(
        "write the results of a queued run as a results file (the format of a local spey batch: spey plot grid and spey merge read it)",
      )
      .requiredOption("--queue <url>", QUEUE_HELP, queueUrl),
  )
    .requiredOption("-o, --output <file>", "results file to write")
    .option("--allow-incomplete", "exit with 0 even when points have no result yet")
    .option("--json", "print the summary as JSON")
    .action(async (options: CollectCommandOptions) => {
      const summary = await collectRun({ ...location(options), output: options.output });
      if (options.json) printJson({ ...summary, complete: summary.missing === 0 });
      else {
        print(
          `run "${options.run}" → ${summary.output}: ${summary.written}/${summary.total} points (${summary.ok} ok, ${summary.failed} failed)`,
        );
      }
      if (summary.missing > 0) {
        currentRun().io.stderr.write(
          `spey: incomplete: ${summary.missing} point(s) have no result yet (see spey status); collect again when the run is done.\n`,
        );
        if (!options.allowIncomplete) currentRun().exitCode = ExitCode.Failed;
      }
    });
}
