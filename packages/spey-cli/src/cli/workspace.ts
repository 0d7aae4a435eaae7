import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { modelFromWorkspaceFiles } from "spey/node";
import type { StatisticalModel } from "spey";
import { ExitCode, exitCodeFor } from "./exit-codes.js";
import { InputFileError } from "./json-input.js";

export { isPyhfWorkspace } from "../batch/description.js";

/**
 * The statistical model (backend "pyhf") of a pyhf workspace file with signal patches applied in
 * order: JSON Patch files, or a pyhf patch set and the name of one of its patches as
 * `patchset.json:name`. For "-" the workspace (already read from standard input) is passed on
 * through a temporary file.
 */
export function workspaceModel(path: string, patches: readonly string[], workspace?: unknown): StatisticalModel {
  const source = path === "-" ? "standard input" : path;
  let temporary: string | undefined;
  try {
    let file = path;
    if (path === "-") {
      temporary = mkdtempSync(join(tmpdir(), "spey-workspace-"));
      file = join(temporary, "workspace.json");
      writeFileSync(file, JSON.stringify(workspace));
    }
    return modelFromWorkspaceFiles(file, patches, { analysis: source });
  } catch (error) {
    if (exitCodeFor(error) === ExitCode.BadInput) {
      const message = (error as Error).message;
      throw new InputFileError(message.includes(path) ? message : `${source}: ${message}`);
    }
    throw error;
  } finally {
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  }
}
