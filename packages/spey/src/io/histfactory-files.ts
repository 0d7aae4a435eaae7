/**
 * Building `pyhf` models from files, for the command line (`spey cls`, `spey limit` with a pyhf
 * workspace): a workspace file plus signal patch files, each either a JSON Patch (an array of
 * operations) or a pyhf patch set, from which one patch is chosen by name (`patchset.json:name`,
 * or `options.patchName`, or the only patch of a one-patch set).
 */
import { nodeFs } from "../core/node-fs.js";
import { InvalidInput } from "../core/errors.js";
import "../model/histfactory-backends.js";
import { StatisticalModel } from "../model/statistical-model.js";
import { PyhfBackend, type PoiBoundsMode } from "../backends/histfactory/backend.js";
import { validateJsonPatch } from "../backends/histfactory/json-patch.js";
import type { ModifierSettings } from "../backends/histfactory/modifier-settings.js";
import { PatchSet } from "../backends/histfactory/patchset.js";
import { readJsonFile, Workspace } from "../backends/histfactory/workspace.js";

/** Options of {@link modelFromWorkspaceFiles}. */
export interface WorkspaceFilesOptions {
  /** Patch to take from a patch set file given without `:name` (default: its only patch). */
  readonly patchName?: string;
  /** Check patch sets' workspace digests (default true, as `pyhf patchset apply`). */
  readonly verifyPatchSets?: boolean;
  /** Measurement name or index (default the first). */
  readonly measurement?: string | number;
  /** Interpolation codes (default normsys code4, histosys code4p). */
  readonly modifierSettings?: ModifierSettings;
  /** POI bounds convention (default "spey-pyhf"). */
  readonly poiBounds?: PoiBoundsMode;
  /** Universal model options. */
  readonly analysis?: string;
  readonly xsection?: number;
  readonly ntoys?: number;
}

/** Split `file.json:name` into the file and the patch name, when `file.json` exists and the whole does not. */
export function splitPatchReference(reference: string): { path: string; name: string | undefined } {
  const colon = reference.lastIndexOf(":");
  if (
    colon > 0 &&
    !nodeFs("reading patch files").existsSync(reference) &&
    nodeFs("reading patch files").existsSync(reference.slice(0, colon))
  ) {
    return { path: reference.slice(0, colon), name: reference.slice(colon + 1) };
  }
  return { path: reference, name: undefined };
}

/**
 * The workspace of `workspacePath` with the patch files applied in order (patch sets are verified
 * against the workspace they are applied to).
 */
export function workspaceFromFiles(
  workspacePath: string,
  patchPaths: readonly string[] = [],
  options: Pick<WorkspaceFilesOptions, "patchName" | "verifyPatchSets"> = {},
): Workspace {
  let workspace = Workspace.fromFile(workspacePath);
  for (const reference of patchPaths) {
    const { path, name } = splitPatchReference(reference);
    const { value } = readJsonFile(path);
    if (PatchSet.isPatchSet(value)) {
      let patchSet: PatchSet;
      try {
        patchSet = new PatchSet(value);
      } catch (error) {
        throw new InvalidInput(`${path}: ${(error as Error).message}`);
      }
      const key =
        name ?? options.patchName ?? (patchSet.patches.length === 1 ? (patchSet.names[0] as string) : undefined);
      if (key === undefined) {
        throw new InvalidInput(
          `${path} is a patch set with ${patchSet.patches.length} patches; choose one as ${path}:NAME (e.g. ${path}:${patchSet.names[0]}).`,
        );
      }
      workspace = patchSet.apply(workspace, key, { verify: options.verifyPatchSets ?? true });
    } else {
      const patch = validateJsonPatch(value, path);
      workspace = workspace.patch(patch, path);
    }
  }
  return workspace;
}

/**
 * A `pyhf` statistical model from a workspace file and signal patch files (JSON Patches or
 * `patchset.json:name` references), as `spey cls` / `spey limit` read them.
 */
export function modelFromWorkspaceFiles(
  workspacePath: string,
  patchPaths: readonly string[] = [],
  options: WorkspaceFilesOptions = {},
): StatisticalModel {
  const workspace = workspaceFromFiles(workspacePath, patchPaths, options);
  const backend = new PyhfBackend({
    backgroundOnlyModel: workspace,
    signalPatch: [],
    ...(options.measurement !== undefined ? { measurement: options.measurement } : {}),
    ...(options.modifierSettings !== undefined ? { modifierSettings: options.modifierSettings } : {}),
    ...(options.poiBounds !== undefined ? { poiBounds: options.poiBounds } : {}),
  });
  return new StatisticalModel(backend, {
    analysis: options.analysis ?? workspacePath,
    ...(options.xsection !== undefined ? { xsection: options.xsection } : {}),
    ...(options.ntoys !== undefined ? { ntoys: options.ntoys } : {}),
  });
}
