import { Command, CommanderError } from "commander";
import "spey/histfactory";
import { getLogLevel, setActivityHandler, setLogHandler, setLogLevel } from "spey";
import { VERSION } from "spey";
import { Activity, type CliIo, currentRun, withRun } from "./context.js";
import { errorMessage, ExitCode, exitCodeFor } from "./exit-codes.js";
import { checkStrict, StrictModeError } from "./strict.js";

const HELP_FOOTER = `
Input: a JSON model file {"backend": "default.uncorrelated_background", ...arguments} with camelCase or
spey's snake_case argument names, a pyhf workspace followed by its signal patches (JSON Patch files or
patchset.json:name), or "-" for standard input.
Output: a table, or JSON with --json (non-finite numbers as "Infinity"/"NaN"); --format pyhf gives
pyhf's JSON keys. Expected values are listed −2σ, −1σ, median, +1σ, +2σ. Warnings go to standard
error (-q silences them; --strict makes them errors).

Exit codes: 0 success, 1 the computation failed (or a merge is incomplete, or batch points failed),
2 bad input (unreadable or invalid files, arguments or options; warnings under --strict),
130 interrupted (Ctrl-C), 143 terminated (SIGTERM).

Examples:
  spey limit examples/single-bin.json
  spey cls examples/cms-8bin.json --poi-test 0.5 --json
  spey inspect examples/histfactory/BkgOnly.json
  spey fit examples/histfactory/BkgOnly.json examples/histfactory/patchset.json:stop_300
  spey limit examples/histfactory/BkgOnly.json examples/histfactory/patchset.json:stop_300
  spey plot brazil examples/single-bin.json -o brazil.svg -o brazil.png
  spey batch examples/grid/grid.jsonl --base examples/grid/background.json --workers 2
  spey plot grid examples/grid/grid.results.jsonl -o limits.svg
  spey batch examples/grid/grid.jsonl --base examples/grid/background.json --queue redis://127.0.0.1:6379/0
  spey worker --queue redis://127.0.0.1:6379/0 --concurrency 4      # on any number of machines
`;

type Register = (program: Command) => void;

/**
 * Every command module, with the top-level command names it registers, in the order of the help
 * listing. A module is loaded only when its command runs (plots, workspaces, batch and queue
 * runners and their dependencies stay unloaded otherwise): start-up is what a one-shot
 * `spey cls model.json` in a shell loop pays.
 */
const COMMANDS: readonly { readonly names: readonly string[]; readonly load: () => Promise<Register> }[] = [
  { names: ["backends"], load: async () => (await import("./commands/backends.js")).registerBackends },
  { names: ["inspect"], load: async () => (await import("./commands/inspect.js")).registerInspect },
  { names: ["cls"], load: async () => (await import("./commands/cls.js")).registerCls },
  { names: ["limit"], load: async () => (await import("./commands/limit.js")).registerLimit },
  { names: ["significance"], load: async () => (await import("./commands/significance.js")).registerSignificance },
  { names: ["fit"], load: async () => (await import("./commands/fit.js")).registerFit },
  { names: ["scan"], load: async () => (await import("./commands/scan.js")).registerScan },
  { names: ["plot"], load: async () => (await import("./commands/plot.js")).registerPlot },
  { names: ["patchset"], load: async () => (await import("./commands/patchset.js")).registerPatchset },
  { names: ["batch"], load: async () => (await import("./commands/batch.js")).registerBatch },
  { names: ["merge"], load: async () => (await import("./commands/merge.js")).registerMerge },
  {
    names: ["worker", "status", "collect"],
    load: async () => (await import("./commands/queue.js")).registerQueueCommands,
  },
  { names: ["validate"], load: async () => (await import("./commands/validate.js")).registerValidate },
];

/** The command named in `argv` (process.argv layout): the first argument that is not an option. */
export function commandName(argv: readonly string[] | undefined): string | undefined {
  return argv?.slice(2).find((a) => !a.startsWith("-"));
}

/**
 * Build the `spey` command line. Commands throw; {@link runCli} turns errors into exit codes.
 * With `argv`, only the command it names is loaded, none for `--version` alone, and every command
 * for help, an unknown name, or without `argv`.
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command();
  const io = () => currentRun().io;
  program
    .name("spey")
    .description(
      "Statistics for reinterpreting LHC searches: CLs, upper limits, significances, fits, scans, plots, batch runs.",
    )
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .option("-v, --verbose", "also print the library's information messages (and stack traces of failures)")
    .option("-q, --quiet", "do not print warnings")
    .option("--strict", "treat warnings (and model arguments a backend ignores) as errors, exit code 2")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io().stdout.write(text),
      writeErr: (text) => io().stderr.write(text),
      outputError: (text, write) => {
        currentRun().commanderReported = true;
        write(text);
      },
    })
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", HELP_FOOTER)
    .hook("preAction", (_program, action) => {
      const options = action.optsWithGlobals();
      const run = currentRun();
      run.verbose = Boolean(options.verbose);
      run.quiet = Boolean(options.quiet);
      run.strict = Boolean(options.strict);
      setLogLevel(run.verbose ? 2 : 1);
    });
  const name = commandName(argv);
  const named = COMMANDS.find((c) => name !== undefined && c.names.includes(name));
  const versionOnly = name === undefined && argv?.some((a) => a === "-V" || a === "--version");
  const needed = named ? [named] : versionOnly ? [] : COMMANDS;
  for (const register of await Promise.all(needed.map((c) => c.load()))) register(program);
  return program;
}

/** Commands whose computations run in this process (batch and queue workers compute in threads). */
const COMPUTING = new Set(["cls", "limit", "significance", "fit", "scan", "plot", "validate", "inspect"]);

/**
 * Run the CLI on `argv` (process.argv layout: two leading entries, then the arguments) and return
 * its exit code. `io` replaces the process's standard streams (tests and the fuzz suite run the
 * command line in-process this way). Library warnings are collected and printed once each on
 * standard error at the end (unless `-q`); information messages only with `-v`.
 */
export async function runCli(argv: readonly string[], io?: CliIo): Promise<number> {
  return withRun(io, async (run) => {
    const program = await buildProgram(argv);
    const level = getLogLevel();
    setLogLevel(1);
    setLogHandler((record) => {
      const current = currentRun();
      if (record.level === "warning" || record.level === "error") current.warn(record.message, record.code);
      else if (current.verbose) current.io.stderr.write(`spey: ${record.message}\n`);
    });
    // Commands that compute in this process show a line of progress on a terminal after 2 s.
    const name = commandName(argv);
    if (name !== undefined && COMPUTING.has(name)) {
      run.activity = new Activity(run, `spey ${name}`);
      setActivityHandler(() => currentRun().activity?.tick());
    }
    try {
      await program.parseAsync([...argv]);
      checkStrict();
      run.flushWarnings();
    } catch (error) {
      run.io.onError?.(error);
      if (error instanceof CommanderError) {
        // Commander has printed its own parsing errors (and the help / version); an option error
        // found later, in a command, is printed here.
        if (!run.commanderReported && error.exitCode !== 0 && error.code !== "commander.helpDisplayed") {
          run.io.stderr.write(`spey: ${error.message.replace(/^error: /, "")}\n`);
        }
        run.exitCode = exitCodeFor(error);
        return run.exitCode;
      }
      if (!(error instanceof StrictModeError)) run.flushWarnings();
      run.io.stderr.write(`${errorMessage(error)}\n`);
      if (run.verbose && error instanceof Error && error.stack) run.io.stderr.write(`${error.stack}\n`);
      run.exitCode = exitCodeFor(error);
    } finally {
      run.activity?.erase();
      setActivityHandler(null);
      setLogHandler(null);
      setLogLevel(level);
    }
    return run.exitCode ?? ExitCode.Success;
  });
}
