import { describe, expect, test } from "vitest";
import { InvalidInput } from "../../src/core/errors.js";
import { minimizeScalarBounded } from "../../src/optimize/minimize-scalar.js";

/*
 * References: scipy 1.17.1
 *   minimize_scalar(f, bounds=(lo, hi), method="bounded", options=dict(xatol=1e-10[, maxiter=5]))
 * with f written as the same sequence of IEEE operations (pure Python floats), so the port must
 * reproduce x, fun and nit bit for bit: every comparison below is exact (toBe).
 */
describe("minimizeScalarBounded (Brent's bounded method, scipy port)", () => {
  const cases = [
    {
      name: "parabola (x−2)²+1 on [0, 5]",
      f: (x: number) => (x - 2) * (x - 2) + 1,
      lo: 0,
      hi: 5,
      full: { x: 2.0, fun: 1.0, nit: 6 },
      five: { x: 2.0, fun: 1.0, nit: 5 },
    },
    {
      name: "quartic x⁴−3x³+2 on [−1, 4]",
      f: (x: number) => x * x * x * x - 3 * x * x * x + 2,
      lo: -1,
      hi: 4,
      full: { x: 2.2499999997652638, fun: -6.5429687500000036, nit: 14 },
      five: { x: 2.1923845023546495, fun: -6.510494875351348, nit: 5 },
    },
    {
      name: "non-smooth |x−0.3| on [−1, 1]",
      f: (x: number) => Math.abs(x - 0.3),
      lo: -1,
      hi: 1,
      full: { x: 0.2999999998523161, fun: 1.4768386513708265e-10, nit: 26 },
      five: { x: 0.3310130280418888, fun: 0.031013028041888824, nit: 5 },
    },
    {
      name: "minimum on the lower edge: x on [1, 3]",
      f: (x: number) => x,
      lo: 1,
      hi: 3,
      full: { x: 1.0000000221586074, fun: 1.0000000221586074, nit: 38 },
      five: { x: 1.1803398874989486, fun: 1.1803398874989486, nit: 5 },
    },
  ];

  for (const c of cases) {
    test(`${c.name}: matches scipy bit for bit`, () => {
      const r = minimizeScalarBounded(c.f, c.lo, c.hi, { absoluteTolerance: 1e-10 });
      expect(r.x).toBe(c.full.x);
      expect(r.fun).toBe(c.full.fun);
      expect(r.iterations).toBe(c.full.nit);
      expect(r.converged).toBe(true);
    });
    test(`${c.name}: maxIterations 5 → not converged (scipy status 1), same iterate`, () => {
      const r = minimizeScalarBounded(c.f, c.lo, c.hi, { absoluteTolerance: 1e-10, maxIterations: 5 });
      expect(r.x).toBe(c.five.x);
      expect(r.fun).toBe(c.five.fun);
      expect(r.iterations).toBe(c.five.nit);
      expect(r.converged).toBe(false);
    });
  }

  test("default absoluteTolerance (scipy xatol) is 1e-10: the parabola's minimiser is found to within it", () => {
    const r = minimizeScalarBounded((x) => (x - Math.PI) ** 2, -10, 10);
    // Brent stops when the bracket is below ~2·xatol around the best point; 1e-9 leaves margin.
    expect(Math.abs(r.x - Math.PI)).toBeLessThan(1e-9);
    expect(r.converged).toBe(true);
  });

  test("NaN at the final iterate is reported as non-convergence (scipy status 2)", () => {
    // scipy: minimize_scalar(lambda x: nan, bounds=(0, 1), method="bounded",
    //   options=dict(xatol=1e-10)) → success False, nit 39.
    const r = minimizeScalarBounded(() => Number.NaN, 0, 1, { absoluteTolerance: 1e-10 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(39);
  });

  test("invalid bounds throw InvalidInput", () => {
    expect(() => minimizeScalarBounded((x) => x, 2, 1)).toThrow(InvalidInput);
    expect(() => minimizeScalarBounded((x) => x, 0, Number.POSITIVE_INFINITY)).toThrow(InvalidInput);
    expect(() => minimizeScalarBounded((x) => x, Number.NaN, 1)).toThrow(InvalidInput);
    expect(() => minimizeScalarBounded((x) => x, 0, 1, { absoluteTolerance: 0 })).toThrow(InvalidInput);
    expect(() => minimizeScalarBounded((x) => x, 0, 1, { maxIterations: 0 })).toThrow(InvalidInput);
  });
});
