/** Checked set-up of a bounded minimisation: options, bounds, fixed mask, start point. */
import { InvalidInput } from "../core/errors.js";
import type { MinimizeOptions, MinimizeProblem } from "./types.js";
import { isFiniteNumber, isInteger, max, min, isNaNNumber } from "../core/describe.js";
import { zeros } from "../core/arrays.js";

/** A validated problem: bounds and start as Float64Arrays, the free (movable) indices, settings. */
export interface PreparedProblem {
  n: number;
  lo: Float64Array;
  hi: Float64Array;
  /** The start x0 clipped into the bounds (fixed parameters keep x0 exactly). */
  x: Float64Array;
  /** Indices that are not fixed and whose box is not degenerate (lo < hi). */
  free: Int32Array;
  maxIterations: number;
  gradientTolerance: number;
  functionTolerance: number;
  useNewton: boolean;
  analytic: boolean;
}

function readArray(name: string, a: ArrayLike<number> | undefined, n: number, fill: number): Float64Array {
  const out = zeros(n);
  if (a === undefined) {
    out.fill(fill);
    return out;
  }
  if (a.length !== n) {
    throw new InvalidInput(`minimize: ${name} has length ${a.length} but x0 has length ${n}`);
  }
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    if (typeof v !== "number" || isNaNNumber(v)) {
      throw new InvalidInput(`minimize: ${name}[${i}] = ${String(v)} is not a number`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * Validates `problem` and `options` (defaults from {@link MinimizeOptions}); throws
 * {@link InvalidInput} for inconsistent lengths, NaN or crossed bounds, a non-finite x0, an
 * unknown method or gradient mode, or negative tolerances.
 */
export function prepareProblem(problem: MinimizeProblem, options: MinimizeOptions): PreparedProblem {
  const { objective, hessian } = problem;
  if (typeof objective !== "function") throw new InvalidInput("minimize: problem.objective must be a function");
  const n = problem.x0.length;
  const maxIterations = options.maxIterations ?? 500;
  const gtol = options.gradientTolerance ?? 1e-9;
  const ftol = options.functionTolerance ?? 1e-14;
  const methodOption = options.method ?? "auto";
  if (!isInteger(maxIterations) || maxIterations < 0) {
    throw new InvalidInput(`minimize: maxIterations = ${maxIterations} must be a non-negative integer`);
  }
  if (!(gtol >= 0) || !(ftol >= 0)) {
    throw new InvalidInput(`minimize: gradientTolerance (${gtol}) and functionTolerance (${ftol}) must be ≥ 0`);
  }
  if (methodOption !== "auto" && methodOption !== "newton" && methodOption !== "bfgs") {
    throw new InvalidInput(`minimize: unknown method "${String(methodOption)}" (use "auto", "newton" or "bfgs")`);
  }
  const hasHessian = hessian !== undefined || problem.hessianOperator !== undefined;
  if (methodOption === "newton" && !hasHessian) {
    throw new InvalidInput('minimize: method "newton" needs problem.hessian');
  }
  const useNewton = methodOption === "newton" || (methodOption === "auto" && hasHessian);
  const gradientMode = problem.gradient ?? "analytic";
  if (gradientMode !== "analytic" && gradientMode !== "finite-difference") {
    throw new InvalidInput(`minimize: unknown gradient mode "${String(gradientMode)}"`);
  }

  const lo = readArray("lower", problem.lower, n, Number.NEGATIVE_INFINITY);
  const hi = readArray("upper", problem.upper, n, Number.POSITIVE_INFINITY);
  const fixedIn = problem.fixed;
  if (fixedIn !== undefined && fixedIn.length !== n) {
    throw new InvalidInput(`minimize: fixed has length ${fixedIn.length} but x0 has length ${n}`);
  }
  const x = zeros(n);
  let nFree = 0;
  for (let i = 0; i < n; i++) {
    const v = problem.x0[i]!;
    if (!isFiniteNumber(v)) {
      throw new InvalidInput(`minimize: x0[${i}] = ${String(v)} is not a finite number`);
    }
    if (lo[i]! > hi[i]!) {
      throw new InvalidInput(`minimize: lower[${i}] = ${lo[i]} exceeds upper[${i}] = ${hi[i]}`);
    }
    const isFixed = fixedIn?.[i] === true;
    // Fixed parameters keep x0 exactly; a degenerate box lo = hi pins the parameter too.
    x[i] = isFixed ? v : min(hi[i]!, max(lo[i]!, v));
    if (!isFixed && lo[i]! < hi[i]!) nFree++;
  }
  const free = new Int32Array(nFree);
  for (let i = 0, k = 0; i < n; i++) if (fixedIn?.[i] !== true && lo[i]! < hi[i]!) free[k++] = i;
  return {
    n,
    lo,
    hi,
    x,
    free,
    maxIterations,
    gradientTolerance: gtol,
    functionTolerance: ftol,
    useNewton,
    analytic: gradientMode === "analytic",
  };
}
