import { readFileSync } from "node:fs";
import { getBackend } from "../backends/registry.js";
import { InvalidInput, SpeyError } from "../errors.js";
import type { StatisticalModel } from "../interface/statistical-model.js";

/** Error for anything wrong with the user's input files (exit code 2). */
export class InputFileError extends SpeyError {}

/** Read a JSON file (or standard input for "-"), with errors naming the file and position. */
export function readJson(path: string): unknown {
  let text: string;
  try {
    text = path === "-" ? readFileSync(0, "utf8") : readFileSync(path, "utf8");
  } catch (error) {
    throw new InputFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputFileError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Build a statistical model from a model description `{ "backend": name, ...arguments }`
 * (camelCase or spey's snake_case argument names).
 */
export function modelFromDescription(description: unknown, source: string): StatisticalModel {
  if (typeof description !== "object" || description === null || Array.isArray(description)) {
    throw new InputFileError(`${source}: a model file must be a JSON object { "backend": "...", ...arguments }.`);
  }
  const { backend, ...args } = description as Record<string, unknown>;
  if (typeof backend !== "string") {
    throw new InputFileError(`${source}: missing "backend" (e.g. "default.uncorrelated_background").`);
  }
  try {
    return getBackend(backend)({ analysis: source, ...args });
  } catch (error) {
    if (error instanceof InvalidInput || error instanceof SpeyError) {
      throw new InputFileError(`${source}: ${(error as Error).message}`);
    }
    throw error;
  }
}

/** Load a model file ("-" for standard input). */
export function loadModel(path: string): StatisticalModel {
  return modelFromDescription(readJson(path), path);
}
