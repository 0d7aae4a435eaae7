import type { PatchSetSpec, WorkspaceSpec } from "../packages/spey/src/backends/histfactory/schema.js";

/** See hepdata-analysis.js. */
export function hepdataAnalysis(
  rng: { uniform(): number; poisson(lambda: number): number },
  options?: {
    regions?: number;
    bins?: number;
    systematics?: number;
    masses?: number[];
    lspMasses?: number[];
    digest?: (workspace: WorkspaceSpec) => string;
    upperCaseDigest?: boolean;
  },
): { bkgOnly: WorkspaceSpec; patchset: PatchSetSpec };
