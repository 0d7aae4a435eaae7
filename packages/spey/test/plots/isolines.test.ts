/** Marching squares behind the exclusion contours of the grid plot. */
import { describe, expect, it } from "vitest";
import { firstCrossing } from "../../src/plots/crossing.js";
import { isolines, type Sample } from "../../src/plots/isolines.js";

function plane(f: (x: number, y: number) => number, n = 6): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out.push({ x: i, y: j, value: f(i, j) });
  return out;
}

describe("isolines", () => {
  it("a linear field gives one straight open line at the exact level", () => {
    const lines = isolines(
      plane((x, y) => x + y),
      4.5,
    );
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? [];
    // Linear interpolation of a linear field is exact (to rounding: 1e-12).
    for (const p of line) expect(p.x + p.y).toBeCloseTo(4.5, 12);
    expect(line.length).toBe(10);
  });

  it("a bump gives a closed loop", () => {
    const lines = isolines(
      plane((x, y) => -((x - 2.5) ** 2) - (y - 2.5) ** 2),
      -2,
    );
    expect(lines).toHaveLength(1);
    const loop = lines[0] ?? [];
    expect(loop[0]).toEqual(loop.at(-1));
    // Linear interpolation of a quadratic along unit cell edges: the radius is within 0.1 of √2.
    for (const p of loop) expect(Math.abs(Math.hypot(p.x - 2.5, p.y - 2.5) - Math.SQRT2)).toBeLessThan(0.1);
  });

  it("holes (missing or NaN values) cut the line", () => {
    const samples = plane((x) => x).filter((s) => !(s.x === 2 && s.y === 2));
    const lines = isolines(samples, 2.5);
    expect(lines.length).toBe(2);
    const withNaN = isolines(
      plane((x, y) => (x === 2 && y === 2 ? Number.NaN : x)),
      2.5,
    );
    expect(withNaN.length).toBe(2);
  });

  it("no crossing, no line", () => {
    expect(
      isolines(
        plane(() => 1),
        2,
      ),
    ).toEqual([]);
  });
});

describe("firstCrossing", () => {
  it("interpolates linearly between the bracketing points", () => {
    expect(firstCrossing([0, 1, 2], [1, 0.5, 0], 0.25)).toBe(1.5);
    expect(firstCrossing([0, 1], [1, 0.5], 0.25)).toBeUndefined();
  });
});
