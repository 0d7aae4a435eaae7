import { InvalidInput } from "../core/errors.js";
import {
  describeValue,
  isFiniteNumber,
  isArray,
  isInteger,
  max,
  min,
  isNaNNumber,
  freeze,
  entriesOf,
} from "../core/describe.js";

/** A closed interval `[lower, upper]`; open sides are ±Infinity. */
export type Bound = readonly [number, number];

/** How users may write a bound: `null`/`undefined` for an open side, as spey's `None`. */
export type BoundInput = readonly [number | null | undefined, number | null | undefined] | null | undefined;

/** A record fixing parameters by name or index, e.g. `{mu: 1, 2: 0.5}` (spey's dict `poi_test`). */
export type ParameterValues = Readonly<Record<string | number, number>>;

/** The tested signal strength (spey's `poi_test`), defined once for every method that takes it. */
export interface PoiTestOption {
  /** Tested μ, or a record fixing several parameters (the POI's entry is the tested value). Default 1. */
  readonly poiTest?: number | ParameterValues;
}

/** Whether the fitted signal strength may be negative (spey's `allow_negative_signal`). */
export interface AllowNegativeSignalOption {
  /**
   * Let μ̂ go below 0 (down to the model's minimum POI); in hypothesis tests, qμ instead of q̃μ.
   * The default depends on the method (false for fits and tests, true for `pull`); each says so.
   */
  readonly allowNegativeSignal?: boolean;
}

export interface ModelConfigInit {
  /** Index of the parameter of interest μ in the parameter vector. */
  poiIndex: number;
  /** Lowest allowed μ (may be −Infinity). */
  minimumPoi: number;
  /** Optimiser start point. */
  suggestedInit: readonly number[];
  /** Per-parameter bounds; `null` sides are open. */
  suggestedBounds: readonly BoundInput[];
  /** Parameter names, used to resolve string keys. */
  parameterNames?: readonly string[] | null;
  /** Parameters held fixed in every fit. */
  suggestedFixed?: readonly boolean[] | null;
}

function toBound(b: BoundInput, i: number): Bound {
  if (b === null || b === undefined) return [-Infinity, Infinity];
  if (!isArray(b) || b.length !== 2) {
    throw new InvalidInput(`suggestedBounds[${i}] must be a [lower, upper] pair; got ${describeValue(b)}.`);
  }
  const lo = b[0] ?? -Infinity;
  const hi = b[1] ?? Infinity;
  if (isNaNNumber(lo) || isNaNNumber(hi) || lo > hi) {
    throw new InvalidInput(`suggestedBounds[${i}] = [${lo}, ${hi}] is not an interval (need lower ≤ upper).`);
  }
  return [lo, hi];
}

/**
 * The parameter layout of a model (spey's `ModelConfig`): which parameter is μ, where fits start and which
 * region they may explore. Instances are immutable; "modifying" methods return copies.
 */
export class ModelConfig {
  declare readonly poiIndex: number;
  declare readonly minimumPoi: number;
  declare readonly suggestedInit: readonly number[];
  declare readonly suggestedBounds: readonly Bound[];
  declare readonly parameterNames: readonly string[] | null;
  declare readonly suggestedFixed: readonly boolean[] | null;

  constructor(init: ModelConfigInit) {
    const n = init.suggestedInit.length;
    if (!isInteger(init.poiIndex) || init.poiIndex < 0 || init.poiIndex >= n) {
      throw new InvalidInput(`poiIndex must be an integer in [0, ${n}); got ${init.poiIndex}.`);
    }
    if (init.suggestedBounds.length !== n) {
      throw new InvalidInput(
        `suggestedBounds has ${init.suggestedBounds.length} entries but suggestedInit has ${n}; give one bound per parameter.`,
      );
    }
    if (init.parameterNames && init.parameterNames.length !== n) {
      throw new InvalidInput(`parameterNames has ${init.parameterNames.length} entries; expected ${n}.`);
    }
    if (init.suggestedFixed && init.suggestedFixed.length !== n) {
      throw new InvalidInput(`suggestedFixed has ${init.suggestedFixed.length} entries; expected ${n}.`);
    }
    if (isNaNNumber(init.minimumPoi))
      throw new InvalidInput("minimumPoi must be a number (−Infinity allowed), not NaN.");
    this.poiIndex = init.poiIndex;
    this.minimumPoi = init.minimumPoi;
    this.suggestedInit = freeze([...init.suggestedInit]);
    this.suggestedBounds = freeze(init.suggestedBounds.map(toBound));
    this.parameterNames = init.parameterNames ? freeze([...init.parameterNames]) : null;
    this.suggestedFixed = init.suggestedFixed ? freeze([...init.suggestedFixed]) : null;
  }

  /** Number of parameters. */
  get npar(): number {
    return this.suggestedInit.length;
  }

  /** A copy with some fields replaced. */
  with(changes: Partial<ModelConfigInit>): ModelConfig {
    return new ModelConfig({
      poiIndex: this.poiIndex,
      minimumPoi: this.minimumPoi,
      suggestedInit: this.suggestedInit,
      suggestedBounds: this.suggestedBounds,
      parameterNames: this.parameterNames,
      suggestedFixed: this.suggestedFixed,
      ...changes,
    });
  }

  /**
   * Resolve a parameter given by name or index to its index, with an error naming the fix.
   */
  resolveIndex(key: string | number): number {
    if (typeof key === "number" || /^-?\d+$/.test(key)) {
      const idx = Number(key);
      if (!isInteger(idx) || idx < 0 || idx >= this.npar) {
        throw new InvalidInput(`parameter index ${key} is outside [0, ${this.npar}).`);
      }
      return idx;
    }
    if (!this.parameterNames) {
      throw new InvalidInput(
        `Cannot resolve parameter name "${key}": this model's ModelConfig has no parameterNames; use an index instead.`,
      );
    }
    const idx = this.parameterNames.indexOf(key);
    if (idx < 0) {
      throw new InvalidInput(
        `Parameter name "${key}" not found in parameterNames: [${this.parameterNames.join(", ")}].`,
      );
    }
    return idx;
  }

  /**
   * Normalise a `poiTest` (a number for μ, or a record name/index → value) into a map
   * index → value (spey's `ModelConfig` `resolve_poi_indices`).
   */
  resolvePoiIndices(poiTest: number | ParameterValues): Map<number, number> {
    const out = new Map<number, number>();
    if (typeof poiTest === "number") {
      out.set(this.poiIndex, poiTest);
      return out;
    }
    for (const [key, value] of entriesOf(poiTest)) {
      if (typeof value !== "number" || isNaNNumber(value)) {
        throw new InvalidInput(`poiTest["${key}"] must be a number; got ${describeValue(value)}.`);
      }
      out.set(this.resolveIndex(key), value);
    }
    return out;
  }

  /**
   * spey's `fixed_poi_bounds`: the bounds with the POI bound widened so that a fixed μ outside it
   * becomes admissible. Unlike spey, the widened interval always contains μ (README, Differences from spey fix).
   */
  fixedPoiBounds(poiValue?: number): Bound[] {
    const bounds = this.suggestedBounds.map((b) => [b[0], b[1]] as Bound);
    if (poiValue === undefined) return bounds;
    return widenBound(bounds, this.poiIndex, poiValue);
  }

  /** As {@link fixedPoiBounds} for several fixed parameters at once. */
  fixedPoiBoundsMulti(values: Map<number, number>): Bound[] {
    let bounds = this.suggestedBounds.map((b) => [b[0], b[1]] as Bound);
    for (const [idx, v] of values) bounds = widenBound(bounds, idx, v);
    return bounds;
  }

  /**
   * A copy with the POI bound set to `[minimumPoi or 0, poiUpperBound]` (spey's `ModelConfig`
   * `rescale_poi_bounds`, without spey's nested-tuple bug).
   */
  rescalePoiBounds(options: { allowNegativeSignal?: boolean; poiUpperBound?: number } = {}): ModelConfig {
    const allow = options.allowNegativeSignal ?? true;
    const current = this.suggestedBounds[this.poiIndex] as Bound;
    const lower = allow ? this.minimumPoi : max(0, this.minimumPoi);
    const upper = options.poiUpperBound ?? current[1];
    const bounds = [...this.suggestedBounds];
    bounds[this.poiIndex] = [lower, upper];
    return this.with({ suggestedBounds: bounds });
  }

  /** A copy with parameters renamed (`{old: new}`); names must stay unique. */
  changeParameterNames(nameMap: Readonly<Record<string, string>>): ModelConfig {
    if (!this.parameterNames) throw new InvalidInput("changeParameterNames: this ModelConfig has no parameterNames.");
    const names = [...this.parameterNames];
    for (const [oldName, newName] of entriesOf(nameMap)) {
      const idx = names.indexOf(oldName);
      if (idx < 0) throw new InvalidInput(`changeParameterNames: parameter "${oldName}" does not exist.`);
      names[idx] = newName;
    }
    if (new Set(names).size !== names.length)
      throw new InvalidInput("changeParameterNames: each name has to be unique.");
    return this.with({ parameterNames: names });
  }

  /** JSON form with `null` for open bound sides, as spey prints it. */
  toJSON(): Record<string, unknown> {
    const side = (x: number) => (isFiniteNumber(x) ? x : null);
    return {
      poiIndex: this.poiIndex,
      minimumPoi: isFiniteNumber(this.minimumPoi) ? this.minimumPoi : this.minimumPoi > 0 ? "Infinity" : "-Infinity",
      suggestedInit: [...this.suggestedInit],
      suggestedBounds: this.suggestedBounds.map((b) => [side(b[0]), side(b[1])]),
      parameterNames: this.parameterNames ? [...this.parameterNames] : null,
      suggestedFixed: this.suggestedFixed ? [...this.suggestedFixed] : null,
    };
  }
}

function widenBound(bounds: Bound[], idx: number, value: number): Bound[] {
  const b = bounds[idx] as Bound;
  if (value >= b[0] && value <= b[1]) return bounds;
  bounds[idx] = [min(b[0], value), max(b[1], value)];
  return bounds;
}
