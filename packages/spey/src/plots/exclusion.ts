import * as Plot from "@observablehq/plot";
import { describeValue, abs, max, min, isNaNNumber } from "../core/describe.js";
import { InvalidInput } from "../core/errors.js";
import { appendLegend, type LegendEntry } from "./legend.js";
import { isolines } from "./isolines.js";
import { finalizeSvg, svgElement } from "./svg.js";
import { THEME, frame, marginTop } from "./theme.js";
import type { CommonPlotOptions, ExpectedBand } from "./types.js";

/** A signal point of a patch set with its upper limits on μ. */
export interface ExclusionPoint {
  /** Patch name. */
  readonly name: string;
  /** Its coordinates: one value per label of the patch set (1 or 2 are drawn). */
  readonly values: readonly number[];
  /** Observed upper limit on μ (absent or NaN for a failed point; +Infinity when none). */
  readonly observed?: number;
  /** Expected upper limits ordered −2σ, −1σ, median, +1σ, +2σ. */
  readonly expected?: ExpectedBand;
}

/** Options of {@link exclusionPlot}. */
export interface ExclusionPlotOptions extends CommonPlotOptions {
  /** Axis labels: the patch set's `metadata.labels`. */
  readonly labels: readonly string[];
  /** Name of a point to highlight. */
  readonly selected?: string;
}

/** Observed-excluded, expected-excluded, not excluded, failed: the marker colours of the points. */
const POINT_FILL = { excluded: "#1b7837", allowed: "#ffffff", failed: "#9e9e9e" } as const;

/** −log10 μ_UL (positive where the point is excluded, μ_UL < 1); ±12 for limits of 0 or ∞. */
function exclusionValue(limit: number | undefined): number {
  if (limit === undefined || isNaNNumber(limit)) return Number.NaN;
  if (limit <= 0) return 12;
  return max(-12, min(12, -Math.log10(limit)));
}

/**
 * The exclusion plot of a patch set, as the summary plots of ATLAS and CMS searches. With two
 * labels: the observed contour μ_UL = 1 (solid), the expected one (dashed) with its ±1σ band
 * (yellow), interpolated between the signal points by linear (barycentric) interpolation of
 * log10 μ_UL on their Delaunay triangulation onto a fine grid (contours by marching squares),
 * inside the points' convex hull only; every point
 * is a marker (filled where observed-excluded) with its name as tooltip and `data-name`. With one
 * label: μ_UL against it, observed and expected with the ±1σ/±2σ bands, and the line μ = 1.
 */
export function exclusionPlot(points: readonly ExclusionPoint[], options: ExclusionPlotOptions): SVGSVGElement {
  if (points.length === 0) throw new InvalidInput("exclusionPlot: no points to draw.");
  const dims = options.labels.length;
  if (dims !== 1 && dims !== 2) {
    throw new InvalidInput(`exclusionPlot: the patch set has ${dims} labels; only 1 or 2 can be drawn.`);
  }
  for (const p of points) {
    if (p.values.length !== dims || !p.values.every((v) => typeof v === "number" && Number.isFinite(v))) {
      throw new InvalidInput(
        `exclusionPlot: point "${p.name}" has values ${describeValue(p.values)}; expected ${dims} finite number(s) (labels ${options.labels.join(", ")}).`,
      );
    }
  }
  return dims === 2 ? planePlot(points, options) : linePlot(points, options);
}

/** A triangle of point indices. */
type Triangle = [number, number, number];

/**
 * Delaunay triangulation (Bowyer–Watson) of points in the unit square. Points on a regular grid
 * are cocircular; a deterministic perturbation far below the plot's resolution breaks the ties.
 */
export function delaunay(points: readonly (readonly [number, number])[]): Triangle[] {
  const n = points.length;
  const xy = points.map(([x, y], i) => [x + 1e-9 * Math.sin(12.9898 * i), y + 1e-9 * Math.cos(78.233 * i)] as const);
  const all = [...xy, [-10, -10] as const, [11, -10] as const, [0.5, 20] as const];
  const circle = (t: Triangle) => {
    const [ax, ay] = all[t[0]] as readonly [number, number];
    const [bx, by] = all[t[1]] as readonly [number, number];
    const [cx, cy] = all[t[2]] as readonly [number, number];
    const d = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by));
    const ux =
      ((ax * ax + ay * ay) * (by - cy) + (bx * bx + by * by) * (cy - ay) + (cx * cx + cy * cy) * (ay - by)) / d;
    const uy =
      ((ax * ax + ay * ay) * (cx - bx) + (bx * bx + by * by) * (ax - cx) + (cx * cx + cy * cy) * (bx - ax)) / d;
    return { x: ux, y: uy, r2: (ax - ux) ** 2 + (ay - uy) ** 2 };
  };
  let triangles: { t: Triangle; c: { x: number; y: number; r2: number } }[] = [];
  const superT: Triangle = [n, n + 1, n + 2];
  triangles.push({ t: superT, c: circle(superT) });
  for (let i = 0; i < n; i++) {
    const [px, py] = xy[i] as readonly [number, number];
    const bad = triangles.filter(({ c }) => (px - c.x) ** 2 + (py - c.y) ** 2 < c.r2);
    const edges = new Map<string, [number, number]>();
    for (const { t } of bad) {
      for (const [a, b] of [
        [t[0], t[1]],
        [t[1], t[2]],
        [t[2], t[0]],
      ] as [number, number][]) {
        const key = a < b ? `${a},${b}` : `${b},${a}`;
        if (edges.has(key)) edges.delete(key);
        else edges.set(key, [a, b]);
      }
    }
    triangles = triangles.filter((tr) => !bad.includes(tr));
    for (const [a, b] of edges.values()) {
      const t: Triangle = [a, b, i];
      triangles.push({ t, c: circle(t) });
    }
  }
  return triangles.map(({ t }) => t).filter((t) => t.every((k) => k < n));
}

/**
 * Values of scattered points interpolated onto an nx × ny grid over their bounding box: linear
 * (barycentric) on the Delaunay triangle holding each node, NaN outside the convex hull (no
 * extrapolation). Returns, per value set, a row-major grid (index i·ny + j) and the node coordinates.
 */
export function interpolateOnGrid(
  points: readonly { x: number; y: number }[],
  valueSets: readonly (readonly number[])[],
  nx: number,
  ny: number,
): { xs: number[]; ys: number[]; grids: Float64Array[] } {
  const x0 = min(...points.map((p) => p.x));
  const x1 = max(...points.map((p) => p.x));
  const y0 = min(...points.map((p) => p.y));
  const y1 = max(...points.map((p) => p.y));
  const sx = x1 > x0 ? x1 - x0 : 1;
  const sy = y1 > y0 ? y1 - y0 : 1;
  const unit = points.map((p) => [(p.x - x0) / sx, (p.y - y0) / sy] as [number, number]);
  const triangles = delaunay(unit);
  const xs = Array.from({ length: nx }, (_, i) => x0 + (sx * i) / (nx - 1));
  const ys = Array.from({ length: ny }, (_, j) => y0 + (sy * j) / (ny - 1));
  const grids = valueSets.map(() => new Float64Array(nx * ny).fill(Number.NaN));
  const eps = 1e-9;
  for (const [a, b, c] of triangles) {
    const [ax, ay] = unit[a] as [number, number];
    const [bx, by] = unit[b] as [number, number];
    const [cx, cy] = unit[c] as [number, number];
    const det = (by - cy) * (ax - cx) + (cx - bx) * (ay - cy);
    if (abs(det) < 1e-14) continue;
    const iLo = max(0, Math.floor(min(ax, bx, cx) * (nx - 1)));
    const iHi = min(nx - 1, Math.ceil(max(ax, bx, cx) * (nx - 1)));
    const jLo = max(0, Math.floor(min(ay, by, cy) * (ny - 1)));
    const jHi = min(ny - 1, Math.ceil(max(ay, by, cy) * (ny - 1)));
    for (let i = iLo; i <= iHi; i++) {
      const u = i / (nx - 1);
      for (let j = jLo; j <= jHi; j++) {
        const v = j / (ny - 1);
        const l1 = ((by - cy) * (u - cx) + (cx - bx) * (v - cy)) / det;
        const l2 = ((cy - ay) * (u - cx) + (ax - cx) * (v - cy)) / det;
        const l3 = 1 - l1 - l2;
        if (l1 < -eps || l2 < -eps || l3 < -eps) continue;
        valueSets.forEach((values, k) => {
          (grids[k] as Float64Array)[i * ny + j] =
            l1 * (values[a] as number) + l2 * (values[b] as number) + l3 * (values[c] as number);
        });
      }
    }
  }
  return { xs, ys, grids };
}

const GRID_X = 161;
const GRID_Y = 121;

function planePlot(points: readonly ExclusionPoint[], options: ExclusionPlotOptions): SVGSVGElement {
  const width = options.width ?? THEME.width;
  const height = options.height ?? THEME.height;
  const rows = points.map((p) => ({
    name: p.name,
    x: p.values[0] as number,
    y: p.values[1] as number,
    observed: exclusionValue(p.observed),
    minus1: exclusionValue(p.expected?.[1]),
    median: exclusionValue(p.expected?.[2]),
    plus1: exclusionValue(p.expected?.[3]),
  }));
  // Interpolate each quantity over the points where it is known.
  const field = (key: "observed" | "minus1" | "median" | "plus1") => {
    const known = rows.filter((r) => Number.isFinite(r[key]));
    if (known.length < 3) return undefined;
    const { xs, ys, grids } = interpolateOnGrid(known, [known.map((r) => r[key])], GRID_X, GRID_Y);
    return { xs, ys, grid: grids[0] as Float64Array };
  };
  const fields = {
    observed: field("observed"),
    minus1: field("minus1"),
    median: field("median"),
    plus1: field("plus1"),
  };
  const lines = (key: keyof typeof fields) => {
    const f = fields[key];
    if (!f) return [];
    const samples = [];
    for (let i = 0; i < f.xs.length; i++) {
      for (let j = 0; j < f.ys.length; j++) {
        samples.push({ x: f.xs[i] as number, y: f.ys[j] as number, value: f.grid[i * f.ys.length + j] as number });
      }
    }
    const out = isolines(samples, 0).flatMap((line, k) => line.map((p) => ({ x: p.x, y: p.y, line: k })));
    return out;
  };
  // The ±1σ band: grid cells excluded at the −1σ edge of the expected limits but not at the +1σ
  // edge, merged into horizontal runs.
  const band: { x1: number; x2: number; y1: number; y2: number }[] = [];
  const lo = fields.minus1;
  const hi = fields.plus1;
  if (lo && hi) {
    const dx = ((lo.xs[1] as number) - (lo.xs[0] as number)) / 2;
    const dy = ((lo.ys[1] as number) - (lo.ys[0] as number)) / 2;
    for (let j = 0; j < lo.ys.length; j++) {
      let start = -1;
      for (let i = 0; i <= lo.xs.length; i++) {
        const k = i * lo.ys.length + j;
        const inBand = i < lo.xs.length && (lo.grid[k] as number) >= 0 && !((hi.grid[k] as number) >= 0);
        if (inBand && start < 0) start = i;
        if (!inBand && start >= 0) {
          const y = lo.ys[j] as number;
          band.push({ x1: (lo.xs[start] as number) - dx, x2: (lo.xs[i - 1] as number) + dx, y1: y - dy, y2: y + dy });
          start = -1;
        }
      }
    }
  }
  const legend: LegendEntry[] = [
    { label: "Observed μ_UL = 1", kind: "line", color: THEME.observed, strokeWidth: 2.5 },
    { label: "Expected", kind: "line", color: THEME.expectedContour, dash: THEME.dash, strokeWidth: 2 },
    { label: "Expected ±1σ", kind: "area", color: THEME.band2 },
    { label: "excluded point (observed)", kind: "dot", color: POINT_FILL.excluded },
  ];
  const top = marginTop(options.title, 22);
  const xs = rows.map((r) => r.x);
  const ys = rows.map((r) => r.y);
  const pad = (a: number, b: number) => {
    const d = b > a ? 0.04 * (b - a) : 1;
    return [a - d, b + d];
  };
  const figure = Plot.plot({
    ...frame(options.document, { width, height }, { top, right: 16, bottom: 42, left: 64 }),
    x: {
      label: options.labels[0],
      labelArrow: "none",
      labelAnchor: "center",
      domain: pad(min(...xs), max(...xs)),
    },
    y: {
      label: options.labels[1],
      labelArrow: "none",
      labelAnchor: "center",
      domain: pad(min(...ys), max(...ys)),
    },
    marks: [
      Plot.rect(band, {
        x1: "x1",
        x2: "x2",
        y1: "y1",
        y2: "y2",
        fill: THEME.band2,
        shapeRendering: "crispEdges",
        ariaDescription: "expected ±1σ band",
      }),
      Plot.line(lines("median"), {
        x: "x",
        y: "y",
        z: "line",
        stroke: THEME.expectedContour,
        strokeWidth: 2,
        strokeDasharray: THEME.dash,
        ariaDescription: "expected contour",
      }),
      Plot.line(lines("observed"), {
        x: "x",
        y: "y",
        z: "line",
        stroke: THEME.observed,
        strokeWidth: 2.5,
        ariaDescription: "observed contour",
      }),
      Plot.frame(),
    ],
  }) as SVGSVGElement & { scale(name: string): { apply(v: number): number } };
  const sx = figure.scale("x");
  const sy = figure.scale("y");
  const document = options.document;
  const layer = svgElement(document, "g", { "aria-label": "signal points" });
  rows.forEach((r, i) => {
    const p = points[i] as ExclusionPoint;
    const failed = !Number.isFinite(r.observed) && !Number.isFinite(r.median);
    const fill = failed ? POINT_FILL.failed : r.observed > 0 ? POINT_FILL.excluded : POINT_FILL.allowed;
    const selected = options.selected === p.name;
    const circle = svgElement(document, "circle", {
      cx: sx.apply(r.x),
      cy: sy.apply(r.y),
      r: selected ? 7 : 4.5,
      fill,
      stroke: selected ? "#2166ac" : "#333333",
      "stroke-width": selected ? 3 : 1,
      "data-name": p.name,
      class: "exclusion-point",
    });
    const title = svgElement(document, "title");
    const limit =
      p.observed === undefined || isNaNNumber(p.observed) ? "failed" : `μ_UL = ${p.observed.toPrecision(3)}`;
    title.textContent = `${p.name} (${options.labels[0]} = ${r.x}, ${options.labels[1]} = ${r.y}): ${limit}`;
    circle.appendChild(title);
    layer.appendChild(circle);
  });
  figure.appendChild(layer);
  appendLegend(figure, document, legend, { layout: "row", x: 64, y: marginTop(options.title) });
  return finalizeSvg(figure, options);
}

function linePlot(points: readonly ExclusionPoint[], options: ExclusionPlotOptions): SVGSVGElement {
  const width = options.width ?? THEME.width;
  const height = options.height ?? THEME.height;
  const rows = [...points]
    .map((p) => ({
      name: p.name,
      x: p.values[0] as number,
      observed: p.observed,
      e: p.expected ? [...p.expected] : undefined,
    }))
    .sort((a, b) => a.x - b.x);
  const finite = (v: number | undefined) => v !== undefined && Number.isFinite(v) && v > 0;
  const band = rows.filter((r) => r.e?.every((v) => finite(v)));
  const obs = rows.filter((r) => finite(r.observed));
  const all = [...band.flatMap((r) => r.e as number[]), ...obs.map((r) => r.observed as number), 1];
  const lo = min(...all) / 1.5;
  const hi = max(...all) * 1.5;
  const top = marginTop(options.title, 22);
  const xMin = min(...rows.map((r) => r.x));
  const xMax = max(...rows.map((r) => r.x));
  const figure = Plot.plot({
    ...frame(options.document, { width, height }, { top, right: 16, bottom: 42, left: 64 }),
    x: {
      label: options.labels[0],
      labelArrow: "none",
      labelAnchor: "center",
      domain: [xMin - 0.04 * (xMax - xMin || 1), xMax + 0.04 * (xMax - xMin || 1)],
    },
    y: {
      type: "log",
      domain: [lo, hi],
      label: "95% CL upper limit on μ",
      labelArrow: "none",
      labelAnchor: "center",
      tickFormat: "~g",
    },
    marks: [
      Plot.areaY(band, {
        x: "x",
        y1: (r) => r.e[0],
        y2: (r) => r.e[4],
        fill: THEME.band2,
        ariaDescription: "expected ±2σ",
      }),
      Plot.areaY(band, {
        x: "x",
        y1: (r) => r.e[1],
        y2: (r) => r.e[3],
        fill: THEME.band1,
        ariaDescription: "expected ±1σ",
      }),
      Plot.line(band, {
        x: "x",
        y: (r) => r.e[2],
        stroke: THEME.expected,
        strokeDasharray: THEME.dash,
        strokeWidth: 2,
      }),
      Plot.line(obs, { x: "x", y: "observed", stroke: THEME.observed, strokeWidth: 2.5 }),
      Plot.ruleY([1], { stroke: THEME.limitLine, strokeWidth: 1.5 }),
      Plot.frame(),
    ],
  }) as SVGSVGElement & { scale(name: string): { apply(v: number): number } };
  const sx = figure.scale("x");
  const sy = figure.scale("y");
  const document = options.document;
  const layer = svgElement(document, "g", { "aria-label": "signal points" });
  for (const r of rows) {
    const y = finite(r.observed) ? (r.observed as number) : finite(r.e?.[2]) ? (r.e?.[2] as number) : undefined;
    const selected = options.selected === r.name;
    const circle = svgElement(document, "circle", {
      cx: sx.apply(r.x),
      cy: y === undefined ? sy.apply(hi) - 6 : sy.apply(y),
      r: selected ? 7 : 4.5,
      fill: y === undefined ? POINT_FILL.failed : (r.observed as number) < 1 ? POINT_FILL.excluded : POINT_FILL.allowed,
      stroke: selected ? "#2166ac" : "#333333",
      "stroke-width": selected ? 3 : 1,
      "data-name": r.name,
      class: "exclusion-point",
    });
    const title = svgElement(document, "title");
    title.textContent = `${r.name} (${options.labels[0]} = ${r.x})`;
    circle.appendChild(title);
    layer.appendChild(circle);
  }
  figure.appendChild(layer);
  appendLegend(
    figure,
    document,
    [
      { label: "Observed", kind: "line", color: THEME.observed, strokeWidth: 2.5 },
      { label: "Expected", kind: "line", color: THEME.expected, dash: THEME.dash, strokeWidth: 2 },
      { label: "±1σ", kind: "area", color: THEME.band1 },
      { label: "±2σ", kind: "area", color: THEME.band2 },
    ],
    { layout: "row", x: 64, y: marginTop(options.title) },
  );
  return finalizeSvg(figure, options);
}
