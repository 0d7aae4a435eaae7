/**
 * Model descriptions — `{ "backend": name, ...arguments }`, the model files of the `spey`
 * command — turned into statistical models, and the "what-if" variations of a simplified
 * likelihood (signal scale, luminosity, systematics) applied to a description.
 */
import { InvalidInput } from "../core/errors.js";
import { camelCaseKeys } from "../core/naming.js";
import { getBackend } from "../model/get-backend.js";
// descriptions may name the pyhf backends: register them
import "../model/histfactory-backends.js";
import type { StatisticalModel } from "../model/statistical-model.js";
import { isFiniteNumber, isArray } from "../core/describe.js";

/**
 * A description with spey's snake_case argument names in camelCase (as `getBackend` converts
 * them); a name given in both spellings is an {@link InvalidInput}.
 */
export function normaliseDescription(description: Record<string, unknown>): Record<string, unknown> {
  return camelCaseKeys(description);
}

/**
 * The statistical model of a description `{ backend, ...arguments }` (spey's
 * `get_backend(name)(**arguments)`); `analysis` names the model (the file name, as the CLI does).
 */
export function modelFromDescription(description: unknown, options: { analysis?: string } = {}): StatisticalModel {
  const source = options.analysis ?? "model";
  if (typeof description !== "object" || description === null || isArray(description)) {
    throw new InvalidInput(`${source}: a model file must be a JSON object { "backend": "...", ...arguments }.`);
  }
  const { backend, ...args } = description as Record<string, unknown>;
  if (typeof backend !== "string") {
    throw new InvalidInput(`${source}: missing "backend" (e.g. "default.uncorrelated_background").`);
  }
  return getBackend(backend)({ analysis: source, ...normaliseDescription(args) });
}

/** The variations of {@link scaleDescription}; every factor defaults to 1. */
export interface DescriptionScales {
  /** Signal yields × this. */
  readonly signal?: number;
  /**
   * Integrated luminosity × this: signal, background and observed yields × r, absolute
   * uncertainties × r (systematics of fixed relative size), covariances × r², third moments × r³.
   */
  readonly luminosity?: number;
  /** Background uncertainties × k: absolute uncertainties × k, covariances × k², third moments × k³. */
  readonly systematics?: number;
}

function positive(name: string, value: number | undefined): number {
  const v = value ?? 1;
  if (!(isFiniteNumber(v) && v > 0)) throw new InvalidInput(`${name} must be a positive finite number; got ${value}.`);
  return v;
}

function scaleValue(value: unknown, factor: number, name: string): unknown {
  if (factor === 1 || value === undefined || value === null) return value;
  if (typeof value === "number") return value * factor;
  if (isArray(value)) return value.map((v, i) => scaleValue(v, factor, `${name}[${i}]`));
  throw new InvalidInput(`${name} must be a number or an array of numbers to be scaled.`);
}

/**
 * A simplified-likelihood description with its yields and uncertainties scaled ("what if the
 * signal were 30% larger, the luminosity doubled, the systematics halved"). Works on the
 * camelCase or snake_case arguments of every built-in simplified and simple backend:
 * `signalYields`, `backgroundYields`, `data`, `absoluteUncertainties`,
 * `absoluteUncertaintyEnvelops`, `covarianceMatrix`, `thirdMoment`. Callable signal yields
 * cannot be scaled (InvalidInput).
 */
export function scaleDescription(
  description: Record<string, unknown>,
  scales: DescriptionScales,
): Record<string, unknown> {
  const s = positive("signal scale", scales.signal);
  const r = positive("luminosity scale", scales.luminosity);
  const k = positive("systematics scale", scales.systematics);
  const d = normaliseDescription(description);
  const out: Record<string, unknown> = { ...d };
  const scale = (key: string, factor: number) => {
    if (key in d) out[key] = scaleValue(d[key], factor, key);
  };
  scale("signalYields", s * r);
  scale("backgroundYields", r);
  scale("data", r);
  scale("absoluteUncertainties", r * k);
  scale("absoluteUncertaintyEnvelops", r * k);
  scale("absoluteUncertaintyEnvelopes", r * k);
  scale("covarianceMatrix", r * r * k * k);
  scale("thirdMoment", r ** 3 * k ** 3);
  return out;
}
