/** Finite-difference gradients for the bounded minimiser (`gradient: "finite-difference"`). */
import type { Objective } from "./types.js";
import { abs, max } from "../core/describe.js";

/** Finite-difference step factor ε^{1/3} (optimal for central differences). */
const FD_STEP = Math.cbrt(Number.EPSILON);

/**
 * Gradient by finite differences of `objective` over the free indices, written into `g`.
 * Central differences with h = ε^{1/3}·max(1, |x_i|); at a bound, the one-sided second-order
 * formula (−3f(x) + 4f(x+h) − f(x+2h))/(2h) so that the objective is never evaluated outside
 * the box. `x` is perturbed in place and restored bit for bit. Returns the number of calls.
 */
export function finiteDifferenceGradient(
  objective: Objective,
  x: Float64Array,
  f0: number,
  g: Float64Array,
  lo: Float64Array,
  hi: Float64Array,
  free: Int32Array,
): number {
  let calls = 0;
  for (let k = 0; k < free.length; k++) {
    const i = free[k]!;
    const xi = x[i]!;
    const h = FD_STEP * max(1, abs(xi));
    if (xi - h >= lo[i]! && xi + h <= hi[i]!) {
      const xp = xi + h;
      const xm = xi - h;
      x[i] = xp;
      const fp = objective(x);
      x[i] = xm;
      const fm = objective(x);
      x[i] = xi;
      calls += 2;
      g[i] = (fp - fm) / (xp - xm);
    } else if (xi + 2 * h <= hi[i]! || xi - 2 * h >= lo[i]!) {
      const dir = xi + 2 * h <= hi[i]! ? 1 : -1;
      const x1 = xi + dir * h;
      const x2 = xi + dir * 2 * h;
      x[i] = x1;
      const f1 = objective(x);
      x[i] = x2;
      const f2 = objective(x);
      x[i] = xi;
      calls += 2;
      g[i] = (-3 * f0 + 4 * f1 - f2) / (x2 - xi);
    } else {
      // The box is narrower than 2h: secant across the whole interval.
      x[i] = hi[i]!;
      const fu = objective(x);
      x[i] = lo[i]!;
      const fl = objective(x);
      x[i] = xi;
      calls += 2;
      g[i] = (fu - fl) / (hi[i]! - lo[i]!);
    }
  }
  return calls;
}
