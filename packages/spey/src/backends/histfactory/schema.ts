/**
 * The pyhf JSON specification, version 1.0.0 (pyhf docs, "HistFactory likelihood specification",
 * https://pyhf.readthedocs.io/en/v0.7.6/likelihood.html; schemas `workspace.json`, `defs.json`,
 * `patchset.json`, `jsonpatch.json`): TypeScript types and a validator of our own, whose errors name
 * the JSON path of the fault (`channels[0].samples[1].modifiers[2].data: expected {hi, lo}, …`).
 *
 * What is accepted and rejected follows pyhf's published schemas: workspace objects reject unknown
 * members; a patch set's `metadata` and each patch's `metadata` accept extra members (HEPData patch
 * sets carry e.g. `analysis_id`); `digests` holds `md5` (lower-case hex) and/or `sha256` (hex of
 * either case) and nothing else; `references` holds only `hepdata` (`ins` + 7 digits) and must not
 * be empty; labels and patch names match `^[a-zA-Z0-9_]+$`; the `lumi` modifier is named "lumi".
 * On top of the schema, {@link validateWorkspace} checks the consistency pyhf only discovers when
 * building a model: unique names, per-channel bin counts, and the lengths of per-bin modifier data;
 * and {@link validatePatchSet} what pyhf's `PatchSet` checks: unique names and values, one value per
 * label.
 */
import { formatJsonPath, type JsonPath, WorkspaceError } from "./errors.js";
import type { JsonPatch } from "./json-patch.js";
import { validateJsonPatch } from "./json-patch.js";
import {
  describeValue,
  MAX_JSON_DEPTH,
  nestedDeeperThan,
  isFiniteNumber,
  hasOwn,
  isArray,
  stringify,
} from "../../core/describe.js";

/** Documents nested deeper than any real one would overflow the recursive checks and copies. */
function refuseDeepNesting(v: unknown, what: string): void {
  if (nestedDeeperThan(v))
    throw new WorkspaceError([], `the ${what} is nested more than ${MAX_JSON_DEPTH} levels deep.`);
}

/** The modifier types of HistFactory, in pyhf's registration order (`pyhf.modifiers.histfactory_set`). */
export const MODIFIER_TYPES = [
  "histosys",
  "lumi",
  "normfactor",
  "normsys",
  "shapefactor",
  "shapesys",
  "staterror",
] as const;

export type ModifierType = (typeof MODIFIER_TYPES)[number];

/** A modifier of a sample (pyhf docs, "Modifiers"). */
export type ModifierSpec =
  | { name: string; type: "normfactor" | "shapefactor" | "lumi"; data: null }
  | { name: string; type: "normsys"; data: { hi: number; lo: number } }
  | { name: string; type: "histosys"; data: { hi_data: number[]; lo_data: number[] } }
  | { name: string; type: "shapesys" | "staterror"; data: number[] };

export interface SampleSpec {
  name: string;
  data: number[];
  modifiers: ModifierSpec[];
}

export interface ChannelSpec {
  name: string;
  samples: SampleSpec[];
}

export interface ObservationSpec {
  name: string;
  data: number[];
}

/** A parameter configuration of a measurement (pyhf `defs.json#/definitions/parameter`). */
export interface ParameterConfigSpec {
  name: string;
  inits?: number[];
  bounds?: [number, number][];
  auxdata?: number[];
  factors?: number[];
  sigmas?: number[];
  fixed?: boolean;
}

export interface MeasurementSpec {
  name: string;
  config: { poi: string; parameters: ParameterConfigSpec[] };
}

/** A pyhf workspace: the model (channels), the data (observations) and fit set-ups (measurements). */
export interface WorkspaceSpec {
  channels: ChannelSpec[];
  observations: ObservationSpec[];
  measurements: MeasurementSpec[];
  version: string;
}

/** A pyhf patch set (`patchset.json`): one JSON Patch per signal point, labelled by values. */
export interface PatchSetSpec {
  metadata: {
    description: string;
    digests: Record<string, string>;
    labels: string[];
    references: Record<string, string>;
    /** Extra members (e.g. `analysis_id`) are allowed, as in pyhf's schema. */
    [extra: string]: unknown;
  };
  patches: {
    metadata: { name: string; values: (number | string)[]; [extra: string]: unknown };
    patch: JsonPatch;
  }[];
  version: string;
}

/** The specification version of pyhf 0.7 (its schemas' `version` constant). */
export const SPEC_VERSION = "1.0.0";

/** Specification versions whose schemas this package implements (pyhf 0.7 knows only "1.0.0"). */
export const SUPPORTED_SPEC_VERSIONS: readonly string[] = [SPEC_VERSION];

/** pyhf's pattern for patch-set labels and patch names (`defs.json#/definitions/patchset`). */
const NAME_PATTERN = /^[a-zA-Z0-9_]+$/;

// -------------------------------------------------------------------------------------------------
// Primitive checks

function describe(v: unknown): string {
  if (v === null) return "null";
  if (isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `the string ${stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === "number") return `number ${describeValue(v)}`;
  return `${typeof v} ${String(v)}`;
}

function fail(path: JsonPath, message: string): never {
  throw new WorkspaceError(path, message);
}

/** An object with exactly the allowed members; `required` ones must be present. */
function object(
  v: unknown,
  path: JsonPath,
  required: readonly string[],
  optional: readonly string[] = [],
  shape?: string,
  additionalProperties = false,
): Record<string, unknown> {
  if (typeof v !== "object" || v === null || isArray(v)) {
    fail(path, `expected ${shape ?? `an object {${required.join(", ")}}`}; got ${describe(v)}.`);
  }
  const o = v as Record<string, unknown>;
  for (const key of required) {
    if (!hasOwn(o, key)) fail(path, `missing required member "${key}"${shape ? `; expected ${shape}` : ""}.`);
  }
  if (additionalProperties) return o;
  for (const key of Object.keys(o)) {
    if (!required.includes(key) && !optional.includes(key)) {
      fail(
        path,
        `unexpected member "${key}"; allowed members are ${[...required, ...optional].map((k) => `"${k}"`).join(", ")}.`,
      );
    }
  }
  return o;
}

function string(v: unknown, path: JsonPath): string {
  if (typeof v !== "string") fail(path, `expected a string; got ${describe(v)}.`);
  return v;
}

function number(v: unknown, path: JsonPath): number {
  if (!isFiniteNumber(v)) fail(path, `expected a finite number; got ${describe(v)}.`);
  return v as number;
}

function array(v: unknown, path: JsonPath, minItems = 0, what = "an array"): unknown[] {
  if (!isArray(v)) fail(path, `expected ${what}; got ${describe(v)}.`);
  if (v.length < minItems) fail(path, `expected at least ${minItems} entr${minItems === 1 ? "y" : "ies"}; got none.`);
  return v;
}

function numbers(v: unknown, path: JsonPath, minItems = 1): number[] {
  const a = array(v, path, minItems, "an array of numbers");
  a.forEach((x, i) => number(x, [...path, i]));
  return a as number[];
}

// -------------------------------------------------------------------------------------------------
// Specification objects

const SHAPES: Record<ModifierType, string> = {
  histosys: "{hi_data, lo_data} (two arrays of numbers)",
  lumi: "null",
  normfactor: "null",
  normsys: "{hi, lo} (two numbers)",
  shapefactor: "null",
  shapesys: "an array of numbers (absolute uncertainties per bin)",
  staterror: "an array of numbers (absolute uncertainties per bin)",
};

/** Validate one modifier (`defs.json#/definitions/modifier/*`). */
export function validateModifier(v: unknown, path: JsonPath): ModifierSpec {
  const o = object(v, path, ["name", "type", "data"], [], "a modifier {name, type, data}");
  string(o.name, [...path, "name"]);
  const type = o.type;
  if (typeof type !== "string" || !(MODIFIER_TYPES as readonly string[]).includes(type)) {
    fail(
      [...path, "type"],
      `unknown modifier type ${describeValue(type)}; expected one of ${MODIFIER_TYPES.join(", ")}.`,
    );
  }
  if (type === "lumi" && o.name !== "lumi") {
    fail(
      [...path, "name"],
      `a lumi modifier must be named "lumi" (pyhf's schema); got ${describe(o.name)}. Rename it, or use a normsys modifier for another normalisation.`,
    );
  }
  const dataPath = [...path, "data"];
  const data = o.data;
  switch (type as ModifierType) {
    case "normfactor":
    case "shapefactor":
    case "lumi":
      if (data !== null) fail(dataPath, `expected null for a ${type} modifier; got ${describe(data)}.`);
      break;
    case "normsys": {
      const d = object(data, dataPath, ["hi", "lo"], [], SHAPES.normsys);
      number(d.hi, [...dataPath, "hi"]);
      number(d.lo, [...dataPath, "lo"]);
      break;
    }
    case "histosys": {
      const d = object(data, dataPath, ["hi_data", "lo_data"], [], SHAPES.histosys);
      numbers(d.hi_data, [...dataPath, "hi_data"]);
      numbers(d.lo_data, [...dataPath, "lo_data"]);
      break;
    }
    case "shapesys":
    case "staterror":
      if (!isArray(data)) fail(dataPath, `expected ${SHAPES[type as ModifierType]}; got ${describe(data)}.`);
      numbers(data, dataPath);
      break;
  }
  return o as unknown as ModifierSpec;
}

function validateSample(v: unknown, path: JsonPath): SampleSpec {
  const o = object(v, path, ["name", "data", "modifiers"], [], "a sample {name, data, modifiers}");
  string(o.name, [...path, "name"]);
  numbers(o.data, [...path, "data"]);
  array(o.modifiers, [...path, "modifiers"]).forEach((m, i) => validateModifier(m, [...path, "modifiers", i]));
  return o as unknown as SampleSpec;
}

function validateChannel(v: unknown, path: JsonPath): ChannelSpec {
  const o = object(v, path, ["name", "samples"], [], "a channel {name, samples}");
  string(o.name, [...path, "name"]);
  array(o.samples, [...path, "samples"], 1).forEach((s, i) => validateSample(s, [...path, "samples", i]));
  return o as unknown as ChannelSpec;
}

function validateObservation(v: unknown, path: JsonPath): ObservationSpec {
  const o = object(v, path, ["name", "data"], [], "an observation {name, data}");
  string(o.name, [...path, "name"]);
  numbers(o.data, [...path, "data"]);
  return o as unknown as ObservationSpec;
}

const PARAMETER_MEMBERS = ["inits", "bounds", "auxdata", "factors", "sigmas", "fixed"] as const;

/** Validate a measurement's parameter configuration (`defs.json#/definitions/parameter`). */
export function validateParameterConfig(v: unknown, path: JsonPath): ParameterConfigSpec {
  const o = object(v, path, ["name"], PARAMETER_MEMBERS, "a parameter configuration {name, inits?, bounds?, ...}");
  string(o.name, [...path, "name"]);
  for (const key of ["inits", "auxdata", "factors", "sigmas"] as const) {
    if (hasOwn(o, key)) numbers(o[key], [...path, key]);
  }
  if (hasOwn(o, "sigmas")) {
    (o.sigmas as number[]).forEach((s, i) => {
      if (!(s > 0)) fail([...path, "sigmas", i], `a constraint width must be positive; got ${s}.`);
    });
  }
  if (hasOwn(o, "bounds")) {
    array(o.bounds, [...path, "bounds"], 1, "an array of [lower, upper] pairs").forEach((b, i) => {
      const bp = [...path, "bounds", i];
      const pair = array(b, bp, 0, "a [lower, upper] pair");
      if (pair.length !== 2) fail(bp, `expected a [lower, upper] pair; got ${describe(b)}.`);
      const lo = number(pair[0], [...bp, 0]);
      const hi = number(pair[1], [...bp, 1]);
      if (lo > hi) fail(bp, `lower bound ${lo} exceeds upper bound ${hi}.`);
    });
  }
  if (hasOwn(o, "fixed") && typeof o.fixed !== "boolean") {
    fail([...path, "fixed"], `expected true or false; got ${describe(o.fixed)}.`);
  }
  return o as unknown as ParameterConfigSpec;
}

/** Validate a measurement (`defs.json#/definitions/measurement`). */
export function validateMeasurement(v: unknown, path: JsonPath = []): MeasurementSpec {
  const o = object(v, path, ["name", "config"], [], "a measurement {name, config: {poi, parameters}}");
  string(o.name, [...path, "name"]);
  const config = object(
    o.config,
    [...path, "config"],
    ["poi", "parameters"],
    [],
    "a measurement config {poi, parameters}",
  );
  string(config.poi, [...path, "config", "poi"]);
  const seen = new Map<string, number>();
  array(config.parameters, [...path, "config", "parameters"]).forEach((p, i) => {
    const pp = [...path, "config", "parameters", i];
    const spec = validateParameterConfig(p, pp);
    const previous = seen.get(spec.name);
    if (previous !== undefined) {
      fail(pp, `multiple parameter configurations for "${spec.name}" (also parameters[${previous}]).`);
    }
    seen.set(spec.name, i);
  });
  return o as unknown as MeasurementSpec;
}

function uniqueNames(items: readonly { name: string }[], path: JsonPath, what: string): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const previous = seen.get(item.name);
    if (previous !== undefined) {
      fail(
        [...path, i, "name"],
        `duplicate ${what} name "${item.name}" (also ${formatJsonPath([...path, previous])}).`,
      );
    }
    seen.set(item.name, i);
  });
}

function checkVersion(version: unknown, what: string): void {
  if (typeof version !== "string" || !SUPPORTED_SPEC_VERSIONS.includes(version)) {
    fail(
      ["version"],
      `unsupported ${what} version ${describe(version)}; expected ${SUPPORTED_SPEC_VERSIONS.map((v) => `"${v}"`).join(" or ")} (the version pyhf 0.7 writes).`,
    );
  }
}

/**
 * Check a value against the workspace schema and its consistency rules; returns it typed (not
 * copied). Throws {@link WorkspaceError} naming the first fault's JSON path.
 */
export function validateWorkspace(v: unknown): WorkspaceSpec {
  refuseDeepNesting(v, "workspace");
  const o = object(
    v,
    [],
    ["channels", "observations", "measurements", "version"],
    [],
    "a workspace {channels, observations, measurements, version}",
  );
  checkVersion(o.version, "specification");
  const channels = array(o.channels, ["channels"], 1).map((c, i) => validateChannel(c, ["channels", i]));
  const observations = array(o.observations, ["observations"], 1).map((x, i) =>
    validateObservation(x, ["observations", i]),
  );
  const measurements = array(o.measurements, ["measurements"], 1).map((m, i) =>
    validateMeasurement(m, ["measurements", i]),
  );
  uniqueNames(channels, ["channels"], "channel");
  uniqueNames(observations, ["observations"], "observation");
  uniqueNames(measurements, ["measurements"], "measurement");
  channels.forEach((channel, c) => checkChannelConsistency(channel, ["channels", c]));
  return o as unknown as WorkspaceSpec;
}

/** Bin counts and per-bin modifier data lengths of one channel; unique samples and modifiers. */
export function checkChannelConsistency(channel: ChannelSpec, path: JsonPath): void {
  uniqueNames(channel.samples, [...path, "samples"], "sample");
  const nbins = (channel.samples[0] as SampleSpec).data.length;
  channel.samples.forEach((sample, s) => {
    const sp = [...path, "samples", s];
    if (sample.data.length !== nbins) {
      fail(
        [...sp, "data"],
        `sample "${sample.name}" has ${sample.data.length} bins but channel "${channel.name}" has ${nbins} (the length of its first sample).`,
      );
    }
    const seen = new Map<string, number>();
    sample.modifiers.forEach((m, k) => {
      const mp = [...sp, "modifiers", k];
      const key = `${m.type}/${m.name}`;
      const previous = seen.get(key);
      if (previous !== undefined) {
        fail(
          mp,
          `the ${m.type} modifier "${m.name}" is listed twice on sample "${sample.name}" (also modifiers[${previous}]).`,
        );
      }
      seen.set(key, k);
      const expectLength = (arr: number[], p: JsonPath) => {
        if (arr.length !== sample.data.length) {
          fail(p, `has ${arr.length} entries but sample "${sample.name}" has ${sample.data.length} bins.`);
        }
      };
      if (m.type === "histosys") {
        expectLength(m.data.hi_data, [...mp, "data", "hi_data"]);
        expectLength(m.data.lo_data, [...mp, "data", "lo_data"]);
      } else if (m.type === "shapesys" || m.type === "staterror") {
        expectLength(m.data, [...mp, "data"]);
        m.data.forEach((u, i) => {
          if (u < 0) fail([...mp, "data", i], `an uncertainty must be ≥ 0; got ${u}.`);
        });
      }
    });
  });
}

/**
 * Validate a pyhf patch set (`patchset.json`, pyhf's `PatchSet`): metadata (extra members allowed),
 * patches (each a valid JSON Patch, metadata with extra members allowed), version.
 */
export function validatePatchSet(v: unknown): PatchSetSpec {
  refuseDeepNesting(v, "patch set");
  const o = object(v, [], ["metadata", "patches", "version"], [], "a patch set {metadata, patches, version}");
  checkVersion(o.version, "patch set");
  const meta = object(
    o.metadata,
    ["metadata"],
    ["description", "digests", "labels", "references"],
    [],
    "patch set metadata {description, digests, labels, references, ...}",
    true,
  );
  string(meta.description, ["metadata", "description"]);
  const digests = object(meta.digests, ["metadata", "digests"], [], ["md5", "sha256"], "digests {sha256?, md5?}");
  if (Object.keys(digests).length === 0) fail(["metadata", "digests"], "expected at least one digest (sha256 or md5).");
  if (
    digests.sha256 !== undefined &&
    !/^[a-fA-F0-9]{64}$/.test(string(digests.sha256, ["metadata", "digests", "sha256"]))
  ) {
    fail(["metadata", "digests", "sha256"], "expected 64 hexadecimal digits.");
  }
  if (digests.md5 !== undefined && !/^[a-f0-9]{32}$/.test(string(digests.md5, ["metadata", "digests", "md5"]))) {
    fail(["metadata", "digests", "md5"], "expected 32 lower-case hexadecimal digits.");
  }
  const labels = array(meta.labels, ["metadata", "labels"], 1).map((l, i) => {
    const label = string(l, ["metadata", "labels", i]);
    if (!NAME_PATTERN.test(label)) {
      fail(["metadata", "labels", i], `a label may contain only letters, digits and "_"; got ${describe(label)}.`);
    }
    return label;
  });
  const references = object(
    meta.references,
    ["metadata", "references"],
    [],
    ["hepdata"],
    'references {hepdata: "ins…"}',
  );
  if (Object.keys(references).length === 0) {
    fail(["metadata", "references"], 'expected at least one reference, e.g. {"hepdata": "ins1234567"}.');
  }
  if (
    references.hepdata !== undefined &&
    !/^ins[0-9]{7}$/.test(string(references.hepdata, ["metadata", "references", "hepdata"]))
  ) {
    fail(
      ["metadata", "references", "hepdata"],
      `expected an INSPIRE record id "ins" followed by 7 digits (e.g. "ins1234567"); got ${describe(references.hepdata)}.`,
    );
  }
  const names = new Map<string, number>();
  const values = new Map<string, number>();
  array(o.patches, ["patches"], 1).forEach((p, i) => {
    const pp: JsonPath = ["patches", i];
    const patch = object(p, pp, ["metadata", "patch"], [], "a patch {metadata: {name, values}, patch}");
    const pm = object(
      patch.metadata,
      [...pp, "metadata"],
      ["name", "values"],
      [],
      "patch metadata {name, values, ...}",
      true,
    );
    const name = string(pm.name, [...pp, "metadata", "name"]);
    if (!NAME_PATTERN.test(name)) {
      fail(
        [...pp, "metadata", "name"],
        `a patch name may contain only letters, digits and "_"; got ${describe(name)}.`,
      );
    }
    const vals = array(pm.values, [...pp, "metadata", "values"], 0, "an array of numbers or strings");
    vals.forEach((x, k) => {
      if (typeof x !== "string") number(x, [...pp, "metadata", "values", k]);
    });
    if (vals.length !== labels.length) {
      fail(
        [...pp, "metadata", "values"],
        `patch "${name}" has ${vals.length} values but the patch set has ${labels.length} labels (${labels.join(", ")}).`,
      );
    }
    const prevName = names.get(name);
    if (prevName !== undefined)
      fail([...pp, "metadata", "name"], `duplicate patch name "${name}" (also patches[${prevName}]).`);
    names.set(name, i);
    const key = stringify(vals);
    const prevValues = values.get(key);
    if (prevValues !== undefined) {
      fail([...pp, "metadata", "values"], `duplicate values ${key} (also patches[${prevValues}]).`);
    }
    values.set(key, i);
    validateJsonPatch(patch.patch, formatJsonPath([...pp, "patch"]));
  });
  return o as unknown as PatchSetSpec;
}
