import { InvalidInput } from "../core/errors.js";
import * as Plot from "@observablehq/plot";
import { shortNumber } from "./crossing.js";
import { appendLegend, type LegendEntry } from "./legend.js";
import { finalizeSvg } from "./svg.js";
import { THEME, frame, marginTop } from "./theme.js";
import type { CommonPlotOptions, ContourResult } from "./types.js";
import { maxOf, minOf } from "../core/arrays.js";
import { abs, max } from "../core/describe.js";

/** Options of {@link contourPlot}. */
export interface ContourPlotOptions extends CommonPlotOptions {
  /** Axis labels (default the contours' `parameterNames`). */
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** The best-fit point, marked with a cross (default: the first contour's `thetaMle`). */
  readonly bestFit?: readonly [number, number] | readonly number[];
  /**
   * "angle" (default) sorts each contour's points by their angle around their basin (or the
   * centroid) before joining them, right for the star-shaped regions of a likelihood; "given"
   * keeps the order of `points`.
   */
  readonly order?: "angle" | "given";
}

type Point = [number, number];

/** Sort points by their angle around `centre`, in axes scaled to the points' spread. */
function byAngle(points: Point[], centre: Point): Point[] {
  const sx = maxOf(points.map((p) => abs(p[0] - centre[0]))) || 1;
  const sy = maxOf(points.map((p) => abs(p[1] - centre[1]))) || 1;
  const angle = (p: Point) => Math.atan2((p[1] - centre[1]) / sy, (p[0] - centre[0]) / sx);
  return [...points].sort((a, b) => angle(a) - angle(b));
}

/**
 * The closed rings of a contour: one per basin (each point goes to the nearest basin), ordered by
 * angle around the basin — or around the centroid when there are no basins — unless `given`.
 */
function rings(contour: ContourResult, order: "angle" | "given"): Point[][] {
  const finite = contour.points
    .filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]))
    .map((p) => [p[0], p[1]] as Point);
  const centres = (contour.basins ?? [])
    .filter((b) => Number.isFinite(b[0]) && Number.isFinite(b[1]))
    .map((b) => [b[0], b[1]] as Point);
  let groups: { centre: Point; points: Point[] }[];
  if (centres.length > 1) {
    groups = centres.map((centre) => ({ centre, points: [] as Point[] }));
    for (const p of finite) {
      const distance = (c: Point) => (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2;
      const nearest = groups.reduce((best, g) => (distance(g.centre) < distance(best.centre) ? g : best));
      nearest.points.push(p);
    }
  } else {
    const n = max(finite.length, 1);
    const centroid: Point = centres[0] ?? [
      finite.reduce((s, p) => s + p[0], 0) / n,
      finite.reduce((s, p) => s + p[1], 0) / n,
    ];
    groups = [{ centre: centroid, points: finite }];
  }
  return groups
    .filter((g) => g.points.length > 0)
    .map((g) => {
      const ring = order === "angle" && g.points.length > 2 ? byAngle(g.points, g.centre) : g.points;
      return ring.length > 2 ? [...ring, ring[0] as Point] : ring;
    });
}

function padded(values: readonly number[]): [number, number] {
  const lo = minOf(values);
  const hi = maxOf(values);
  const pad = hi > lo ? 0.08 * (hi - lo) : abs(lo) * 0.1 || 1;
  return [lo - pad, hi + pad];
}

/**
 * 2-D confidence contours: each result's points joined into a closed curve (one colour per
 * confidence level), the best fit marked with a cross, a legend with the CL and 2ΔNLL threshold.
 */
export function contourPlot(
  contours: ContourResult | readonly ContourResult[],
  options: ContourPlotOptions,
): SVGSVGElement {
  const list = (Array.isArray(contours) ? contours : [contours]) as readonly ContourResult[];
  if (list.length === 0) throw new InvalidInput("contourPlot: no contours to draw.");
  const names = list[0]?.parameterNames ?? [];
  const drawn = list.map((c, k) => ({
    contour: c,
    color: THEME.contours[k % THEME.contours.length] as string,
    rings: rings(c, options.order ?? "angle"),
  }));
  const rows = drawn.flatMap((d, k) =>
    d.rings.flatMap((ring, r) => ring.map(([x, y]) => ({ x, y, k, ring: `${k}-${r}` }))),
  );
  const xs = rows.map((r) => r.x);
  const ys = rows.map((r) => r.y);
  const fit = options.bestFit ?? list[0]?.thetaMle;
  const best =
    fit && fit.length >= 2 && Number.isFinite(fit[0]) && Number.isFinite(fit[1])
      ? [fit[0] as number, fit[1] as number]
      : undefined;
  if (best) {
    xs.push(best[0] as number);
    ys.push(best[1] as number);
  }
  if (xs.length === 0) throw new InvalidInput("contourPlot: the contours have no finite points.");
  const width = options.width ?? THEME.width;
  const height = options.height ?? THEME.height;
  const top = marginTop(options.title);
  const right = 20;
  const [y0, y1] = padded(ys);
  const svg = Plot.plot({
    ...frame(options.document, { width, height }, { top, right, left: 60 }),
    x: {
      domain: padded(xs),
      label: options.xLabel ?? names[0] ?? "x",
      labelArrow: "none",
      labelAnchor: "center",
      grid: true,
    },
    // Extra room above the contours for the legend.
    y: {
      domain: [y0, y1 + 0.25 * (y1 - y0)],
      label: options.yLabel ?? names[1] ?? "y",
      labelArrow: "none",
      labelAnchor: "center",
      grid: true,
    },
    marks: [
      ...drawn.map((d, k) =>
        Plot.line(
          rows.filter((row) => row.k === k),
          {
            x: "x",
            y: "y",
            z: "ring",
            stroke: d.color,
            strokeWidth: 2,
            ariaDescription: `contour ${shortNumber(d.contour.confidenceLevel * 100)}%`,
          },
        ),
      ),
      ...(best
        ? [
            Plot.dot([{ x: best[0], y: best[1] }], {
              x: "x",
              y: "y",
              symbol: "times",
              r: 5,
              stroke: THEME.observed,
              strokeWidth: 2,
              ariaDescription: "best fit",
            }),
          ]
        : []),
      Plot.frame(),
    ],
  }) as SVGSVGElement;
  const entries: LegendEntry[] = drawn.map((d) => ({
    label: `${shortNumber(d.contour.confidenceLevel * 100)}% CL (2ΔNLL = ${shortNumber(2 * (d.contour.threshold - d.contour.nllMin))})`,
    kind: "line",
    color: d.color,
    strokeWidth: 2,
  }));
  if (best) entries.push({ label: "Best fit", kind: "cross", color: THEME.observed });
  appendLegend(svg, options.document, entries, { layout: "box", x: width - right - 8, y: top + 8, alignRight: true });
  return finalizeSvg(svg, options);
}
