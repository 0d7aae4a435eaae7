/**
 * The error function family erf, erfc and the scaled erfcx(x) = exp(x²)·erfc(x), by W. J. Cody's
 * rational Chebyshev approximations: W. J. Cody, "Rational Chebyshev approximations for the error
 * function", Math. Comp. 23 (1969) 631–637, with the coefficients of his CALERF routine (SPECFUN,
 * ACM TOMS Algorithm 715, 1993). Three intervals of |x|:
 *
 * - |x| ≤ 0.46875: erf(x) = x·R₁(x²) (R₁ of degree 4/4 in x²);
 * - 0.46875 < |x| ≤ 4: erfcx(|x|) = R₂(|x|) (degree 8/8);
 * - |x| > 4: erfcx(|x|) = (1/√π − x⁻²·R₃(x⁻²))/|x| (degree 5/5), the asymptotic form.
 *
 * erfc(|x|) = exp(−x²)·erfcx(|x|), where exp(−x²) is evaluated as exp(−s²)·exp(−(x−s)(x+s)) with s
 * = x truncated to 1/16 (s² is exact), so that the rounding of x² (a relative error of x²·ε in
 * the result, 1.6e-13 at x = 27) does not enter. Negative arguments by erfc(−x) = 2 − erfc(x).
 * Accuracy against 40-digit mpmath: a few ulp relative (see test/math/special-functions.test.ts).
 */
import { abs, exp, isNaNNumber } from "../../core/describe.js";

/** 1/√π. */
const INV_SQRT_PI = 0.5641895835477563;
/** Below this |x| erf is evaluated by R₁ (Cody's first interval). */
const SMALL = 0.46875;
/** Beyond this |x| the asymptotic form (Cody's third interval) is used. */
const MIDDLE = 4;
/** Beyond this, erfcx(x) = 1/(√π·x) to double precision (Cody's XHUGE). */
const HUGE = 6.71e7;

// R₁: erf(x) = x·(A₀…A₄ in x²)/(B₀…B₃, 1 in x²) for |x| ≤ 0.46875
const A = [3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315];
const B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
// R₂: erfcx(x) for 0.46875 < x ≤ 4
const C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769, 1712.0476126340707,
  2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
];
const D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597, 4362.619090143247,
  3439.3676741437216, 1230.3393548037495,
];
// R₃: erfcx(x) = (1/√π − z·R₃(z))/x, z = 1/x², for x > 4
const P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275, 6.587491615298378e-4,
  0.016315387137302097,
];
const Q = [2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918];

/** erf(x) for |x| ≤ 0.46875 (Cody's R₁). */
function erfSmall(x: number): number {
  const z = x * x;
  let num = A[4]! * z;
  let den = z;
  for (let i = 0; i < 3; i++) {
    num = (num + A[i]!) * z;
    den = (den + B[i]!) * z;
  }
  return (x * (num + A[3]!)) / (den + B[3]!);
}

/** erfcx(y) for y > 0.46875 (Cody's R₂ and R₃). */
function erfcxLarge(y: number): number {
  if (y <= MIDDLE) {
    let num = C[8]! * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]!) * y;
      den = (den + D[i]!) * y;
    }
    return (num + C[7]!) / (den + D[7]!);
  }
  if (y >= HUGE) return INV_SQRT_PI / y;
  const z = 1 / (y * y);
  let num = P[5]! * z;
  let den = z;
  for (let i = 0; i < 4; i++) {
    num = (num + P[i]!) * z;
    den = (den + Q[i]!) * z;
  }
  return (INV_SQRT_PI - (z * (num + P[4]!)) / (den + Q[4]!)) / y;
}

/** exp(−y²) with the square split as s² + (y − s)(y + s), s = y truncated to a multiple of 1/16. */
function expMinusSquare(y: number): number {
  const s = Math.trunc(y * 16) / 16;
  return exp(-s * s) * exp(-(y - s) * (y + s));
}

/** erfc(y) for y > 0.46875. */
function erfcPositive(y: number): number {
  // erfc(27.3) < 2^-1074: skip the arithmetic (and the subnormal products) past that
  if (y > 27.3) return 0;
  return expMinusSquare(y) * erfcxLarge(y);
}

/** The error function erf(x) = (2/√π)∫₀ˣ e^(−t²) dt, as `scipy.special.erf` (Cody 1969). */
export function erf(x: number): number {
  const y = abs(x);
  if (y <= SMALL) return erfSmall(x);
  if (isNaNNumber(x)) return x;
  const r = 1 - erfcPositive(y);
  return x < 0 ? -r : r;
}

/**
 * The complementary error function erfc(x) = 1 − erf(x), with full relative precision for large
 * x (down to the subnormal range, erfc(26.5) ≈ 1e-307), as `scipy.special.erfc` (Cody 1969).
 */
export function erfc(x: number): number {
  const y = abs(x);
  if (y <= SMALL) return 1 - erfSmall(x);
  if (isNaNNumber(x)) return x;
  const r = erfcPositive(y);
  return x < 0 ? 2 - r : r;
}

/**
 * The scaled complementary error function erfcx(x) = exp(x²)·erfc(x) ≈ 1/(x√π) for large x, which
 * neither underflows nor loses precision where erfc does, as `scipy.special.erfcx` (Cody 1969).
 * Overflows to +Infinity for x < −26.6.
 */
export function erfcx(x: number): number {
  const y = abs(x);
  if (y <= SMALL) return exp(x * x) * (1 - erfSmall(x));
  if (isNaNNumber(x)) return x;
  const r = erfcxLarge(y);
  if (x > 0) return r;
  // erfcx(−y) = 2·exp(y²) − erfcx(y)
  const s = Math.trunc(y * 16) / 16;
  const e = exp(s * s) * exp((y - s) * (y + s));
  return e + e - r;
}
