/**
 * log|Γ(x)| and Γ(x) for the arguments the statistics meet, from three classical formulas:
 *
 * - x ≥ 10: Stirling's series log Γ(x) = (x − ½)·log x − x + log √(2π) + Σₖ B₂ₖ/(2k(2k−1)·x²ᵏ⁻¹)
 *   (Abramowitz & Stegun 6.1.40) with nine terms; the first omitted term is below 2e-19.
 * - ½ ≤ x < 10 (and Γ for x < 10): the Taylor series about 2,
 *   log Γ(2 + ε) = (1 − γ)·ε + Σₖ₌₂ (−1)ᵏ·(ζ(k) − 1)/k·εᵏ (A&S 6.1.33 with log(1 + ε) folded in),
 *   for |ε| ≤ ½ (28 terms, ε exact: x − 1 and x − 2 are exact there), reached by the recurrence
 *   Γ(x + 1) = x·Γ(x) downwards (a product of positive factors, so no cancellation), and
 *   log Γ(1 + ε) = log Γ(2 + ε) − log1p(ε) below 1.5 — exact zeros at 1 and 2.
 * - 0 < x < ½: log Γ(x) = log Γ(1 + x) − log x, and x < 0 by the reflection formula
 *   Γ(x)·Γ(1 − x) = π/sin(πx) (A&S 6.1.17).
 *
 * Accuracy against 40-digit mpmath: a few ulp relative over (0, 1e300] (see
 * test/math/special-functions.test.ts).
 */
import { abs, exp, isNaNNumber, ln, sign } from "../../core/describe.js";

/** log √(2π). */
const LOG_SQRT_2PI = 0.9189385332046728;

/** The Bernoulli numbers B₂, B₄, …, B₁₈ (A&S 23.2.16, table 23.2). */
const BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798];

/**
 * (ζ(k) − 1)/k for k = 2…29, the Taylor coefficients of log Γ(2 + ε) (at |ε| = ½ the first omitted
 * term is 4e-19): ζ(k) − 1 = Σₙ₌₂¹⁵ n⁻ᵏ plus the Euler–Maclaurin tail from N = 16,
 * N¹⁻ᵏ/(k − 1) + N⁻ᵏ/2 + Σⱼ B₂ⱼ/(2j)!·k(k + 1)…(k + 2j − 2)·N⁻ᵏ⁻²ʲ⁺¹ (A&S 23.1.30 applied to n⁻ᵏ),
 * with B₂…B₁₂; within 1 ulp of mpmath's 40-digit values for every k (the terms left out are below
 * 1e-22 of the sum), summed from the smallest term up.
 */
const ZETA_MINUS_ONE_OVER_K = Array.from({ length: 28 }, (_, j) => {
  const k = j + 2;
  const N = 16;
  let sum = N ** (1 - k) / (k - 1) + N ** -k / 2;
  let term = k * N ** (-k - 1);
  let factorial = 1;
  for (let i = 1; i <= 6; i++) {
    factorial *= (2 * i - 1) * 2 * i;
    sum += (BERNOULLI[i - 1]! / factorial) * term;
    term *= ((k + 2 * i - 1) * (k + 2 * i)) / (N * N);
  }
  for (let n = N - 1; n >= 2; n--) sum += n ** -k;
  return sum / k;
});
/** B₂ₖ/(2k(2k − 1)) for k = 1…9: 1/12, −1/360, 1/1260, −1/1680, 1/1188, −691/360360, 1/156, −3617/122400, 43867/244188. */
const STIRLING = BERNOULLI.map((b, i) => b / ((2 * i + 2) * (2 * i + 1)));
/** 1 − γ (Euler–Mascheroni constant γ). */
const ONE_MINUS_EULER = 0.42278433509846713;

/** log Γ(2 + ε) for |ε| ≤ ½ (Taylor series about 2). */
function logGammaTwoPlus(eps: number): number {
  let sum = 0;
  for (let k = ZETA_MINUS_ONE_OVER_K.length - 1; k >= 0; k--) sum = sum * -eps + ZETA_MINUS_ONE_OVER_K[k]!;
  // Σₖ₌₂ (−1)ᵏ cₖ εᵏ = ε²·Σⱼ (−ε)ʲ c₍ⱼ₊₂₎
  return eps * (ONE_MINUS_EULER + eps * sum);
}

/**
 * Stirling's remainder log Γ(x) − [(x − ½)·log x − x + log √(2π)] for x ≥ 10: the series
 * Σₖ B₂ₖ/(2k(2k−1)·x²ᵏ⁻¹) with the Bernoulli numbers B₂…B₁₈ (A&S 6.1.40, 23.2.16).
 */
export function stirlingRemainder(x: number): number {
  const z = 1 / (x * x);
  let sum = 0;
  for (let k = STIRLING.length - 1; k >= 0; k--) sum = sum * z + STIRLING[k]!;
  return sum / x;
}

/** Below this, log Γ is reduced to [1.5, 2.5) by the recurrence; from here Stirling's series. */
const STIRLING_FROM = 10;

/** Γ(x)/Γ(x − n) for the n with x − n ∈ [1.5, 2.5), as log, for 2.5 ≤ x < 10. */
function logRisingToReduced(x: number): { eps: number; logProduct: number } {
  let product = 1;
  let y = x;
  while (y >= 2.5) {
    y -= 1;
    product *= y;
  }
  return { eps: y - 2, logProduct: ln(product) };
}

/** log|Γ(x)| for x > 0. */
function gammalnPositive(x: number): number {
  if (x >= STIRLING_FROM) {
    if (x === Number.POSITIVE_INFINITY) return x;
    return (x - 0.5) * ln(x) - x + LOG_SQRT_2PI + stirlingRemainder(x);
  }
  if (x >= 2.5) {
    const { eps, logProduct } = logRisingToReduced(x);
    return logGammaTwoPlus(eps) + logProduct;
  }
  if (x >= 1.5) return logGammaTwoPlus(x - 2);
  if (x >= 0.5) {
    const eps = x - 1;
    return logGammaTwoPlus(eps) - Math.log1p(eps);
  }
  // log Γ(x) = log Γ(1 + x) − log x, with log Γ(1 + x) = log Γ(2 + x) − log1p(x)
  return logGammaTwoPlus(x) - Math.log1p(x) - ln(x);
}

/** sin(πx), with the argument reduced exactly (x − 2·round(x/2) is exact in floating point). */
function sinPi(x: number): number {
  const r = x - 2 * Math.round(0.5 * x); // r ∈ [−1, 1]
  if (r === 0 || r === 1 || r === -1) return 0;
  const s = abs(r) > 0.5 ? sign(r) - r : r; // sin(π(±1 − r)) = sin(πr)
  return Math.sin(Math.PI * s);
}

/**
 * `log|Γ(x)|`, as `scipy.special.gammaln`: +Infinity at the poles x = 0, −1, −2, …, NaN for NaN.
 * Exactly 0 at x = 1 and x = 2.
 */
export function gammaln(x: number): number {
  if (x > 0) return gammalnPositive(x);
  if (isNaNNumber(x)) return x;
  if (x === Number.NEGATIVE_INFINITY) return Number.POSITIVE_INFINITY;
  const s = sinPi(x);
  if (s === 0) return Number.POSITIVE_INFINITY;
  // Γ(x)Γ(1 − x) = π/sin(πx)
  return ln(Math.PI / abs(s)) - gammalnPositive(1 - x);
}

/**
 * Γ(x) for 0 < x < 10 to a few ulp (the recurrence and the series about 2, as in {@link gammaln},
 * exponentiating only the small log Γ(2 + ε) ∈ [−0.13, 0.29]). Used where Γ multiplies a power
 * (the incomplete gamma prefactor) and exp(gammaln) would carry gammaln's absolute error.
 */
export function gammaSmall(x: number): number {
  if (x >= 2.5) {
    let product = 1;
    let y = x;
    while (y >= 2.5) {
      y -= 1;
      product *= y;
    }
    return exp(logGammaTwoPlus(y - 2)) * product;
  }
  if (x >= 1.5) return exp(logGammaTwoPlus(x - 2));
  if (x >= 0.5) return exp(logGammaTwoPlus(x - 1)) / x;
  return exp(logGammaTwoPlus(x)) / (x * (1 + x));
}
