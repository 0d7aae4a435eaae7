import { parseHTML } from "linkedom";
import { describe, expect, it } from "vitest";
import { delaunay, interpolateOnGrid } from "../../src/plots/exclusion.js";
import { type ExclusionPoint, exclusionPlot, svgToString } from "spey/plots";
import { expectSvgSnapshot } from "./snapshot.js";

/** A triangular mass plane (m2 ≤ m1 − 200) with μ_UL = 10^((m1 − 600)/300): excluded below m1 = 600. */
function plane(): ExclusionPoint[] {
  const points: ExclusionPoint[] = [];
  for (let m1 = 300; m1 <= 900; m1 += 100) {
    for (let m2 = 0; m2 <= Math.min(400, m1 - 200); m2 += 100) {
      const ul = 10 ** ((m1 - 600) / 300);
      points.push({
        name: `p_${m1}_${m2}`,
        values: [m1, m2],
        observed: ul,
        expected: [ul / 2, ul / 1.5, ul * 0.9, ul * 1.3, ul * 2],
      });
    }
  }
  return points;
}

describe("delaunay(points)", () => {
  it("a regular m × n grid has 2(m − 1)(n − 1) triangles covering its area", () => {
    const pts: [number, number][] = [];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 4; j++) pts.push([i / 4, j / 3]);
    const triangles = delaunay(pts);
    expect(triangles).toHaveLength(2 * 4 * 3);
    const area = triangles.reduce((sum, [a, b, c]) => {
      const [ax, ay] = pts[a] as [number, number];
      const [bx, by] = pts[b] as [number, number];
      const [cx, cy] = pts[c] as [number, number];
      return sum + Math.abs((bx - ax) * (cy - ay) - (cx - ax) * (by - ay)) / 2;
    }, 0);
    // The triangles tile the unit square: total area 1 up to rounding.
    expect(area).toBeCloseTo(1, 12);
  });
});

describe("interpolateOnGrid(points, values, nx, ny)", () => {
  it("reproduces a linear field exactly inside the convex hull and is NaN outside", () => {
    const points = plane().map((p) => ({ x: p.values[0] as number, y: p.values[1] as number }));
    const f = (x: number, y: number) => 0.01 * x - 0.02 * y + 3;
    const { xs, ys, grids } = interpolateOnGrid(points, [points.map((p) => f(p.x, p.y))], 31, 21);
    const grid = grids[0] as Float64Array;
    let inside = 0;
    xs.forEach((x, i) => {
      ys.forEach((y, j) => {
        const v = grid[i * ys.length + j] as number;
        if (y <= x - 200 + 1e-9 && y <= 400) {
          // Barycentric interpolation of a linear function is exact (to rounding).
          expect(v).toBeCloseTo(f(x, y), 9);
          inside++;
        } else if (y > x - 200 + 1e-6) expect(v).toBeNaN();
      });
    });
    expect(inside).toBeGreaterThan(300);
  });
});

describe("exclusionPlot(points, options)", () => {
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const doc = document as unknown as Document;

  it("draws the observed and expected contours, the ±1σ band and one marker per point; matches its snapshot", () => {
    const points = plane();
    const svg = exclusionPlot(points, { document: doc, labels: ["m_stop", "m_neutralino"], selected: "p_500_100" });
    const markers = svg.querySelectorAll("circle.exclusion-point");
    expect(markers.length).toBe(points.length);
    const excluded = points.filter((p) => (p.observed as number) < 1).length;
    expect(svg.querySelectorAll('circle.exclusion-point[fill="#1b7837"]').length).toBe(excluded);
    expect(svg.querySelector('[aria-description="observed contour"] path')).not.toBeNull();
    expect(svg.querySelector('[aria-description="expected contour"] path')).not.toBeNull();
    expect(svg.querySelectorAll('[aria-description="expected ±1σ band"] rect').length).toBeGreaterThan(0);
    expectSvgSnapshot("exclusion-plane.svg", svgToString(svg));
  });

  it("one label: limits against it with the bands", () => {
    const points = [300, 400, 500, 600].map((m, k) => ({
      name: `m${m}`,
      values: [m],
      observed: 0.3 * 2 ** k,
      expected: [0.1, 0.2, 0.3, 0.45, 0.6].map((v) => v * 2 ** k),
    }));
    const svg = exclusionPlot(points, { document: doc, labels: ["m"] });
    expect(svg.querySelectorAll("circle.exclusion-point").length).toBe(4);
    expectSvgSnapshot("exclusion-line.svg", svgToString(svg));
  });

  it("bad input: no points, three labels, values that do not match the labels", () => {
    expect(() => exclusionPlot([], { document: doc, labels: ["a", "b"] })).toThrow(/no points/);
    expect(() => exclusionPlot(plane(), { document: doc, labels: ["a", "b", "c"] })).toThrow(/3 labels/);
    expect(() => exclusionPlot([{ name: "x", values: [1] }], { document: doc, labels: ["a", "b"] })).toThrow(
      /point "x" has values \[1\]/,
    );
  });
});
