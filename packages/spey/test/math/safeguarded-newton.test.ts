import { describe, expect, it } from "vitest";
import { safeguardedNewton } from "../../src/math/safeguarded-newton.js";

describe("safeguardedNewton (rtsafe)", () => {
  it("finds the cube root of 2 as the root of x³ − 2 on (0, 3)", () => {
    let calls = 0;
    const r = safeguardedNewton(
      (x, out) => {
        calls++;
        out[0] = x * x * x - 2;
        out[1] = 3 * x * x;
      },
      0,
      3,
      1.5,
      { maxIterations: 100, stepTolerance: 4 * Number.EPSILON },
    );
    expect(r.converged).toBe(true);
    // tolerance: a few ulps of 2^(1/3), the accuracy of the last Newton step
    expect(r.x).toBeCloseTo(Math.cbrt(2), 14);
    expect(r.iterations).toBe(calls);
    // quadratic convergence from 1.5: far fewer steps than bisection's ~50
    expect(calls).toBeLessThan(10);
    expect(r.lower).toBeLessThanOrEqual(Math.cbrt(2));
    expect(r.upper).toBeGreaterThanOrEqual(Math.cbrt(2));
  });

  it("bisects where g′ ≤ 0 and still converges (g = atan-like plateau with a negative-slope start)", () => {
    // g(x) = x³ − x − 1 on (−2, 3): g′(0) = −1 < 0 forces a bisection first; root ≈ 1.3247179572 (plastic number)
    const plastic = 1.324717957244746;
    const r = safeguardedNewton(
      (x, out) => {
        out[0] = x * x * x - x - 1;
        out[1] = 3 * x * x - 1;
      },
      -2,
      3,
      0,
      { maxIterations: 200, stepTolerance: 4 * Number.EPSILON },
    );
    expect(r.converged).toBe(true);
    // tolerance: 1e-14 absolute, a few ulps at 1.32
    expect(Math.abs(r.x - plastic)).toBeLessThan(1e-14);
  });

  it("stays inside the bracket where the Newton step would leave it", () => {
    // g(x) = tanh(10(x − 0.3)): from x0 = 0.9 the Newton step overshoots far below a = 0
    const seen: number[] = [];
    const r = safeguardedNewton(
      (x, out) => {
        seen.push(x);
        const t = Math.tanh(10 * (x - 0.3));
        out[0] = t;
        out[1] = 10 * (1 - t * t);
      },
      0,
      1,
      0.9,
      { maxIterations: 200, stepTolerance: 1e-15 },
    );
    expect(r.converged).toBe(true);
    // tolerance: 1e-14, the root is exact 0.3 and tanh is well conditioned there
    expect(Math.abs(r.x - 0.3)).toBeLessThan(1e-14);
    for (const x of seen) expect(x > 0 && x < 1).toBe(true);
  });

  it("reports non-convergence when the iteration cap is reached, and stops on NaN", () => {
    const capped = safeguardedNewton(
      (x, out) => {
        out[0] = x - 0.123456789;
        out[1] = 0; // no derivative: pure bisection, ~50 steps needed
      },
      0,
      1,
      0.5,
      { maxIterations: 5, stepTolerance: 1e-15 },
    );
    expect(capped.converged).toBe(false);
    expect(capped.iterations).toBe(5);
    const nan = safeguardedNewton(
      (_x, out) => {
        out[0] = Number.NaN;
        out[1] = 1;
      },
      0,
      1,
      0.5,
      { maxIterations: 5, stepTolerance: 1e-15 },
    );
    expect(nan.converged).toBe(false);
    expect(nan.iterations).toBe(1);
  });

  it("with a bracket tolerance stops once the bracket is that narrow", () => {
    const r = safeguardedNewton(
      (x, out) => {
        out[0] = x - 0.7;
        out[1] = 0; // bisection only: the bracket halves each step
      },
      0,
      1,
      0.5,
      { maxIterations: 100, stepTolerance: 0, bracketTolerance: 1e-3 },
    );
    expect(r.converged).toBe(true);
    expect(r.upper - r.lower).toBeLessThanOrEqual(1e-3);
    // ⌈log2(1/1e-3)⌉ = 10 halvings give a bracket ≤ 1e-3
    expect(r.iterations).toBe(10);
  });

  it("reports why it stopped, and requireHalving bisects where Newton steps only shrink linearly", () => {
    // g = x³ has a triple root at 0: Newton steps shrink by 2/3 only (x⁺ = 2x/3)
    const cube = (seen: number[]) => (x: number, out: Float64Array) => {
      seen.push(x);
      out[0] = x * x * x;
      out[1] = 3 * x * x;
    };
    const plain: number[] = [];
    const slow = safeguardedNewton(cube(plain), -1, 2, 1.5, { maxIterations: 200, stepTolerance: 1e-12 });
    expect(slow.converged).toBe(true);
    expect(slow.reason).toBe("step");
    // linear convergence: (2/3)^k·1.5 ≤ ~1e-12 takes > 60 steps
    expect(plain.length).toBeGreaterThan(60);
    const halving: number[] = [];
    const fast = safeguardedNewton(cube(halving), -1, 2, 1.5, {
      maxIterations: 200,
      stepTolerance: 1e-12,
      requireHalving: true,
    });
    // 1.5 → Newton 1 (halves the bracket-wide first step) → 2/3 does not halve 0.5: bisect (−1 + 1)/2 = 0
    expect(halving).toEqual([1.5, 1, 0]);
    expect(fast.reason).toBe("root");
    expect(fast.x).toBe(0);
  });

  describe("closed mode: a minimum on [a, b] of a function with derivative g", () => {
    it("finds an interior minimum without evaluating outside [a, b]", () => {
      // f = cosh(x − 2): f′ = sinh(x − 2), f″ = cosh(x − 2) > 0; minimum at 2 in [0, 10]
      const seen: number[] = [];
      const r = safeguardedNewton(
        (x, out) => {
          seen.push(x);
          out[0] = Math.sinh(x - 2);
          out[1] = Math.cosh(x - 2);
        },
        0,
        10,
        9,
        { maxIterations: 100, stepTolerance: 1e-14, closed: true },
      );
      expect(r.converged).toBe(true);
      // tolerance: a few ulps of 2 (the last Newton step is below 1e-14·2)
      expect(Math.abs(r.x - 2)).toBeLessThan(1e-13);
      for (const x of seen) expect(x >= 0 && x <= 10).toBe(true);
    });

    it("ends at a bound where g points outwards, trying the end itself after a step past it", () => {
      // f = e^x on [1, 5]: g = f′ > 0 everywhere, so the minimum is the lower end 1
      const seen: number[] = [];
      const r = safeguardedNewton(
        (x, out) => {
          seen.push(x);
          out[0] = Math.exp(x);
          out[1] = Math.exp(x);
        },
        1,
        5,
        4.5,
        { maxIterations: 100, stepTolerance: 1e-12, closed: true },
      );
      expect(r).toMatchObject({ converged: true, reason: "bound", x: 1 });
      // 4.5 → Newton step 3.5 → 2.5 → 1.5 → 0.5 would leave [1, 5]: the end 1 instead
      expect(seen).toEqual([4.5, 3.5, 2.5, 1.5, 1]);
    });

    it("explores an unbounded side by `expand` and stops on NaN or after maxIterations", () => {
      // g = x − 1000 without a derivative on [0, ∞): doubling steps find a bracket, then bisection
      const seen: number[] = [];
      const r = safeguardedNewton(
        (x, out) => {
          seen.push(x);
          out[0] = x - 1000;
          out[1] = 0;
        },
        0,
        Number.POSITIVE_INFINITY,
        1,
        {
          maxIterations: 200,
          stepTolerance: 1e-15,
          bracketTolerance: 1e-12,
          closed: true,
          expand: (x, direction) => x + direction * Math.max(1, Math.abs(x)),
        },
      );
      expect(r.converged).toBe(true);
      expect(seen.slice(0, 11)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]);
      // tolerance: the bracket 1e-12·1000 wide contains the root
      expect(Math.abs(r.x - 1000)).toBeLessThanOrEqual(1e-9);
      const capped = safeguardedNewton(
        (x, out) => {
          out[0] = x - 1000;
          out[1] = 0;
        },
        0,
        Number.POSITIVE_INFINITY,
        1,
        { maxIterations: 4, stepTolerance: 1e-15, closed: true, expand: (x) => 2 * x },
      );
      expect(capped).toMatchObject({ converged: false, reason: "iterations", iterations: 4 });
      const nan = safeguardedNewton(
        (_x, out) => {
          out[0] = Number.NaN;
          out[1] = 1;
        },
        0,
        1,
        0.5,
        { maxIterations: 5, stepTolerance: 1e-15, closed: true },
      );
      expect(nan).toMatchObject({ converged: false, reason: "nan", iterations: 1 });
    });

    it("takes the withoutDerivative step where g′ ≤ 0, and stops at a negligible Newton step", () => {
      // f = x⁴/4 − x: g = x³ − 1, g′ = 3x² (0 at the start 0); minimum at 1 with f(1) = −3/4
      const seen: number[] = [];
      const r = safeguardedNewton(
        (x, out) => {
          seen.push(x);
          out[0] = x * x * x - 1;
          out[1] = 3 * x * x;
        },
        -5,
        5,
        0,
        {
          maxIterations: 100,
          stepTolerance: 1e-15,
          closed: true,
          withoutDerivative: (x, g) => x - Math.sign(g) * 0.5,
          // predicted decrease g²/2g′ of f below 1e-20: x is the minimum to ~1e-10
          isNegligibleNewtonStep: (g, dg) => (g * g) / (2 * dg) <= 1e-20,
        },
      );
      expect(seen[1]).toBe(0.5);
      expect(r).toMatchObject({ converged: true, reason: "step" });
      // returned x is the last evaluated point, within √(2·1e-20/3) ≈ 8e-11 of the minimum
      expect(r.x).toBe(seen[seen.length - 1]);
      expect(Math.abs(r.x - 1)).toBeLessThan(1e-10);
    });
  });
});
