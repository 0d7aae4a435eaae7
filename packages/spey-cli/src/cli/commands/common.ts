import { writeFileSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import { print, toJson } from "../format.js";
import { fsErrorReason, InputFileError, type JsonInput } from "../json-input.js";
import type { LoadedModel } from "../model-file.js";
import type { MinimizeOptions } from "spey";
import { collect, integerAtLeast } from "../options.js";
import { checkStrict } from "../strict.js";

/** Output formats: a table for people, JSON, or JSON with pyhf's keys. */
export type OutputFormat = "table" | "json" | "pyhf";

/** Options shared by the commands that take a model. */
export interface ModelOptions {
  readonly patch?: string[];
  readonly json?: boolean;
  readonly format?: OutputFormat;
  readonly outputFile?: string;
  readonly measurement?: string;
  /** `--no-verify` sets it false: patch sets are applied without checking the workspace digest. */
  readonly verify?: boolean;
}

/** The fit settings of the commands that run fits. */
export interface FitFlags {
  readonly maxIterations?: number;
  readonly allowUnconverged?: boolean;
}

/**
 * Add `--max-iterations` and `--allow-unconverged` to a command: by default a fit that converges
 * from no start point fails the command (exit 1, the message names the fit).
 */
export function withFitOptions(command: Command): Command {
  return command
    .option("--max-iterations <n>", "iteration limit of each fit (default 500)", integerAtLeast("--max-iterations", 0))
    .option(
      "--allow-unconverged",
      "use a fit that did not converge (a warning names it) instead of failing with exit code 1",
    );
}

/** The library's optimiser settings of the fit flags (`{}`: the defaults), as an options fragment. */
export function optimiserOf(flags: FitFlags): { optimiser?: MinimizeOptions } {
  if (flags.maxIterations === undefined && flags.allowUnconverged !== true) return {};
  return {
    optimiser: {
      ...(flags.maxIterations === undefined ? {} : { maxIterations: flags.maxIterations }),
      ...(flags.allowUnconverged === true ? { allowUnconverged: true } : {}),
    },
  };
}

/** Help text of the patch arguments. */
export const PATCHES_HELP = "signal patches of a pyhf workspace: JSON Patch files, or patchset.json:name";

/** Add `-p/--patch`, `--measurement` and `--no-verify` (the workspace options) to a command. */
export function workspaceOptions(command: Command): Command {
  return command
    .option("-p, --patch <file>", "a signal patch, as an option (repeatable; pyhf's -p/--patch)", collect)
    .option("--measurement <name>", "measurement of a pyhf workspace (name or index; default the first)")
    .option("--no-verify", "apply patch sets without checking that they were made for this workspace (digest)");
}

/** Add `--json`, `--format` and `--output-file` to a command; `pyhf` lists `--format pyhf`. */
export function outputOptions(command: Command, formats: readonly OutputFormat[] = ["table", "json"]): Command {
  return command
    .option("--json", "machine-readable JSON on standard output (same as --format json)")
    .addOption(
      new Option(
        "--format <format>",
        `output format: ${formats.join(", ")}${formats.includes("pyhf") ? " (pyhf's JSON keys)" : ""}`,
      ).choices(formats),
    )
    .option("--output-file <file>", "write the JSON result to this file instead of standard output (pyhf's option)");
}

/** Add the `<model> [patches...]` arguments and the workspace and output options to a command. */
export function modelCommand(command: Command, formats?: readonly OutputFormat[]): Command {
  return outputOptions(
    workspaceOptions(
      command
        .argument(
          "<model>",
          'model file {"backend": ..., ...arguments} (camelCase or snake_case), a pyhf workspace, a HEPData archive (.tar.gz, .zip) or folder (then name a signal point), or "-" for standard input',
        )
        .argument("[patches...]", PATCHES_HELP),
    ),
    formats,
  );
}

/** The options with the positional patches put first in `patch`. */
export function withPatches<T extends ModelOptions>(patches: readonly string[], options: T): T {
  return { ...options, patch: [...patches, ...(options.patch ?? [])] };
}

/** The output format of the options (`--json` is `--format json`). */
export function outputFormat(options: ModelOptions): OutputFormat {
  if (options.json && options.format !== undefined && options.format !== "json") {
    throw new InvalidArgumentError(`--json and --format ${options.format} contradict each other; give one.`);
  }
  return options.format ?? (options.json || options.outputFile !== undefined ? "json" : "table");
}

/** Write text to a file, with errors that say why in words. */
export function writeOutputFile(path: string, text: string): void {
  checkStrict();
  try {
    writeFileSync(path, text.endsWith("\n") ? text : `${text}\n`);
  } catch (error) {
    throw new InputFileError(`cannot write ${path}: ${fsErrorReason(error)}.`);
  }
}

/**
 * Print a command's result in the chosen format: the table, the JSON, or pyhf's JSON; with
 * `--output-file` the JSON goes to that file and nothing to standard output.
 */
export function emitResult(
  options: ModelOptions,
  result: { json: () => unknown; table: () => string; pyhf?: () => unknown },
): void {
  const format = outputFormat(options);
  if (format === "table") {
    print(result.table());
    return;
  }
  if (format === "pyhf" && !result.pyhf) {
    throw new InvalidArgumentError("--format pyhf is available for spey cls, fit and inspect.");
  }
  const text = toJson(format === "pyhf" ? (result.pyhf as () => unknown)() : result.json());
  if (options.outputFile !== undefined) writeOutputFile(options.outputFile, text);
  else print(text);
}

/**
 * Load the model named on the command line. The library is imported here, on first use, so that
 * `--help` and option errors do not pay for loading every backend.
 */
export async function load(file: string, options: ModelOptions): Promise<LoadedModel> {
  const { isLikelihoodArchive, modelFromArchive } = await import("../hepdata.js");
  // A HEPData archive or folder: the patches name a signal point of its patch set.
  if (isLikelihoodArchive(file)) return modelFromArchive(file, options.patch ?? []);
  const { loadModel } = await import("../model-file.js");
  return loadModel(file, loadOptions(options));
}

/** {@link load} for an input already read (standard input can be read only once). */
export async function loadInput(input: JsonInput, options: ModelOptions): Promise<LoadedModel> {
  const { modelFromInput } = await import("../model-file.js");
  return modelFromInput(input, loadOptions(options));
}

function loadOptions(options: ModelOptions) {
  return {
    patches: options.patch ?? [],
    ...(options.measurement !== undefined ? { measurement: options.measurement } : {}),
    ...(options.verify === false ? { verify: false } : {}),
  };
}
