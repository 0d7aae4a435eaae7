/**
 * Bracketing root finders for scalar functions: TOMS Algorithm 748 (Alefeld, Potra & Shi 1995) and
 * Brent's method, with the tolerance conventions, defaults and return statistics of
 * `scipy.optimize.toms748` / `scipy.optimize.brentq` (scipy's `xtol`, `rtol`, `maxiter` are named
 * `absoluteTolerance`, `relativeTolerance`, `maxIterations` here). Both are bounded by `maxIterations`, never loop
 * forever, and refuse non-finite function values.
 */
import { InvalidInput, SpeyError } from "../core/errors.js";
import type { SolverTolerances } from "../core/tolerances.js";
import { isFiniteNumber, isInteger, abs, min, isNaNNumber, sign } from "../core/describe.js";

/** Default absolute tolerance, as scipy (`_xtol = 2e-12`). */
export const DEFAULT_XTOL = 2e-12;
/** Default relative tolerance, as scipy (`_rtol = 4·eps`). */
export const DEFAULT_RTOL = 4 * Number.EPSILON;
/** Default iteration cap, as scipy (`_iter = 100`). */
export const DEFAULT_MAXITER = 100;

/**
 * Tolerances and iteration cap shared by the root finders (the library's names, scipy's defaults):
 * `absoluteTolerance` > 0, default {@link DEFAULT_XTOL}; `relativeTolerance`, default
 * {@link DEFAULT_RTOL} (toms748 accepts ≥ eps, brentq ≥ 4·eps, as scipy); `maxIterations`, default
 * {@link DEFAULT_MAXITER}.
 */
export type RootOptions = SolverTolerances;

/** Options of {@link toms748}. */
export interface Toms748Options extends RootOptions {
  /**
   * Number of Newton-quadratic / inverse-cubic steps per iteration (APS 1995: k = 1 is Algorithm
   * 4.1, k = 2 is Algorithm 4.2). Default 2. Note that `scipy.optimize.toms748`'s own default is
   * k = 1; pass `k: 1` to reproduce scipy calls that leave it unset.
   */
  k?: number;
}

/** Outcome flag, spelled as scipy's `RootResults.flag`. */
export type RootFlag = "converged" | "convergence error";

/** Result of a root finder (scipy's `RootResults`, camel-cased). */
export interface RootResult {
  /** The root estimate. */
  root: number;
  /** Whether the convergence criterion was met (or an exact zero was hit) within `maxIterations`. */
  converged: boolean;
  /** Iterations performed, counted as scipy counts them. */
  iterations: number;
  /** Function evaluations performed. */
  functionCalls: number;
  /** "converged" or "convergence error". */
  flag: RootFlag;
}

/** A scalar function whose root is sought. */
export type ScalarFunction = (x: number) => number;

const EPS = Number.EPSILON;

/** The options with their defaults, under scipy's names as the ported algorithms use them. */
function resolveOptions(
  options: RootOptions | undefined,
  name: string,
  minRtol: number,
): { xtol: number; rtol: number; maxiter: number } {
  const xtol = options?.absoluteTolerance ?? DEFAULT_XTOL;
  const rtol = options?.relativeTolerance ?? DEFAULT_RTOL;
  const maxiter = options?.maxIterations ?? DEFAULT_MAXITER;
  if (!(xtol > 0) || !isFiniteNumber(xtol)) {
    throw new InvalidInput(`${name}: absoluteTolerance must be a positive finite number, got ${xtol}`);
  }
  if (!(rtol >= minRtol) || !isFiniteNumber(rtol)) {
    throw new InvalidInput(`${name}: relativeTolerance must be a finite number ≥ ${minRtol}, got ${rtol}`);
  }
  if (!isInteger(maxiter) || maxiter < 1) {
    throw new InvalidInput(`${name}: maxIterations must be a positive integer, got ${maxiter}`);
  }
  return { xtol, rtol, maxiter };
}

function checkEndpoints(name: string, a: number, b: number): void {
  if (!isFiniteNumber(a)) throw new InvalidInput(`${name}: lower bracket end a must be finite, got ${a}`);
  if (!isFiniteNumber(b)) throw new InvalidInput(`${name}: upper bracket end b must be finite, got ${b}`);
}

/** Evaluates f and refuses NaN/±Infinity, naming the point (scipy raises ValueError likewise). */
function evaluate(name: string, f: ScalarFunction, x: number): number {
  const fx = f(x);
  if (!isFiniteNumber(fx)) {
    throw new SpeyError(`${name}: the function value at x=${x} is ${fx}; the solver cannot continue`);
  }
  return fx;
}

function notBracketing(name: string, a: number, fa: number, b: number, fb: number): InvalidInput {
  return new InvalidInput(
    `${name}: f(a) and f(b) must have different signs, but f(${a})=${fa} and f(${b})=${fb}; widen the bracket [a, b]`,
  );
}

function result(root: number, converged: boolean, iterations: number, functionCalls: number): RootResult {
  return { root, converged, iterations, functionCalls, flag: converged ? "converged" : "convergence error" };
}

/** Binary exponent e with |x| = m·2^e, ½ ≤ m < 1 (numpy.frexp); 0 for x = 0. */
function frexpExponent(x: number): number {
  const ax = abs(x);
  if (ax === 0 || !isFiniteNumber(ax)) return 0;
  let e = Math.floor(Math.log2(ax)) + 1;
  if (ax / 2 ** e >= 1) e++;
  else if (ax / 2 ** e < 0.5) e--;
  return e;
}

/**
 * x at which the cubic through (fa, a), (fb, b), (fd, d), (fe, e) — x as a polynomial in f —
 * vanishes: inverse cubic interpolation by Neville's scheme (APS 1995 §2, "ipzero"; same
 * evaluation order as scipy's `_inverse_poly_zero`).
 */
function inverseCubicZero(
  a: number,
  b: number,
  d: number,
  e: number,
  fa: number,
  fb: number,
  fd: number,
  fe: number,
): number {
  // Neville tableau for p(0), nodes y = (fa, fb, fd, fe), values x = (a, b, d, e); Q and D are the
  // upward and downward corrections, and p(0) = x_3 + Q31 + Q32 + Q33.
  const y0 = fa;
  const y1 = fb;
  const y2 = fd;
  const y3 = fe;
  // k = 1
  let diff = y0 - y1;
  let alpha = b - a;
  const q11 = (y1 / diff) * alpha;
  diff = y1 - y2;
  alpha = d - b;
  const q21 = (y2 / diff) * alpha;
  const d21 = (y1 / diff) * alpha;
  diff = y2 - y3;
  alpha = e - d;
  const q31 = (y3 / diff) * alpha;
  const d31 = (y2 / diff) * alpha;
  // k = 2
  diff = y0 - y2;
  alpha = d21 - q11;
  const q22 = (y2 / diff) * alpha;
  diff = y1 - y3;
  alpha = d31 - q21;
  const q32 = (y3 / diff) * alpha;
  const d32 = (y1 / diff) * alpha;
  // k = 3
  diff = y0 - y3;
  alpha = d32 - q22;
  const q33 = (y3 / diff) * alpha;
  return q31 + q32 + q33 + e;
}

/**
 * APS 1995 "Newton-quadratic": `steps` Newton steps on the quadratic through (a, fa), (b, fb),
 * (d, fd), started from the endpoint where the quadratic's curvature and f agree in sign. Falls back
 * to the last iterate inside (a, b), or the midpoint, if a step leaves the bracket.
 */
function newtonQuadratic(a: number, b: number, fa: number, fb: number, d: number, fd: number, steps: number): number {
  const bDiff = (fb - fa) / (b - a);
  const aDiff = ((fd - fb) / (d - b) - bDiff) / (d - a);
  let r: number;
  if (aDiff === 0) {
    r = a - fa / bDiff;
  } else {
    r = sign(aDiff) * sign(fa) > 0 ? a : b;
    for (let i = 0; i < steps; i++) {
      const p = (aDiff * (r - b) + bDiff) * (r - a) + fa;
      const r1 = r - p / (bDiff + aDiff * (2 * r - a - b));
      if (!(a < r1 && r1 < b)) {
        if (a < r && r < b) return r;
        r = 0.5 * (a + b);
        break;
      }
      r = r1;
    }
  }
  // Robustness (not in scipy): a degenerate divided difference can give NaN or an outside point.
  return a < r && r < b ? r : 0.5 * (a + b);
}

/** No two of the values are within 32·eps of each other, and all are finite and non-zero (scipy `_notclose`). */
function distinctValues(fa: number, fb: number, fd: number, fe: number): boolean {
  if (!(fa !== 0 && fb !== 0 && fd !== 0 && fe !== 0)) return false;
  if (!(isFiniteNumber(fd) && isFiniteNumber(fe))) return false;
  const tol = 32 * EPS;
  return (
    abs(fa - fb) > tol &&
    abs(fa - fd) > tol &&
    abs(fa - fe) > tol &&
    abs(fb - fd) > tol &&
    abs(fb - fe) > tol &&
    abs(fd - fe) > tol
  );
}

/**
 * Finds a root of `f` in [a, b] with TOMS Algorithm 748: G. E. Alefeld, F. A. Potra & Y. Shi,
 * "Algorithm 748: Enclosing zeros of continuous functions", ACM TOMS 21 (1995) 327–344,
 * doi:10.1145/210089.210111 — Algorithm 4.2 for k = 2 (default), 4.1 for k = 1. Each iteration
 * takes k inverse-cubic-interpolation steps (Newton-quadratic when the four f-values are not
 * distinct or the interpolant leaves the bracket), a double-length secant step from the better
 * endpoint, and a bisection if the bracket did not shrink by half.
 *
 * Semantics follow scipy's `TOMS748Solver` (scipy 1.17): the first step is a secant step counted as
 * iteration 1; an exact zero of f at a, b or any trial point is returned at once (converged); after
 * each iteration the solver stops when the bracket [a, b] satisfies
 * `|b − a| ≤ xtol + rtol·|b|` (`numpy.isclose(a, b, rtol, atol=xtol)`), returning the midpoint —
 * so the root is within `xtol + rtol·|x|` of the true zero. Hitting `maxiter` returns the midpoint
 * with `converged: false` (scipy with `disp=False`) rather than throwing.
 * One deliberate difference: scipy keeps the previous trial point when the k-th inverse-cubic step
 * falls outside the bracket (re-evaluating f at a bracket end); here the Newton-quadratic step is
 * used, as in APS 1995. Iteration counts therefore agree with scipy's up to a step or two.
 *
 * @throws InvalidInput if a ≥ b, an end is not finite, the options are invalid, or f(a), f(b) are
 * both non-zero with the same sign.
 * @throws SpeyError if f returns NaN or ±Infinity (the message names x).
 */
export function toms748(f: ScalarFunction, a: number, b: number, options?: Toms748Options): RootResult {
  const name = "toms748";
  const { xtol, rtol, maxiter } = resolveOptions(options, name, EPS);
  const kOpt = options?.k ?? 2;
  if (!isInteger(kOpt) || kOpt < 1 || kOpt > 100) {
    throw new InvalidInput(`${name}: k must be an integer in [1, 100], got ${kOpt}`);
  }
  checkEndpoints(name, a, b);
  if (!(a < b)) throw new InvalidInput(`${name}: a and b are not an interval [${a}, ${b}]; need a < b`);

  let calls = 0;
  const call = (x: number): number => {
    calls++;
    return evaluate(name, f, x);
  };
  let iterations = 0;

  let fa = call(a);
  if (fa === 0) return result(a, true, 0, calls);
  let fb = call(b);
  if (fb === 0) return result(b, true, 0, calls);
  if (sign(fa) === sign(fb)) throw notBracketing(name, a, fa, b, fb);

  // Replaces the endpoint whose f has the sign of fc by c; returns the discarded point via the
  // closure variables (dropped, fDropped).
  let dropped = 0;
  let fDropped = 0;
  const updateBracket = (c: number, fc: number): void => {
    if (sign(fa) * sign(fc) > 0) {
      dropped = a;
      fDropped = fa;
      a = c;
      fa = fc;
    } else {
      dropped = b;
      fDropped = fb;
      b = c;
      fb = fc;
    }
  };

  // First step: secant (two points only).
  let c = secant(a, b, fa, fb);
  if (!(a < c && c < b)) c = 0.5 * (a + b);
  let fc = call(c);
  if (fc === 0) return result(c, true, iterations, calls);
  updateBracket(c, fc);
  let d = dropped;
  let fd = fDropped;
  let e = Number.NaN;
  let fe = Number.NaN;
  iterations++;

  for (;;) {
    iterations++;
    const startWidth = b - a;
    for (let nsteps = 2; nsteps < kOpt + 2; nsteps++) {
      c = Number.NaN;
      if (distinctValues(fa, fb, fd, fe)) {
        const c0 = inverseCubicZero(a, b, d, e, fa, fb, fd, fe);
        if (a < c0 && c0 < b) c = c0;
      }
      if (isNaNNumber(c)) c = newtonQuadratic(a, b, fa, fb, d, fd, nsteps);
      fc = call(c);
      if (fc === 0) return result(c, true, iterations, calls);
      e = d;
      fe = fd;
      updateBracket(c, fc);
      d = dropped;
      fd = fDropped;
    }

    // Double-length secant step from the endpoint u with the smaller |f|.
    const lowerIsBest = abs(fa) < abs(fb);
    const u = lowerIsBest ? a : b;
    const fu = lowerIsBest ? fa : fb;
    const slope = (fb - fa) / (b - a);
    c = u - (2 * fu) / slope;
    if (abs(c - u) > 0.5 * (b - a)) {
      c = 0.5 * (a + b);
    } else {
      if (abs(c - u) <= EPS * abs(u)) {
        // c did not move: either |f| differs by > 2^50 between the ends, or the root hugs u.
        const fOther = lowerIsBest ? fb : fa;
        if (frexpExponent(fu) < frexpExponent(fOther) - 50) {
          c = lowerIsBest ? (31 * a + b) / 32 : (31 * b + a) / 32;
        } else {
          const sign = lowerIsBest ? 1 : -1;
          c = u + sign * (abs(c) * rtol + xtol);
        }
      }
      if (!(a < c && c < b)) c = 0.5 * (a + b);
    }
    fc = call(c);
    if (fc === 0) return result(c, true, iterations, calls);
    e = d;
    fe = fd;
    updateBracket(c, fc);
    d = dropped;
    fd = fDropped;

    // Bisect if the bracket did not shrink by at least μ = ½.
    if (b - a > 0.5 * startWidth) {
      e = d;
      fe = fd;
      const z = 0.5 * (a + b);
      const fz = call(z);
      if (fz === 0) return result(z, true, iterations, calls);
      updateBracket(z, fz);
      d = dropped;
      fd = fDropped;
    }

    if (abs(a - b) <= xtol + rtol * abs(b)) return result(0.5 * (a + b), true, iterations, calls);
    if (iterations >= maxiter) return result(0.5 * (a + b), false, iterations, calls);
  }
}

/** Secant zero through (a, fa), (b, fb) in scipy's overflow-aware form; NaN if fa = fb. */
function secant(a: number, b: number, fa: number, fb: number): number {
  if (fa === fb) return Number.NaN;
  if (abs(fb) > abs(fa)) return ((-fa / fb) * b + a) / (1 - fa / fb);
  return ((-fb / fa) * a + b) / (1 - fb / fa);
}

/**
 * Finds a root of `f` between a and b with Brent's method: R. P. Brent, "Algorithms for
 * Minimization without Derivatives" (Prentice-Hall 1973), ch. 4 — inverse quadratic extrapolation
 * or secant steps when they shrink fast enough, bisection otherwise. A line-by-line port of scipy's
 * `brentq.c` (C. Harris), so roots and iteration counts match `scipy.optimize.brentq`:
 * the loop stops when `|sbis| < δ` with δ = (xtol + rtol·|x|)/2 and sbis half the bracket width
 * (or f(x) = 0), returning the best point x — the true root is then within xtol + rtol·|x|.
 * a and b may be given in either order. An exact zero at an end is returned at once.
 * Reaching `maxiter` returns the current estimate with `converged: false`.
 *
 * @throws InvalidInput if an end is not finite, the options are invalid (rtol < 4·eps, as scipy),
 * or f(a), f(b) are both non-zero with the same sign.
 * @throws SpeyError if f returns NaN or ±Infinity (the message names x).
 */
export function brentq(f: ScalarFunction, a: number, b: number, options?: RootOptions): RootResult {
  const name = "brentq";
  const { xtol, rtol, maxiter } = resolveOptions(options, name, DEFAULT_RTOL);
  checkEndpoints(name, a, b);

  let xpre = a;
  let xcur = b;
  let fpre = evaluate(name, f, xpre);
  let fcur = evaluate(name, f, xcur);
  let calls = 2;
  if (fpre === 0) return result(xpre, true, 0, calls);
  if (fcur === 0) return result(xcur, true, 0, calls);
  if (sign(fpre) === sign(fcur)) throw notBracketing(name, a, fpre, b, fcur);

  let xblk = 0;
  let fblk = 0;
  let spre = 0;
  let scur = 0;
  let iterations = 0;
  for (let i = 0; i < maxiter; i++) {
    iterations++;
    if (fpre !== 0 && fcur !== 0 && sign(fpre) !== sign(fcur)) {
      xblk = xpre;
      fblk = fpre;
      spre = scur = xcur - xpre;
    }
    if (abs(fblk) < abs(fcur)) {
      xpre = xcur;
      xcur = xblk;
      xblk = xpre;
      fpre = fcur;
      fcur = fblk;
      fblk = fpre;
    }

    const delta = (xtol + rtol * abs(xcur)) / 2;
    const sbis = (xblk - xcur) / 2;
    if (fcur === 0 || abs(sbis) < delta) return result(xcur, true, iterations, calls);

    if (abs(spre) > delta && abs(fcur) < abs(fpre)) {
      let stry: number;
      if (xpre === xblk) {
        // interpolate
        stry = (-fcur * (xcur - xpre)) / (fcur - fpre);
      } else {
        // extrapolate
        const dpre = (fpre - fcur) / (xpre - xcur);
        const dblk = (fblk - fcur) / (xblk - xcur);
        stry = (-fcur * (fblk * dblk - fpre * dpre)) / (dblk * dpre * (fblk - fpre));
      }
      if (2 * abs(stry) < min(abs(spre), 3 * abs(sbis) - delta)) {
        // good short step
        spre = scur;
        scur = stry;
      } else {
        spre = sbis;
        scur = sbis;
      }
    } else {
      spre = sbis;
      scur = sbis;
    }

    xpre = xcur;
    fpre = fcur;
    if (abs(scur) > delta) xcur += scur;
    else xcur += sbis > 0 ? delta : -delta;

    fcur = evaluate(name, f, xcur);
    calls++;
  }
  return result(xcur, false, iterations, calls);
}
