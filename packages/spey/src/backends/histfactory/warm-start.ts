/**
 * Start points given from outside a HistFactory model: the `warmStart` argument of the `pyhf`
 * backends, e.g. the best fit of a neighbouring signal point of a grid (`spey batch --warm-start`).
 * pyhf's fits take such a point as `init_pars` (`pyhf.infer.mle.fit(..., init_pars=...)`); here it
 * applies to every fit of the model, those inside CLs and upper limits included.
 */
import { InvalidInput } from "../../core/errors.js";
import { describeValue, isArrayLike, isFiniteNumber, max, min, entriesOf } from "../../core/describe.js";
import { copyOf } from "../../core/arrays.js";

/** The `warmStart` argument: a parameter point and how fits use it. */
export interface WarmStartOption {
  /**
   * Parameter values by name (the model's `config().parameterNames`, e.g. a neighbouring signal
   * point's best fit; names this model does not have are ignored, parameters not named keep their
   * suggested value), or one value per parameter. Optional with `mode: "replace"`: fits then start
   * cold as usual and only the profiles continue warm.
   */
  readonly parameters?: Readonly<Record<string, number>> | readonly number[];
  /**
   * "add" (default): one more start of every fit's deterministic multi-start (the nearest earlier
   * fit, this point, the suggested point): a fit can only end lower than without it, at the cost of
   * one more run. "replace" (opt-in speed-up): the cold start from the suggested point is replaced
   * by a start from this point (the cold start still runs when that one does not converge), and
   * profiles along μ continue warm between μ (cold again where a warm fit does not converge), as
   * `profileColdStartRange` without limit. Issue #9's contract — every profile fit also runs the
   * cold start — then no longer holds; the agreement with the default is measured, not proven.
   */
  readonly mode?: "add" | "replace";
}

/** A resolved warm start: a full parameter vector (inside the bounds) and its mode. */
export interface ResolvedWarmStart {
  /** Undefined: no start point (mode "replace" only: profiles continue warm, fits start cold). */
  readonly parameters: Float64Array | undefined;
  readonly mode: "add" | "replace";
}

/** What {@link resolveWarmStart} needs of the model. */
export interface WarmStartModel {
  readonly parameterNames: readonly string[];
  readonly suggestedInit: readonly number[];
  readonly suggestedBounds: readonly (readonly [number, number])[];
  readonly suggestedFixed: readonly boolean[];
}

/**
 * The full start vector of a `warmStart` argument: the suggested point, overwritten by the given
 * values (parameters the measurement fixes keep their value), each clamped into its bounds.
 * Bad input is an {@link InvalidInput} naming the entry.
 */
export function resolveWarmStart(value: unknown, model: WarmStartModel): ResolvedWarmStart | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || isArrayLike(value)) {
    throw new InvalidInput(
      `warmStart must be an object {parameters: {name: value, …}, mode?: "add" | "replace"}; got ${describeValue(value)}.`,
    );
  }
  const { parameters, mode } = value as { parameters?: unknown; mode?: unknown };
  if (mode !== undefined && mode !== "add" && mode !== "replace") {
    throw new InvalidInput(`warmStart.mode must be "add" or "replace"; got ${describeValue(mode)}.`);
  }
  if (parameters === undefined || parameters === null) {
    if (mode === "replace") return { parameters: undefined, mode };
    throw new InvalidInput(
      'warmStart.parameters is required (a record {name: value} or one value per parameter); only mode "replace" may omit it.',
    );
  }
  const n = model.parameterNames.length;
  const x = copyOf(model.suggestedInit);
  const set = (i: number, v: unknown, label: string) => {
    if (!isFiniteNumber(v)) {
      throw new InvalidInput(`warmStart.parameters${label} must be a finite number; got ${describeValue(v)}.`);
    }
    if (model.suggestedFixed[i]) return;
    const [lo, hi] = model.suggestedBounds[i] as readonly [number, number];
    x[i] = min(max(v as number, lo), hi);
  };
  if (isArrayLike(parameters)) {
    const values = parameters as ArrayLike<unknown>;
    if (values.length !== n) {
      throw new InvalidInput(
        `warmStart.parameters has ${values.length} entries but the model has ${n} parameters; give one value per parameter or a record {name: value}.`,
      );
    }
    for (let i = 0; i < n; i++) set(i, values[i], `[${i}]`);
  } else if (typeof parameters === "object" && parameters !== null) {
    const index = new Map(model.parameterNames.map((name, i) => [name, i]));
    for (const [name, v] of entriesOf(parameters)) {
      const i = index.get(name);
      if (i !== undefined) set(i, v, `.${name}`);
    }
  } else {
    throw new InvalidInput(
      `warmStart.parameters must be a record {name: value} or an array with one value per parameter; got ${describeValue(parameters)}.`,
    );
  }
  return { parameters: x, mode: mode ?? "add" };
}
