/**
 * HEPData's likelihood layout on the command line: an archive (`.tar.gz`, `.tgz`, `.tar`, `.zip`)
 * or a folder holding a background-only workspace (`BkgOnly.json`) with a pyhf patch set
 * (`patchset.json`) or single JSON Patches (`patch.NAME.json`, `patch_NAME.json`). Archives are
 * unpacked by the library's browser-safe reader (`spey/io`); this module adds the file system:
 * reading folders, choosing a patch, and writing a patch set out as a `spey batch` grid whose
 * points carry the patch set's labels as coordinates (`meta`), so that `spey plot grid` draws the
 * exclusion plane.
 */
import { currentRun } from "./context.js";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import { type JsonPatch, type PatchSet, PyhfBackend, StatisticalModel, type Workspace } from "spey";
import { jsonKind, loadInputs, type NamedInput } from "spey/io";
import { InputFileError } from "./json-input.js";
import type { LoadedModel } from "./model-file.js";

/** One signal point of a HEPData likelihood. */
export interface SignalPoint {
  readonly name: string;
  /** Its coordinates: one value per label of the patch set (empty for single patch files). */
  readonly values: readonly (number | string)[];
  readonly patch: JsonPatch;
}

/** A background-only workspace with its signal points. */
export interface HepdataLikelihood {
  /** Path of the workspace inside the archive or folder. */
  readonly workspacePath: string;
  readonly workspace: Workspace;
  /** Path of the patch set, or of the folder of the single patch files. */
  readonly patchesPath: string;
  /** The patch set, when the signal points come from one. */
  readonly patchSet: PatchSet | undefined;
  /** The coordinates' names (the patch set's labels). */
  readonly labels: readonly string[];
  readonly points: readonly SignalPoint[];
}

const ARCHIVE_NAME = /\.(tar\.gz|tgz|tar|zip)$/i;
const MAX_DEPTH = 6;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Whether a command-line input is a HEPData archive or a folder (rather than a JSON file). */
export function isLikelihoodArchive(path: string): boolean {
  if (path === "-") return false;
  if (isDirectory(path)) return true;
  if (ARCHIVE_NAME.test(path)) return true;
  try {
    const head = readFileSync(path).subarray(0, 4);
    return (head[0] === 0x1f && head[1] === 0x8b) || (head[0] === 0x50 && head[1] === 0x4b);
  } catch {
    return false;
  }
}

/** The `.json` files of a folder (recursively, hidden folders and node_modules skipped) that are workspaces, patch sets or JSON Patches. */
function folderInputs(root: string): NamedInput[] {
  const inputs: NamedInput[] = [];
  const walk = (dir: string, depth: number) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH) walk(path, depth + 1);
      } else if (/\.json$/i.test(entry.name)) {
        const text = readFileSync(path, "utf8");
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          continue; // not JSON: not part of the likelihood
        }
        const kind = jsonKind(value);
        if (kind === "workspace" || kind === "patchset" || kind === "jsonpatch") {
          inputs.push({ name: relative(root, path).split(sep).join("/"), content: text });
        }
      }
    }
  };
  walk(root, 0);
  return inputs;
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** The point name of a single patch file: `patch.NAME.json`, `patch_NAME.json` or `NAME.json`. */
function patchFileName(path: string): string {
  return basename(path)
    .replace(/\.json$/i, "")
    .replace(/^patch[._-]?/i, "");
}

/**
 * The likelihoods of a HEPData archive or folder: every background-only workspace with the patch
 * set made for it (paired by sha256 digest, else by folder), or with the single JSON Patch files
 * of its folder. Throws {@link InputFileError} when there is no workspace or no signal point.
 */
export async function loadHepdata(path: string): Promise<HepdataLikelihood[]> {
  let inputs: NamedInput[];
  if (isDirectory(path)) {
    inputs = folderInputs(path);
    if (inputs.length === 0) {
      throw new InputFileError(
        `${path}: the folder holds no pyhf workspace, patch set or JSON Patch (a HEPData likelihood folder holds BkgOnly.json and patchset.json).`,
      );
    }
  } else {
    inputs = [{ name: basename(path), content: new Uint8Array(readFileSync(path)) }];
  }
  let loaded: Awaited<ReturnType<typeof loadInputs>>;
  try {
    loaded = await loadInputs(inputs);
  } catch (error) {
    throw new InputFileError(`${path}: ${(error as Error).message}`);
  }
  if (loaded.workspaces.length === 0) {
    throw new InputFileError(`${path} holds no pyhf workspace (BkgOnly.json).`);
  }
  const likelihoods: HepdataLikelihood[] = loaded.likelihoods.map((pair) => ({
    workspacePath: pair.workspace.path,
    workspace: pair.workspace.workspace,
    patchesPath: pair.patchSet.path,
    patchSet: pair.patchSet.patchSet,
    labels: pair.patchSet.patchSet.labels,
    points: pair.patchSet.patchSet.patches.map((p) => ({ name: p.name, values: p.values, patch: p.patch })),
  }));
  // Single patch files: with the workspace of their folder (or the only workspace).
  const byWorkspace = new Map<string, SignalPoint[]>();
  for (const patch of loaded.jsonPatches) {
    const sameFolder = loaded.workspaces.filter((w) => folderOf(w.path) === folderOf(patch.path));
    const workspace =
      sameFolder.length === 1 ? sameFolder[0] : loaded.workspaces.length === 1 ? loaded.workspaces[0] : undefined;
    if (!workspace) continue;
    const list = byWorkspace.get(workspace.path) ?? [];
    list.push({ name: patchFileName(patch.path), values: [], patch: patch.patch });
    byWorkspace.set(workspace.path, list);
  }
  for (const [workspacePath, points] of byWorkspace) {
    const workspace = loaded.workspaces.find((w) => w.path === workspacePath) as (typeof loaded.workspaces)[number];
    likelihoods.push({
      workspacePath,
      workspace: workspace.workspace,
      patchesPath: `${folderOf(workspacePath) || "."}/patch*.json`,
      patchSet: undefined,
      labels: [],
      points,
    });
  }
  if (likelihoods.length === 0) {
    throw new InputFileError(
      `${path}: found ${loaded.workspaces.map((w) => w.path).join(", ")} but no patch set or signal patch for it (HEPData archives hold patchset.json beside BkgOnly.json).`,
    );
  }
  return likelihoods;
}

/** One line per signal point: `NAME  (label=value, ...)`, at most `limit` lines. */
export function describePoints(likelihood: HepdataLikelihood, limit = Number.POSITIVE_INFINITY): string[] {
  const lines = likelihood.points.slice(0, limit).map((p) => {
    const coordinates = p.values.map((v, i) => `${likelihood.labels[i] ?? `x${i}`}=${v}`).join(", ");
    return coordinates ? `${p.name}  (${coordinates})` : p.name;
  });
  if (likelihood.points.length > limit) lines.push(`… ${likelihood.points.length - limit} more`);
  return lines;
}

function summary(path: string, likelihood: HepdataLikelihood): string {
  const analysis = likelihood.patchSet?.analysisId ? `${likelihood.patchSet.analysisId}, ` : "";
  const labels = likelihood.labels.length > 0 ? `, labels ${likelihood.labels.join(", ")}` : "";
  return `${path}: ${likelihood.workspacePath} with ${likelihood.patchesPath} (${analysis}${likelihood.points.length} signal points${labels})`;
}

/** The listing printed when no signal point was chosen. */
export function listing(path: string, likelihoods: readonly HepdataLikelihood[]): string {
  return likelihoods
    .map((l) => [summary(path, l), ...describePoints(l).map((line) => `  ${line}`)].join("\n"))
    .join("\n");
}

/**
 * The model of one signal point of a HEPData archive or folder (`spey cls likelihoods.tar.gz NAME`).
 * Without a point name, or with an unknown one, an {@link InputFileError} lists the points.
 */
export async function modelFromArchive(path: string, names: readonly string[]): Promise<LoadedModel> {
  const likelihoods = await loadHepdata(path);
  if (names.length === 0) {
    throw new InputFileError(
      `choose a signal point: spey <command> ${path} NAME. The signal points are:\n${listing(path, likelihoods)}`,
    );
  }
  if (names.length > 1) {
    throw new InputFileError(`${path}: give one signal point name; got ${names.length} (${names.join(", ")}).`);
  }
  const name = names[0] as string;
  for (const likelihood of likelihoods) {
    const point = likelihood.points.find((p) => p.name === name);
    if (!point) continue;
    const patched = likelihood.patchSet
      ? likelihood.patchSet.apply(likelihood.workspace, name)
      : likelihood.workspace.patch(point.patch, `${path}: ${name}`);
    const source = `${path}:${name}`;
    const model = new StatisticalModel(new PyhfBackend({ backgroundOnlyModel: patched, signalPatch: [] }), {
      analysis: source,
    });
    return { model, source, kind: "workspace" };
  }
  throw new InputFileError(
    `${path} has no signal point named "${name}". The signal points are:\n${listing(path, likelihoods)}`,
  );
}

/** A `spey batch` grid of every signal point of a patch set, with the labels as coordinates. */
export interface ArchiveGrid {
  /** The grid lines: `{id, meta: {label: value}, signalPatch}`. */
  readonly lines: string[];
  /** The background-only workspace (the grid's base model). */
  readonly base: string;
  readonly likelihood: HepdataLikelihood;
}

/**
 * The grid of every signal point of the archive's (first) likelihood: one line per patch, its
 * name as `id`, its label values as `meta` (numbers stay numbers), the JSON Patch as
 * `signalPatch`; the workspace is the base model. Deterministic, so that re-runs resume.
 */
export async function gridFromArchive(path: string): Promise<ArchiveGrid> {
  const likelihoods = await loadHepdata(path);
  const likelihood = likelihoods[0] as HepdataLikelihood;
  if (likelihoods.length > 1) {
    currentRun().io.stderr.write(
      `spey: ${path} holds ${likelihoods.length} likelihoods; the grid uses the first, ${likelihood.workspacePath} with ${likelihood.patchesPath}.\n`,
    );
  }
  if (likelihood.patchSet) {
    // Verify once here (pyhf's PatchSet.verify) rather than in every worker.
    likelihood.patchSet.verify(likelihood.workspace);
  }
  const lines = likelihood.points.map((point) => {
    const meta: Record<string, number | string> = {};
    point.values.forEach((v, i) => {
      meta[likelihood.labels[i] ?? `x${i}`] = v;
    });
    return JSON.stringify({ id: point.name, meta, signalPatch: point.patch });
  });
  return { lines, base: JSON.stringify(likelihood.workspace.toJSON()), likelihood };
}

/** `likelihoods.tar.gz` → `likelihoods`, a folder → itself without a trailing slash. */
export function archiveStem(path: string): string {
  return path.replace(/[/\\]+$/, "").replace(ARCHIVE_NAME, "");
}
