/**
 * Bounded scalar minimisation: Brent's method (golden-section search safeguarding successive
 * parabolic interpolation), R. P. Brent, "Algorithms for Minimization without Derivatives"
 * (Prentice-Hall, 1973), ch. 5, procedure `localmin`; this is a line-by-line port of scipy's
 * `scipy.optimize._optimize._minimize_scalar_bounded` (`minimize_scalar(method="bounded")`,
 * a.k.a. `fminbound`), so the evaluation sequence and result match scipy bit for bit.
 */
import { InvalidInput } from "../core/errors.js";
import type { SolverTolerances } from "../core/tolerances.js";
import { isFiniteNumber, isInteger, abs, max, sqrt, isNaNNumber } from "../core/describe.js";

/**
 * `absoluteTolerance` on x (scipy's `xatol`), default 1e-10; `maxIterations` bounds the function
 * evaluations (scipy's `maxiter`, which counts evaluations), default 500. `relativeTolerance` is
 * not an option: Brent's test adds √ε·|x| (as scipy).
 */
export type MinimizeScalarOptions = Omit<SolverTolerances, "relativeTolerance">;

export interface MinimizeScalarResult {
  /** Best abscissa found. */
  x: number;
  /** f(x). */
  fun: number;
  /** False when the evaluation budget ran out or f returned NaN (scipy status 1 or 2). */
  converged: boolean;
  /** Number of function evaluations (scipy reports the same number as `nit` and `nfev`). */
  iterations: number;
}

/** scipy hard-codes `sqrt(2.2e-16)` rather than √(machine ε). */
const SQRT_EPS = sqrt(2.2e-16);
const GOLDEN_MEAN = 0.5 * (3 - sqrt(5));

/** numpy `sign(v) + (v == 0)`: ±1, with +1 for zero. */
function signOrOne(v: number): number {
  return v > 0 ? 1 : v < 0 ? -1 : 1;
}

/**
 * Minimise `f` on the closed interval [lo, hi] (both finite) with Brent's bounded method.
 * The endpoints themselves are never evaluated. `f` may return NaN, in which case the result has
 * `converged: false` (as scipy's status 2).
 */
export function minimizeScalarBounded(
  f: (x: number) => number,
  lo: number,
  hi: number,
  options: MinimizeScalarOptions = {},
): MinimizeScalarResult {
  const xatol = options.absoluteTolerance ?? 1e-10;
  const maxfun = options.maxIterations ?? 500;
  if (!isFiniteNumber(lo) || !isFiniteNumber(hi)) {
    throw new InvalidInput(`minimizeScalarBounded: bounds lo=${lo}, hi=${hi} must be finite numbers`);
  }
  if (lo > hi) {
    throw new InvalidInput(`minimizeScalarBounded: lower bound lo=${lo} exceeds upper bound hi=${hi}`);
  }
  if (!(xatol > 0) || !isFiniteNumber(xatol)) {
    throw new InvalidInput(`minimizeScalarBounded: absoluteTolerance=${xatol} must be a positive finite number`);
  }
  if (!isInteger(maxfun) || maxfun < 1) {
    throw new InvalidInput(`minimizeScalarBounded: maxIterations=${maxfun} must be a positive integer`);
  }

  let a = lo;
  let b = hi;
  let fulc = a + GOLDEN_MEAN * (b - a);
  let nfc = fulc;
  let xf = fulc;
  let rat = 0;
  let e = 0;
  let x = xf;
  let fx = f(x);
  let num = 1;
  let fu = Number.POSITIVE_INFINITY;
  let ffulc = fx;
  let fnfc = fx;
  let xm = 0.5 * (a + b);
  let tol1 = SQRT_EPS * abs(xf) + xatol / 3;
  let tol2 = 2 * tol1;
  let budgetExhausted = false;

  while (abs(xf - xm) > tol2 - 0.5 * (b - a)) {
    let golden = true;
    if (abs(e) > tol1) {
      // Parabola through (xf, fx), (nfc, fnfc), (fulc, ffulc).
      golden = false;
      let r = (xf - nfc) * (fx - ffulc);
      let q = (xf - fulc) * (fx - fnfc);
      let p = (xf - fulc) * q - (xf - nfc) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      q = abs(q);
      r = e;
      e = rat;
      if (abs(p) < abs(0.5 * q * r) && p > q * (a - xf) && p < q * (b - xf)) {
        rat = p / q;
        x = xf + rat;
        if (x - a < tol2 || b - x < tol2) {
          rat = tol1 * signOrOne(xm - xf);
        }
      } else {
        golden = true;
      }
    }
    if (golden) {
      e = xf >= xm ? a - xf : b - xf;
      rat = GOLDEN_MEAN * e;
    }
    x = xf + signOrOne(rat) * max(abs(rat), tol1);
    fu = f(x);
    num += 1;

    if (fu <= fx) {
      if (x >= xf) a = xf;
      else b = xf;
      fulc = nfc;
      ffulc = fnfc;
      nfc = xf;
      fnfc = fx;
      xf = x;
      fx = fu;
    } else {
      if (x < xf) a = x;
      else b = x;
      if (fu <= fnfc || nfc === xf) {
        fulc = nfc;
        ffulc = fnfc;
        nfc = x;
        fnfc = fu;
      } else if (fu <= ffulc || fulc === xf || fulc === nfc) {
        fulc = x;
        ffulc = fu;
      }
    }

    xm = 0.5 * (a + b);
    tol1 = SQRT_EPS * abs(xf) + xatol / 3;
    tol2 = 2 * tol1;
    if (num >= maxfun) {
      budgetExhausted = true;
      break;
    }
  }

  const sawNaN = isNaNNumber(xf) || isNaNNumber(fx) || isNaNNumber(fu);
  return { x: xf, fun: fx, converged: !budgetExhausted && !sawNaN, iterations: num };
}
