import { availableParallelism } from "node:os";
import { InvalidArgumentError, type Command } from "commander";
import { runBatch } from "../../batch/runner.js";
import type { Shard } from "../../batch/shard.js";
import type { BatchTask } from "../../batch/task.js";
import { ExitCode } from "../exit-codes.js";
import { print, printJson } from "../format.js";
import { calculator, confidenceLevel, expectedBand, finiteNumber, integerAtLeast, shard } from "../options.js";

interface BatchCommandOptions {
  readonly base?: string;
  readonly output?: string;
  readonly workers: number;
  readonly shard?: Shard;
  readonly compute: BatchTask["compute"];
  readonly cl: number;
  readonly expected: "aposteriori" | "apriori";
  readonly poiTest: number;
  readonly calculator: "asymptotic" | "chi_square" | "toy";
  readonly retryErrors?: boolean;
  readonly timeout?: number;
  readonly progress: boolean;
  readonly json?: boolean;
}

const COMPUTABLE = ["limit", "cls", "significance"] as const;

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
      'grid file: one JSON object per line, {"id"?, "meta"?, ...model arguments}; or a HEPData archive (.tar.gz, .zip) or folder: every patch of its patch set, the labels as coordinates',
    )
    .option(
      "--base <model>",
      "shared model file the grid lines are laid over (e.g. background and data; the lines give signalYields)",
    )
    .option("-o, --output <file>", "results file (default: <grid>.results.jsonl, or <grid>.results.shard-k-of-N.jsonl)")
    .option("--workers <n>", "worker threads", integerAtLeast("--workers", 1), availableParallelism())
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
    .option("--retry-errors", "recompute the points recorded as errors")
    .option(
      "--timeout <seconds>",
      "time limit per point (the point is recorded as an error)",
      finiteNumber("--timeout"),
    )
    .option("--no-progress", "no progress bar (it is only drawn on a terminal anyway)")
    .option("--json", "print the run summary as JSON")
    .action(async (grid: string, options: BatchCommandOptions) => {
      const controller = new AbortController();
      const interrupt = () => controller.abort();
      process.once("SIGINT", interrupt);
      process.once("SIGTERM", interrupt);
      try {
        let gridPath = grid;
        let basePath = options.base;
        const outputPath = options.output;
        const { isLikelihoodArchive } = await import("../hepdata.js");
        if (options.base === undefined && isLikelihoodArchive(grid)) {
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
          basePath,
          outputPath,
          workers: options.workers,
          shard: options.shard,
          task: {
            compute: options.compute,
            confidenceLevel: options.cl,
            expected: options.expected,
            poiTest: options.poiTest,
            calculator: options.calculator,
          },
          retryErrors: options.retryErrors,
          timeoutMs: options.timeout !== undefined ? options.timeout * 1000 : undefined,
          progress: options.progress ? process.stderr : false,
          signal: controller.signal,
        });
        if (options.json) printJson(summary);
        else {
          const resumed = summary.skipped > 0 ? ` (${summary.skipped} already done)` : "";
          print(
            `${gridPath} → ${summary.output}: ${summary.total} points${resumed}; computed ${summary.computed} in ${summary.seconds.toFixed(1)} s: ${summary.ok} ok, ${summary.failed} failed`,
          );
        }
        if (summary.interrupted) {
          process.stderr.write(
            "spey: interrupted; the finished points are saved: run the same command again to resume.\n",
          );
          process.exitCode = ExitCode.Interrupted;
        }
      } finally {
        process.off("SIGINT", interrupt);
        process.off("SIGTERM", interrupt);
      }
    });
}
