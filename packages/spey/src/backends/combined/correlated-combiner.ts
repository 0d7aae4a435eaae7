import { InvalidInput } from "../../core/errors.js";
import { describeValue, isArray, isInteger, entriesOf } from "../../core/describe.js";
import { VERSION } from "../../core/version.js";
import type { BackendBase } from "../../plugin/backend-base.js";
import {
  type CombinableModel,
  CombinerBase,
  type CombinerBaseArgs,
  type ModelKey,
  type ParameterMap,
  warnSingleMember,
} from "./combiner-base.js";

export type { CombinableModel } from "./combiner-base.js";

/**
 * One declaration of a parameter shared between models, in any form spey accepts:
 * - a name: every model with a parameter of that name joins (`"mu"`, `"signal_par_0"`);
 * - `{name, members: {model: parameter}}` (`name` optional: default the first member's local name),
 *   members also as a list of `[model, parameter]` pairs;
 * - a bare mapping `{model: parameter}`;
 * - a list of `[model, parameter]` pairs.
 * A model is its analysis name or position, a parameter its local name or index.
 */
export type SharedParameter =
  | string
  | {
      readonly name?: string;
      readonly members: Readonly<Record<string, string | number>> | readonly (readonly [ModelKey, string | number])[];
    }
  | Readonly<Record<string, string | number>>
  | readonly (readonly [ModelKey, string | number])[];

export interface CorrelatedCombinerArgs extends CombinerBaseArgs {
  /**
   * Which local parameters are the same parameter (spey's `shared_parameters`). Default: none —
   * the combination is then a product with a block-diagonal parameter vector, as in spey (declare
   * `["mu"]` to share the POIs). A single declaration may be given without the array.
   */
  readonly sharedParameters?: readonly SharedParameter[] | SharedParameter | null;
  /** Global name of the combined POI (default: the slot holding the first model's POI). */
  readonly poiName?: string;
  /** Global index of the combined POI; exclusive with {@link poiName}. */
  readonly poiIndex?: number;
}

interface Group {
  readonly name: string;
  /** model position → local parameter index */
  readonly members: Map<number, number>;
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !isArray(x) && Object.getPrototypeOf(x) === Object.prototype;

/**
 * `default.correlated_combiner` (spey's `CorrelatedStatisticsCombiner`, spey ≥ 0.2.7): models that
 * share user-declared parameters — POIs, Wilson coefficients, nuisances — profiled jointly:
 * log L(p) = Σ_m log L_m(p[I_m]) (see {@link CombinerBase}). Parameters not declared as shared
 * stay private to their model; the combined data vector is the models' data concatenated in model
 * order, or a record of data per analysis.
 *
 * @example
 * const combined = getBackend("default.correlated_combiner")({
 *   statisticalModels: [modelA, modelB],
 *   sharedParameters: ["mu", { name: "lumi", members: { SR_A: "theta_lumi", SR_B: 3 } }],
 *   analysis: "SR_A+SR_B",
 * });
 */
export class CorrelatedCombiner extends CombinerBase {
  static override name = "default.correlated_combiner";
  static override version = VERSION;
  static override author = "SpeysideHEP";
  static override speyRequires = `>=${VERSION}`;

  // Set while the base constructor builds the parameter map (so not a field initialiser, which
  // would run after it).
  declare private groups: Group[];

  constructor(args: CorrelatedCombinerArgs) {
    super(args, { poiName: args?.poiName, poiIndex: args?.poiIndex });
  }

  /** The shared-parameter groups as explicit declarations `{name, members: {analysis: localIndex}}`. */
  get sharedParameterGroups(): { name: string; members: Record<string, number> }[] {
    return this.groups.map((g) => ({
      name: g.name,
      members: Object.fromEntries([...g.members].map(([k, p]) => [this.members[k]?.analysis ?? String(k), p])),
    }));
  }

  protected buildParameterMap(localNames: readonly (readonly string[])[], args: CombinerBaseArgs): ParameterMap {
    const groups = this.resolveGroups((args as CorrelatedCombinerArgs).sharedParameters, localNames);
    this.groups = groups;
    const groupOf = new Map<string, string>();
    for (const g of groups) for (const [k, p] of g.members) groupOf.set(`${k}:${p}`, g.name);
    const { maps, slotOf } = CombinerBase.allocateSlots(localNames, groupOf);
    return { maps, sharedNames: new Map(groups.map((g) => [slotOf.get(g.name) as number, g.name])) };
  }

  private resolveGroups(
    spec: CorrelatedCombinerArgs["sharedParameters"],
    localNames: readonly (readonly string[])[],
  ): Group[] {
    if (spec === undefined || spec === null) return [];
    // A lone declaration (a name, a mapping) is one declaration — never read character by character.
    const list: readonly unknown[] =
      typeof spec === "string" || isPlainObject(spec)
        ? [spec]
        : isArray(spec) && isPairList(spec)
          ? [spec]
          : (spec as readonly unknown[]);
    if (!isArray(list)) {
      throw new InvalidInput(
        `sharedParameters must be an array of declarations (names, {name, members} objects or [model, parameter] pairs); got ${typeof spec}.`,
      );
    }
    const groups: Group[] = [];
    const owner = new Map<string, string>();
    list.forEach((entry, i) => {
      const { name, members } = this.parseDeclaration(entry, i, localNames);
      const resolved = new Map<number, number>();
      for (const [modelKey, parKey] of members) {
        const k = this.resolveModelKey(modelKey);
        const p = resolveParameterKey(
          parKey,
          localNames[k] as readonly string[],
          this.members[k]?.analysis ?? String(k),
          i,
        );
        const key = `${k}:${p}`;
        const previous = owner.get(key);
        if (previous !== undefined) {
          throw new InvalidInput(
            `sharedParameters[${i}]: parameter "${(localNames[k] as readonly string[])[p]}" of "${this.members[k]?.analysis}" is already in the shared group "${previous}"; a parameter can belong to one group only.`,
          );
        }
        owner.set(key, name);
        resolved.set(k, p);
      }
      if (resolved.size === 0) throw new InvalidInput(`sharedParameters[${i}]: the group "${name}" has no members.`);
      if (resolved.size === 1) warnSingleMember(name);
      if (groups.some((g) => g.name === name)) {
        throw new InvalidInput(
          `sharedParameters[${i}]: the shared parameter "${name}" is declared twice; merge the declarations.`,
        );
      }
      groups.push({ name, members: resolved });
    });
    return groups;
  }

  private parseDeclaration(
    entry: unknown,
    i: number,
    localNames: readonly (readonly string[])[],
  ): { name: string; members: [ModelKey, string | number][] } {
    const where = `sharedParameters[${i}]`;
    if (typeof entry === "string") {
      const members: [ModelKey, string][] = [];
      localNames.forEach((names, k) => {
        if (names.includes(entry)) members.push([k, entry]);
      });
      if (members.length === 0) {
        throw new InvalidInput(
          `${where}: no model has a parameter named "${entry}"; parameters: ${localNames.map((n, k) => `${this.members[k]?.analysis}: [${n.join(", ")}]`).join("; ")}.`,
        );
      }
      return { name: entry, members };
    }
    const firstName = (members: [ModelKey, string | number][]): string => {
      const [modelKey, parKey] = members[0] as [ModelKey, string | number];
      const k = this.resolveModelKey(modelKey);
      const p = resolveParameterKey(
        parKey,
        localNames[k] as readonly string[],
        this.members[k]?.analysis ?? String(k),
        i,
      );
      return (localNames[k] as readonly string[])[p] as string;
    };
    if (isPlainObject(entry)) {
      if ("members" in entry) {
        const members = readMembers(entry.members, where);
        if (entry.name !== undefined && typeof entry.name !== "string") {
          throw new InvalidInput(`${where}.name must be a string; got ${describeValue(entry.name)}.`);
        }
        if (members.length === 0) throw new InvalidInput(`${where}: "members" is empty; list at least one model.`);
        return { name: (entry.name as string | undefined) ?? firstName(members), members };
      }
      if ("name" in entry) {
        throw new InvalidInput(
          `${where}: a declaration with "name" needs "members" too, e.g. {name: "c1", members: {SR_A: 1, SR_B: "signal_par_0"}}.`,
        );
      }
      const members = readMembers(entry, where);
      if (members.length === 0) throw new InvalidInput(`${where}: the mapping is empty; list at least one model.`);
      return { name: firstName(members), members };
    }
    if (isArray(entry) && isPairList(entry)) {
      const members = readMembers(entry, where);
      if (members.length === 0) throw new InvalidInput(`${where}: the list of [model, parameter] pairs is empty.`);
      return { name: firstName(members), members };
    }
    throw new InvalidInput(
      `${where} cannot be read as a shared-parameter declaration (got ${describeValue(entry)}): use a parameter name, {name, members: {analysis: parameter}}, a mapping {analysis: parameter}, or a list of [analysis, parameter] pairs.`,
    );
  }

  /**
   * Combine with another correlated combination (spey's `@` on combinations): the models of both,
   * and the shared groups of both — groups with the same name are merged into one.
   */
  override combine(other: BackendBase): BackendBase {
    if (!(other instanceof CorrelatedCombiner)) {
      throw new InvalidInput(
        "a correlated combination combines with another correlated combination; to add a single model, build a new CorrelatedCombiner with it.",
      );
    }
    const models: CombinableModel[] = [...this.statisticalModels, ...other.statisticalModels];
    const merged = new Map<string, Record<string, number>>();
    for (const g of [...this.sharedParameterGroups, ...other.sharedParameterGroups]) {
      merged.set(g.name, { ...(merged.get(g.name) ?? {}), ...g.members });
    }
    return new CorrelatedCombiner({
      statisticalModels: models,
      sharedParameters: [...merged].map(([name, members]) => ({ name, members })),
      poiName: this.parameterNames[this.config().poiIndex] as string,
    });
  }
}

/** Alias with spey's class name. */
export { CorrelatedCombiner as CorrelatedStatisticsCombiner };

const isKey = (x: unknown) => typeof x === "string" || typeof x === "number";

function isPairList(x: readonly unknown[]): boolean {
  return x.length > 0 && x.every((p) => isArray(p) && p.length === 2 && isKey(p[0]) && isKey(p[1]));
}

function readMembers(raw: unknown, where: string): [ModelKey, string | number][] {
  if (isArray(raw)) {
    return raw.map((pair, j) => {
      if (!isArray(pair) || pair.length !== 2) {
        throw new InvalidInput(`${where}.members[${j}] must be a [model, parameter] pair; got ${describeValue(pair)}.`);
      }
      const [m, p] = pair as [unknown, unknown];
      if ((typeof m !== "string" && typeof m !== "number") || (typeof p !== "string" && typeof p !== "number")) {
        throw new InvalidInput(
          `${where}.members[${j}]: model and parameter must be names or indices; got ${describeValue(pair)}.`,
        );
      }
      return [m, p];
    });
  }
  if (isPlainObject(raw)) {
    return entriesOf(raw).map(([m, p]) => {
      if (typeof p !== "string" && typeof p !== "number") {
        throw new InvalidInput(
          `${where}: the parameter of "${m}" must be a name or an index; got ${describeValue(p)}.`,
        );
      }
      return [m, p];
    });
  }
  throw new InvalidInput(
    `${where}.members must be a mapping {analysis: parameter} or a list of [analysis, parameter] pairs.`,
  );
}

function resolveParameterKey(key: string | number, names: readonly string[], analysis: string, i: number): number {
  if (typeof key === "number") {
    if (!isInteger(key) || key < 0 || key >= names.length) {
      throw new InvalidInput(
        `sharedParameters[${i}]: parameter index ${key} is out of range for "${analysis}", which has ${names.length} parameters.`,
      );
    }
    return key;
  }
  const p = names.indexOf(key);
  if (p < 0) {
    throw new InvalidInput(
      `sharedParameters[${i}]: "${analysis}" has no parameter "${key}"; its parameters: [${names.join(", ")}].`,
    );
  }
  return p;
}
