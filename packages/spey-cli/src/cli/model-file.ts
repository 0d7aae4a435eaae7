import { getBackend } from "spey";
// model files and batch points may name the pyhf backends: register them
import "spey/histfactory";
import { isObject, normaliseDescription } from "../batch/description.js";
import type { StatisticalModel } from "spey";
import { ExitCode, exitCodeFor } from "./exit-codes.js";
import { InputFileError, type JsonInput, readJsonInput } from "./json-input.js";
import { isPyhfWorkspace, type WorkspaceOptions, workspaceModel } from "./workspace.js";

export { InputFileError, readJson } from "./json-input.js";

/** A model built from the command line's input. */
export interface LoadedModel {
  readonly model: StatisticalModel;
  /** The file name ("standard input" for "-"). */
  readonly source: string;
  readonly kind: "model" | "workspace";
}

/** Options of model loading: signal patches (workspaces only) and the workspace options. */
export interface LoadOptions extends WorkspaceOptions {
  readonly patches?: readonly string[];
}

/**
 * Build a statistical model from a model description `{ "backend": name, ...arguments }`
 * (camelCase or spey's snake_case argument names). Input problems become {@link InputFileError}
 * naming the file.
 */
export function modelFromDescription(description: unknown, source: string): StatisticalModel {
  if (!isObject(description)) {
    throw new InputFileError(`${source}: a model file must be a JSON object { "backend": "...", ...arguments }.`);
  }
  const { backend, ...args } = description;
  if (typeof backend !== "string") {
    throw new InputFileError(
      `${source}: missing "backend" (e.g. "default.uncorrelated_background"; see \`spey backends\`).`,
    );
  }
  try {
    return getBackend(backend)({ analysis: source, ...normaliseDescription(args) });
  } catch (error) {
    if (exitCodeFor(error) === ExitCode.BadInput) throw new InputFileError(`${source}: ${(error as Error).message}`);
    throw error;
  }
}

/**
 * Load the model of a command: a model file, or a pyhf workspace with `patches`; "-" reads
 * standard input.
 */
export function loadModel(path: string, options: LoadOptions = {}): LoadedModel {
  return modelFromInput(readJsonInput(path), options);
}

/** {@link loadModel} for an input already read. */
export function modelFromInput(input: JsonInput, options: LoadOptions = {}): LoadedModel {
  const patches = options.patches ?? [];
  if (isPyhfWorkspace(input.value)) {
    return { model: workspaceModel(input, patches, options), source: input.source, kind: "workspace" };
  }
  if (patches.length > 0) {
    throw new InputFileError(
      `${input.source} is a model file, not a pyhf workspace: patches apply to workspaces only.`,
    );
  }
  if (options.measurement !== undefined) {
    throw new InputFileError(
      `${input.source} is a model file, not a pyhf workspace: --measurement applies to workspaces only.`,
    );
  }
  return { model: modelFromDescription(input.value, input.source), source: input.source, kind: "model" };
}
