/**
 * Interpolation of systematic variations (CERN-OPEN-2012-016, the HistFactory note, §4.1 and
 * Table 2; pyhf docs "Modifiers → interpolation codes", `pyhf.interpolators.code0/1/4/4p`).
 *
 * Each function writes the value and its first and second derivative with respect to the nuisance
 * parameter α into `out[o]`, `out[o + 1]`, `out[o + 2]`, so that the likelihood can assemble its
 * gradient and Hessian analytically. The branch conventions at the joints (α = 0, ±1) are pyhf's.
 */
import { zeros } from "../../core/arrays.js";
import { exp, ln } from "../../core/describe.js";

/**
 * Code 1 — piecewise exponential, multiplicative (normsys):
 * F(α) = κ₊^α for α ≥ 0 and κ₋^(−α) for α < 0, with κ± = hi, lo (relative to nominal 1).
 * Derivatives: F' = ln κ₊ · F, F'' = (ln κ₊)² F (α ≥ 0); F' = −ln κ₋ · F, F'' = (ln κ₋)² F (α < 0).
 */
export function interpolateCode1(lnHi: number, lnLo: number, alpha: number, out: Float64Array, o: number): void {
  const l = alpha >= 0 ? lnHi : -lnLo;
  const f = exp(alpha * l);
  out[o] = f;
  out[o + 1] = l * f;
  out[o + 2] = l * l * f;
}

/**
 * The coefficients a₁…a₆ of code 4's polynomial 1 + Σ aᵢ αⁱ on |α| < α₀ = 1, fixed by matching
 * value, first and second derivative of the exponential branches at α = ±1: a = A⁻¹ b with pyhf's
 * closed-form A⁻¹ (`pyhf.interpolators.code4`, determinant −2048 α₀¹⁵) and
 * b = (κ₊ − 1, κ₋ − 1, κ₊ ln κ₊, −κ₋ ln κ₋, κ₊ ln² κ₊, κ₋ ln² κ₋).
 */
export function code4Coefficients(hi: number, lo: number, out = zeros(6), o = 0): Float64Array {
  const lnHi = ln(hi);
  const lnLo = ln(lo);
  const b0 = hi - 1;
  const b1 = lo - 1;
  const b2 = lnHi * hi;
  const b3 = -lnLo * lo;
  const b4 = lnHi * lnHi * hi;
  const b5 = lnLo * lnLo * lo;
  out[o] = (15 / 16) * b0 - (15 / 16) * b1 - (7 / 16) * b2 - (7 / 16) * b3 + (1 / 16) * b4 - (1 / 16) * b5;
  out[o + 1] = (3 / 2) * b0 + (3 / 2) * b1 - (9 / 16) * b2 + (9 / 16) * b3 + (1 / 16) * b4 + (1 / 16) * b5;
  out[o + 2] = -(5 / 8) * b0 + (5 / 8) * b1 + (5 / 8) * b2 + (5 / 8) * b3 - (1 / 8) * b4 + (1 / 8) * b5;
  out[o + 3] = -(3 / 2) * b0 - (3 / 2) * b1 + (7 / 8) * b2 - (7 / 8) * b3 - (1 / 8) * b4 - (1 / 8) * b5;
  out[o + 4] = (3 / 16) * b0 - (3 / 16) * b1 - (3 / 16) * b2 - (3 / 16) * b3 + (1 / 16) * b4 - (1 / 16) * b5;
  out[o + 5] = (1 / 2) * b0 + (1 / 2) * b1 - (5 / 16) * b2 + (5 / 16) * b3 + (1 / 16) * b4 + (1 / 16) * b5;
  return out;
}

/**
 * Code 4 — polynomial interpolation, exponential extrapolation, multiplicative (normsys; pyhf's
 * default): code 1 for |α| ≥ 1 (α ≥ 1 uses κ₊, α ≤ −1 uses κ₋), and 1 + Σᵢ₌₁⁶ aᵢ αⁱ in between.
 * `c` holds [ln κ₊, ln κ₋, a₁, …, a₆] from offset `k`.
 */
export function interpolateCode4(c: Float64Array, k: number, alpha: number, out: Float64Array, o: number): void {
  if (alpha >= 1 || alpha <= -1) {
    interpolateCode1(c[k] as number, c[k + 1] as number, alpha, out, o);
    return;
  }
  const a1 = c[k + 2] as number;
  const a2 = c[k + 3] as number;
  const a3 = c[k + 4] as number;
  const a4 = c[k + 5] as number;
  const a5 = c[k + 6] as number;
  const a6 = c[k + 7] as number;
  const x = alpha;
  // Horner forms of p, p', p''.
  out[o] = 1 + x * (a1 + x * (a2 + x * (a3 + x * (a4 + x * (a5 + x * a6)))));
  out[o + 1] = a1 + x * (2 * a2 + x * (3 * a3 + x * (4 * a4 + x * (5 * a5 + x * 6 * a6))));
  out[o + 2] = 2 * a2 + x * (6 * a3 + x * (12 * a4 + x * (20 * a5 + x * 30 * a6)));
}

/**
 * Code 0 — piecewise linear, additive (histosys; HistFactory's default):
 * Δ(α) = α (hi − nom) for α ≥ 0 and α (nom − lo) for α < 0. At the kink α = 0 (the usual starting
 * point of fits) the slope is the upper branch's, as a forward finite difference sees it (pyhf with
 * numpy and ROOT's Minuit differentiate numerically): when the profile likelihood has a local
 * minimum on each side of α = 0, fits started at 0 then reach the same one as pyhf and ROOT.
 */
export function interpolateCode0(up: number, dn: number, alpha: number, out: Float64Array, o: number): void {
  const d = alpha >= 0 ? up : dn;
  out[o] = alpha * d;
  out[o + 1] = d;
  out[o + 2] = 0;
}

/**
 * Code 2 — quadratic interpolation, linear extrapolation, additive (histosys; pyhf's
 * `interpolators.code2`, HistFactory's "quadratic interp / linear extrap"): with
 * a = (hi + lo)/2 − nom and b = (hi − lo)/2,
 * Δ(α) = a α² + b α for |α| ≤ 1, Δ(α) = (b + 2a)(α − 1) + hi − nom for α > 1 and
 * Δ(α) = (b − 2a)(α + 1) + lo − nom for α < −1: value and slope continuous at ±1.
 * `up` = hi − nom, `dn` = nom − lo, so a = (up − dn)/2 and b = (up + dn)/2.
 */
export function interpolateCode2(
  up: number,
  dn: number,
  a: number,
  b: number,
  alpha: number,
  out: Float64Array,
  o: number,
): void {
  if (alpha > 1) {
    out[o] = (b + 2 * a) * (alpha - 1) + up;
    out[o + 1] = b + 2 * a;
    out[o + 2] = 0;
  } else if (alpha < -1) {
    out[o] = (b - 2 * a) * (alpha + 1) - dn;
    out[o + 1] = b - 2 * a;
    out[o + 2] = 0;
  } else {
    out[o] = alpha * (b + a * alpha);
    out[o + 1] = b + 2 * a * alpha;
    out[o + 2] = 2 * a;
  }
}

/**
 * Code 4p — polynomial interpolation, linear extrapolation, additive (histosys; pyhf's default):
 * linear (code 0) for |α| > 1, and for |α| ≤ 1
 * Δ(α) = α S + α² A (15 + α² (3α² − 10)), S = (δ₊ + δ₋)/2, A = (δ₊ − δ₋)/16,
 * with δ₊ = hi − nom and δ₋ = nom − lo; value, slope and curvature are continuous at ±1.
 */
export function interpolateCode4p(
  up: number,
  dn: number,
  s: number,
  a: number,
  alpha: number,
  out: Float64Array,
  o: number,
): void {
  if (alpha > 1) {
    out[o] = alpha * up;
    out[o + 1] = up;
    out[o + 2] = 0;
    return;
  }
  if (alpha < -1) {
    out[o] = alpha * dn;
    out[o + 1] = dn;
    out[o + 2] = 0;
    return;
  }
  const x2 = alpha * alpha;
  out[o] = alpha * s + x2 * a * (15 + x2 * (3 * x2 - 10));
  out[o + 1] = s + a * alpha * (30 + x2 * (18 * x2 - 40));
  out[o + 2] = a * (30 + x2 * (90 * x2 - 120));
}
