import type { Command } from "commander";
import type { LoadedModel } from "../model-file.js";
import { collect } from "../options.js";

/** Options shared by the commands that take a model. */
export interface ModelOptions {
  readonly patch?: string[];
  readonly json?: boolean;
}

/** Help text of the patch arguments. */
export const PATCHES_HELP = "signal patches of a pyhf workspace: JSON Patch files, or patchset.json:name";

/** Add the `<model> [patches...]` arguments, `--patch` and `--json` to a command. */
export function modelCommand(command: Command): Command {
  return command
    .argument(
      "<model>",
      'model file {"backend": ..., ...arguments} (camelCase or snake_case), a pyhf workspace, a HEPData archive (.tar.gz, .zip) or folder (then name a signal point), or "-" for standard input',
    )
    .argument("[patches...]", PATCHES_HELP)
    .option("--patch <file>", "a signal patch, as an option (repeatable)", collect)
    .option("--json", "machine-readable JSON on standard output");
}

/** The options with the positional patches put first in `patch`. */
export function withPatches<T extends ModelOptions>(patches: readonly string[], options: T): T {
  return { ...options, patch: [...patches, ...(options.patch ?? [])] };
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
  return loadModel(file, { patches: options.patch ?? [] });
}

/** {@link load} for content already read (standard input can be read only once). */
export async function loadValue(value: unknown, file: string, options: ModelOptions): Promise<LoadedModel> {
  const { modelFromValue } = await import("../model-file.js");
  return modelFromValue(value, file, { patches: options.patch ?? [] });
}
