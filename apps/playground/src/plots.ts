/**
 * The plots of the page, loaded on first use (Observable Plot stays out of the first-screen
 * bundle): the library's Brazil band, likelihood scan and exclusion plots, a pulls plot, and the
 * SVG/PNG exports (PNG from the same SVG through a canvas).
 */
import * as Plot from "@observablehq/plot";
import {
  type BrazilBandData,
  brazilBandPlot,
  type ExclusionPoint,
  exclusionPlot,
  type LikelihoodScanData,
  likelihoodScanPlot,
  svgToPng,
  svgToString,
} from "spey/plots";
import type { Pull } from "spey/worker/tasks";

function show(container: HTMLElement, svg: SVGSVGElement, label: string): SVGSVGElement {
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  container.replaceChildren(svg);
  return svg;
}

export function renderBrazil(container: HTMLElement, data: BrazilBandData): SVGSVGElement {
  return show(
    container,
    brazilBandPlot(data, { document, width: 460, height: 330, idPrefix: "brazil" }),
    "Brazil band",
  );
}

export function renderScan(container: HTMLElement, data: LikelihoodScanData): SVGSVGElement {
  return show(
    container,
    likelihoodScanPlot(data, { document, width: 460, height: 330, idPrefix: "scan" }),
    "Likelihood scan",
  );
}

/** Pulls (θ̂ − θ₀)/σ of the constrained parameters, the 40 largest in |pull|, with ±1σ/±2σ guides. */
export function renderPulls(container: HTMLElement, pulls: readonly Pull[]): SVGSVGElement | undefined {
  const shown = pulls
    .filter((p) => p.pull !== undefined && Number.isFinite(p.pull))
    .sort((a, b) => Math.abs(b.pull as number) - Math.abs(a.pull as number))
    .slice(0, 40);
  if (shown.length === 0) {
    const note = document.createElement("p");
    note.className = "note";
    note.textContent = "This model has no constrained nuisance parameters to show.";
    container.replaceChildren(note);
    return undefined;
  }
  const height = 60 + 16 * shown.length;
  const svg = Plot.plot({
    document,
    width: 300,
    height,
    marginLeft: 120,
    x: { domain: [-3, 3], label: "(θ̂ − θ₀)/σ", labelArrow: "none", labelAnchor: "center", grid: true },
    y: { domain: shown.map((p) => p.name), label: null },
    marks: [
      Plot.rectX([0], { x1: -2, x2: 2, fill: "#ffd92f", fillOpacity: 0.5 }),
      Plot.rectX([0], { x1: -1, x2: 1, fill: "#4daf4a", fillOpacity: 0.5 }),
      Plot.ruleX([0]),
      Plot.dot(shown, {
        x: (p: Pull) => Math.max(-3, Math.min(3, p.pull as number)),
        y: "name",
        fill: "black",
        r: 3.5,
      }),
      Plot.frame(),
    ],
  }) as SVGSVGElement;
  svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  return show(container, svg, "Pulls of the nuisance parameters");
}

/** The exclusion plot; `onSelect(name)` when a point is clicked or chosen with Enter/Space. */
export function renderExclusion(
  container: HTMLElement,
  points: readonly ExclusionPoint[],
  labels: readonly string[],
  selected: string | undefined,
  onSelect: (name: string) => void,
): SVGSVGElement {
  const svg = exclusionPlot(points, {
    document,
    labels,
    width: 640,
    height: 440,
    idPrefix: "exclusion",
    ...(selected ? { selected } : {}),
  });
  for (const circle of Array.from(svg.querySelectorAll<SVGCircleElement>(".exclusion-point"))) {
    const name = circle.getAttribute("data-name") as string;
    circle.setAttribute("tabindex", "0");
    circle.setAttribute("role", "button");
    circle.setAttribute("aria-label", circle.querySelector("title")?.textContent ?? name);
    circle.addEventListener("click", () => onSelect(name));
    circle.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        onSelect(name);
      }
    });
  }
  return show(container, svg, `Exclusion plot in the plane of ${labels.join(" and ")}`);
}

/** Save a Blob as a file. */
export function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadSvg(svg: SVGSVGElement, fileName: string): void {
  download(new Blob([svgToString(svg)], { type: "image/svg+xml" }), fileName);
}

export async function downloadPng(svg: SVGSVGElement, fileName: string): Promise<void> {
  download(await svgToPng(svg, { scale: 2 }), fileName);
}
