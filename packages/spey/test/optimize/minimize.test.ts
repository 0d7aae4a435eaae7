import { describe, expect, it, test } from "vitest";
import { ConvergenceError, InvalidInput } from "../../src/core/errors.js";
import { minimize, minimizeOrThrow } from "../../src/optimize/minimize.js";
import type { HessianOf, MinimizeProblem, MinimizeResult, Objective } from "../../src/optimize/types.js";
import { manyBin, poissonHessian, poissonObjective, rosenbrock, rosenbrockHessian, twoBin } from "./problems.js";

const INF = Number.POSITIVE_INFINITY;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function gradientAt(objective: Objective, x: Float64Array): Float64Array {
  const g = new Float64Array(x.length);
  objective(x, g);
  return g;
}

/**
 * First-order (KKT) conditions for box constraints: an interior coordinate has |∂f| ≤ tol, one at
 * its lower bound has ∂f ≥ −tol, one at its upper bound has ∂f ≤ tol.
 */
function expectKkt(
  objective: Objective,
  r: MinimizeResult,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  tol: number,
): void {
  const g = gradientAt(objective, r.x);
  for (let i = 0; i < r.x.length; i++) {
    const x = r.x[i]!;
    if (x <= lower[i]!) expect(g[i]!).toBeGreaterThanOrEqual(-tol);
    else if (x >= upper[i]!) expect(g[i]!).toBeLessThanOrEqual(tol);
    else expect(Math.abs(g[i]!)).toBeLessThanOrEqual(tol);
  }
}

/** f(x) = ½ xᵀAx − bᵀx with gradient Ax − b and Hessian A (row-major n×n). */
function quadratic(a: number[][], b: number[]): { objective: Objective; hessian: HessianOf } {
  const n = b.length;
  const flat = Float64Array.from(a.flat());
  return {
    objective: (x, grad) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        let ax = 0;
        for (let j = 0; j < n; j++) ax += flat[i * n + j]! * x[j]!;
        f += 0.5 * x[i]! * ax - b[i]! * x[i]!;
        if (grad) grad[i] = ax - b[i]!;
      }
      return f;
    },
    hessian: () => flat.slice(),
  };
}

describe("unconstrained quadratic with a known minimiser", () => {
  const A = [
    [4, 1, 0.5, 0],
    [1, 3, 0.2, 0.1],
    [0.5, 0.2, 2, 0.3],
    [0, 0.1, 0.3, 1.5],
  ];
  const xStar = [1, -2, 0.5, 3];
  const b = A.map((row) => row.reduce((s, v, j) => s + v * xStar[j]!, 0));
  const { objective, hessian } = quadratic(A, b);

  test("Newton: one full step lands on A⁻¹b", () => {
    const r = minimize({ objective, hessian, x0: [0, 0, 0, 0] });
    expect(r.converged).toBe(true);
    // Newton on a quadratic is exact after one step; a second iteration at most polishes rounding.
    expect(r.iterations).toBeLessThanOrEqual(2);
    // Cholesky solve of a 4×4 system with condition number ~5: error at the 1e-15 level; 1e-13 margin.
    expect(maxAbsDiff(r.x, xStar)).toBeLessThan(1e-13);
  });

  test("BFGS converges to A⁻¹b", () => {
    const r = minimize({ objective, x0: [0, 0, 0, 0] });
    expect(r.converged).toBe(true);
    // Gradient tolerance 1e-9·√max(1,|f|) ≈ 3e-9 and the smallest eigenvalue of A is > 1, so
    // ‖x − x*‖∞ ≤ ‖A⁻¹‖·‖g‖ ≲ 1e-8.
    expect(maxAbsDiff(r.x, xStar)).toBeLessThan(1e-8);
  });
});

describe("bounded quadratic with active bounds", () => {
  const A = [
    [4, 1, 0.5, 0],
    [1, 3, 0.2, 0.1],
    [0.5, 0.2, 2, 0.3],
    [0, 0.1, 0.3, 1.5],
  ];
  const b = [1, -2, 3, 4];
  const lower = [0, 0, -1, -INF];
  const upper = [INF, 1, 1, 1];
  const { objective, hessian } = quadratic(A, b);
  // scipy minimize(f, zeros(4), jac=g, method="SLSQP", bounds=..., tol=1e-12) finds the active set
  // {x₂ = 0 (lower), x₃ = 1 (upper), x₄ = 1 (upper)}; solving the free 1×1 block exactly gives
  // x₁ = (1 − 0.5·1 − 0·1)/4 = 0.125, f = −4.98125 (SLSQP: f = −4.981249999999996).
  const xStar = [0.125, 0, 1, 1];
  const fStar = -4.98125;

  for (const method of ["newton", "bfgs"] as const) {
    test(`${method}: lands exactly on the active bounds and satisfies KKT`, () => {
      const r = minimize({ objective, hessian, x0: [0.5, 0.5, 0, 0], lower, upper }, { method });
      expect(r.converged).toBe(true);
      // Projection puts active coordinates exactly on their bounds.
      expect(r.x[1]).toBe(0);
      expect(r.x[2]).toBe(1);
      expect(r.x[3]).toBe(1);
      // Free coordinate: gradient ≤ 1e-9·√5 and curvature 4 → error ≤ 1e-9; 1e-8 margin.
      expect(Math.abs(r.x[0]! - xStar[0]!)).toBeLessThan(1e-8);
      // f error is quadratic in the free-coordinate error: ~1e-17.
      expect(Math.abs(r.fun - fStar)).toBeLessThan(1e-12);
      // KKT with the gradient tolerance in force (1e-9·√max(1,|f|) ≈ 2.2e-9).
      expectKkt(objective, r, lower, upper, 2.3e-9);
      expect(r.projectedGradientNorm).toBeLessThanOrEqual(2.3e-9);
    });
  }
});

describe("Rosenbrock", () => {
  const x2 = [-1.2, 1];
  const x5 = [-1.2, -1.2, -1.2, -1.2, 1];
  for (const [label, hessian] of [
    ["newton", rosenbrockHessian],
    ["bfgs", undefined],
  ] as const) {
    test(`2-D unconstrained (${label}) reaches (1, 1)`, () => {
      const r = minimize({ objective: rosenbrock, hessian, x0: x2 });
      expect(r.converged).toBe(true);
      // The Hessian at (1,1) has smallest eigenvalue ≈ 0.4 and the gradient tolerance is 1e-9,
      // so ‖x − 1‖ ≲ 3e-9; 1e-7 leaves room for the f-change criterion.
      expect(maxAbsDiff(r.x, [1, 1])).toBeLessThan(1e-7);
      expect(r.fun).toBeLessThan(1e-14);
    });

    test(`5-D unconstrained (${label}) reaches (1, …, 1)`, () => {
      const r = minimize({ objective: rosenbrock, hessian, x0: x5 });
      expect(r.converged).toBe(true);
      // Smallest Hessian eigenvalue at the optimum ≈ 0.08 (ill-conditioned valley), so a
      // gradient of ~1e-8 allows ~1e-7 in x; 1e-6 is the brief's parameter tolerance.
      expect(maxAbsDiff(r.x, [1, 1, 1, 1, 1])).toBeLessThan(1e-6);
      expect(r.fun).toBeLessThan(1e-12);
    });

    test(`2-D with upper bound 0.5 (${label}): (0.5, 0.25), f = 0.25`, () => {
      const upper = [0.5, 0.5];
      const r = minimize({ objective: rosenbrock, hessian, x0: x2, upper });
      expect(r.converged).toBe(true);
      // x₁ = 0.5 is active (∂f/∂x₁ = −1 < 0 there); x₂ = x₁² = 0.25 solves the free equation exactly.
      expect(r.x[0]).toBe(0.5);
      expect(Math.abs(r.x[1]! - 0.25)).toBeLessThan(1e-10); // curvature 200 → error ≤ 1e-9/200
      expect(Math.abs(r.fun - 0.25)).toBeLessThan(1e-14);
      expectKkt(rosenbrock, r, [-INF, -INF], upper, 1e-9);
    });

    test(`5-D with upper bound 0.5 (${label}) matches scipy`, () => {
      const upper = [0.5, 0.5, 0.5, 0.5, 0.5];
      const r = minimize({ objective: rosenbrock, hessian, x0: x5, upper });
      expect(r.converged).toBe(true);
      // scipy minimize(rosen, x0, jac=rosen_der, method="L-BFGS-B", bounds=[(None, .5)]*5,
      //   options=dict(ftol=1e-15, gtol=1e-12)) (SLSQP tol=1e-14 agrees to 2e-9 in x):
      const ref = [0.5, 0.2630373793261706, 0.07996232777733181, 0.016231657285573, 0.00026346669732753715];
      const fRef = 2.645665887626858;
      expect(r.x[0]).toBe(0.5);
      // Well-conditioned free block (eigenvalues ≳ 2): 1e-8 is ~10× the gradient tolerance.
      expect(maxAbsDiff(r.x, ref)).toBeLessThan(1e-8);
      expect(Math.abs(r.fun - fRef) / fRef).toBeLessThan(1e-12);
      expectKkt(rosenbrock, r, [-INF, -INF, -INF, -INF, -INF], upper, 1e-9 * Math.sqrt(fRef));
    });
  }
});

describe("fixed parameters", () => {
  for (const [label, hessian] of [
    ["newton", rosenbrockHessian],
    ["bfgs", undefined],
  ] as const) {
    test(`${label}: keep their x0 value bit for bit at every evaluation`, () => {
      const fixedValue = 0.1 + 0.2; // 0.30000000000000004: any arithmetic on it would show
      const x0 = [0, fixedValue, 0, 0, 0];
      let seen = true;
      const objective: Objective = (x, grad) => {
        if (x[1] !== fixedValue) seen = false;
        return rosenbrock(x, grad);
      };
      // The fixed value even lies outside the box: fixed parameters are not clipped.
      const r = minimize({
        objective,
        hessian,
        x0,
        upper: [INF, 0.25, INF, INF, INF],
        fixed: [false, true, false, false, false],
      });
      expect(r.converged).toBe(true);
      expect(seen).toBe(true);
      expect(r.x[1]).toBe(fixedValue);
      // The remaining coordinates are optimal given x₂: KKT on the free ones (tolerance in force
      // is 1e-9·√max(1, f); f ≈ 0.49 here).
      const g = gradientAt(rosenbrock, r.x);
      for (const i of [0, 2, 3, 4]) expect(Math.abs(g[i]!)).toBeLessThanOrEqual(1e-9);
    });
  }

  test("all parameters fixed: no iterations, f evaluated once at x0", () => {
    const r = minimize({ objective: rosenbrock, x0: [0.5, 0.5], fixed: [true, true] });
    expect(r.converged).toBe(true);
    expect(r.iterations).toBe(0);
    expect(r.functionCalls).toBe(1);
    expect(r.fun).toBe(rosenbrock(Float64Array.from([0.5, 0.5])));
  });

  test("a degenerate box lower = upper pins the parameter like a fixed one", () => {
    const r = minimize({
      objective: rosenbrock,
      hessian: rosenbrockHessian,
      x0: [0, 3],
      lower: [-INF, 0.7],
      upper: [INF, 0.7],
    });
    expect(r.x[1]).toBe(0.7);
    expect(r.converged).toBe(true);
  });
});

describe("Poisson NLL with Gaussian-constrained nuisances (two bins)", () => {
  // NLL = Σ_i [λ_i − n_i log λ_i] + Σ θ_i²/2, λ_i = μ s_i + b_i + σ_i θ_i; x = [μ, θ₁, θ₂].
  // s = [12, 15], b = [50, 48], n = [36, 33], σ = [12, 16]; start μ = 1, θ = 0; θ unbounded.
  const objective = poissonObjective(twoBin);
  const hessian = poissonHessian(twoBin);
  const x0 = [1, 0, 0];

  // References: scipy 1.17.1 minimize(nll, [1, 0, 0], jac=grad, method="SLSQP", tol=1e-12,
  // bounds=[(lo_μ, hi_μ), (None, None), (None, None)]); for fixed μ the θ-only problem
  // minimize(lambda t: nll([1, *t]), [0, 0], jac=..., method="SLSQP", tol=1e-12).
  const cases = [
    {
      name: "μ free in [−3.2, 10]",
      lower: [-3.2, -INF, -INF],
      upper: [10, INF, INF],
      fixed: undefined,
      fun: -175.38595231892128,
      x: [-1.0843992508285738, -0.06574160016041528, 0.07012435354246349],
    },
    {
      name: "μ fixed at 1",
      lower: [-3.2, -INF, -INF],
      upper: [10, INF, INF],
      fixed: [true, false, false],
      fun: -172.00824536037663,
      x: [1, -1.6787253193353762, -1.6395257029542782],
    },
    {
      name: "μ ≥ 0 (μ̂ on the bound 0)",
      lower: [0, -INF, -INF],
      upper: [10, INF, INF],
      fixed: undefined,
      fun: -174.4651467144187,
      x: [0, -0.9181203894252322, -0.825324220710264],
    },
  ];

  const variants = [
    { label: "Newton (analytic Hessian)", hessian, gradient: "analytic" as const },
    { label: "BFGS (analytic gradient)", hessian: undefined, gradient: "analytic" as const },
    { label: "BFGS (finite-difference gradient)", hessian: undefined, gradient: "finite-difference" as const },
  ];

  for (const c of cases) {
    const results: MinimizeResult[] = [];
    for (const v of variants) {
      test(`${c.name}: ${v.label} matches scipy SLSQP`, () => {
        const problem: MinimizeProblem = {
          objective,
          hessian: v.hessian,
          gradient: v.gradient,
          x0,
          lower: c.lower,
          upper: c.upper,
          fixed: c.fixed,
        };
        const r = minimize(problem);
        results.push(r);
        expect(r.converged).toBe(true);
        // The brief's acceptance tolerances: NLL minimum to 1e-10 relative (SLSQP's own gradient at
        // its optimum is ~5e-7, which moves f by only ~1e-14 relative), parameters to 1e-6
        // (SLSQP's x is within ~1e-7 of the true minimiser).
        expect(Math.abs(r.fun - c.fun) / Math.abs(c.fun)).toBeLessThan(1e-10);
        expect(maxAbsDiff(r.x, c.x)).toBeLessThan(1e-6);
        // Bound or fixed coordinates are exact, not merely close.
        if (c.fixed) expect(r.x[0]).toBe(1);
        if (c.lower[0] === 0) expect(r.x[0]).toBe(0);
        expectKkt(objective, r, c.lower, c.upper, c.fixed ? INF : 1e-6);
        // Never worse than scipy by more than rounding (64 ulps of |f|).
        expect(r.fun).toBeLessThanOrEqual(c.fun + 64 * Number.EPSILON * Math.abs(c.fun));
      });
    }
    test(`${c.name}: Newton, BFGS and finite-difference BFGS agree with each other`, () => {
      expect(results).toHaveLength(3);
      const [newton, bfgs, fd] = results as [MinimizeResult, MinimizeResult, MinimizeResult];
      // Newton reaches the minimiser to ~1e-15; BFGS stops at a gradient ≲ 1.3e-8 (curvature ≳ 1
      // → ≲ 1e-8 in x) and finite differences add ~1e-8 of gradient noise: 1e-7 covers both.
      expect(maxAbsDiff(newton.x, bfgs.x)).toBeLessThan(1e-7);
      expect(maxAbsDiff(newton.x, fd.x)).toBeLessThan(1e-7);
      // f differences are second order in the x differences: ≲ 1e-14 relative.
      expect(Math.abs(newton.fun - bfgs.fun) / Math.abs(newton.fun)).toBeLessThan(1e-13);
      expect(Math.abs(newton.fun - fd.fun) / Math.abs(newton.fun)).toBeLessThan(1e-13);
    });
  }

  test("Newton converges to a much smaller projected gradient than the tolerance (quadratic convergence)", () => {
    const r = minimize({ objective, hessian, x0, lower: cases[0]!.lower, upper: cases[0]!.upper });
    // The last Newton step squares a ~1e-8-sized gradient: result at the rounding level of ∇f.
    expect(r.projectedGradientNorm).toBeLessThan(1e-12);
  });

  test("the analytic-Hessian path needs fewer iterations than BFGS", () => {
    for (const c of cases) {
      const p = { objective, x0, lower: c.lower, upper: c.upper, fixed: c.fixed };
      const newton = minimize({ ...p, hessian });
      const bfgs = minimize(p);
      expect(newton.iterations).toBeLessThan(bfgs.iterations);
      expect(newton.iterations).toBeLessThanOrEqual(8);
    }
  });

  test("same input → bit-identical output (no hidden state)", () => {
    for (const v of variants) {
      const p: MinimizeProblem = { objective, hessian: v.hessian, gradient: v.gradient, x0, lower: [0, -INF, -INF] };
      const a = minimize(p);
      minimize({ ...p, x0: [5, 1, -1] }); // an unrelated call in between
      const b = minimize(p);
      expect(b).toEqual(a); // toEqual compares Float64Array elements with Object.is semantics
      for (let i = 0; i < 3; i++) expect(Object.is(a.x[i], b.x[i])).toBe(true);
    }
  });
});

describe("51-parameter Poisson problem (μ + 50 nuisances)", () => {
  const model = manyBin(50);
  const objective = poissonObjective(model);
  const hessian = poissonHessian(model);
  const x0 = new Array<number>(51).fill(0);
  x0[0] = 1;
  const lower = new Array<number>(51).fill(-INF);
  lower[0] = -3;
  // scipy minimize(nll, x0, jac=grad, method="SLSQP", bounds=[(-3, None)] + [(None, None)]*50,
  // tol=1e-12) on the same model (built with the same formulas in Python):
  const fRef = -12609.209684030093;
  const muRef = 0.516896065024469;
  const theta1Ref = 0.21598800667194806;
  const theta50Ref = -0.35991651494606347;

  for (const [label, h] of [
    ["newton", hessian],
    ["bfgs", undefined],
  ] as const) {
    test(`${label} matches scipy`, () => {
      const r = minimize({ objective, hessian: h, x0, lower });
      expect(r.converged).toBe(true);
      // Same acceptance tolerances as the two-bin problem (f 1e-10 relative, x 1e-6).
      expect(Math.abs(r.fun - fRef) / Math.abs(fRef)).toBeLessThan(1e-10);
      expect(Math.abs(r.x[0]! - muRef)).toBeLessThan(1e-6);
      expect(Math.abs(r.x[1]! - theta1Ref)).toBeLessThan(1e-6);
      expect(Math.abs(r.x[50]! - theta50Ref)).toBeLessThan(1e-6);
      if (label === "newton") {
        // The brief's budget: 5–15 Newton iterations on a 51-parameter convex problem (it takes 4).
        expect(r.iterations).toBeLessThanOrEqual(15);
      } else {
        // BFGS from H₀ = I takes 9 iterations here (the nuisance curvature is ≈ 1.2–1.4); 30 leaves
        // room but catches a regression to the ~40 iterations of a yᵀs/yᵀy-scaled start.
        expect(r.iterations).toBeLessThanOrEqual(30);
      }
    });
  }
});

describe("non-finite values", () => {
  test("NaN returned during the line search is treated as +∞ (backtracking)", () => {
    // f(x) = x − 2 log x is NaN for x < 0; from x = 10 the Newton step overshoots to x = −30.
    let sawNaN = false;
    const objective: Objective = (x, grad) => {
      const v = x[0]!;
      if (grad) grad[0] = 1 - 2 / v;
      const f = v - 2 * Math.log(v);
      if (Number.isNaN(f)) sawNaN = true;
      return f;
    };
    const hessian: HessianOf = (x) => Float64Array.of(2 / (x[0]! * x[0]!));
    for (const h of [hessian, undefined]) {
      sawNaN = false;
      const r = minimize({ objective, hessian: h, x0: [10] });
      expect(r.converged).toBe(true);
      // Minimiser x = 2 (curvature 0.5; gradient tolerance ~1e-9 → error ≲ 2e-9).
      expect(Math.abs(r.x[0]! - 2)).toBeLessThan(1e-8);
      if (h) expect(sawNaN).toBe(true);
    }
  });

  test("the Poisson fit backtracks out of the λ ≤ 0 region", () => {
    // From μ = 9 the first Newton step leaves the domain (λ ≤ 0 → NaN) and must be shortened.
    const r = minimize({
      objective: poissonObjective(twoBin),
      hessian: poissonHessian(twoBin),
      x0: [9, 2, 2],
      lower: [-3.2, -INF, -INF],
      upper: [10, INF, INF],
    });
    expect(r.converged).toBe(true);
    // Same reference and tolerance as the "μ free" case above.
    expect(Math.abs(r.fun + 175.38595231892128) / 175.38595231892128).toBeLessThan(1e-10);
  });

  test("non-finite x0 throws InvalidInput naming x0", () => {
    for (const bad of [Number.NaN, INF, -INF]) {
      expect(() => minimize({ objective: rosenbrock, x0: [0, bad] })).toThrow(InvalidInput);
      expect(() => minimize({ objective: rosenbrock, x0: [0, bad] })).toThrow(/x0\[1\]/);
    }
  });

  test("a non-finite objective at x0 throws InvalidInput naming x0", () => {
    const objective: Objective = (x) => Math.log(x[0]!);
    expect(() => minimize({ objective, x0: [-1] })).toThrow(InvalidInput);
    expect(() => minimize({ objective, x0: [-1] })).toThrow(/x0/);
  });
});

describe("non-convergence is reported, never silent", () => {
  test("maxIterations: 2 → converged false with a reason, best point returned", () => {
    const x0 = [-1.2, 1];
    const f0 = rosenbrock(Float64Array.from(x0));
    for (const hessian of [rosenbrockHessian, undefined]) {
      const r = minimize({ objective: rosenbrock, hessian, x0 }, { maxIterations: 2 });
      expect(r.converged).toBe(false);
      expect(r.iterations).toBe(2);
      expect(r.message).toMatch(/maximum number of iterations \(2\)/);
      expect(r.fun).toBeLessThan(f0); // progress was made and the best point is returned
      expect(r.fun).toBe(rosenbrock(r.x));
      expect(r.projectedGradientNorm).toBeGreaterThan(1e-9);
    }
    expect(() => minimizeOrThrow({ objective: rosenbrock, x0 }, { maxIterations: 2 })).toThrow(ConvergenceError);
  });

  test("a gradient that disagrees with f makes the line search fail, with converged false", () => {
    // f = x² but the reported gradient has the wrong sign: no descent along −g.
    const objective: Objective = (x, grad) => {
      if (grad) grad[0] = -2 * x[0]!;
      return x[0]! * x[0]!;
    };
    const r = minimize({ objective, x0: [1] });
    expect(r.converged).toBe(false);
    expect(r.message).toMatch(/line search failed/);
    expect(r.x[0]).toBe(1); // the start is still the best point seen
  });
});

describe("indefinite Hessians", () => {
  test("Newton with a Levenberg shift escapes a saddle region of a double well", () => {
    // f = x⁴/4 − x²/2 + y²/2: ∂²f/∂x² = 3x² − 1 < 0 at x = 0.1, so the reduced Hessian needs a shift.
    const objective: Objective = (x, grad) => {
      const a = x[0]!;
      const b = x[1]!;
      if (grad) {
        grad[0] = a * a * a - a;
        grad[1] = b;
      }
      return (a * a * a * a) / 4 - (a * a) / 2 + (b * b) / 2;
    };
    const hessian: HessianOf = (x) => Float64Array.of(3 * x[0]! * x[0]! - 1, 0, 0, 1);
    const r = minimize({ objective, hessian, x0: [0.1, 1] });
    expect(r.converged).toBe(true);
    // Minimiser (1, 0), f = −1/4; curvature 2 and 1 → x error ≲ 1e-9.
    expect(maxAbsDiff(r.x, [1, 0])).toBeLessThan(1e-8);
    expect(Math.abs(r.fun + 0.25)).toBeLessThan(1e-15);
  });
});

describe("input validation", () => {
  test("inconsistent lengths, crossed bounds, and Newton without a Hessian throw InvalidInput", () => {
    expect(() => minimize({ objective: rosenbrock, x0: [0, 0], lower: [0] })).toThrow(InvalidInput);
    expect(() => minimize({ objective: rosenbrock, x0: [0, 0], upper: [1, 1, 1] })).toThrow(InvalidInput);
    expect(() => minimize({ objective: rosenbrock, x0: [0, 0], fixed: [true] })).toThrow(InvalidInput);
    expect(() => minimize({ objective: rosenbrock, x0: [0, 0], lower: [1, 0], upper: [0, 1] })).toThrow(/lower\[0\]/);
    expect(() => minimize({ objective: rosenbrock, x0: [0, 0], lower: [Number.NaN, 0] })).toThrow(InvalidInput);
    expect(() => minimize({ objective: rosenbrock, x0: [0, 0] }, { method: "newton" })).toThrow(/hessian/);
    expect(() => minimize({ objective: rosenbrock, x0: [0, 0] }, { maxIterations: -1 })).toThrow(InvalidInput);
  });

  test("x0 outside the box is clipped into it", () => {
    const calls: number[] = [];
    const objective: Objective = (x, grad) => {
      calls.push(x[0]!);
      if (grad) grad[0] = 2 * (x[0]! - 5);
      return (x[0]! - 5) ** 2;
    };
    const r = minimize({ objective, x0: [-10], lower: [0], upper: [3] });
    expect(calls[0]).toBe(0);
    expect(r.x[0]).toBe(3);
    expect(r.converged).toBe(true);
  });
});

describe("randomised regression: bounded, badly scaled convex quadratics", () => {
  // Deterministic LCG (no dependency on Math.random): 150 problems, n ≤ 30, curvature scales
  // spanning e^±3 per coordinate (condition numbers up to ~1e8), ~70 % of coordinates boxed,
  // ~10 % fixed. Before the BFGS matrix was carried across active-set changes by a Schur
  // complement, a plain reset made some of these stall at the iteration limit.
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  test("Newton and BFGS converge, agree, and satisfy KKT on every problem", () => {
    for (let t = 0; t < 150; t++) {
      const n = 1 + Math.floor(rnd() * 30);
      const m = Array.from({ length: n * n }, () => rnd() * 2 - 1);
      const scale = Array.from({ length: n }, () => Math.exp((rnd() - 0.5) * 6));
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += m[i * n + k]! * m[j * n + k]!;
          a[i * n + j] = (s + (i === j ? 0.1 : 0)) * scale[i]! * scale[j]!;
        }
      }
      const b = Array.from({ length: n }, () => (rnd() * 2 - 1) * 5);
      const lower = Array.from({ length: n }, () => (rnd() < 0.3 ? -INF : -rnd()));
      const upper = Array.from({ length: n }, () => (rnd() < 0.3 ? INF : rnd()));
      const fixed = Array.from({ length: n }, () => rnd() < 0.1);
      const objective: Objective = (x, grad) => {
        let f = 100;
        for (let i = 0; i < n; i++) {
          let ax = 0;
          for (let j = 0; j < n; j++) ax += a[i * n + j]! * x[j]!;
          f += 0.5 * x[i]! * ax - b[i]! * x[i]!;
          if (grad) grad[i] = ax - b[i]!;
        }
        return f;
      };
      const x0 = Array.from({ length: n }, () => rnd() - 0.5);
      const problem = { objective, x0, lower, upper, fixed };
      const newton = minimize({ ...problem, hessian: () => a });
      const bfgs = minimize(problem);
      expect(newton.converged, `problem ${t}: ${newton.message}`).toBe(true);
      expect(bfgs.converged, `problem ${t}: ${bfgs.message}`).toBe(true);
      // Convex problem: both must reach the same minimum value. f ≈ 100 + O(10³); BFGS stops at a
      // gradient ≲ 1e-9·√|f| ~ 3e-8, which moves f by ≲ g²/λ_min ~ 1e-12 relative.
      expect(Math.abs(bfgs.fun - newton.fun) / Math.max(1, Math.abs(newton.fun))).toBeLessThan(1e-10);
      const tol = 1e-9 * Math.sqrt(Math.max(1, Math.abs(newton.fun)));
      const free = fixed.map((v) => !v);
      const lo = lower.map((v, i) => (free[i] ? v : -INF));
      const hi = upper.map((v, i) => (free[i] ? v : INF));
      // KKT on the free coordinates with the tolerance in force (fixed ones are excluded).
      const g = gradientAt(objective, newton.x);
      for (let i = 0; i < n; i++) {
        if (!free[i]) {
          expect(newton.x[i]).toBe(x0[i]);
          continue;
        }
        const x = newton.x[i]!;
        if (x <= lo[i]!) expect(g[i]!).toBeGreaterThanOrEqual(-tol);
        else if (x >= hi[i]!) expect(g[i]!).toBeLessThanOrEqual(tol);
        else expect(Math.abs(g[i]!)).toBeLessThanOrEqual(tol);
      }
      expect(newton.iterations).toBeLessThanOrEqual(10);
    }
  });
});

describe("minimize on an ill-conditioned problem (Newton decrement criterion)", () => {
  it("converges when the gradient is dominated by rounding but the Newton decrement is negligible", () => {
    // f(x) = ½ xᵀAx + 5 with A = Rᵀ diag(1e12, 1) R (condition number 1e12), minimum at x = (1, −2):
    // near the optimum the gradient's rounding error (≈ 1e12·ε·|x| ≈ 1e-4) exceeds the gradient
    // tolerance, yet f is minimal to ~1e-10 relative.
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const l1 = 1e12;
    const a = [l1 * c * c + s * s, (l1 - 1) * c * s, l1 * s * s + c * c];
    const objective = (x: Float64Array, grad?: Float64Array) => {
      const dx = (x[0] as number) - 1;
      const dy = (x[1] as number) + 2;
      const gx = (a[0] as number) * dx + (a[1] as number) * dy;
      const gy = (a[1] as number) * dx + (a[2] as number) * dy;
      if (grad) {
        grad[0] = gx;
        grad[1] = gy;
      }
      return 0.5 * (dx * gx + dy * gy) + 5;
    };
    const hessian = () => Float64Array.of(a[0] as number, a[1] as number, a[1] as number, a[2] as number);
    const result = minimize({ objective, hessian, x0: [0.3, 0.7] });
    expect(result.converged).toBe(true);
    // f is resolved to its rounding: within 1e-9 of the exact minimum 5.
    expect(Math.abs(result.fun - 5)).toBeLessThan(1e-9);
  });
});
