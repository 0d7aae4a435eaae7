// File helpers for Node.js (`spey/node`): reading models and workspaces from paths. Kept out of the
// main entry so that browser bundles never see them. This file only lists exports.

export { modelFromWorkspaceFiles, splitPatchReference, workspaceFromFiles } from "./io/histfactory-files.js";
export type { WorkspaceFilesOptions } from "./io/histfactory-files.js";
