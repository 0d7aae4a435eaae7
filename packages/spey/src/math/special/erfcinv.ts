/**
 * The inverse complementary error function erfcinv(y) (erfc(erfcinv(y)) = y for 0 ≤ y ≤ 2), with
 * relative precision for tiny y (the normal quantile of p = 1e-300).
 *
 * Start: M. Giles, "Approximating the erfinv function", GPU Computing Gems Jade Edition (2011),
 * ch. 10 — his double-precision polynomials in w = −log((1 − x)(1 + x)) (here (1 − x)(1 + x) =
 * y·(2 − y) is formed from y without cancellation), valid for w < 37, i.e. y > 1e-16. Below, the
 * start is the asymptotic solution of erfc(x) ≈ e^(−x²)/(x√π) (A&S 7.1.23).
 * Then Newton steps: on erf(x) = 1 − y for y ≥ ½ (x ≤ 0.477; 1 − y is exact there), otherwise on
 * log(erfc(x)/y), whose derivative −2/(√π·erfcx(x)) needs no exponential (so nothing underflows),
 * until the step is below 4 ulp (1–3 steps; at most 8, else `ConvergenceError`).
 */
import { ConvergenceError } from "../../core/errors.js";
import { erf, erfc, erfcx } from "./erf.js";

/** √π/2. */
const HALF_SQRT_PI = 0.8862269254527579;
const EPS = Number.EPSILON;
const MAX_NEWTON_STEPS = 8;

// Giles' polynomials (highest degree first) for w < 6.25 (in w − 3.125), w < 16 (in √w − 3.25)
// and w ≥ 16 (in √w − 5).
const CENTRAL = [
  -3.64441206401782e-21, -1.6850591381820166e-19, 1.28584807152564e-18, 1.1157877678025181e-17, -1.333171662854621e-16,
  2.0972767875968562e-17, 6.637638134358324e-15, -4.054566272975207e-14, -8.151934197605472e-14, 2.6335093153082323e-12,
  -1.2975133253453532e-11, -5.415412054294628e-11, 1.0512122733215323e-9, -4.112633980346984e-9, -2.9070369957882005e-8,
  4.2347877827932404e-7, -1.3654692000834679e-6, -1.3882523362786469e-5, 0.00018673420803405714, -0.000740702534166267,
  -0.006033670871430149, 0.24015818242558962, 1.6536545626831027,
];
const MIDDLE = [
  2.2137376921775787e-9, 9.075656193888539e-8, -2.7517406297064545e-7, 1.8239629214389228e-8, 1.5027403968909828e-6,
  -4.013867526981546e-6, 2.9234449089955446e-6, 1.2475304481671779e-5, -4.7318229009055734e-5, 6.828485145957318e-5,
  2.4031110387097894e-5, -0.0003550375203628475, 0.0009532893797373805, -0.0016882755560235047, 0.002491442096107851,
  -0.003751208507569241, 0.005370914553590064, 1.0052589676941592, 3.0838856104922208,
];
const TAIL = [
  -2.7109920616438573e-11, -2.555641816996525e-10, 1.5076572693500548e-9, -3.789465440126737e-9, 7.61570120807834e-9,
  -1.496002662714924e-8, 2.914795345090108e-8, -6.771199775845234e-8, 2.2900482228026655e-7, -9.9298272942317e-7,
  4.526062597223154e-6, -1.968177810553167e-5, 7.599527703001776e-5, -0.00021503011930044477, -0.00013871931833623122,
  1.0103004648645344, 4.849906401408584,
];

function horner(coefficients: readonly number[], t: number): number {
  let p = 0;
  for (const c of coefficients) p = p * t + c;
  return p;
}

/** Starting point for erfcinv(y), 0 < y ≤ 1 (so the result is ≥ 0). */
function start(y: number): number {
  const w = -Math.log(y * (2 - y));
  if (w < 6.25) return horner(CENTRAL, w - 3.125) * (1 - y);
  if (w < 16) return horner(MIDDLE, Math.sqrt(w) - 3.25) * (1 - y);
  if (w < 37) return horner(TAIL, Math.sqrt(w) - 5) * (1 - y);
  // erfc(x) ≈ e^(−x²)/(x√π): x² = −log y − log(x√π), two fixed-point steps from x² = −log y
  const l = -Math.log(y);
  let x = Math.sqrt(l);
  for (let i = 0; i < 2; i++) x = Math.sqrt(l - Math.log(x * 1.7724538509055159));
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
  for (let i = 0; i < MAX_NEWTON_STEPS; i++) {
    let step: number;
    if (central) {
      // erf(x) − (1 − y) = 0, derivative (2/√π)·e^(−x²)
      step = ((erf(x) - (1 - y)) * HALF_SQRT_PI) / Math.exp(-x * x);
    } else {
      // h = log(erfc(x)/y), h′ = −2/(√π·erfcx(x))
      const value = erfc(x);
      // below 1e-300 erfc(x) and y may be subnormal (few digits): use log erfc = log erfcx − x²
      const h = value > 1e-300 ? Math.log(value / y) : Math.log(erfcx(x)) - x * x - Math.log(y);
      step = -h * HALF_SQRT_PI * erfcx(x);
    }
    const next = x - step;
    if (Math.abs(step) <= 4 * EPS * Math.abs(next)) return next;
    x = next;
  }
  throw new ConvergenceError(`erfcinv(${y}): Newton's method did not converge in ${MAX_NEWTON_STEPS} steps`);
}
