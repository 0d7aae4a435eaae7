/**
 * The one safeguarded Newton iteration of the library: the root of a function g on a bracket
 * (a, b) across which g rises from negative to positive, by Newton steps x − g(x)/g′(x) that fall
 * back to bisecting the bracket whenever g′(x) ≤ 0 or the step leaves the bracket, the bracket
 * shrinking to the side of every evaluated point (Numerical Recipes' `rtsafe`: Press, Teukolsky,
 * Vetterling & Flannery, "Numerical Recipes", 3rd ed., §9.4). Used for roots of monotone functions
 * and, on the derivative of a convex function, for one-dimensional minima (profile likelihoods in
 * μ, bin-wise bounds of the simplified likelihoods).
 */

/** Settings of {@link safeguardedNewton}. */
export interface SafeguardedNewtonOptions {
  /** Evaluations of g before giving up (`converged: false`). */
  readonly maxIterations: number;
  /** Converged when a step |x⁺ − x| ≤ stepTolerance·max(1, |x|). */
  readonly stepTolerance: number;
  /** Converged when the bracket b − a ≤ bracketTolerance·max(1, |x|). Default 0 (not used). */
  readonly bracketTolerance?: number;
}

/** The result of {@link safeguardedNewton}. */
export interface SafeguardedNewtonResult {
  /** The root estimate: the last accepted iterate. */
  readonly x: number;
  /** Whether g(x) = 0, a step or the bracket became negligible; false after `maxIterations` or a NaN g. */
  readonly converged: boolean;
  /** Evaluations of g made. */
  readonly iterations: number;
  /** The final bracket (g < 0 at `lower` or `lower` is the initial a; likewise g > 0 at `upper`). */
  readonly lower: number;
  readonly upper: number;
}

/**
 * Root of g in (a, b), given that g < 0 towards a and g > 0 towards b (the ends themselves are
 * never evaluated), from the start x0 ∈ (a, b). `evaluate(x, out)` writes g(x) into out[0] and
 * g′(x) into out[1]. Bounded by `maxIterations`; a NaN g stops the iteration unconverged.
 */
export function safeguardedNewton(
  evaluate: (x: number, out: Float64Array) => void,
  a: number,
  b: number,
  x0: number,
  options: SafeguardedNewtonOptions,
): SafeguardedNewtonResult {
  const out = new Float64Array(2);
  const bracketTolerance = options.bracketTolerance ?? 0;
  let x = x0;
  let iterations = 0;
  const result = (converged: boolean, at: number) => ({ x: at, converged, iterations, lower: a, upper: b });
  while (iterations < options.maxIterations) {
    evaluate(x, out);
    iterations++;
    const g = out[0]!;
    const h = out[1]!;
    if (g === 0) return result(true, x);
    if (Number.isNaN(g)) return result(false, x);
    if (g < 0) a = x;
    else b = x;
    let next = h > 0 ? x - g / h : Number.NaN;
    if (!(next > a && next < b)) {
      next = 0.5 * (a + b);
      // the bracket is down to adjacent floating-point numbers
      if (!(next > a && next < b)) return result(true, x);
    }
    const scale = Math.max(1, Math.abs(x));
    if (Math.abs(next - x) <= options.stepTolerance * scale || b - a <= bracketTolerance * scale) {
      return result(true, next);
    }
    x = next;
  }
  return result(false, x);
}
