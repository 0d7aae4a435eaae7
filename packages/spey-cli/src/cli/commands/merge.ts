import type { Command } from "commander";
import { mergeResults } from "../../batch/merge.js";
import { currentRun } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { print, printJson } from "../format.js";

interface MergeCommandOptions {
  readonly output: string;
  readonly grid?: string;
  readonly allowIncomplete?: boolean;
  readonly json?: boolean;
}

export function registerMerge(program: Command): void {
  program
    .command("merge")
    .description(
      "join results files (the shards of `spey batch --shard`) into one, one line per point in grid order, and check completeness",
    )
    .argument("<results...>", "results files")
    .requiredOption("-o, --output <file>", "merged results file")
    .option("--grid <file>", "the grid, to list missing points by id")
    .option("--allow-incomplete", "exit with 0 even when points are missing")
    .option("--json", "print the merge summary as JSON")
    .action((inputs: string[], options: MergeCommandOptions) => {
      const summary = mergeResults({ inputs, output: options.output, gridPath: options.grid });
      const incomplete = summary.missingCount > 0 || summary.conflicts.length > 0;
      if (options.json) printJson({ ...summary, complete: !incomplete });
      else {
        print(
          `${summary.output}: ${summary.merged}/${summary.total} points (${summary.ok} ok, ${summary.failed} failed) from ${inputs.length} file(s)`,
        );
      }
      if (incomplete) {
        const parts: string[] = [];
        if (summary.missingCount > 0) {
          const ids = summary.missing.slice(0, 10).map((id) => JSON.stringify(id));
          const more = summary.missing.length > 10 ? ", …" : "";
          parts.push(`${summary.missingCount} point(s) missing${ids.length > 0 ? ` (${ids.join(", ")}${more})` : ""}`);
        }
        if (summary.missingShards.length > 0) {
          // At most ten shard numbers: a grid cut into 100,000 shards must not print them all.
          const shards = summary.missingShards;
          const more = shards.length > 10 ? ` and ${shards.length - 10} more` : "";
          parts.push(`shard(s) ${shards.slice(0, 10).join(", ")}${more} absent`);
        }
        if (summary.conflicts.length > 0) parts.push(`${summary.conflicts.length} point(s) with conflicting results`);
        currentRun().io.stderr.write(`spey: incomplete merge: ${parts.join("; ")}.\n`);
        if (!options.allowIncomplete) currentRun().exitCode = ExitCode.Failed;
      }
    });
}
