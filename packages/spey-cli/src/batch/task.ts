import { clsSummary, getBackend, limitSummary } from "spey";
// model files and batch points may name the pyhf backends: register them
import "spey/histfactory";
import { captureLogs, InvalidInput } from "spey";
import { isObject, type ModelDescription, pointDescription } from "./description.js";

/** What is computed at every grid point (recorded in the results header). */
export interface BatchTask {
  /** "limit": observed and expected upper limits on μ; "cls": CLs at `poiTest`; "significance". */
  readonly compute: readonly ("limit" | "cls" | "significance")[];
  readonly confidenceLevel: number;
  /** Expected band: post-fit ("aposteriori") or pre-fit ("apriori"). */
  readonly expected: "aposteriori" | "apriori";
  /** μ tested by "cls". */
  readonly poiTest: number;
  readonly calculator: "asymptotic" | "chi_square" | "toy";
  /**
   * `--warm-start`: the grid is cut into chains of `chainLength` consecutive points (grid order),
   * computed one after the other; every point's model gets the HistFactory `warmStart` with mode
   * "replace" (profiles continue warm along μ), every point but a chain's first with its
   * predecessor's best fit as the start, and every point records its best fit (`result.bestFit`)
   * for its successor. Absent: every point on its own, with the default cold starts.
   */
  readonly warmStart?: { readonly chainLength: number };
}

/** The backends `--warm-start` applies to (HistFactory models, whose fits take a `warmStart`). */
export const WARM_START_BACKENDS: readonly string[] = ["pyhf", "pyhf.uncorrelated_background"];

/** Why `--warm-start` refuses a point whose backend is not in {@link WARM_START_BACKENDS}; `point` names it. */
export function warmStartBackendRefusal(point: string, backend: string): string {
  return `--warm-start applies to HistFactory models (backend ${WARM_START_BACKENDS.join(" or ")}); ${point} has backend "${backend}". Run without --warm-start.`;
}

/** A computed point. Expected values are ordered −2σ, −1σ, median, +1σ, +2σ. */
export interface PointResult {
  backend: string;
  upperLimit?: { observed: number; expected: number[] };
  cls?: { poiTest: number; observed: number; expected: number[]; excluded: boolean };
  significance?: { observed: number; expected: number; pValue: number };
  /**
   * With `--warm-start`: the free fit on the observed data (NLL and every parameter by name), the
   * start of the next point of the chain (also when a run resumes: read back from this line).
   */
  bestFit?: { nll: number; parameters: Record<string, number> };
}

/** One line of a results file. */
export interface ResultRecord {
  id: string | number;
  line: number;
  status: "ok" | "error";
  result?: PointResult;
  error?: { type: string; message: string };
  meta?: Record<string, unknown>;
  warnings?: string[];
}

/** A grid point as sent to a worker. */
export interface PointInput {
  readonly id: string | number;
  readonly line: number;
  readonly value: Record<string, unknown>;
  /** With `--warm-start`: the predecessor's best fit (parameters by name); absent for a chain's first point. */
  readonly warmStart?: Record<string, number> | undefined;
}

function compute(
  description: ModelDescription,
  task: BatchTask,
  id: string | number,
  warmStart: Record<string, number> | undefined,
): PointResult {
  const { backend, ...args } = description;
  if (task.warmStart && !WARM_START_BACKENDS.includes(backend as string)) {
    throw new InvalidInput(warmStartBackendRefusal("this point", String(backend)));
  }
  const model = getBackend(backend as string)({
    analysis: String(id),
    ...args,
    // A chain's first point (no predecessor) starts cold; its profiles continue warm as the rest.
    ...(task.warmStart ? { warmStart: { ...(warmStart ? { parameters: warmStart } : {}), mode: "replace" } } : {}),
  });
  const result: PointResult = { backend: backend as string };
  const band = task.expected;
  if (task.compute.includes("limit")) {
    const { observed, expected } = limitSummary(model, { confidenceLevel: task.confidenceLevel, expected: band });
    result.upperLimit = { observed, expected };
  }
  if (task.compute.includes("cls")) {
    const { observed, expected, excluded } = clsSummary(model, {
      poiTest: task.poiTest,
      expected: band,
      calculator: task.calculator,
      confidenceLevel: task.confidenceLevel,
    });
    result.cls = { poiTest: task.poiTest, observed, expected, excluded };
  }
  if (task.compute.includes("significance")) {
    const [sqrtQ0A, sqrtQ0, p] = model.significance({ expected: band });
    result.significance = { observed: sqrtQ0, expected: sqrtQ0A, pValue: p[0] as number };
  }
  if (task.warmStart) {
    // The start of the chain's next point: every parameter of the free fit, by name.
    const names = model.config().parameterNames ?? [];
    const [values, nll] = model.maximizeLikelihood({ poiIndices: names });
    result.bestFit = { nll, parameters: values };
  }
  return result;
}

/**
 * Compute one grid point: build its model (line over base), evaluate the task, and return the
 * results line. Never throws: a failure becomes `{status: "error", error: {type, message}}`.
 * Library warnings are collected into `warnings` instead of being printed.
 */
export function computePoint(point: PointInput, base: ModelDescription | undefined, task: BatchTask): ResultRecord {
  const record: ResultRecord = { id: point.id, line: point.line, status: "ok" };
  const meta = point.value.meta;
  try {
    const { result, records } = captureLogs(() =>
      compute(pointDescription(base, point.value), task, point.id, point.warmStart),
    );
    record.result = result;
    const warnings = records.filter((r) => r.level === "warning" || r.level === "error").map((r) => r.message);
    if (warnings.length > 0) record.warnings = [...new Set(warnings)];
  } catch (error) {
    record.status = "error";
    const e = error instanceof Error ? error : new Error(String(error));
    record.error = { type: e.name || "Error", message: e.message };
  }
  if (isObject(meta)) record.meta = meta;
  return record;
}
