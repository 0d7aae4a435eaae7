/**
 * pyhf workspaces (pyhf docs "Workspaces"; `pyhf.Workspace`): the model (channels), the observed
 * data (observations) and fit configurations (measurements), with the operations pyhf offers on
 * them — measurement selection, JSON patches, pruning, renaming, combination and sorting.
 *
 * A {@link Workspace} is immutable: it validates and copies its specification on construction, and
 * every operation returns a new workspace.
 */
import { InvalidInput } from "../../core/errors.js";
import { logWarning } from "../../core/logger.js";
import { candidateDigests, digestOfJsonText } from "./digest.js";
import { InvalidWorkspaceOperation, type JsonPath, WorkspaceError } from "./errors.js";
import { applyJsonPatch, cloneJson, jsonEqual } from "./json-patch.js";
import { HistFactoryModel } from "./model.js";
import { type ModifierSettings, resolveModifierSettings } from "./modifier-settings.js";
import {
  type ChannelSpec,
  type MeasurementSpec,
  MODIFIER_TYPES,
  type ModifierType,
  validateMeasurement,
  validateWorkspace,
  type WorkspaceSpec,
} from "./schema.js";
import { nodeFs } from "../../core/node-fs.js";
import { pushAll } from "../../core/arrays.js";
import { describeValue, isInteger, entriesOf } from "../../core/describe.js";

/** Which measurement of a workspace to use (pyhf's `get_measurement`). */
export interface MeasurementSelection {
  /** Name of a measurement of the workspace. */
  readonly measurementName?: string;
  /** Index of a measurement of the workspace. */
  readonly measurementIndex?: number;
  /** Build a new measurement with this POI and no parameter configuration. */
  readonly poiName?: string;
}

/** Options of {@link Workspace.model}. */
export interface WorkspaceModelOptions extends MeasurementSelection {
  /** Interpolation codes; default normsys "code4", histosys "code4p" (pyhf's defaults). */
  readonly modifierSettings?: ModifierSettings;
}

/** pyhf's join operations for {@link Workspace.combine}. */
export type JoinOperation = "none" | "outer" | "left outer" | "right outer";

const JOINS: readonly JoinOperation[] = ["none", "outer", "left outer", "right outer"];

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Read and parse a JSON file, with errors naming the file. */
export function readJsonFile(path: string): { value: unknown; text: string } {
  let text: string;
  try {
    text = nodeFs(`reading ${path}`).readFileSync(path, "utf8");
  } catch (error) {
    throw new InvalidInput(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return { value: JSON.parse(text), text };
  } catch (error) {
    throw new InvalidInput(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

export class Workspace {
  readonly #spec: WorkspaceSpec;
  /** The JSON text the workspace was read from, when known (exact digests). */
  readonly #sourceText: string | undefined;

  /**
   * Validate (schema and consistency; errors name the JSON path) and copy a workspace specification.
   * `sourceText` is the JSON text it was parsed from, if any.
   */
  constructor(spec: unknown, options: { sourceText?: string } = {}) {
    this.#spec = cloneJson(validateWorkspace(spec));
    this.#sourceText = options.sourceText;
  }

  /** Parse a workspace from JSON text. */
  static fromJSON(text: string, source = "workspace"): Workspace {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new InvalidInput(`${source} is not valid JSON: ${(error as Error).message}`);
    }
    return new Workspace(value, { sourceText: text });
  }

  /** Read a workspace file. Errors name the file. */
  static fromFile(path: string): Workspace {
    const { value, text } = readJsonFile(path);
    try {
      return new Workspace(value, { sourceText: text });
    } catch (error) {
      if (error instanceof WorkspaceError) throw new WorkspaceError(error.jsonPath, `${error.detail} (in ${path})`);
      throw error;
    }
  }

  /** A workspace from a specification object, a {@link Workspace}, or a file path. */
  static from(value: unknown): Workspace {
    if (value instanceof Workspace) return value;
    if (typeof value === "string") return Workspace.fromFile(value);
    return new Workspace(value);
  }

  /** A deep copy of the specification. */
  toJSON(): WorkspaceSpec {
    return cloneJson(this.#spec);
  }

  get version(): string {
    return this.#spec.version;
  }

  /** Channel names, in the workspace's order. */
  get channels(): string[] {
    return this.#spec.channels.map((c) => c.name);
  }

  /** Number of bins of each channel. */
  get channelNbins(): Record<string, number> {
    return Object.fromEntries(
      this.#spec.channels.map((c) => [c.name, (c.samples[0] as { data: number[] }).data.length]),
    );
  }

  /** Sample names (sorted, unique; pyhf's `samples`). */
  get samples(): string[] {
    return [...new Set(this.#spec.channels.flatMap((c) => c.samples.map((s) => s.name)))].sort();
  }

  /**
   * The POI of the selected measurement when no modifier of the workspace carries it: the workspace
   * is a background-only one (HEPData's `BkgOnly.json`), valid as pyhf's schema says, whose POI
   * only a signal patch adds. `undefined` when the POI is a parameter of the workspace.
   */
  missingPoi(selection: MeasurementSelection = {}): string | undefined {
    const poi = this.getMeasurement(selection).measurement.config.poi;
    return this.modifiers.some(([name]) => name === poi) ? undefined : poi;
  }

  /** `[name, type]` of every modifier (sorted, unique; pyhf's `modifiers`). */
  get modifiers(): [string, ModifierType][] {
    const seen = new Map<string, [string, ModifierType]>();
    for (const c of this.#spec.channels) {
      for (const s of c.samples) for (const m of s.modifiers) seen.set(`${m.name}\u0000${m.type}`, [m.name, m.type]);
    }
    return [...seen.values()].sort((a, b) =>
      a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
    );
  }

  get measurementNames(): string[] {
    return this.#spec.measurements.map((m) => m.name);
  }

  /** Observed data by channel name. */
  get observations(): Record<string, number[]> {
    return Object.fromEntries(this.#spec.observations.map((o) => [o.name, [...o.data]]));
  }

  /**
   * The measurement to use (pyhf's `get_measurement`): a new one for `poiName`, the one called
   * `measurementName`, the one at `measurementIndex`, or the first (with a warning when there
   * are several). Returns a copy and its JSON path.
   */
  getMeasurement(selection: MeasurementSelection = {}): { measurement: MeasurementSpec; path: JsonPath } {
    if (selection.poiName !== undefined) {
      const measurement = { name: "NormalMeasurement", config: { poi: selection.poiName, parameters: [] } };
      return { measurement: validateMeasurement(measurement, ["measurement"]), path: ["measurement"] };
    }
    const names = this.measurementNames;
    if (selection.measurementName !== undefined) {
      const i = names.indexOf(selection.measurementName);
      if (i < 0) {
        throw new InvalidInput(
          `no measurement named "${selection.measurementName}" in the workspace; available: ${names.join(", ")}.`,
        );
      }
      return { measurement: cloneJson(this.#spec.measurements[i] as MeasurementSpec), path: ["measurements", i] };
    }
    const index = selection.measurementIndex ?? 0;
    if (selection.measurementIndex === undefined && names.length > 1) {
      logWarning(
        `The workspace defines ${names.length} measurements (${names.join(", ")}); using the first, "${names[0]}".`,
      );
    }
    if (!isInteger(index) || index < 0 || index >= names.length) {
      throw new InvalidInput(
        `measurement index ${index} is out of range: the workspace has ${names.length} measurement(s).`,
      );
    }
    return { measurement: cloneJson(this.#spec.measurements[index] as MeasurementSpec), path: ["measurements", index] };
  }

  /** The HistFactory model of a measurement (pyhf's `Workspace.model`). */
  model(options: WorkspaceModelOptions = {}): HistFactoryModel {
    const { measurement, path } = this.getMeasurement(options);
    return HistFactoryModel.build(this.#spec, {
      measurement,
      measurementPath: path,
      settings: resolveModifierSettings(options.modifierSettings),
    });
  }

  /**
   * Observed data ordered as `model`'s channels (by name), followed by the model's nominal
   * auxiliary data unless `includeAuxdata` is false (pyhf's `Workspace.data`).
   */
  data(model: HistFactoryModel, options: { includeAuxdata?: boolean } = {}): number[] {
    const obs = this.observations;
    const out: number[] = [];
    for (const c of model.channels) {
      const d = obs[c.name];
      if (!d) throw new InvalidInput(`the workspace has no observation for channel "${c.name}" of the model.`);
      pushAll(out, d);
    }
    if (options.includeAuxdata ?? true) pushAll(out, model.auxdata);
    return out;
  }

  /**
   * Apply a JSON Patch (RFC 6902) to the whole workspace document and validate the result. pyhf
   * applies model patches to `{channels, parameters}`; paths under `/channels` are the same here.
   */
  patch(patch: unknown, label = "patch"): Workspace {
    const patched = applyJsonPatch(this.#spec, patch, label);
    try {
      return new Workspace(patched);
    } catch (error) {
      if (error instanceof WorkspaceError) {
        throw new WorkspaceError(error.jsonPath, `${error.detail} (in the workspace after applying ${label})`);
      }
      throw error;
    }
  }

  /**
   * Remove modifiers (by name or type), samples, channels (and their observations) or measurements
   * (pyhf's `Workspace.prune`). Names that do not exist are an error.
   */
  prune(options: {
    modifiers?: readonly string[];
    modifierTypes?: readonly string[];
    samples?: readonly string[];
    channels?: readonly string[];
    measurements?: readonly string[];
  }): Workspace {
    return this.#pruneAndRename({ prune: options, rename: {} });
  }

  /** Rename modifiers, samples, channels or measurements (pyhf's `Workspace.rename`). */
  rename(options: {
    modifiers?: Readonly<Record<string, string>>;
    samples?: Readonly<Record<string, string>>;
    channels?: Readonly<Record<string, string>>;
    measurements?: Readonly<Record<string, string>>;
  }): Workspace {
    return this.#pruneAndRename({ prune: {}, rename: options });
  }

  #pruneAndRename(request: {
    prune: {
      modifiers?: readonly string[];
      modifierTypes?: readonly string[];
      samples?: readonly string[];
      channels?: readonly string[];
      measurements?: readonly string[];
    };
    rename: {
      modifiers?: Readonly<Record<string, string>>;
      samples?: Readonly<Record<string, string>>;
      channels?: Readonly<Record<string, string>>;
      measurements?: Readonly<Record<string, string>>;
    };
  }): Workspace {
    const p = {
      modifiers: new Set(request.prune.modifiers ?? []),
      modifierTypes: new Set(request.prune.modifierTypes ?? []),
      samples: new Set(request.prune.samples ?? []),
      channels: new Set(request.prune.channels ?? []),
      measurements: new Set(request.prune.measurements ?? []),
    };
    const r = {
      modifiers: new Map(entriesOf(request.rename.modifiers ?? {})),
      samples: new Map(entriesOf(request.rename.samples ?? {})),
      channels: new Map(entriesOf(request.rename.channels ?? {})),
      measurements: new Map(entriesOf(request.rename.measurements ?? {})),
    };
    const modifierNames = new Set(this.modifiers.map(([name]) => name));
    const modifierTypes = new Set(this.modifiers.map(([, type]) => type as string));
    for (const type of p.modifierTypes) {
      if (!modifierTypes.has(type)) {
        throw new InvalidWorkspaceOperation(
          `${type} is not one of the modifier types in this workspace (${[...modifierTypes].join(", ")}; known types: ${MODIFIER_TYPES.join(", ")}).`,
        );
      }
    }
    const check = (names: Iterable<string>, available: Set<string> | string[], what: string) => {
      const set = available instanceof Set ? available : new Set(available);
      for (const name of names) {
        if (!set.has(name)) throw new InvalidWorkspaceOperation(`${name} is not one of the ${what} in this workspace.`);
      }
    };
    check([...p.modifiers, ...r.modifiers.keys()], modifierNames, "modifiers");
    check([...p.samples, ...r.samples.keys()], this.samples, "samples");
    check([...p.channels, ...r.channels.keys()], this.channels, "channels");
    check([...p.measurements, ...r.measurements.keys()], this.measurementNames, "measurements");
    const rn = (map: Map<string, string>, name: string) => map.get(name) ?? name;
    const spec: WorkspaceSpec = {
      channels: this.#spec.channels
        .filter((c) => !p.channels.has(c.name))
        .map((c) => ({
          name: rn(r.channels, c.name),
          samples: c.samples
            .filter((s) => !p.samples.has(s.name))
            .map((s) => ({
              name: rn(r.samples, s.name),
              data: [...s.data],
              modifiers: s.modifiers
                .filter((m) => !p.modifiers.has(m.name) && !p.modifierTypes.has(m.type))
                .map((m) => ({ ...cloneJson(m), name: rn(r.modifiers, m.name) })),
            })),
        })),
      measurements: this.#spec.measurements
        .filter((m) => !p.measurements.has(m.name))
        .map((m) => ({
          name: rn(r.measurements, m.name),
          config: {
            parameters: m.config.parameters
              .filter((x) => !p.modifiers.has(x.name))
              .map((x) => ({ ...cloneJson(x), name: rn(r.modifiers, x.name) })),
            poi: rn(r.modifiers, m.config.poi),
          },
        })),
      observations: this.#spec.observations
        .filter((o) => !p.channels.has(o.name))
        .map((o) => ({ ...cloneJson(o), name: rn(r.channels, o.name) })),
      version: this.#spec.version,
    };
    return new Workspace(spec);
  }

  /**
   * Combine two workspaces (pyhf's `Workspace.combine`): the union of channels, observations and
   * measurements. `join` decides what happens to items with the same name: "none" forbids them,
   * "outer" keeps identical items once (and merges the parameter configurations of same-named
   * measurements with the same POI), "left outer"/"right outer" keep the left/right item.
   * `mergeChannels` (outer joins only) merges the samples of same-named channels instead.
   */
  static combine(
    left: Workspace,
    right: Workspace,
    options: { join?: JoinOperation; mergeChannels?: boolean } = {},
  ): Workspace {
    const join = options.join ?? "none";
    if (!JOINS.includes(join)) {
      throw new InvalidWorkspaceOperation(
        `join must be one of ${JOINS.map((j) => `"${j}"`).join(", ")}; got ${describeValue(join)}.`,
      );
    }
    const merge = options.mergeChannels ?? false;
    if (merge && join === "none") {
      throw new InvalidWorkspaceOperation(
        'mergeChannels needs an outer join ("outer", "left outer" or "right outer").',
      );
    }
    if (join === "left outer" || join === "right outer") {
      logWarning(
        "You are using an unsafe join operation: items present in both workspaces are silently taken from one side.",
      );
    }
    const a = left.#spec;
    const b = right.#spec;
    if (a.version !== b.version) {
      throw new InvalidWorkspaceOperation(
        `Workspaces of different versions cannot be combined: ${a.version} != ${b.version}.`,
      );
    }
    const channels = joinItems(join, a.channels, b.channels, merge ? "samples" : undefined) as ChannelSpec[];
    checkJoin(join, a.channels, b.channels, channels, "channels");
    const observations = joinItems(join, a.observations, b.observations);
    checkJoin(join, a.observations, b.observations, observations, "observations");
    const measurements = joinMeasurements(join, a.measurements, b.measurements);
    return new Workspace({ channels, observations, measurements, version: a.version });
  }

  /** A copy with channels, samples, modifiers, measurements, parameters and observations sorted by name. */
  static sorted(workspace: Workspace): Workspace {
    const spec = workspace.toJSON();
    spec.channels.sort(byName);
    for (const c of spec.channels) {
      c.samples.sort(byName);
      for (const s of c.samples) {
        s.modifiers.sort((x, y) => byName(x, y) || (x.type < y.type ? -1 : x.type > y.type ? 1 : 0));
      }
    }
    spec.measurements.sort(byName);
    for (const m of spec.measurements) m.config.parameters.sort(byName);
    spec.observations.sort(byName);
    return new Workspace(spec);
  }

  /**
   * pyhf's sha256 digest of the workspace (`pyhf.utils.digest`, used by patch sets). Exact when the
   * workspace was read from JSON text and not modified since; otherwise integral numbers are taken
   * to have been written as floats (`50.0`), as pyhf writes them.
   */
  digest(): string {
    return this.#sourceText !== undefined
      ? digestOfJsonText(this.#sourceText)
      : (candidateDigests(this.#spec)[0] as string);
  }

  /** Every digest the workspace may have in pyhf (see {@link digest}). */
  possibleDigests(): string[] {
    return this.#sourceText !== undefined ? [digestOfJsonText(this.#sourceText)] : candidateDigests(this.#spec);
  }
}

type Named = { name: string } & Record<string, unknown>;

/** pyhf's `_join_items` (with its deep merge of same-named items' `deepMergeKey` lists). */
function joinItems<T extends { name: string }>(
  join: JoinOperation,
  leftItems: readonly T[],
  rightItems: readonly T[],
  deepMergeKey?: string,
): T[] {
  const [primary, secondary] = join === "right outer" ? [rightItems, leftItems] : [leftItems, rightItems];
  const joined = primary.map((x) => cloneJson(x));
  const keys = joined.map((x) => x.name);
  for (const item of secondary) {
    const at = keys.indexOf(item.name);
    if (at >= 0 && deepMergeKey !== undefined) {
      const target = joined[at] as unknown as Named;
      target[deepMergeKey] = joinItems(
        "left outer",
        target[deepMergeKey] as Named[],
        (item as unknown as Named)[deepMergeKey] as Named[],
      );
    } else if (
      join === "none" ||
      (join === "outer" && !primary.some((p) => jsonEqual(p, item))) ||
      ((join === "left outer" || join === "right outer") && at < 0)
    ) {
      joined.push(cloneJson(item));
      keys.push(item.name);
    }
  }
  return joined;
}

/** Names that occur more than once, in order of first occurrence. */
function repeatedNames(items: readonly { name: string }[]): string[] {
  const counts = new Map<string, number>();
  for (const x of items) counts.set(x.name, (counts.get(x.name) ?? 0) + 1);
  return [...counts].filter(([, c]) => c > 1).map(([n]) => n);
}

function checkJoin(
  join: JoinOperation,
  left: readonly { name: string }[],
  right: readonly { name: string }[],
  joined: readonly { name: string }[],
  what: string,
): void {
  if (join === "none") {
    const common = left.map((x) => x.name).filter((n) => right.some((y) => y.name === n));
    if (common.length > 0) {
      throw new InvalidWorkspaceOperation(
        `Workspaces cannot have any ${what} in common with the same name: ${common.join(", ")}. You can also try a different join operation: ${JOINS.join(", ")}.`,
      );
    }
  } else if (join === "outer") {
    const incompatible = repeatedNames(joined);
    if (incompatible.length > 0) {
      throw new InvalidWorkspaceOperation(
        `Workspaces cannot have ${what} in common with incompatible structure: ${incompatible.join(", ")}. You can also try a different join operation: ${JOINS.join(", ")}.`,
      );
    }
  }
}

/** pyhf's `_join_measurements`: same-named measurements merge their parameter configurations (outer join). */
function joinMeasurements(
  join: JoinOperation,
  left: readonly MeasurementSpec[],
  right: readonly MeasurementSpec[],
): MeasurementSpec[] {
  const joined = joinItems(join, left, right);
  if (join === "none") {
    checkJoin(join, left, right, joined, "measurements");
    return joined;
  }
  if (join !== "outer") return joined;
  const groups = new Map<string, MeasurementSpec[]>();
  for (const m of joined) {
    const list = groups.get(m.name);
    if (list) list.push(m);
    else groups.set(m.name, [m]);
  }
  const incompatiblePoi = [...groups].filter(([, ms]) => new Set(ms.map((m) => m.config.poi)).size > 1).map(([n]) => n);
  if (incompatiblePoi.length > 0) {
    throw new InvalidWorkspaceOperation(
      `Workspaces cannot have the same measurements with incompatible POI: ${incompatiblePoi.join(", ")}.`,
    );
  }
  const out: MeasurementSpec[] = [];
  for (const [name, ms] of groups) {
    if (ms.length === 1) {
      out.push(ms[0] as MeasurementSpec);
      continue;
    }
    // Names are unique within each workspace, so a group holds one left and one right measurement.
    const parameters = joinItems(
      "outer",
      (ms[0] as MeasurementSpec).config.parameters,
      (ms[1] as MeasurementSpec).config.parameters,
    );
    const incompatible = repeatedNames(parameters);
    if (incompatible.length > 0) {
      throw new InvalidWorkspaceOperation(
        `Workspaces cannot have a measurement (${name}) with incompatible parameter configs: ${incompatible.join(", ")}. You can also try a different join operation: ${JOINS.join(", ")}.`,
      );
    }
    out.push({ name, config: { poi: (ms[0] as MeasurementSpec).config.poi, parameters } });
  }
  return out;
}
