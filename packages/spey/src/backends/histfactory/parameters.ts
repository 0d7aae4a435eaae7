/**
 * Parameter sets of a HistFactory model: the modifiers' requirements merged with the measurement's
 * parameter configuration (pyhf's `reduce_paramsets_requirements` and `paramsets`; pyhf docs
 * "Measurements → Parameter configuration").
 *
 * Order: pyhf groups parameter sets by modifier type in `histfactory_set` order (histosys, lumi,
 * normfactor, normsys, shapefactor, shapesys, staterror) and, within a type, in the order the
 * modifiers are met walking channels, samples and modifiers by name (staterror: by name). A name
 * used by modifiers of several types is placed with the first type. Parameter vectors, bounds and
 * auxiliary data are laid out in that order, so they match pyhf's `suggested_init()`,
 * `suggested_bounds()` and `config.auxdata` element by element.
 */
import { formatJsonPath, type JsonPath, WorkspaceError } from "./errors.js";
import type { ConfigurableMember, ConstraintKind, ParameterRequirement } from "./modifiers/types.js";
import { requirementConflict } from "./modifiers/types.js";
import type { MeasurementSpec, ModifierType, ParameterConfigSpec } from "./schema.js";
import { hasOwn, max, min } from "../../core/describe.js";

/** A parameter set of the model, with its place in the parameter vector. */
export interface ParameterSet {
  readonly name: string;
  /** Modifier types using the set (the first one decides its place in the order). */
  readonly modifierTypes: readonly ModifierType[];
  readonly constraint: ConstraintKind;
  /** Index of the set's first parameter. */
  readonly offset: number;
  readonly n: number;
  readonly scalar: boolean;
  readonly inits: readonly number[];
  readonly bounds: readonly (readonly [number, number])[];
  readonly fixed: readonly boolean[];
  /** Nominal auxiliary data (constrained sets; [] otherwise). */
  readonly auxdata: readonly number[];
  /** Gaussian widths (normal constraint; [] otherwise). */
  readonly sigmas: readonly number[];
  /** Poisson factors τ (poisson constraint; [] otherwise). */
  readonly factors: readonly number[];
}

/** pyhf's parameter names: `name` for scalar sets, `name[i]` for per-bin sets. */
export function parameterNamesOf(sets: readonly ParameterSet[]): string[] {
  const names: string[] = [];
  for (const set of sets) {
    if (set.scalar) names.push(set.name);
    else for (let i = 0; i < set.n; i++) names.push(`${set.name}[${i}]`);
  }
  return names;
}

/**
 * Merge the requirements of each modifier type (given in pyhf's type order) into one ordered map,
 * checking that a name shared across types asks for the same parameter set.
 */
export function mergeRequirements(
  byType: readonly Map<string, ParameterRequirement>[],
): Map<string, { requirement: ParameterRequirement; types: ModifierType[] }> {
  const out = new Map<string, { requirement: ParameterRequirement; types: ModifierType[] }>();
  for (const requirements of byType) {
    for (const [name, requirement] of requirements) {
      const entry = out.get(name);
      if (!entry) {
        out.set(name, { requirement, types: [requirement.modifierType] });
        continue;
      }
      const conflict = requirementConflict(entry.requirement, requirement);
      if (conflict) {
        throw new WorkspaceError(
          requirement.path,
          `the ${requirement.modifierType} modifier "${name}" cannot share its parameter with the ${entry.requirement.modifierType} modifier at ${formatJsonPath(entry.requirement.path)} (${conflict}).`,
        );
      }
      if (!entry.types.includes(requirement.modifierType)) entry.types.push(requirement.modifierType);
    }
  }
  return out;
}

function member<T>(
  config: ParameterConfigSpec | undefined,
  key: ConfigurableMember,
  requirement: ParameterRequirement,
  n: number,
  path: JsonPath,
): T[] | undefined {
  if (!config || !hasOwn(config, key) || key === "fixed") return undefined;
  const value = config[key] as unknown as T[];
  if (!requirement.configurable.includes(key)) {
    throw new WorkspaceError(
      [...path, key],
      `parameter "${requirement.name}" (${requirement.modifierType}) does not use "${key}"; it accepts ${requirement.configurable.join(", ")}.`,
    );
  }
  if (value.length !== n) {
    throw new WorkspaceError(
      [...path, key],
      `parameter "${requirement.name}" has ${n} component${n === 1 ? "" : "s"} but ${value.length} ${key} were configured.`,
    );
  }
  return value;
}

/**
 * The model's parameter sets: requirements (in order) with the measurement's configuration applied.
 * `measurementPath` locates the measurement in the workspace for error messages.
 */
export function buildParameterSets(
  merged: Map<string, { requirement: ParameterRequirement; types: ModifierType[] }>,
  measurement: MeasurementSpec,
  measurementPath: JsonPath,
): ParameterSet[] {
  const configs = new Map<string, { config: ParameterConfigSpec; path: JsonPath }>();
  measurement.config.parameters.forEach((config, i) => {
    configs.set(config.name, { config, path: [...measurementPath, "config", "parameters", i] });
  });
  const sets: ParameterSet[] = [];
  let offset = 0;
  for (const [name, { requirement: r, types }] of merged) {
    const user = configs.get(name);
    const path = user?.path ?? [...measurementPath, "config", "parameters"];
    const n = r.n;
    for (const key of r.fromMeasurement ?? []) {
      if (!user || !hasOwn(user.config, key)) {
        throw new WorkspaceError(
          user ? user.path : [...measurementPath, "config", "parameters"],
          `the ${r.modifierType} parameter "${name}" needs "${key}" in the measurement's parameter configuration (e.g. {"name": "${name}", "auxdata": [1.0], "sigmas": [0.02]}).`,
        );
      }
    }
    const auxdata = member<number>(user?.config, "auxdata", r, n, path) ?? r.auxdata ?? [];
    const sigmas =
      member<number>(user?.config, "sigmas", r, n, path) ??
      r.sigmas ??
      (r.constraint === "normal" ? new Array<number>(n).fill(1) : []);
    const factors = member<number>(user?.config, "factors", r, n, path) ?? r.factors ?? [];
    const inits = member<number>(user?.config, "inits", r, n, path) ?? r.inits ?? auxdata;
    const bounds =
      member<[number, number]>(user?.config, "bounds", r, n, path) ??
      r.bounds ??
      auxdata.map((a) => [min(0, 10 * a), max(0, 10 * a)] as [number, number]);
    let fixed = r.fixed;
    if (user && hasOwn(user.config, "fixed")) {
      if (!r.configurable.includes("fixed")) {
        throw new WorkspaceError([...path, "fixed"], `parameter "${name}" cannot be fixed.`);
      }
      fixed = new Array<boolean>(n).fill(user.config.fixed === true);
    }
    sets.push({
      name,
      modifierTypes: types,
      constraint: r.constraint,
      offset,
      n,
      scalar: r.scalar,
      inits: [...inits],
      bounds: bounds.map((b) => [b[0], b[1]] as const),
      fixed: [...fixed],
      auxdata: r.constraint === "none" ? [] : [...auxdata],
      sigmas: r.constraint === "normal" ? [...sigmas] : [],
      factors: r.constraint === "poisson" ? [...factors] : [],
    });
    offset += n;
  }
  return sets;
}
