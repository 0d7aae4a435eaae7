import { estimateTextWidth, svgElement } from "./svg.js";
import { maxOf } from "../core/arrays.js";
import { max } from "../core/describe.js";

/** One legend entry: a line, a filled box, a dot or a cross, with its label. */
export interface LegendEntry {
  readonly label: string;
  readonly kind: "line" | "area" | "dot" | "cross";
  readonly color: string;
  /** `stroke-dasharray` of a line entry. */
  readonly dash?: string;
  readonly strokeWidth?: number;
}

/** Where the legend goes, in px of the SVG. */
export interface LegendPlacement {
  /** "box": entries stacked in a framed box; "row": entries side by side without a frame. */
  readonly layout: "box" | "row";
  /** The anchor point: top-left corner, or top-right corner when `alignRight`. */
  readonly x: number;
  readonly y: number;
  readonly alignRight?: boolean;
}

const FONT_SIZE = 11;
const ROW = 16;
const SYMBOL = 22;
const PAD = 6;

function symbol(document: Document, entry: LegendEntry, x: number, y: number): SVGElement {
  if (entry.kind === "area") {
    return svgElement(document, "rect", { x, y: y - 5, width: SYMBOL, height: 10, fill: entry.color });
  }
  if (entry.kind === "cross") {
    const cx = x + SYMBOL / 2;
    return svgElement(document, "path", {
      d: `M${cx - 4},${y - 4}L${cx + 4},${y + 4}M${cx - 4},${y + 4}L${cx + 4},${y - 4}`,
      stroke: entry.color,
      "stroke-width": 2,
    });
  }
  if (entry.kind === "dot") {
    return svgElement(document, "circle", { cx: x + SYMBOL / 2, cy: y, r: 3, fill: entry.color });
  }
  return svgElement(document, "line", {
    x1: x,
    x2: x + SYMBOL,
    y1: y,
    y2: y,
    stroke: entry.color,
    "stroke-width": entry.strokeWidth ?? 1.5,
    ...(entry.dash ? { "stroke-dasharray": entry.dash } : {}),
  });
}

/** Width in px of the legend for these entries. */
export function legendWidth(entries: readonly LegendEntry[], layout: "box" | "row"): number {
  const widths = entries.map((e) => SYMBOL + 6 + estimateTextWidth(e.label, FONT_SIZE));
  if (layout === "row") return widths.reduce((a, b) => a + b, 0) + 14 * max(entries.length - 1, 0);
  return maxOf(widths, 0) + 2 * PAD;
}

/** Height in px of the legend. */
export function legendHeight(entries: readonly LegendEntry[], layout: "box" | "row"): number {
  return layout === "row" ? ROW : entries.length * ROW + 2 * PAD - 4;
}

/**
 * Append a legend (a `<g aria-label="legend">`) to an SVG. Hand-drawn rather than Plot's own
 * legends, which are HTML (swatches) or need a canvas (ramps).
 */
export function appendLegend(
  svg: Element,
  document: Document,
  entries: readonly LegendEntry[],
  placement: LegendPlacement,
): void {
  if (entries.length === 0) return;
  const width = legendWidth(entries, placement.layout);
  const left = placement.alignRight ? placement.x - width : placement.x;
  const group = svgElement(document, "g", {
    "aria-label": "legend",
    "font-size": FONT_SIZE,
    "text-anchor": "start",
    transform: `translate(${left},${placement.y})`,
  });
  if (placement.layout === "box") {
    group.appendChild(
      svgElement(document, "rect", {
        x: 0,
        y: 0,
        width,
        height: legendHeight(entries, "box"),
        fill: "white",
        "fill-opacity": 0.85,
        stroke: "#999",
        "stroke-width": 0.5,
      }),
    );
  }
  let x = placement.layout === "box" ? PAD : 0;
  let y = placement.layout === "box" ? PAD + ROW / 2 - 2 : ROW / 2;
  for (const entry of entries) {
    group.appendChild(symbol(document, entry, x, y));
    const label = svgElement(document, "text", { x: x + SYMBOL + 6, y, dy: "0.32em", fill: "currentColor" });
    label.textContent = entry.label;
    group.appendChild(label);
    if (placement.layout === "box") {
      y += ROW;
    } else {
      x += SYMBOL + 6 + estimateTextWidth(entry.label, FONT_SIZE) + 14;
    }
  }
  svg.appendChild(group);
}
