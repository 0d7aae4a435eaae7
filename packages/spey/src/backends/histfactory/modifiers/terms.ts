/**
 * The term kinds of the likelihood kernel and their evaluation: value, first and second
 * derivative with respect to the term's parameter, written to `out[o…o+2]`.
 *
 * Multiplicative terms (factors) keep up to {@link FACTOR_STRIDE} coefficients, additive terms
 * (deltas) {@link DELTA_STRIDE}.
 */
import {
  interpolateCode0,
  interpolateCode1,
  interpolateCode2,
  interpolateCode4,
  interpolateCode4p,
} from "../interpolation.js";
import { exp } from "../../../core/describe.js";

/** F(θ) = θ: normfactor, shapefactor, lumi, shapesys γ, staterror γ. */
export const FACTOR_LINEAR = 0;
/** normsys with code 1: coefficients [ln hi, ln lo]. */
export const FACTOR_CODE1 = 1;
/** normsys with code 4: coefficients [ln hi, ln lo, a₁ … a₆]. */
export const FACTOR_CODE4 = 2;

/** histosys with code 0: coefficients [hi − nom, nom − lo]. */
export const DELTA_CODE0 = 0;
/** histosys with code 4p: coefficients [hi − nom, nom − lo, S, A]. */
export const DELTA_CODE4P = 1;
/** histosys with code 2: coefficients [hi − nom, nom − lo, a, b] (see `interpolateCode2`). */
export const DELTA_CODE2 = 2;

/** Coefficients stored per factor term. */
export const FACTOR_STRIDE = 8;
/** Coefficients stored per delta term. */
export const DELTA_STRIDE = 4;

/** Value and derivatives of factor term `t` at parameter value `x`. */
export function evaluateFactor(
  kind: number,
  coef: Float64Array,
  t: number,
  x: number,
  out: Float64Array,
  o: number,
): void {
  const k = t * FACTOR_STRIDE;
  switch (kind) {
    case FACTOR_LINEAR:
      out[o] = x;
      out[o + 1] = 1;
      out[o + 2] = 0;
      return;
    case FACTOR_CODE1:
      interpolateCode1(coef[k] as number, coef[k + 1] as number, x, out, o);
      return;
    default:
      interpolateCode4(coef, k, x, out, o);
  }
}

/** Value of factor term `t` at `x` (no derivatives). */
export function factorValue(kind: number, coef: Float64Array, t: number, x: number): number {
  if (kind === FACTOR_LINEAR) return x;
  const k = t * FACTOR_STRIDE;
  if (kind === FACTOR_CODE1 || x >= 1 || x <= -1) {
    return exp(x * (x >= 0 ? (coef[k] as number) : -(coef[k + 1] as number)));
  }
  return (
    1 +
    x *
      ((coef[k + 2] as number) +
        x *
          ((coef[k + 3] as number) +
            x *
              ((coef[k + 4] as number) +
                x * ((coef[k + 5] as number) + x * ((coef[k + 6] as number) + x * (coef[k + 7] as number))))))
  );
}

/** Value and derivatives of delta term `t` at parameter value `x`. */
export function evaluateDelta(
  kind: number,
  coef: Float64Array,
  t: number,
  x: number,
  out: Float64Array,
  o: number,
): void {
  const k = t * DELTA_STRIDE;
  if (kind === DELTA_CODE0) {
    interpolateCode0(coef[k] as number, coef[k + 1] as number, x, out, o);
  } else if (kind === DELTA_CODE2) {
    interpolateCode2(coef[k] as number, coef[k + 1] as number, coef[k + 2] as number, coef[k + 3] as number, x, out, o);
  } else {
    interpolateCode4p(
      coef[k] as number,
      coef[k + 1] as number,
      coef[k + 2] as number,
      coef[k + 3] as number,
      x,
      out,
      o,
    );
  }
}

/** Value of delta term `t` at `x` (no derivatives). */
export function deltaValue(kind: number, coef: Float64Array, t: number, x: number): number {
  const k = t * DELTA_STRIDE;
  const up = coef[k] as number;
  const dn = coef[k + 1] as number;
  if (kind === DELTA_CODE2) {
    const a = coef[k + 2] as number;
    const b = coef[k + 3] as number;
    if (x > 1) return (b + 2 * a) * (x - 1) + up;
    if (x < -1) return (b - 2 * a) * (x + 1) - dn;
    return x * (b + a * x);
  }
  if (kind === DELTA_CODE0 || x > 1 || x < -1) return x * (kind === DELTA_CODE0 ? (x >= 0 ? up : dn) : x > 1 ? up : dn);
  const x2 = x * x;
  return x * (coef[k + 2] as number) + x2 * (coef[k + 3] as number) * (15 + x2 * (3 * x2 - 10));
}
