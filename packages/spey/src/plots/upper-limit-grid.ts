import { InvalidInput } from "../core/errors.js";
import * as Plot from "@observablehq/plot";
import { isolines, type XY } from "./isolines.js";
import { appendLegend, type LegendEntry } from "./legend.js";
import { composeSvg, finalizeSvg } from "./svg.js";
import { THEME, frame, marginTop } from "./theme.js";
import type { CommonPlotOptions, GridPlotPoint } from "./types.js";
import { maxOf, minOf } from "../core/arrays.js";
import { max, min, isNaNNumber } from "../core/describe.js";

/** Options of {@link upperLimitGridPlot}. */
export interface UpperLimitGridOptions extends CommonPlotOptions {
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Which limit colours the cells: the observed one (default) or the expected median. */
  readonly colorBy?: "observed" | "expected";
  /** Draw the μ_UL = 1 exclusion contours (default true). */
  readonly contours?: boolean;
}

const COLORBAR_WIDTH = 84;
const MISSING = "#d9d9d9";

/** Cell edges of a rectilinear grid: half way to the neighbouring coordinates. */
function edges(values: readonly number[]): Map<number, [number, number]> {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const out = new Map<number, [number, number]>();
  sorted.forEach((v, i) => {
    const before = i > 0 ? v - (sorted[i - 1] as number) : undefined;
    const after = i + 1 < sorted.length ? (sorted[i + 1] as number) - v : undefined;
    const left = before ?? after ?? 1;
    const right = after ?? before ?? 1;
    out.set(v, [v - left / 2, v + right / 2]);
  });
  return out;
}

function limitOf(point: GridPlotPoint, which: "observed" | "expected", band = 2): number {
  const value = which === "observed" ? point.observed : point.expected?.[band];
  return typeof value === "number" ? value : Number.NaN;
}

/** log10 of a limit for the contour interpolation; +∞ (no limit) becomes a large finite value. */
function logLimit(value: number): number {
  if (isNaNNumber(value)) return Number.NaN;
  return max(-12, min(12, Math.log10(value)));
}

function flatten(lines: XY[][]): { x: number; y: number; line: number }[] {
  return lines.flatMap((line, k) => line.map((p) => ({ x: p.x, y: p.y, line: k })));
}

/**
 * Upper limits across a batch grid (e.g. a mass plane): each point is a cell coloured by μ_UL
 * (log scale, colour bar on the right; grey where there is no limit), with the exclusion
 * contours μ_UL = 1 — observed (solid), expected median (dashed) and ±1σ (dotted).
 */
export function upperLimitGridPlot(points: readonly GridPlotPoint[], options: UpperLimitGridOptions): SVGSVGElement {
  if (points.length === 0) throw new InvalidInput("upperLimitGridPlot: no points to draw.");
  const colorBy = options.colorBy ?? "observed";
  const width = options.width ?? THEME.width;
  const height = options.height ?? THEME.height;
  const xEdges = edges(points.map((p) => p.x));
  const yEdges = edges(points.map((p) => p.y));
  const cells = points.map((p) => {
    const [x1, x2] = xEdges.get(p.x) as [number, number];
    const [y1, y2] = yEdges.get(p.y) as [number, number];
    const limit = limitOf(p, colorBy);
    return { x1, x2, y1, y2, limit: limit > 0 && Number.isFinite(limit) ? limit : Number.NaN };
  });
  const finite = cells.map((c) => c.limit).filter(Number.isFinite);
  let lo = finite.length > 0 ? minOf(finite) : 0.1;
  let hi = finite.length > 0 ? maxOf(finite) : 10;
  if (lo === hi) {
    lo /= 2;
    hi *= 2;
  }
  const color = { type: "log", scheme: THEME.scheme, domain: [lo, hi] } as const;

  const contourSets: {
    label: string;
    which: "observed" | "expected";
    band: number;
    dash?: string;
    stroke: string;
    widthPx: number;
  }[] =
    options.contours === false
      ? []
      : [
          {
            label: "Expected ±1σ",
            which: "expected",
            band: 1,
            dash: THEME.dot,
            stroke: THEME.expectedContour,
            widthPx: 1.2,
          },
          {
            label: "Expected ±1σ",
            which: "expected",
            band: 3,
            dash: THEME.dot,
            stroke: THEME.expectedContour,
            widthPx: 1.2,
          },
          {
            label: "Expected μ_UL = 1",
            which: "expected",
            band: 2,
            dash: THEME.dash,
            stroke: THEME.expectedContour,
            widthPx: 2,
          },
          { label: "Observed μ_UL = 1", which: "observed", band: 2, stroke: THEME.observed, widthPx: 2.5 },
        ];
  const drawn = contourSets
    .map((set) => ({
      ...set,
      lines: isolines(
        points.map((p) => ({ x: p.x, y: p.y, value: logLimit(limitOf(p, set.which, set.band)) })),
        0,
      ),
    }))
    .filter((set) => set.lines.length > 0);

  const hasMissing = cells.some((c) => isNaNNumber(c.limit));
  const legend: LegendEntry[] = [];
  for (const set of [...drawn].reverse()) {
    if (legend.some((e) => e.label === set.label)) continue;
    legend.push({ label: set.label, kind: "line", color: set.stroke, dash: set.dash, strokeWidth: set.widthPx });
  }
  if (hasMissing) legend.push({ label: "no limit", kind: "area", color: MISSING });
  const top = marginTop(options.title, legend.length > 0 ? 22 : 0);
  const bottom = 42;
  const left = 60;
  const right = 16;

  const main = Plot.plot({
    ...frame(options.document, { width, height }, { top, right, bottom, left }),
    x: { label: options.xLabel ?? "x", labelArrow: "none", labelAnchor: "center" },
    y: { label: options.yLabel ?? "y", labelArrow: "none", labelAnchor: "center" },
    color,
    marks: [
      Plot.rect(
        cells.filter((c) => isNaNNumber(c.limit)),
        {
          x1: "x1",
          x2: "x2",
          y1: "y1",
          y2: "y2",
          fill: MISSING,
          shapeRendering: "crispEdges",
          ariaDescription: "no limit",
        },
      ),
      Plot.rect(
        cells.filter((c) => !isNaNNumber(c.limit)),
        {
          x1: "x1",
          x2: "x2",
          y1: "y1",
          y2: "y2",
          fill: "limit",
          shapeRendering: "crispEdges",
          ariaDescription: "upper limits",
        },
      ),
      ...drawn.map((set) =>
        Plot.line(flatten(set.lines), {
          x: "x",
          y: "y",
          z: "line",
          stroke: set.stroke,
          strokeWidth: set.widthPx,
          ...(set.dash ? { strokeDasharray: set.dash } : {}),
          ariaDescription: set.label,
        }),
      ),
      Plot.frame(),
    ],
  }) as SVGSVGElement;
  appendLegend(main, options.document, legend, { layout: "row", x: left, y: marginTop(options.title) });

  const segments = 64;
  const logLo = Math.log10(lo);
  const step = (Math.log10(hi) - logLo) / segments;
  const bar = Array.from({ length: segments }, (_, k) => ({
    y1: 10 ** (logLo + k * step),
    y2: 10 ** (logLo + (k + 1) * step),
    value: 10 ** (logLo + (k + 0.5) * step),
  }));
  const colorbar = Plot.plot({
    document: options.document,
    width: COLORBAR_WIDTH,
    height,
    marginTop: top,
    marginBottom: bottom,
    marginLeft: 8,
    marginRight: 56,
    x: { axis: null, domain: [0, 1] },
    y: {
      type: "log",
      domain: [lo, hi],
      axis: "right",
      label: `μ_UL (${colorBy === "observed" ? "observed" : "expected"})`,
      labelArrow: "none",
      labelAnchor: "center",
      tickFormat: "~g",
    },
    color,
    marks: [
      Plot.rect(bar, {
        x1: 0,
        x2: 1,
        y1: "y1",
        y2: "y2",
        fill: "value",
        shapeRendering: "crispEdges",
        ariaDescription: "colour bar",
      }),
      Plot.frame(),
    ],
  }) as SVGSVGElement;
  const figure = composeSvg(options.document, width + COLORBAR_WIDTH, height, [
    { svg: main, x: 0, y: 0 },
    { svg: colorbar, x: width, y: 0 },
  ]);
  return finalizeSvg(figure, options);
}
