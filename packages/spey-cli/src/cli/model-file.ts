import { getBackend } from "spey";
import { isObject, normaliseDescription } from "../batch/description.js";
import type { StatisticalModel } from "spey";
import { ExitCode, exitCodeFor } from "./exit-codes.js";
import { InputFileError, readJson } from "./json-input.js";
import { isPyhfWorkspace, workspaceModel } from "./workspace.js";

export { InputFileError, readJson } from "./json-input.js";

/** A model built from the command line's input. */
export interface LoadedModel {
  readonly model: StatisticalModel;
  /** The file name ("standard input" for "-"). */
  readonly source: string;
  readonly kind: "model" | "workspace";
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
export function loadModel(path: string, options: { patches?: readonly string[] } = {}): LoadedModel {
  return modelFromValue(readJson(path), path, options);
}

/** {@link loadModel} for the already-parsed content of `path`. */
export function modelFromValue(
  value: unknown,
  path: string,
  options: { patches?: readonly string[] } = {},
): LoadedModel {
  const source = path === "-" ? "standard input" : path;
  const patches = options.patches ?? [];
  if (isPyhfWorkspace(value)) {
    return { model: workspaceModel(path, patches, value), source, kind: "workspace" };
  }
  if (patches.length > 0) {
    throw new InputFileError(`${source} is a model file, not a pyhf workspace: --patch applies to workspaces only.`);
  }
  return { model: modelFromDescription(value, source), source, kind: "model" };
}
