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
});
