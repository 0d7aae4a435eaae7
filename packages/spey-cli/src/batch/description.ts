import { camelCaseKeys, InvalidInput } from "spey";

/** A model description: `{ backend, ...arguments }` with camelCase argument names. */
export type ModelDescription = Record<string, unknown>;

/** Keys of a grid line that are not model arguments. */
export const GRID_RESERVED_KEYS = ["id", "meta"] as const;

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True for a pyhf (HistFactory JSON) workspace: `channels`, `observations` and `measurements`. */
export function isPyhfWorkspace(value: unknown): value is Record<string, unknown> {
  return (
    isObject(value) &&
    Array.isArray(value.channels) &&
    Array.isArray(value.observations) &&
    Array.isArray(value.measurements)
  );
}

/**
 * The shared model of a grid as a description: a model file as it is, a pyhf workspace as the
 * background-only model of the "pyhf" backend (the grid lines then give `signalPatch`).
 */
export function baseDescription(value: Record<string, unknown>): ModelDescription {
  return isPyhfWorkspace(value) ? { backend: "pyhf", backgroundOnlyModel: value } : normaliseDescription(value);
}

/**
 * Normalise a model description: snake_case argument names become camelCase (spey's
 * `signal_yields` → `signalYields`); a name given in both spellings is an error.
 */
export function normaliseDescription(description: Record<string, unknown>): ModelDescription {
  return camelCaseKeys(description);
}

/**
 * The model of a grid point: the line's arguments (without `id` and `meta`) laid over the shared
 * base model, key by key (after normalising both to camelCase).
 */
export function pointDescription(base: ModelDescription | undefined, line: Record<string, unknown>): ModelDescription {
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(line)) {
    if (!(GRID_RESERVED_KEYS as readonly string[]).includes(key)) own[key] = value;
  }
  const merged = { ...(base ?? {}), ...normaliseDescription(own) };
  if (typeof merged.backend !== "string") {
    throw new InvalidInput('the model has no "backend" (give it in the grid line or in the --base model).');
  }
  return merged;
}
