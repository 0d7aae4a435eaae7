/** Types of the bounded minimiser (see {@link ./minimize.ts}). */
import type { HessianOperator } from "./newton-cg.js";

export type { HessianOperator } from "./newton-cg.js";

/**
 * Negative log-likelihood at `x`; when `grad` is given, also writes ∂f/∂x_i into every entry
 * `grad[i]` (all n of them, fixed parameters included — their values are ignored).
 *
 * `x` and `grad` are scratch buffers owned by the minimiser: read `x`, write `grad`, but do not
 * mutate `x` and do not keep references to either after returning.
 */
export type Objective = (x: Float64Array, grad?: Float64Array) => number;

/**
 * Factors H[F, F] + τI for subsets F of the variables with the shift sequence of dense.ts's
 * `choleskyWithShift` and solves with the factor (block-arrow.ts's `BlockArrowCholesky`).
 */
export interface HessianFactoriser {
  /** Factor H[F, F] + τI, F = idx[0..m) of row-major n×n `h`; returns τ, or NaN when no shift worked. */
  factorWithShift(
    h: Float64Array,
    idx: ArrayLike<number>,
    m: number,
    maxAttempts: number,
    start?: "largest-diagonal" | "smallest-diagonal",
  ): number;
  /** Solve with the last factor in place (`x` in subset order). */
  solveInPlace(x: Float64Array): void;
}

/** Hessian of f at x, row-major n×n (all parameters, fixed ones included; their rows are ignored). */
export type HessianOf = (x: Float64Array) => Float64Array;

export interface MinimizeProblem {
  objective: Objective;
  /** When given, the projected Newton method is used (unless `options.method` is "bfgs"). */
  hessian?: HessianOf;
  /**
   * The Hessian by products instead of a dense matrix (problems of thousands of parameters): the
   * Newton step is then solved by truncated conjugate gradients (newton-cg.ts). Takes the place
   * of `hessian` when both are given.
   */
  hessianOperator?: HessianOperator;
  /**
   * Where the shift of an indefinite Hessian starts (`choleskyWithShift` in dense.ts): 1e-3 of the
   * largest diagonal entry (default), or of the smallest positive one — for Hessians whose diagonal
   * spans orders of magnitude, where the default shift makes the weakly curved directions crawl.
   */
  shiftStart?: "largest-diagonal" | "smallest-diagonal";
  /**
   * Solves the Newton systems of `hessian` through its block-arrow pattern (block-arrow.ts: small
   * blocks of parameters coupled only among themselves and to the rest, eliminated by a Schur
   * complement) instead of dense Cholesky; same shifts, same steps up to rounding. The object's
   * work arrays are reused: one minimisation at a time may use it. Default: dense.
   */
  hessianFactoriser?: HessianFactoriser;
  /** Start; clipped into the bounds (fixed parameters are not clipped: they keep x0 exactly). */
  x0: ArrayLike<number>;
  /** Lower bounds, default −Infinity. */
  lower?: ArrayLike<number>;
  /** Upper bounds, default +Infinity. */
  upper?: ArrayLike<number>;
  /** Fixed parameters keep their x0 value exactly and are removed from the free vector. */
  fixed?: ArrayLike<boolean>;
  /**
   * "analytic" (default): `objective(x, grad)` fills the gradient. "finite-difference": the
   * gradient is taken from central differences of `objective(x)` (one-sided second-order
   * differences at bounds), with step ε^{1/3}·max(1, |x_i|).
   */
  gradient?: "analytic" | "finite-difference";
  /**
   * The longest step α along a search direction d from x that the objective tolerates (e.g. a
   * fraction of the distance to a logarithmic singularity, as interior-point methods' "fraction
   * to the boundary" rule, Nocedal & Wright §19.2); the line search starts at min(1, maxStep).
   * Default: no limit.
   */
  maxStep?: (x: Float64Array, d: Float64Array) => number;
}

export interface MinimizeOptions {
  /** Maximum number of (outer) iterations. Default 500. */
  maxIterations?: number;
  /**
   * Convergence when the ∞-norm of the projected gradient x − P(x − ∇f) is
   * ≤ gradientTolerance·√max(1, |f|). Default 1e-9. The √|f| scaling is a compromise: NLLs
   * summed over many bins have gradients (and gradient rounding/finite-difference noise) that grow
   * with |f|, but a fully |f|-relative test would let an additive constant in the NLL (e.g. a
   * dropped or kept log n!) loosen the parameter accuracy. Newton usually overshoots the tolerance
   * by orders of magnitude (quadratic convergence).
   */
  gradientTolerance?: number;
  /**
   * Convergence when, on two consecutive iterations, |Δf| ≤ functionTolerance·max(1, |f|) and the
   * step is tiny (‖Δx‖∞ ≤ √functionTolerance·max(1, ‖x‖∞)). Default 1e-14.
   */
  functionTolerance?: number;
  /** "auto" (default): Newton when a Hessian is given, BFGS otherwise. "newton" needs a Hessian. */
  method?: "auto" | "newton" | "bfgs";
  /**
   * Not read by {@link minimize} itself (which never throws for non-convergence): the fits built on
   * it throw ConvergenceError when no start converged, unless this is true — then the best
   * unconverged point is used and a warning names the fit. Default false.
   */
  allowUnconverged?: boolean;
}

/**
 * The `optimiser` option of every method that runs fits, defined once: the minimiser's settings
 * ({@link MinimizeOptions}: `maxIterations` 500, `gradientTolerance` 1e-9, `functionTolerance`
 * 1e-14, `method` "auto", `allowUnconverged` false).
 */
export interface OptimiserOptions {
  /** Settings of the minimiser (iterations, tolerances, method). Default: {@link MinimizeOptions}' defaults. */
  readonly optimiser?: MinimizeOptions;
}

export interface MinimizeResult {
  /** Best point found (all n parameters; fixed ones equal their x0 bit for bit). */
  x: Float64Array;
  /** Objective at `x`. */
  fun: number;
  /**
   * Whether a convergence criterion was met (projected gradient, or f-change with a negligible
   * step, or — message "relaxed tolerance" — f cannot be decreased at floating-point precision
   * and the projected gradient is within 1000× the gradient tolerance). When false, `message`
   * says why not (iteration limit, failed line search, non-finite gradient).
   */
  converged: boolean;
  /** Outer iterations performed. */
  iterations: number;
  /** Objective evaluations (finite-difference evaluations included); Hessian calls not counted. */
  functionCalls: number;
  /** Human-readable reason for stopping. */
  message: string;
  /** ∞-norm of the projected gradient x − P(x − ∇f) over the free parameters at `x`. */
  projectedGradientNorm: number;
}
