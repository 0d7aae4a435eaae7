import { InvalidInput } from "../core/errors.js";
import * as Plot from "@observablehq/plot";
import { shortNumber } from "./crossing.js";
import { appendLegend, type LegendEntry } from "./legend.js";
import { finalizeSvg } from "./svg.js";
import { THEME, frame, marginTop } from "./theme.js";
import type { CommonPlotOptions, LikelihoodScanData } from "./types.js";
import { maxOf, minOf } from "../core/arrays.js";
import { max } from "../core/describe.js";

/** Options of {@link likelihoodScanPlot}. */
export interface LikelihoodScanOptions extends CommonPlotOptions {
  /** x-axis label (default "Signal strength μ"). */
  readonly xLabel?: string;
  /**
   * Reference levels of Δ(−2 ln L) drawn as horizontal lines with their labels (default the
   * 68.27% and 95% intervals of one parameter: 1 and 3.84).
   */
  readonly levels?: readonly { readonly value: number; readonly label: string }[];
}

function inRange(x: number, values: readonly number[]): boolean {
  return Number.isFinite(x) && x >= minOf(values) && x <= maxOf(values);
}

/** χ²₁ quantiles: 1 = 68.27% (1σ), 3.841 = 95% CL. */
const DEFAULT_LEVELS = [
  { value: 1, label: "68%" },
  { value: 3.841458820694124, label: "95%" },
];

/**
 * The profile-likelihood scan: Δ(−2 ln L) against μ on the observed data (solid), optionally on
 * the expected data (dashed), with horizontal lines at the 68% and 95% levels and the best fit μ̂.
 */
export function likelihoodScanPlot(data: LikelihoodScanData, options: LikelihoodScanOptions): SVGSVGElement {
  const n = data.poiValues.length;
  if (data.observed.length !== n)
    throw new InvalidInput(`observed has ${data.observed.length} entries; poiValues has ${n}.`);
  if (data.expected && data.expected.length !== n) {
    throw new InvalidInput(`expected has ${data.expected.length} entries; poiValues has ${n}.`);
  }
  const rows = data.poiValues.map((mu, i) => ({
    mu,
    observed: data.observed[i] as number,
    expected: data.expected ? (data.expected[i] as number) : Number.NaN,
  }));
  const levels = options.levels ?? DEFAULT_LEVELS;
  const width = options.width ?? THEME.width;
  const height = options.height ?? THEME.height;
  const top = marginTop(options.title);
  const right = 44;
  const finite = rows.flatMap((r) => [r.observed, r.expected]).filter(Number.isFinite);
  const yMax = max(maxOf(finite), maxOf(levels.map((l) => l.value * 1.2)), 1);
  const svg = Plot.plot({
    ...frame(options.document, { width, height }, { top, right }),
    x: {
      domain: [minOf(data.poiValues), maxOf(data.poiValues)],
      label: options.xLabel ?? "Signal strength μ",
      labelArrow: "none",
      labelAnchor: "center",
      grid: true,
    },
    y: { domain: [0, yMax * 1.05], label: "Δ(−2 ln L)", labelArrow: "none", labelAnchor: "center", grid: true },
    marks: [
      Plot.ruleY(levels, { y: "value", stroke: "#888", strokeDasharray: THEME.dot, ariaDescription: "levels" }),
      Plot.text(levels, {
        y: "value",
        text: "label",
        frameAnchor: "right",
        dx: 6,
        textAnchor: "start",
        fill: "#555",
        clip: false,
        ariaDescription: "level labels",
      }),
      ...(data.expected
        ? [
            Plot.line(rows, {
              x: "mu",
              y: "expected",
              stroke: THEME.expectedContour,
              strokeDasharray: THEME.dash,
              ariaDescription: "expected",
            }),
          ]
        : []),
      Plot.line(rows, { x: "mu", y: "observed", stroke: THEME.observed, strokeWidth: 2, ariaDescription: "observed" }),
      ...(data.muHat !== undefined && inRange(data.muHat, data.poiValues)
        ? [
            Plot.ruleX([data.muHat], {
              stroke: THEME.observed,
              strokeDasharray: THEME.dot,
              ariaDescription: "best fit",
            }),
          ]
        : []),
      Plot.frame(),
    ],
  }) as SVGSVGElement;
  const entries: LegendEntry[] = [
    { label: "Observed", kind: "line", color: THEME.observed, strokeWidth: 2 },
    ...(data.expected
      ? [{ label: "Expected (pre-fit)", kind: "line", color: THEME.expectedContour, dash: THEME.dash } as const]
      : []),
    ...(data.muHat !== undefined && Number.isFinite(data.muHat)
      ? [
          {
            label: `Best fit μ̂ = ${shortNumber(data.muHat)}`,
            kind: "line",
            color: THEME.observed,
            dash: THEME.dot,
          } as const,
        ]
      : []),
  ];
  const first = rows[0]?.observed ?? 0;
  const last = rows[rows.length - 1]?.observed ?? 0;
  const rightSide = first > last;
  appendLegend(svg, options.document, entries, {
    layout: "box",
    x: rightSide ? width - right - 8 : 56 + 8,
    y: top + 8,
    alignRight: rightSide,
  });
  return finalizeSvg(svg, options);
}
