/**
 * SVG snapshot tests of every plot type, rendered in Node with a server-side DOM (linkedom) —
 * the same functions a browser calls with `window.document`.
 */
import { parseHTML } from "linkedom";
import { describe, expect, it } from "vitest";
import { brazilBandPlot } from "../../src/plots/brazil.js";
import { contourPlot } from "../../src/plots/contour.js";
import { likelihoodScanPlot } from "../../src/plots/likelihood-scan.js";
import { pullsPlot } from "../../src/plots/pulls.js";
import { svgToString } from "../../src/plots/svg.js";
import { upperLimitGridPlot } from "../../src/plots/upper-limit-grid.js";
import { BRAZIL, CONTOURS, GRID, SCAN, TWO_BASINS } from "./data.js";
import { expectSvgSnapshot } from "./snapshot.js";

const newDocument = () =>
  parseHTML("<!DOCTYPE html><html><head></head><body></body></html>").document as unknown as Document;

const PLOTS: [string, () => Element][] = [
  ["brazil.svg", () => brazilBandPlot(BRAZIL, { document: newDocument(), title: "Brazil band" })],
  ["brazil-log.svg", () => brazilBandPlot(BRAZIL, { document: newDocument(), logY: true, width: 500, height: 360 })],
  ["brazil-expected-only.svg", () => brazilBandPlot({ ...BRAZIL, observed: undefined }, { document: newDocument() })],
  ["likelihood-scan.svg", () => likelihoodScanPlot(SCAN, { document: newDocument(), title: "Profile likelihood" })],
  [
    "upper-limit-grid.svg",
    () =>
      upperLimitGridPlot(GRID, {
        document: newDocument(),
        title: "Mass plane",
        xLabel: "m(g̃) [GeV]",
        yLabel: "m(χ̃₁⁰) [GeV]",
      }),
  ],
  [
    "upper-limit-grid-expected.svg",
    () => upperLimitGridPlot(GRID, { document: newDocument(), colorBy: "expected", contours: false }),
  ],
  ["contour.svg", () => contourPlot(CONTOURS, { document: newDocument(), title: "Contours" })],
  ["contour-two-basins.svg", () => contourPlot(TWO_BASINS, { document: newDocument(), bestFit: [-1, 0] })],
  [
    "pulls.svg",
    () =>
      pullsPlot(
        {
          parameters: [
            { name: "jes", pull: 0.4, uncertainty: 0.8 },
            { name: "ttbar_shape", pull: -1.3, uncertainty: 0.5 },
            { name: "stat_SR[0]", pull: 2.4, uncertainty: 0.9 },
            { name: "lumi", pull: 0, uncertainty: null },
          ],
        },
        { document: newDocument(), title: "Pulls" },
      ),
  ],
];

describe.each(PLOTS)("%s", (name, draw) => {
  it("matches its snapshot", () => {
    expectSvgSnapshot(name, svgToString(draw()));
  });

  it("is deterministic: a second drawing in the same process is identical (ids included)", () => {
    expect(svgToString(draw())).toBe(svgToString(draw()));
  });

  it("is a standalone SVG with a title, labels and a legend", () => {
    const svg = svgToString(draw());
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('aria-label="legend"');
    expect(svg).toMatch(/aria-label="x-axis label"/);
    // Every reference to an id points at an element of the same file.
    const ids = new Set([...svg.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    for (const [, ref] of svg.matchAll(/url\(#([^)]+)\)/g)) expect(ids.has(ref)).toBe(true);
  });
});

describe("labels and units", () => {
  it("contours are labelled with their CL and 2ΔNLL = 2(threshold − nllMin), one closed ring per basin", () => {
    const svg = svgToString(contourPlot(CONTOURS, { document: newDocument() }));
    expect(svg).toContain("68.3% CL (2ΔNLL = 2.3)");
    expect(svg).toContain("95% CL (2ΔNLL = 5.99)");
    expect(svg).toContain("Best fit");
    const twoBasins = svgToString(contourPlot(TWO_BASINS, { document: newDocument() }));
    // One <path> per ring inside the contour's line mark.
    const mark = /aria-description="contour 95%"[^>]*>(.*?)<\/g>/.exec(twoBasins)?.[1] ?? "";
    expect(mark.match(/<path /g)).toHaveLength(2);
  });

  it("the Brazil band names its curves and the upper limits where they cross CLs = 0.05", () => {
    const svg = svgToString(brazilBandPlot(BRAZIL, { document: newDocument() }));
    for (const text of ["Signal strength μ", "CLs", "Expected ±1σ", "Expected ±2σ", "CLs = 0.05"])
      expect(svg).toContain(text);
    // Without computed limits the legend shows where the drawn curve crosses the line, marked ≈.
    expect(svg).toMatch(/Observed \(μ_UL ≈ 1\.\d+\)/);
  });

  it("the Brazil legend shows the computed limits, not an interpolation between scan points", () => {
    const withLimits = { ...BRAZIL, upperLimits: { observed: 1.23456, expected: [0.5, 0.6, 0.777777, 0.9, 1.1] } };
    const svg = svgToString(brazilBandPlot(withLimits, { document: newDocument() }));
    expect(svg).toContain("Observed (μ_UL = 1.23)");
    expect(svg).toContain("Expected (μ_UL = 0.778)");
  });

  it.each([
    ["linear, wide", {}],
    ["log axis", { logY: true, width: 500, height: 360 }],
    ["narrow", { width: 360 }],
  ])("the Brazil legend lies outside the frame, so it covers no curve or band (%s)", (_name, size) => {
    const svg = svgToString(brazilBandPlot(BRAZIL, { document: newDocument(), ...size }));
    const frame = /<rect height="([\d.]+)" width="([\d.]+)" y="([\d.]+)" x="([\d.]+)"[^>]*aria-label="frame"/.exec(svg);
    const legend = /<g transform="translate\(([\d.]+),([\d.]+)\)"[^>]*aria-label="legend">/.exec(svg);
    expect(frame).not.toBeNull();
    expect(legend).not.toBeNull();
    const [height, width, y, x] = (frame as RegExpExecArray).slice(1).map(Number) as [number, number, number, number];
    const [lx, ly] = (legend as RegExpExecArray).slice(1).map(Number) as [number, number];
    // Either right of the frame's right edge or below its bottom edge.
    expect(lx >= x + width || ly >= y + height).toBe(true);
  });

  it("ids take the caller's prefix", () => {
    const svg = svgToString(brazilBandPlot(BRAZIL, { document: newDocument(), idPrefix: "fig2" }));
    expect(svg).toContain('id="fig2-1"');
    expect(svg).not.toContain("plot-clip");
  });

  it("inconsistent data are refused with a message", () => {
    expect(() =>
      brazilBandPlot({ ...BRAZIL, expected: BRAZIL.expected.slice(1) }, { document: newDocument() }),
    ).toThrow(/expected has 15 entries; poiValues has 16/);
    expect(() => upperLimitGridPlot([], { document: newDocument() })).toThrow(/no points/);
  });
});
