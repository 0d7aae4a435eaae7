import { isObject } from "../../batch/description.js";
import { readResults } from "../../batch/results-file.js";
import type { ContourResult, GridPlotPoint } from "spey/plots";
import { InputFileError } from "../json-input.js";
import type { ScanOutput } from "./scan.js";

/** A JSON number, or one of the strings "Infinity", "-Infinity", "NaN" that `--json` writes. */
export function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  return Number.NaN;
}

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.map(toNumber) : [];
}

/** True for the output of `spey scan --json`. */
export function isScanOutput(value: unknown): boolean {
  return isObject(value) && Array.isArray(value.poiValues) && isObject(value.cls) && isObject(value.deltaMinus2LogL);
}

/** Decode the output of `spey scan --json` (non-finite numbers were written as strings). */
export function decodeScan(value: Record<string, unknown>, source: string): ScanOutput {
  const cls = value.cls as Record<string, unknown>;
  const delta = value.deltaMinus2LogL as Record<string, unknown>;
  const expected = Array.isArray(cls.expected) ? cls.expected.map(numbers) : [];
  const poiValues = numbers(value.poiValues);
  const n = poiValues.length;
  const problems: string[] = [];
  if (n < 2) problems.push("poiValues needs at least two values");
  if (!poiValues.every(Number.isFinite) || poiValues.some((mu, i) => i > 0 && !(mu > (poiValues[i - 1] as number)))) {
    problems.push("poiValues must be finite and increasing");
  }
  if (numbers(cls.observed).length !== n) problems.push("cls.observed needs one value per μ");
  if (expected.length !== n || !expected.every((band) => band.length === 5)) {
    problems.push("cls.expected needs five values (−2σ…+2σ) per μ");
  }
  if (numbers(delta.observed).length !== n) problems.push("deltaMinus2LogL.observed needs one value per μ");
  if (problems.length > 0) {
    throw new InputFileError(`${source} is not a complete \`spey scan --json\` output: ${problems.join("; ")}.`);
  }
  const limits = isObject(value.upperLimit) ? value.upperLimit : undefined;
  return {
    model: String(value.model ?? ""),
    backend: String(value.backend ?? ""),
    confidenceLevel: toNumber(value.confidenceLevel ?? 0.95),
    expectedType: value.expectedType === "apriori" ? "apriori" : "aposteriori",
    calculator: String(value.calculator ?? "asymptotic"),
    bands: Array.isArray(value.bands) ? value.bands.map(String) : [],
    poiValues: numbers(value.poiValues),
    cls: { observed: numbers(cls.observed), expected },
    deltaMinus2LogL: { observed: numbers(delta.observed), expected: numbers(delta.expected) },
    muHat: toNumber(value.muHat),
    ...(limits ? { upperLimit: { observed: toNumber(limits.observed), expected: numbers(limits.expected) } } : {}),
  };
}

function metaNumber(meta: unknown, key: string): number {
  return isObject(meta) ? toNumber(meta[key]) : Number.NaN;
}

/**
 * The grid-plot points of a results file: x and y from each line's `meta`, the limits from its
 * result (failed points keep their cell, without a limit). Without `x`/`y` keys, the first two
 * numeric `meta` fields are used.
 */
export function gridPoints(path: string, keys: { x?: string | undefined; y?: string | undefined }) {
  const content = readResults(path);
  if (!content) throw new InputFileError(`cannot read ${path}: no such file.`);
  if (!content.header) throw new InputFileError(`${path} is not a spey batch results file (no header line).`);
  const first = content.records.find((r) => isObject(r.meta))?.meta ?? {};
  const numeric = Object.keys(first).filter((k) => Number.isFinite(toNumber(first[k])));
  const x = keys.x ?? numeric[0];
  const y = keys.y ?? numeric[1];
  if (x === undefined || y === undefined) {
    throw new InputFileError(
      `${path}: the points need two numeric "meta" fields for the axes (e.g. "meta": {"m1": 1000, "m2": 100}); name them with --x and --y.`,
    );
  }
  const points: GridPlotPoint[] = [];
  for (const record of content.records) {
    const px = metaNumber(record.meta, x);
    const py = metaNumber(record.meta, y);
    if (!Number.isFinite(px) || !Number.isFinite(py)) {
      throw new InputFileError(
        `${path}: point ${JSON.stringify(record.id)} has no numeric meta.${Number.isFinite(px) ? y : x}.`,
      );
    }
    const limit = record.status === "ok" ? record.result?.upperLimit : undefined;
    points.push(
      limit
        ? { x: px, y: py, observed: toNumber(limit.observed), expected: numbers(limit.expected) }
        : { x: px, y: py },
    );
  }
  if (points.length === 0) throw new InputFileError(`${path} holds no results yet.`);
  if (!points.some((p) => p.observed !== undefined)) {
    throw new InputFileError(`${path} has no upper limits: run the batch with --compute limit.`);
  }
  return { points, x, y };
}

function pairs(value: unknown): number[][] | undefined {
  return Array.isArray(value) ? value.map((p) => (Array.isArray(p) ? p.map(toNumber) : [])) : undefined;
}

function contourOf(value: unknown, where: string): ContourResult {
  if (
    !isObject(value) ||
    !Array.isArray(value.points) ||
    !Array.isArray(value.parameterNames) ||
    !value.points.every((p) => Array.isArray(p) && p.length >= 2)
  ) {
    throw new InputFileError(
      `${where}: a contour is { "parameterNames": [x, y], "points": [[x, y], ...], "nllMin", "threshold", "confidenceLevel" } (the result of findContour).`,
    );
  }
  const thetaMle = Array.isArray(value.thetaMle) ? value.thetaMle.map(toNumber) : undefined;
  const basins = pairs(value.basins);
  return {
    parameterNames: value.parameterNames.map(String),
    points: pairs(value.points) as number[][],
    nllMin: toNumber(value.nllMin),
    threshold: toNumber(value.threshold),
    confidenceLevel: toNumber(value.confidenceLevel),
    ...(thetaMle ? { thetaMle } : {}),
    ...(value.delta !== undefined ? { delta: toNumber(value.delta) } : {}),
    ...(basins ? { basins } : {}),
  };
}

/** True for a file of contour results (one, an array, or `{ "contours": [...] }`). */
export function isContourFile(value: unknown): boolean {
  if (Array.isArray(value)) return true;
  return (
    isObject(value) &&
    (Array.isArray(value.contours) || (Array.isArray(value.points) && Array.isArray(value.parameterNames)))
  );
}

/**
 * Contours from parsed JSON: one contour result, an array of them, or
 * `{ "contours": [...], "bestFit"?: [x, y] }`.
 */
export function decodeContours(value: unknown, source: string): { contours: ContourResult[]; bestFit?: number[] } {
  if (Array.isArray(value)) return { contours: value.map((c, i) => contourOf(c, `${source}[${i}]`)) };
  if (isObject(value) && Array.isArray(value.contours)) {
    const contours = value.contours.map((c, i) => contourOf(c, `${source}: contours[${i}]`));
    return Array.isArray(value.bestFit) ? { contours, bestFit: numbers(value.bestFit) } : { contours };
  }
  return { contours: [contourOf(value, source)] };
}
