/**
 * pyhf patch sets (pyhf docs "Patch sets"; `pyhf.patchset.PatchSet`, schema `patchset.json`): the
 * signal hypotheses of an analysis as JSON Patches of one background-only workspace, each named and
 * labelled by the values of the patch set's `labels` (e.g. masses). The metadata records the digest
 * of the workspace the patches were made for; {@link PatchSet.apply} checks it by default.
 */
import { InvalidInput, SpeyError } from "../../core/errors.js";
import { PatchSetVerificationError } from "./errors.js";
import type { JsonPatch } from "./json-patch.js";
import { cloneJson } from "./json-patch.js";
import { type PatchSetSpec, validatePatchSet } from "./schema.js";
import { readJsonFile, type Workspace } from "./workspace.js";
import { describeValue, hasOwn, isArray } from "../../core/describe.js";

/** One patch of a patch set. */
export interface PatchSetEntry {
  readonly name: string;
  readonly values: readonly (number | string)[];
  readonly patch: JsonPatch;
  /** The patch's other metadata members (pyhf allows any), e.g. a cross section. */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** How to pick a patch: its name, or its values (one per label). */
export type PatchKey = string | readonly (number | string)[];

export class PatchSet {
  declare readonly description: string;
  declare readonly digests: Readonly<Record<string, string>>;
  declare readonly labels: readonly string[];
  declare readonly references: Readonly<Record<string, string>>;
  declare readonly patches: readonly PatchSetEntry[];
  declare readonly version: string;
  /** The metadata's other members (pyhf allows any; HEPData patch sets carry e.g. `analysis_id`). */
  declare readonly metadata: Readonly<Record<string, unknown>>;

  /** Validate a patch set (errors name the JSON path) and copy it. */
  constructor(spec: unknown) {
    const s = cloneJson(validatePatchSet(spec));
    const { description, digests, labels, references, ...extra } = s.metadata;
    this.description = description;
    this.digests = digests;
    this.labels = labels;
    this.references = references;
    this.metadata = extra;
    this.patches = s.patches.map((p) => {
      const { name, values, ...rest } = p.metadata;
      return { name, values, patch: p.patch, metadata: rest };
    });
    this.version = s.version;
  }

  /** The analysis identifier of HEPData patch sets (`metadata.analysis_id`), when present. */
  get analysisId(): string | undefined {
    const id = this.metadata.analysis_id;
    return typeof id === "string" ? id : undefined;
  }

  /**
   * Parse a patch set from JSON text (pyhf's `PatchSet(json.loads(text))`); `source` names the
   * input in error messages.
   */
  static fromJSON(text: string, source = "patch set"): PatchSet {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new InvalidInput(`${source} is not valid JSON: ${(error as Error).message}`);
    }
    try {
      return new PatchSet(value);
    } catch (error) {
      if (error instanceof SpeyError) throw withSource(error, source);
      throw error;
    }
  }

  /** A patch set from a specification object or a {@link PatchSet}. */
  static from(value: unknown): PatchSet {
    return value instanceof PatchSet ? value : new PatchSet(value);
  }

  /** Read a patch set file. */
  static fromFile(path: string): PatchSet {
    return new PatchSet(readJsonFile(path).value);
  }

  /** Whether a JSON value looks like a patch set (rather than a plain JSON Patch). */
  static isPatchSet(value: unknown): boolean {
    return typeof value === "object" && value !== null && !isArray(value) && hasOwn(value, "patches");
  }

  /** Patch names, in order. */
  get names(): string[] {
    return this.patches.map((p) => p.name);
  }

  /** The patch with this name, or with these values. */
  get(key: PatchKey): PatchSetEntry {
    const found =
      typeof key === "string"
        ? this.patches.find((p) => p.name === key)
        : this.patches.find((p) => p.values.length === key.length && p.values.every((v, i) => v === key[i]));
    if (!found) {
      const shown = this.names.slice(0, 10).join(", ");
      throw new InvalidInput(
        `the patch set has no patch ${typeof key === "string" ? `named "${key}"` : `with values ${describeValue(key)} (labels ${this.labels.join(", ")})`}; patches: ${shown}${this.patches.length > 10 ? `, … (${this.patches.length} in all)` : ""}.`,
      );
    }
    return found;
  }

  /**
   * Check that `workspace` is the one the patch set was made for (pyhf's `PatchSet.verify`), by
   * its sha256 digest. Throws {@link PatchSetVerificationError} otherwise.
   */
  verify(workspace: Workspace): void {
    const expected = this.digests.sha256;
    if (expected === undefined) {
      throw new PatchSetVerificationError(
        `the patch set records only ${Object.keys(this.digests).join(", ")} digests; only sha256 can be verified (pass verify: false to skip).`,
      );
    }
    const actual = workspace.possibleDigests();
    // pyhf's schema allows upper-case hexadecimal digits; a digest is the same number either way.
    if (!actual.includes(expected.toLowerCase())) {
      throw new PatchSetVerificationError(
        `the workspace does not match the patch set: its sha256 digest is ${actual[0]}, the patch set was made for ${expected} (pass verify: false to apply the patch anyway).`,
      );
    }
  }

  /** Apply one patch to `workspace` (after {@link verify}, unless `verify` is false). */
  apply(workspace: Workspace, key: PatchKey, options: { verify?: boolean } = {}): Workspace {
    if (options.verify ?? true) this.verify(workspace);
    const entry = this.get(key);
    return workspace.patch(entry.patch, `patch "${entry.name}"`);
  }

  /** The patch set as pyhf JSON. */
  toJSON(): PatchSetSpec {
    return {
      metadata: {
        ...cloneJson(this.metadata),
        description: this.description,
        digests: { ...this.digests },
        labels: [...this.labels],
        references: { ...this.references },
      },
      patches: this.patches.map((p) => ({
        metadata: { ...cloneJson(p.metadata), name: p.name, values: [...p.values] },
        patch: cloneJson(p.patch),
      })),
      version: this.version,
    };
  }
}

/** The same error with "(in source)" appended to its message, keeping its class and JSON path. */
function withSource(error: SpeyError, source: string): SpeyError {
  error.message = `${error.message} (in ${source})`;
  return error;
}
