import { Command, CommanderError } from "commander";
import { setLogLevel } from "spey";
import { VERSION } from "spey";
import { registerBackends } from "./commands/backends.js";
import { registerBatch } from "./commands/batch.js";
import { registerCls } from "./commands/cls.js";
import { registerLimit } from "./commands/limit.js";
import { registerMerge } from "./commands/merge.js";
import { registerPlot } from "./commands/plot.js";
import { registerQueueCommands } from "./commands/queue.js";
import { registerScan } from "./commands/scan.js";
import { registerSignificance } from "./commands/significance.js";
import { registerValidate } from "./commands/validate.js";
import { errorMessage, ExitCode, exitCodeFor } from "./exit-codes.js";

const HELP_FOOTER = `
Input: a JSON model file {"backend": "default.uncorrelated_background", ...arguments} with camelCase or
spey's snake_case argument names, a pyhf workspace followed by its signal patches (JSON Patch files or
patchset.json:name), or "-" for standard input.
Output: a table, or JSON with --json (non-finite numbers as "Infinity"/"NaN"). Expected values are
listed −2σ, −1σ, median, +1σ, +2σ.

Exit codes: 0 success, 1 the computation failed (or a merge is incomplete), 2 bad input
(unreadable or invalid files, arguments or options), 130 interrupted.

Examples:
  spey limit examples/single-bin.json
  spey cls examples/cms-8bin.json --poi-test 0.5 --json
  spey limit examples/histfactory/BkgOnly.json examples/histfactory/patchset.json:stop_300
  spey plot brazil examples/single-bin.json -o brazil.svg -o brazil.png
  spey batch examples/grid/grid.jsonl --base examples/grid/background.json --workers 4
  spey plot grid examples/grid/grid.results.jsonl -o limits.svg
  spey batch examples/grid/grid.jsonl --base examples/grid/background.json --queue redis://127.0.0.1:6379/0
  spey worker --queue redis://127.0.0.1:6379/0 --concurrency 4      # on any number of machines
`;

/** Build the `spey` command line. Commands throw; {@link runCli} turns errors into exit codes. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name("spey")
    .description(
      "Statistics for reinterpreting LHC searches: CLs, upper limits, significances, scans, plots, batch runs.",
    )
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .option("-v, --verbose", "print the library's warnings and information on standard error")
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", HELP_FOOTER)
    .hook("preAction", (command) => {
      setLogLevel(command.optsWithGlobals().verbose ? 2 : 0);
    });
  registerBackends(program);
  registerCls(program);
  registerLimit(program);
  registerSignificance(program);
  registerScan(program);
  registerPlot(program);
  registerBatch(program);
  registerMerge(program);
  registerQueueCommands(program);
  registerValidate(program);
  return program;
}

/** Run the CLI on `argv` (process.argv layout); sets `process.exitCode`. */
export async function runCli(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help / version).
      process.exitCode = exitCodeFor(error);
      return;
    }
    process.stderr.write(`${errorMessage(error)}\n`);
    if (program.opts().verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = exitCodeFor(error);
  }
  if (process.exitCode === undefined) process.exitCode = ExitCode.Success;
}
