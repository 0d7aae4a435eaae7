import type { WorkspaceSpec } from "../packages/spey/src/backends/histfactory/schema.js";

/** See large-workspace.js. */
export function largeWorkspace(
  nChannels: number,
  nBins: number,
  nSystematics: number,
  rng: { uniform(): number; poisson(lambda: number): number },
): WorkspaceSpec;
