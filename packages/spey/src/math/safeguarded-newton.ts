/**
 * The one safeguarded Newton iteration of the library: the root of a function g on a bracket
 * (a, b) across which g rises from negative to positive, by Newton steps x − g(x)/g′(x) that fall
 * back to bisecting the bracket whenever g′(x) ≤ 0 or the step leaves the bracket, the bracket
 * shrinking to the side of every evaluated point (Numerical Recipes' `rtsafe`: Press, Teukolsky,
 * Vetterling & Flannery, "Numerical Recipes", 3rd ed., §9.4). Used for roots of monotone functions
 * and, on the derivative of a convex or piecewise-convex function, for one-dimensional minima
 * (profile likelihoods in μ, bin-wise bounds of the simplified likelihoods, the summed profile of
 * the uncorrelated combiner).
 *
 * Two modes:
 * - **open** (default): (a, b) is a bracket, g < 0 towards a and g > 0 towards b; the ends are never
 *   evaluated and a refused Newton step bisects the bracket.
 * - **closed** (`closed: true`): [a, b] is the domain of a minimisation on g = f′ (either end may be
 *   infinite), nothing is assumed about the signs at the ends, and an end is a candidate: g ≥ 0 at a
 *   or g ≤ 0 at b ends the iteration there (`reason: "bound"`). A trial point that is not a number
 *   or reaches past a side where no point has been evaluated yet goes to `expand` (default the end
 *   itself) instead of bisecting against an end that is not a bracket.
 */
import { zeros } from "../core/arrays.js";
import { abs, max, isNaNNumber } from "../core/describe.js";

/** Settings of {@link safeguardedNewton}. */
export interface SafeguardedNewtonOptions {
  /** Evaluations of g before giving up (`converged: false`, `reason: "iterations"`). */
  readonly maxIterations: number;
  /** Converged when a step |x⁺ − x| ≤ stepTolerance·max(1, |x|) (`reason: "step"`, x = x⁺, not evaluated). */
  readonly stepTolerance: number;
  /**
   * Converged when the bracket b − a ≤ bracketTolerance·max(1, |x|), both ends being established
   * (`reason: "bracket"`). Default 0 (not used).
   */
  readonly bracketTolerance?: number;
  /** The iteration minimises on [a, b] instead of finding a root in a known bracket (see the module comment). Default false. */
  readonly closed?: boolean;
  /**
   * With `closed`: the trial point instead of a step from x towards `direction` (+1 up, −1 down)
   * that is not a number or reaches past the end on a side where nothing has been evaluated yet;
   * it must lie in [a, b]. Default: the end a or b.
   */
  readonly expand?: (x: number, direction: 1 | -1) => number;
  /**
   * Refuse (and bisect instead of) a Newton step that does not halve the previous step once the
   * root is bracketed on both sides — rtsafe's original rule, a guard against a g′ that is off
   * where g has kinks. Default false.
   */
  readonly requireHalving?: boolean;
  /** Whether x, where g and g′ were just evaluated, is the root (default: g = 0). */
  readonly isRoot?: (x: number, g: number, dg: number) => boolean;
  /** The trial point from x when g′(x) is not positive (default: none, so the safeguard decides). */
  readonly withoutDerivative?: (x: number, g: number) => number;
  /**
   * Whether a Newton step x − g/g′ that the safeguard accepted is too small to be worth taking
   * (e.g. the decrease g²/2g′ it predicts of a function whose derivative is g): converged at x
   * (`reason: "step"`, x evaluated). Default: never.
   */
  readonly isNegligibleNewtonStep?: (g: number, dg: number) => boolean;
}

/** Why {@link safeguardedNewton} stopped. */
export type SafeguardedNewtonStop =
  /** `isRoot` (default g = 0) held at x, evaluated. */
  | "root"
  /** closed mode: g ≥ 0 at a or g ≤ 0 at b; x is that end, evaluated. */
  | "bound"
  /** the bracket became narrower than `bracketTolerance` or than adjacent floating-point numbers. */
  | "bracket"
  /** a step became negligible (`stepTolerance`, `isNegligibleNewtonStep`). */
  | "step"
  /** `maxIterations` evaluations without convergence; x is the next trial point (not evaluated). */
  | "iterations"
  /** g was NaN at x. */
  | "nan";

/** The result of {@link safeguardedNewton}. */
export interface SafeguardedNewtonResult {
  /**
   * The root estimate: the last evaluated point, or for `reason` "step" after `stepTolerance` and
   * "bracket" after `bracketTolerance` the next trial point (not evaluated).
   */
  readonly x: number;
  /** Whether g(x) = 0, a step or the bracket became negligible, or x is a bound minimum; false after `maxIterations` or a NaN g. */
  readonly converged: boolean;
  readonly reason: SafeguardedNewtonStop;
  /** Evaluations of g made. */
  readonly iterations: number;
  /** The final bracket (g < 0 at `lower` or `lower` is the initial a; likewise g > 0 at `upper`). */
  readonly lower: number;
  readonly upper: number;
}

/**
 * Root of g in (a, b), given that g < 0 towards a and g > 0 towards b (the ends themselves are
 * never evaluated), or with `closed` a minimum on [a, b] of a function whose derivative is g, from
 * the start x0 in the interval. `evaluate(x, out)` writes g(x) into out[0] and g′(x) into out[1].
 * Bounded by `maxIterations`; a NaN g stops the iteration unconverged.
 */
export function safeguardedNewton(
  evaluate: (x: number, out: Float64Array) => void,
  a: number,
  b: number,
  x0: number,
  options: SafeguardedNewtonOptions,
): SafeguardedNewtonResult {
  const out = zeros(2);
  const bracketTolerance = options.bracketTolerance ?? 0;
  const closed = options.closed === true;
  const lowerEnd = a;
  const upperEnd = b;
  // an open bracket is known on both sides; a closed interval once a point with g < 0 (g > 0) is seen
  let aKnown = !closed;
  let bKnown = !closed;
  let previousStep = b - a;
  let x = x0;
  let iterations = 0;
  const result = (converged: boolean, reason: SafeguardedNewtonStop, at: number): SafeguardedNewtonResult => ({
    x: at,
    converged,
    reason,
    iterations,
    lower: a,
    upper: b,
  });
  while (iterations < options.maxIterations) {
    evaluate(x, out);
    iterations++;
    const g = out[0]!;
    const h = out[1]!;
    if (options.isRoot ? options.isRoot(x, g, h) : g === 0) return result(true, "root", x);
    if (isNaNNumber(g)) return result(false, "nan", x);
    if (g < 0) {
      if (closed && x >= upperEnd) return result(true, "bound", x);
      a = x;
      aKnown = true;
    } else {
      if (closed && x <= lowerEnd) return result(true, "bound", x);
      b = x;
      bKnown = true;
    }
    let next = h > 0 ? x - g / h : options.withoutDerivative ? options.withoutDerivative(x, g) : Number.NaN;
    const bracketed = aKnown && bKnown;
    const slow = options.requireHalving === true && bracketed && abs(next - x) > 0.5 * abs(previousStep);
    let newton = h > 0;
    if (!(next > a && next < b) || slow) {
      newton = false;
      // downhill (towards the root) is up where g < 0; a trial point that is not a number or
      // reaches past a side where nothing has been evaluated yet explores that side, any other
      // refused one (a step that rounds to x, a slow step) bisects
      const direction = g < 0 ? 1 : -1;
      const unexplored = direction > 0 ? !bKnown && !(next < b) : !aKnown && !(next > a);
      if (unexplored) {
        next = options.expand ? options.expand(x, direction) : direction > 0 ? upperEnd : lowerEnd;
      } else {
        next = 0.5 * (a + b);
        // the bracket is down to adjacent floating-point numbers
        if (!(next > a && next < b)) return result(true, "bracket", x);
      }
    }
    const scale = max(1, abs(x));
    if (bracketed && b - a <= bracketTolerance * scale) return result(true, "bracket", next);
    if (abs(next - x) <= options.stepTolerance * scale) return result(true, "step", next);
    if (newton && options.isNegligibleNewtonStep?.(g, h)) return result(true, "step", x);
    previousStep = next - x;
    x = next;
  }
  return result(false, "iterations", x);
}
