/**
 * Loading likelihood inputs without a file system, for browsers and any other JavaScript host:
 * `File`s and `Blob`s, bytes, JSON text or already-parsed objects are sorted into spey model files
 * (`{ "backend": ..., ...arguments }`, as the `spey` command reads them), pyhf workspaces, pyhf
 * patch sets and JSON Patches. HEPData archives (`.tar.gz`, `.zip`) are unpacked first, and each
 * patch set is paired with the background-only workspace it was made for (by its sha256 digest,
 * as `pyhf patchset verify`, else by folder).
 */
import { InvalidInput, SpeyError } from "../core/errors.js";
import type { JsonPatch } from "../backends/histfactory/json-patch.js";
import { validateJsonPatch } from "../backends/histfactory/json-patch.js";
import { PatchSet } from "../backends/histfactory/patchset.js";
import type { WorkspaceSpec } from "../backends/histfactory/schema.js";
import { Workspace } from "../backends/histfactory/workspace.js";
import { archiveKind, readArchive } from "./archive.js";
import { isArray } from "../core/describe.js";

/** Something an input can be read from. Plain objects and arrays are taken as parsed JSON. */
export type InputContent = Blob | ArrayBuffer | Uint8Array | string | Record<string, unknown> | unknown[];

/** An input with the name used in messages (a `File` carries its own name). */
export interface NamedInput {
  readonly name: string;
  readonly content: InputContent;
}

/** A spey model file: `{ backend, ...arguments }`. */
export interface ModelInput {
  readonly path: string;
  readonly description: Record<string, unknown>;
}

/** A validated pyhf workspace. */
export interface WorkspaceInput {
  readonly path: string;
  readonly workspace: Workspace;
}

/** A validated pyhf patch set. */
export interface PatchSetInput {
  readonly path: string;
  readonly patchSet: PatchSet;
}

/** A JSON Patch (RFC 6902) file. */
export interface JsonPatchInput {
  readonly path: string;
  readonly patch: JsonPatch;
}

/** A patch set with the workspace it applies to. */
export interface LikelihoodPair {
  readonly workspace: WorkspaceInput;
  readonly patchSet: PatchSetInput;
  /** "digest": the patch set's sha256 matches the workspace; "folder": same folder; "only": the only workspace. */
  readonly matchedBy: "digest" | "folder" | "only";
}

/** Everything found in the inputs. */
export interface LoadedInputs {
  readonly models: ModelInput[];
  readonly workspaces: WorkspaceInput[];
  readonly patchSets: PatchSetInput[];
  readonly jsonPatches: JsonPatchInput[];
  /** Each patch set with its workspace (patch sets without any workspace are left out). */
  readonly likelihoods: LikelihoodPair[];
  /** Archive members that were not used (not JSON, or JSON of another kind), for the record. */
  readonly ignored: string[];
}

/** The kind of a parsed JSON value, or undefined when it is none of the four. */
export type JsonKind = "model" | "workspace" | "patchset" | "jsonpatch";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !isArray(value);
}

/**
 * What a parsed JSON value is: a pyhf workspace (`channels`, `observations`, `measurements`), a
 * patch set (`metadata` and `patches`), a JSON Patch (an array of `{op, path}` operations) or a
 * spey model file (a `backend` name).
 */
export function jsonKind(value: unknown): JsonKind | undefined {
  if (isArray(value)) {
    return value.length > 0 && value.every((op) => isRecord(op) && typeof op.op === "string") ? "jsonpatch" : undefined;
  }
  if (!isRecord(value)) return undefined;
  if (isArray(value.channels) && isArray(value.observations) && isArray(value.measurements)) {
    return "workspace";
  }
  if (isArray(value.patches) && isRecord(value.metadata)) return "patchset";
  if (typeof value.backend === "string") return "model";
  return undefined;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== "undefined" && value instanceof Blob;
}

function nameOf(input: NamedInput | Blob, index: number): string {
  if (isBlob(input)) return (input as Blob & { name?: string }).name || `input ${index + 1}`;
  return input.name;
}

async function bytesOf(content: InputContent): Promise<Uint8Array | undefined> {
  if (isBlob(content)) return new Uint8Array(await content.arrayBuffer());
  if (content instanceof ArrayBuffer) return new Uint8Array(content);
  if (content instanceof Uint8Array) return content;
  return undefined;
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidInput(
      `${name} is not valid JSON (${(error as Error).message}); give a spey model file, a pyhf workspace, a patch set, or a .tar.gz/.zip archive of them.`,
    );
  }
}

function named<E extends SpeyError>(error: E, name: string): E {
  if (!error.message.includes(name)) error.message = `${name}: ${error.message}`;
  return error;
}

class Collector {
  readonly models: ModelInput[] = [];
  readonly workspaces: WorkspaceInput[] = [];
  readonly patchSets: PatchSetInput[] = [];
  readonly jsonPatches: JsonPatchInput[] = [];
  readonly ignored: string[] = [];

  /** Sort one JSON value in; `strict` (a top-level input) makes an unknown kind an error. */
  add(value: unknown, path: string, text: string | undefined, strict: boolean): void {
    const kind = jsonKind(value);
    try {
      switch (kind) {
        case "workspace":
          this.workspaces.push({
            path,
            workspace: new Workspace(value, text === undefined ? {} : { sourceText: text }),
          });
          return;
        case "patchset":
          this.patchSets.push({ path, patchSet: new PatchSet(value) });
          return;
        case "jsonpatch":
          this.jsonPatches.push({ path, patch: validateJsonPatch(value, path) });
          return;
        case "model":
          this.models.push({ path, description: value as Record<string, unknown> });
          return;
        default:
          if (strict) {
            throw new InvalidInput(
              `${path} is neither a spey model file ({"backend": ..., ...arguments}), a pyhf workspace (channels, observations, measurements), a pyhf patch set (metadata, patches) nor a JSON Patch.`,
            );
          }
          this.ignored.push(path);
      }
    } catch (error) {
      if (error instanceof SpeyError) throw named(error, path);
      throw error;
    }
  }
}

function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** Pair each patch set with its workspace: by sha256 digest, else by folder, else the only workspace. */
export function pairLikelihoods(
  workspaces: readonly WorkspaceInput[],
  patchSets: readonly PatchSetInput[],
): LikelihoodPair[] {
  const pairs: LikelihoodPair[] = [];
  const digests = new Map(workspaces.map((w) => [w, w.workspace.possibleDigests()]));
  for (const patchSet of patchSets) {
    const sha = patchSet.patchSet.digests.sha256?.toLowerCase();
    const byDigest = sha === undefined ? undefined : workspaces.find((w) => digests.get(w)?.includes(sha));
    if (byDigest) {
      pairs.push({ workspace: byDigest, patchSet, matchedBy: "digest" });
      continue;
    }
    const byFolder = workspaces.filter((w) => dirname(w.path) === dirname(patchSet.path));
    if (byFolder.length === 1) pairs.push({ workspace: byFolder[0] as WorkspaceInput, patchSet, matchedBy: "folder" });
    else if (workspaces.length === 1)
      pairs.push({ workspace: workspaces[0] as WorkspaceInput, patchSet, matchedBy: "only" });
  }
  return pairs;
}

/**
 * Read and sort inputs: `File`s from a file picker or a drop, `{name, content}` pairs with bytes,
 * JSON text or parsed objects. Archives are unpacked and their `.json` members sorted (other
 * members are listed in `ignored`). Errors are {@link InvalidInput}s (or their subclasses, e.g.
 * `WorkspaceError` with the JSON path) whose message starts with the input's name.
 */
export async function loadInputs(inputs: readonly (NamedInput | Blob)[]): Promise<LoadedInputs> {
  const found = new Collector();
  for (const [index, input] of inputs.entries()) {
    const name = nameOf(input, index);
    const content: InputContent = isBlob(input) ? input : input.content;
    const bytes = await bytesOf(content);
    if (bytes !== undefined && archiveKind(bytes) !== undefined) {
      const entries = await readArchive(bytes, { name });
      const json = entries.filter((e) => /\.json$/i.test(e.path) && !/(^|\/)\._/.test(e.path));
      for (const e of entries) if (!json.includes(e)) found.ignored.push(`${name}/${e.path}`);
      if (json.length === 0) {
        throw new InvalidInput(
          `${name} holds no .json file; a HEPData likelihood archive holds BkgOnly.json and patchset.json.`,
        );
      }
      for (const entry of json) {
        const text = utf8.decode(entry.data);
        found.add(parseJson(text, `${name}/${entry.path}`), `${name}/${entry.path}`, text, false);
      }
      continue;
    }
    let text: string | undefined;
    let value: unknown;
    if (bytes !== undefined) text = utf8.decode(bytes);
    else if (typeof content === "string") text = content;
    if (text !== undefined) {
      if (text.trim() === "")
        throw new InvalidInput(`${name} is empty; give a model file, a workspace, a patch set or an archive.`);
      value = parseJson(text, name);
    } else value = content;
    found.add(value, name, text, true);
  }
  const total = found.models.length + found.workspaces.length + found.patchSets.length + found.jsonPatches.length;
  if (total === 0)
    throw new InvalidInput("no input given: give a model file, a workspace with its patch set, or an archive.");
  return {
    models: found.models,
    workspaces: found.workspaces,
    patchSets: found.patchSets,
    jsonPatches: found.jsonPatches,
    likelihoods: pairLikelihoods(found.workspaces, found.patchSets),
    ignored: found.ignored,
  };
}

/** The last path segment of a URL (without query), as the name of what was fetched from it. */
export function urlName(url: string): string {
  const path = url.split(/[?#]/)[0] ?? url;
  const last = path.replace(/\/+$/, "").split("/").pop();
  return last ? decodeURIComponent(last) : url;
}

/**
 * Fetch an input from a URL as a {@link NamedInput} (named by its last path segment). A failed
 * request becomes an {@link InvalidInput} naming the URL and the HTTP status.
 */
export async function fetchInput(url: string, init?: RequestInit): Promise<NamedInput> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new InvalidInput(
      `cannot fetch ${url}: ${(error as Error).message} (is the URL right, and does its server allow this origin?).`,
    );
  }
  if (!response.ok) throw new InvalidInput(`cannot fetch ${url}: HTTP ${response.status} ${response.statusText}.`);
  return { name: urlName(url), content: new Uint8Array(await response.arrayBuffer()) };
}

/** The workspace spec of a workspace input (a deep copy), e.g. to post it to a worker. */
export function workspaceSpec(input: WorkspaceInput): WorkspaceSpec {
  return input.workspace.toJSON();
}
