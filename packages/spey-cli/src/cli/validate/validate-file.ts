import { clsSummary, PatchSet, PyhfBackend, StatisticalModel, validateJsonPatch, Workspace } from "spey";
import { parseResults } from "../../batch/results-file.js";
import { baseDescription, isObject, pointDescription } from "../../batch/description.js";
import { parseGrid } from "../../batch/grid.js";
import { parseJson, readText } from "../json-input.js";
import { isPyhfWorkspace, workspaceModel } from "../workspace.js";
import { checkModelDescription, type Problem } from "./checks.js";

/** What `spey validate` reports for one file. */
export interface FileReport {
  file: string;
  kind: "model" | "workspace" | "grid" | "patchset" | "patch" | "results" | "unknown";
  valid: boolean;
  problems: Problem[];
  warnings: string[];
  backend?: string | undefined;
  bins?: number | undefined;
  points?: number | undefined;
}

function failure(file: string, kind: FileReport["kind"], error: unknown): FileReport {
  return { file, kind, valid: false, problems: [{ path: "(file)", message: (error as Error).message }], warnings: [] };
}

/**
 * A background-only workspace (HEPData's `BkgOnly.json`): its measurement names a POI that no
 * modifier carries, because only the signal patches add it. pyhf accepts such a workspace (its
 * schema does not look at the POI); so do we, with a warning. The rest of the likelihood is
 * checked by a background-only fit (μ = 0) with a placeholder signal sample of zero yield that
 * carries the POI. `undefined` when the workspace has its POI.
 */
function backgroundOnlyReport(file: string, value: unknown): FileReport | undefined {
  let workspace: Workspace;
  let poi: string | undefined;
  try {
    workspace = new Workspace(value);
    poi = workspace.missingPoi();
  } catch {
    return undefined; // reported with its JSON path by the general check
  }
  if (poi === undefined) return undefined;
  try {
    const first = workspace.toJSON().channels[0];
    const placeholder = workspace.patch(
      [
        {
          op: "add",
          path: `/channels/0/samples/${first?.samples.length ?? 0}`,
          value: {
            name: "validate_placeholder_signal",
            data: new Array(first?.samples[0]?.data.length ?? 1).fill(0),
            modifiers: [{ name: poi, type: "normfactor", data: null }],
          },
        },
      ],
      "the placeholder signal",
    );
    const model = new StatisticalModel(new PyhfBackend({ backgroundOnlyModel: placeholder, signalPatch: [] }));
    const report: FileReport = {
      file,
      kind: "workspace",
      valid: true,
      problems: [],
      warnings: [
        `background-only workspace: the POI "${poi}" is not a parameter of it, as in HEPData's BkgOnly.json; apply a signal patch to compute CLs or limits (e.g. spey cls ${file} patchset.json:NAME).`,
      ],
      backend: "pyhf",
    };
    try {
      model.likelihood({ poiTest: 0 });
    } catch (error) {
      report.problems.push({ path: "likelihood", message: `cannot be evaluated: ${(error as Error).message}` });
      report.valid = false;
    }
    return report;
  } catch (error) {
    return failure(file, "workspace", error);
  }
}

function validateGrid(file: string, text: string, basePath: string | undefined): FileReport {
  const report: FileReport = { file, kind: "grid", valid: false, problems: [], warnings: [] };
  let base: Record<string, unknown> | undefined;
  if (basePath) {
    try {
      const value = parseJson(readText(basePath), basePath);
      if (!isObject(value)) throw new Error(`${basePath}: the base model must be a JSON object or a pyhf workspace`);
      base = baseDescription(value);
    } catch (error) {
      report.problems.push({ path: `--base ${basePath}`, message: (error as Error).message });
      return report;
    }
  }
  const { points, problems } = parseGrid(text, { requireBackend: typeof base?.backend !== "string" });
  report.points = points.length;
  for (const p of problems) report.problems.push({ path: `line ${p.line}`, message: p.message });
  const warnings = new Map<string, number[]>();
  for (const point of points) {
    let description: Record<string, unknown>;
    try {
      description = pointDescription(base, point.value);
    } catch (error) {
      report.problems.push({ path: `line ${point.line}`, message: (error as Error).message });
      continue;
    }
    const check = checkModelDescription(description, { evaluate: false });
    report.backend ??= check.backend;
    report.bins ??= check.bins;
    for (const p of check.problems) report.problems.push({ path: `line ${point.line}: ${p.path}`, message: p.message });
    for (const w of check.warnings) warnings.set(w, [...(warnings.get(w) ?? []), point.line]);
  }
  for (const [message, lines] of warnings) {
    report.warnings.push(
      lines.length === 1 ? `line ${lines[0]}: ${message}` : `${lines.length} lines (first ${lines[0]}): ${message}`,
    );
  }
  report.valid = report.problems.length === 0;
  return report;
}

/**
 * Check a model file, a pyhf workspace (with patches) or a batch grid (`.jsonl`, or any file
 * with `base`), collecting every problem rather than stopping at the first.
 */
/** Whether a JSON value is meant as a pyhf workspace (it has a workspace's members, not a backend). */
function looksLikeWorkspace(value: unknown): value is Record<string, unknown> {
  return (
    isObject(value) &&
    value.backend === undefined &&
    ["channels", "observations", "measurements"].some((k) => Object.hasOwn(value, k))
  );
}

/** A pyhf patch set: its schema and patches (the workspace it belongs to is checked by `patchset verify`). */
function validatePatchSetFile(file: string, value: unknown): FileReport {
  try {
    const patchSet = new PatchSet(value);
    return { file, kind: "patchset", valid: true, problems: [], warnings: [], points: patchSet.patches.length };
  } catch (error) {
    return failure(file, "patchset", error);
  }
}

/** A JSON Patch (an array of operations). */
function validatePatchFile(file: string, value: unknown): FileReport {
  try {
    validateJsonPatch(value, file);
    return { file, kind: "patch", valid: true, problems: [], warnings: [] };
  } catch (error) {
    return failure(file, "patch", error);
  }
}

/** A results file of `spey batch` / `spey merge`: its header and every line. */
function validateResultsFile(file: string, text: string): FileReport {
  const content = parseResults(text);
  const report: FileReport = {
    file,
    kind: "results",
    valid: true,
    problems: [],
    warnings: [],
    points: content.records.length,
  };
  if (!content.header) report.problems.push({ path: "line 1", message: "is not a complete results header" });
  for (const line of content.invalidLines)
    report.problems.push({ path: `line ${line}`, message: "is not a result line" });
  for (const line of content.duplicateLines)
    report.warnings.push(`line ${line} repeats an id (the first result is kept)`);
  report.valid = report.problems.length === 0;
  return report;
}

/** Whether the first line of a text is a results header. */
function startsWithResultsHeader(text: string): boolean {
  const first = text.slice(0, text.indexOf("\n") >= 0 ? text.indexOf("\n") : text.length);
  return /"format"\s*:\s*"spey-batch-results"/.test(first);
}

export function validateFile(
  path: string,
  options: { base?: string | undefined; patches?: readonly string[] } = {},
): FileReport {
  const file = path === "-" ? "standard input" : path;
  let text: string;
  try {
    text = readText(path);
  } catch (error) {
    return failure(file, "unknown", error);
  }
  if (options.base === undefined && startsWithResultsHeader(text)) return validateResultsFile(file, text);
  if (options.base !== undefined || /\.jsonl$/i.test(path)) return validateGrid(file, text, options.base);
  let value: unknown;
  try {
    value = parseJson(text, file);
  } catch (error) {
    return failure(file, "unknown", error);
  }
  if (PatchSet.isPatchSet(value)) return validatePatchSetFile(file, value);
  if (Array.isArray(value) && value.length > 0 && value.every((op) => isObject(op) && "op" in op)) {
    return validatePatchFile(file, value);
  }
  // A workspace missing members (no channels…) is a broken workspace, not a model without "backend".
  if (looksLikeWorkspace(value) && !isPyhfWorkspace(value)) {
    try {
      new Workspace(value);
    } catch (error) {
      return failure(file, "workspace", error);
    }
  }
  if (isPyhfWorkspace(value)) {
    if ((options.patches ?? []).length === 0) {
      const backgroundOnly = backgroundOnlyReport(file, value);
      if (backgroundOnly) return backgroundOnly;
    }
    try {
      const model = workspaceModel({ path, source: file, text, value }, options.patches ?? []);
      const report: FileReport = { file, kind: "workspace", valid: true, problems: [], warnings: [], backend: "pyhf" };
      try {
        // What spey cls computes: validate and cls agree on what works.
        clsSummary(model);
      } catch (error) {
        report.problems.push({ path: "likelihood", message: `cannot be evaluated: ${(error as Error).message}` });
        report.valid = false;
      }
      return report;
    } catch (error) {
      return failure(file, "workspace", error);
    }
  }
  const check = checkModelDescription(value, { evaluate: true });
  return {
    file,
    kind: "model",
    valid: check.problems.length === 0,
    problems: check.problems,
    warnings: check.warnings,
    backend: check.backend,
    bins: check.bins,
  };
}
