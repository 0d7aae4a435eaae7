import { PatchSet, PatchSetVerificationError, PyhfBackend, StatisticalModel, validateJsonPatch, Workspace } from "spey";
import { splitPatchReference } from "spey/node";
import { ExitCode, exitCodeFor } from "./exit-codes.js";
import { InputFileError, type JsonInput, readJsonInput } from "./json-input.js";

export { isPyhfWorkspace } from "../batch/description.js";

/** Options of the workspace commands (`--measurement`, `--no-verify`). */
export interface WorkspaceOptions {
  /** Measurement name (or index) to use (default the first). */
  readonly measurement?: string | undefined;
  /** Check patch sets against the workspace's digest (default true, as pyhf). */
  readonly verify?: boolean | undefined;
}

/** Input errors of the library become errors naming the file they are about. */
function inFile<T>(source: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (exitCodeFor(error) === ExitCode.BadInput && !(error instanceof InputFileError)) {
      const message = (error as Error).message;
      throw new InputFileError(message.startsWith(source) ? message : `${source}: ${message}`);
    }
    throw error;
  }
}

/**
 * The workspace of a JSON input. Its original text is kept: pyhf patch sets record the sha256
 * digest of the workspace as Python serialises it, and only the text tells `200.0` from `200`.
 */
export function workspaceOf(input: JsonInput): Workspace {
  return inFile(input.source, () => new Workspace(input.value, { sourceText: input.text }));
}

/** The patch set and the patch name of a `patchset.json:name` reference (name optional). */
export function patchSetOf(reference: string): { patchSet: PatchSet; input: JsonInput; name: string | undefined } {
  const { path, name } = splitPatchReference(reference);
  const input = readJsonInput(path);
  if (!PatchSet.isPatchSet(input.value)) {
    throw new InputFileError(`${input.source} is not a pyhf patch set (it needs "metadata", "patches" and "version").`);
  }
  return { patchSet: inFile(input.source, () => new PatchSet(input.value)), input, name };
}

/** Apply one patch of a patch set, verifying the digest unless `verify` is false. */
export function applyPatchSet(
  workspace: Workspace,
  patchSet: PatchSet,
  source: string,
  name: string | undefined,
  verify: boolean,
): Workspace {
  const key = name ?? (patchSet.patches.length === 1 ? (patchSet.names[0] as string) : undefined);
  if (key === undefined) {
    throw new InputFileError(
      `${source} is a patch set with ${patchSet.patches.length} patches; choose one as ${source}:NAME (e.g. ${source}:${patchSet.names[0]}).`,
    );
  }
  try {
    return patchSet.apply(workspace, key, { verify });
  } catch (error) {
    if (!(error instanceof PatchSetVerificationError || (error as Error).name === "PatchSetVerificationError")) {
      return inFile(source, () => {
        throw error;
      });
    }
    const message = (error as Error).message.replace(/\s*\(pass verify: false[^)]*\)/, "");
    throw new InputFileError(
      `${message.startsWith(source) ? "" : `${source}: `}${message.replace(/\.$/, "")}; check that the patch set belongs to this workspace, or give --no-verify to apply it anyway.`,
    );
  }
}

/**
 * A workspace with signal patches applied in order: JSON Patch files, or a patch set and the name
 * of one of its patches as `patchset.json:name`.
 */
export function patchedWorkspace(
  input: JsonInput,
  patches: readonly string[],
  options: WorkspaceOptions = {},
): Workspace {
  let workspace = workspaceOf(input);
  for (const reference of patches) {
    const { path } = splitPatchReference(reference);
    const patchInput = readJsonInput(path);
    if (PatchSet.isPatchSet(patchInput.value)) {
      const { patchSet, name } = patchSetOf(reference);
      workspace = applyPatchSet(workspace, patchSet, patchInput.source, name, options.verify ?? true);
    } else {
      const patch = inFile(patchInput.source, () => validateJsonPatch(patchInput.value, patchInput.source));
      workspace = inFile(patchInput.source, () => workspace.patch(patch, patchInput.source));
    }
  }
  return workspace;
}

/** The measurement option as the library takes it: an index when it is a whole number. */
export function measurementOf(measurement: string | undefined): string | number | undefined {
  if (measurement === undefined) return undefined;
  return /^\d+$/.test(measurement) ? Number(measurement) : measurement;
}

/** The statistical model (backend "pyhf") of a workspace input with its signal patches. */
export function workspaceModel(
  input: JsonInput,
  patches: readonly string[],
  options: WorkspaceOptions = {},
): StatisticalModel {
  const workspace = patchedWorkspace(input, patches, options);
  const measurement = measurementOf(options.measurement);
  return inFile(
    input.source,
    () =>
      new StatisticalModel(
        new PyhfBackend({
          backgroundOnlyModel: workspace,
          signalPatch: [],
          ...(measurement !== undefined ? { measurement } : {}),
        }),
        { analysis: input.source },
      ),
  );
}
