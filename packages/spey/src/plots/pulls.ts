import * as Plot from "@observablehq/plot";
import { InvalidInput } from "../core/errors.js";
import { maxOf } from "../core/arrays.js";
import { appendLegend, type LegendEntry } from "./legend.js";
import { estimateTextWidth, finalizeSvg } from "./svg.js";
import { THEME, frame, marginTop } from "./theme.js";
import type { CommonPlotOptions, PullsData } from "./types.js";
import { abs, max, min } from "../core/describe.js";

/** Options of {@link pullsPlot}. */
export interface PullsPlotOptions extends CommonPlotOptions {
  /** x-axis label (default "(θ̂ − θ₀)/Δθ"). */
  readonly xLabel?: string;
}

const ROW_HEIGHT = 18;

/**
 * The pulls plot of a fit: for each constrained nuisance parameter, (θ̂ − θ₀)/Δθ (dot) with its
 * post-fit uncertainty σ̂/Δθ (bar), over the ±1 (green) and ±2 (yellow) bands of the prior. The
 * height grows with the number of parameters (18 px per row) unless `height` is given.
 */
export function pullsPlot(data: PullsData, options: PullsPlotOptions): SVGSVGElement {
  const rows = data.parameters.map((p, i) => {
    if (typeof p.name !== "string" || !Number.isFinite(p.pull)) {
      throw new InvalidInput(`parameters[${i}] needs a name and a finite pull.`);
    }
    const error =
      p.uncertainty !== undefined && p.uncertainty !== null && Number.isFinite(p.uncertainty) ? p.uncertainty : 0;
    return { name: p.name, pull: p.pull, lo: p.pull - error, hi: p.pull + error };
  });
  if (rows.length === 0) throw new InvalidInput("the fit has no constrained nuisance parameters to show pulls of.");
  const top = marginTop(options.title);
  const bottom = 42;
  const width = options.width ?? THEME.width;
  const height = options.height ?? min(10_000, top + bottom + 28 + rows.length * ROW_HEIGHT);
  const left = min(
    0.5 * width,
    12 +
      maxOf(
        rows.map((r) => estimateTextWidth(r.name, 11)),
        40,
      ),
  );
  const extent = max(
    3,
    Math.ceil(
      maxOf(
        rows.flatMap((r) => [abs(r.lo), abs(r.hi)]),
        0,
      ) + 0.5,
    ),
  );
  const svg = Plot.plot({
    ...frame(options.document, { width, height }, { top: top + 24, right: 20, bottom, left }),
    x: {
      domain: [-extent, extent],
      label: options.xLabel ?? "(θ̂ − θ₀)/Δθ",
      labelArrow: "none",
      labelAnchor: "center",
      grid: true,
    },
    y: { domain: rows.map((r) => r.name), label: null, tickSize: 0 },
    marks: [
      Plot.rectX([{ x1: -2, x2: 2 }], { x1: "x1", x2: "x2", fill: THEME.band2, ariaDescription: "±2σ" }),
      Plot.rectX([{ x1: -1, x2: 1 }], { x1: "x1", x2: "x2", fill: THEME.band1, ariaDescription: "±1σ" }),
      Plot.ruleX([0], { stroke: "#555", ariaDescription: "nominal" }),
      Plot.ruleY(rows, {
        y: "name",
        x1: "lo",
        x2: "hi",
        stroke: THEME.observed,
        strokeWidth: 1.5,
        ariaDescription: "uncertainties",
      }),
      Plot.dot(rows, { y: "name", x: "pull", fill: THEME.observed, r: 3, ariaDescription: "pulls" }),
      Plot.frame(),
    ],
  }) as SVGSVGElement;
  const entries: LegendEntry[] = [
    { label: "Post-fit pull ± uncertainty", kind: "dot", color: THEME.observed },
    { label: "Prior ±1σ", kind: "area", color: THEME.band1 },
    { label: "Prior ±2σ", kind: "area", color: THEME.band2 },
  ];
  // Above the frame, in one row: it never covers a pull.
  appendLegend(svg, options.document, entries, { layout: "row", x: left, y: top + 2 });
  return finalizeSvg(svg, options);
}
