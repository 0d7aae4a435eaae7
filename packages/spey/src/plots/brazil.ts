import { InvalidInput } from "../core/errors.js";
import * as Plot from "@observablehq/plot";
import { firstCrossing, shortNumber } from "./crossing.js";
import { appendLegend, type LegendEntry, legendHeight, legendWidth } from "./legend.js";
import { finalizeSvg } from "./svg.js";
import { THEME, frame, marginTop } from "./theme.js";
import type { BrazilBandData, CommonPlotOptions } from "./types.js";
import { minOf } from "../core/arrays.js";
import { max, isNaNNumber } from "../core/describe.js";

/** Options of {@link brazilBandPlot}. */
export interface BrazilBandOptions extends CommonPlotOptions {
  /** Logarithmic CLs axis (default false: linear 0…1). */
  readonly logY?: boolean;
  /** x-axis label (default "Signal strength μ"). */
  readonly xLabel?: string;
}

interface Row {
  mu: number;
  observed: number;
  m2: number;
  m1: number;
  median: number;
  p1: number;
  p2: number;
}

function rowsOf(data: BrazilBandData): Row[] {
  if (data.expected.length !== data.poiValues.length) {
    throw new InvalidInput(`expected has ${data.expected.length} entries; poiValues has ${data.poiValues.length}.`);
  }
  if (data.observed && data.observed.length !== data.poiValues.length) {
    throw new InvalidInput(`observed has ${data.observed.length} entries; poiValues has ${data.poiValues.length}.`);
  }
  return data.poiValues.map((mu, i) => {
    const band = data.expected[i] as readonly number[];
    if (band.length !== 5) throw new InvalidInput(`expected[${i}] must hold 5 values (−2σ…+2σ); got ${band.length}.`);
    return {
      mu,
      observed: data.observed ? (data.observed[i] as number) : Number.NaN,
      m2: band[0] as number,
      m1: band[1] as number,
      median: band[2] as number,
      p1: band[3] as number,
      p2: band[4] as number,
    };
  });
}

/**
 * The Brazil-band plot: CLs against μ, observed (solid) and expected median (dashed) with the
 * ±1σ (green) and ±2σ (yellow) expected bands, and the line CLs = 1 − CL. The legend, right of the
 * frame (below it in narrow figures) so that it never hides a curve, gives the computed upper limits
 * of `data.upperLimits`, or else where the drawn curves cross the line (marked ≈). Returns an `<svg>` element of `options.document`.
 */
export function brazilBandPlot(data: BrazilBandData, options: BrazilBandOptions): SVGSVGElement {
  const rows = rowsOf(data);
  const level = 1 - (data.confidenceLevel ?? 0.95);
  const width = options.width ?? THEME.width;
  const height = options.height ?? THEME.height;
  const top = marginTop(options.title);
  const mus = data.poiValues;
  // The computed limits when given; else the crossing of the drawn curve, marked as approximate.
  const limitOf = (values: number[], computed: number | undefined) => {
    if (computed !== undefined && !isNaNNumber(computed)) return ` (μ_UL = ${shortNumber(computed)})`;
    const x = firstCrossing(mus, values, level);
    return x === undefined ? "" : ` (μ_UL ≈ ${shortNumber(x)})`;
  };
  const entries: LegendEntry[] = [
    ...(data.observed
      ? [
          {
            label: `Observed${limitOf(
              rows.map((r) => r.observed),
              data.upperLimits?.observed,
            )}`,
            kind: "line",
            color: THEME.observed,
            strokeWidth: 2,
          } as const,
        ]
      : []),
    {
      label: `Expected${limitOf(
        rows.map((r) => r.median),
        data.upperLimits?.expected?.[2],
      )}`,
      kind: "line",
      color: THEME.expected,
      dash: THEME.dash,
    },
    { label: "Expected ±1σ", kind: "area", color: THEME.band1 },
    { label: "Expected ±2σ", kind: "area", color: THEME.band2 },
    { label: `CLs = ${shortNumber(level)}`, kind: "line", color: THEME.limitLine },
  ];
  // The legend never covers the curves or bands: it sits right of the frame, or below it when the
  // figure is too narrow for both.
  const boxWidth = legendWidth(entries, "box");
  const beside = width >= boxWidth + 320;
  const right = beside ? boxWidth + 16 : 20;
  const bottom = beside ? 42 : 42 + legendHeight(entries, "box") + 8;
  const placement = beside
    ? { layout: "box" as const, x: width - 6, y: top, alignRight: true }
    : { layout: "box" as const, x: 56, y: height - bottom + 44 };
  const positive = rows.flatMap((r) => [r.observed, r.m2, r.m1, r.median, r.p1, r.p2]).filter((v) => v > 0);
  // The log axis shows CLs down to 10⁻³ of the exclusion line at most.
  const logMin = max(minOf(positive, level / 2), level * 1e-3);
  const svg = Plot.plot({
    ...frame(options.document, { width, height }, { top, right, bottom }),
    x: {
      label: options.xLabel ?? "Signal strength μ",
      labelArrow: "none",
      labelAnchor: "center",
      grid: true,
      // The axis label stays just under the ticks when the legend takes the space below.
      ...(beside ? {} : { labelOffset: 36 }),
    },
    y: options.logY
      ? {
          type: "log",
          domain: [logMin, 1],
          label: "CLs",
          labelArrow: "none",
          labelAnchor: "center",
          grid: true,
          tickFormat: (v: number) => (v >= 1e-3 ? String(Number(v.toPrecision(3))) : v.toExponential(0)),
        }
      : { domain: [0, 1], label: "CLs", labelArrow: "none", labelAnchor: "center", grid: true },
    marks: [
      Plot.areaY(rows, { x: "mu", y1: "m2", y2: "p2", fill: THEME.band2, ariaDescription: "expected ±2σ" }),
      Plot.areaY(rows, { x: "mu", y1: "m1", y2: "p1", fill: THEME.band1, ariaDescription: "expected ±1σ" }),
      Plot.line(rows, {
        x: "mu",
        y: "median",
        stroke: THEME.expected,
        strokeDasharray: THEME.dash,
        ariaDescription: "expected",
      }),
      ...(data.observed
        ? [
            Plot.line(rows, {
              x: "mu",
              y: "observed",
              stroke: THEME.observed,
              strokeWidth: 2,
              ariaDescription: "observed",
            }),
            Plot.dot(rows, { x: "mu", y: "observed", fill: THEME.observed, r: 2, ariaDescription: "observed points" }),
          ]
        : []),
      Plot.ruleY([level], { stroke: THEME.limitLine, strokeWidth: 1.5, ariaDescription: "CLs limit" }),
      Plot.frame(),
    ],
  }) as SVGSVGElement;
  appendLegend(svg, options.document, entries, placement);
  return finalizeSvg(svg, options);
}
