/**
 * The inverse complementary error function erfcinv(y) (erfc(erfcinv(y)) = y for 0 ≤ y ≤ 2), with
 * relative precision for tiny y (the normal quantile of p = 1e-300).
 *
 * Start: M. Giles, "Approximating the erfinv function", GPU Computing Gems Jade Edition (2011),
 * ch. 10 — his single-precision polynomials in w = −log((1 − x)(1 + x)) (here (1 − x)(1 + x) =
 * y·(2 − y) is formed from y without cancellation), relative error ≤ 1.3e-7 for w < 16, i.e.
 * y > 5.6e-8. Below, the start is the asymptotic solution of erfc(x) ≈ e^(−x²)/(x√π) (A&S 7.1.23).
 * Then Halley steps (cubic convergence; erf's derivatives are e^(−x²) times polynomials, so a step
 * costs one erf/erfc evaluation as a Newton step does): on erf(x) = 1 − y for y ≥ ½ (x ≤ 0.477;
 * 1 − y is exact there), otherwise on log(erfc(x)/y), whose derivatives −2/(√π·erfcx(x)) and
 * −h′·(2x + h′) need no exponential (so nothing underflows). A step δ leaves an error of order
 * K·δ³ with K ≤ 1 + x² (the Halley error constant of both formulations), so the iteration stops
 * when (1 + x²)·|δ|³ is below an ulp of x, or the step itself is below 4 ulp: one step from Giles'
 * start, two from the asymptotic one; at most 8, else `ConvergenceError`.
 */
import { ConvergenceError } from "../../core/errors.js";
import { erf, erfc, erfcx } from "./erf.js";
import { abs, sqrt, exp, ln } from "../../core/describe.js";

/** √π/2. */
const HALF_SQRT_PI = 0.8862269254527579;
const EPS = Number.EPSILON;
const MAX_HALLEY_STEPS = 8;

// Giles' single-precision polynomials (highest degree first) for w < 5 (in w − 2.5) and w ≥ 5 (in √w − 3).
const CENTRAL = [
  2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164,
  0.246640727, 1.50140941,
];
const TAIL = [
  -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
  1.00167406, 2.83297682,
];

function horner(coefficients: readonly number[], t: number): number {
  let p = 0;
  for (const c of coefficients) p = p * t + c;
  return p;
}

/** Starting point for erfcinv(y), 0 < y ≤ 1 (so the result is ≥ 0). */
function start(y: number): number {
  const w = -ln(y * (2 - y));
  if (w < 5) return horner(CENTRAL, w - 2.5) * (1 - y);
  if (w < 16) return horner(TAIL, sqrt(w) - 3) * (1 - y);
  // erfc(x) ≈ e^(−x²)/(x√π): x² = −log y − log(x√π), two fixed-point steps from x² = −log y
  const l = -ln(y);
  let x = sqrt(l);
  for (let i = 0; i < 2; i++) x = sqrt(l - ln(x * 1.7724538509055159));
  return x;
}

/**
 * erfcinv(y) for 0 ≤ y ≤ 2, as `scipy.special.erfcinv`: +Infinity at 0, −Infinity at 2, NaN
 * outside [0, 2] or for NaN. Relative accuracy a few ulp (see the file comment for the method).
 */
export function erfcinv(y: number): number {
  if (!(y >= 0 && y <= 2)) return Number.NaN;
  if (y === 0) return Number.POSITIVE_INFINITY;
  if (y === 2) return Number.NEGATIVE_INFINITY;
  if (y === 1) return 0;
  // erfcinv(2 − y) = −erfcinv(y); 2 − y is exact for y ∈ [1, 2] (Sterbenz)
  if (y > 1) return -erfcinv(2 - y);
  let x = start(y);
  // one formulation throughout (switching between two would let rounding differences oscillate)
  const central = y >= 0.5; // x ≤ 0.477
  for (let i = 0; i < MAX_HALLEY_STEPS; i++) {
    let step: number;
    if (central) {
      // f = erf(x) − (1 − y), f′ = (2/√π)·e^(−x²), f″/f′ = −2x: Newton step n = f/f′, Halley n/(1 + x·n)
      const n = ((erf(x) - (1 - y)) * HALF_SQRT_PI) / exp(-x * x);
      step = n / (1 + x * n);
    } else {
      // h = log(erfc(x)/y), h′ = −2/(√π·erfcx(x)), h″/h′ = −(2x + h′)
      const value = erfc(x);
      // below 1e-300 erfc(x) and y may be subnormal (few digits): use log erfc = log erfcx − x²
      const g = erfcx(x);
      const h = value > 1e-300 ? ln(value / y) : ln(g) - x * x - ln(y);
      const n = -h * HALF_SQRT_PI * g;
      step = n / (1 + 0.5 * n * (2 * x - 1 / (HALF_SQRT_PI * g)));
    }
    const next = x - step;
    const size = abs(step);
    if (size <= 4 * EPS * abs(next) || (1 + next * next) * size * size * size <= EPS * abs(next)) return next;
    x = next;
  }
  throw new ConvergenceError(`erfcinv(${y}): Halley's method did not converge in ${MAX_HALLEY_STEPS} steps`);
}
