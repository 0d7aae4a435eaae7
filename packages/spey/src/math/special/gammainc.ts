/**
 * The regularised incomplete gamma functions P(a, x) = γ(a, x)/Γ(a) and Q(a, x) = Γ(a, x)/Γ(a) =
 * 1 − P(a, x), each evaluated directly where it is the smaller one, so that tail probabilities keep
 * relative precision (the χ² p-values). The classical scheme (Numerical Recipes §6.2; DiDonato &
 * Morris, "Computation of the incomplete gamma function ratios and their inverse", ACM TOMS 12
 * (1986) 377–393; W. Gautschi, "A computational procedure for incomplete gamma functions", ACM TOMS
 * 5 (1979) 466–481):
 *
 * - x < a + 1: the series P = D·Σₙ xⁿ/((a+1)…(a+n)) (A&S 6.5.29), D = xᵃe⁻ˣ/Γ(a+1);
 * - x ≥ a + 1: Legendre's continued fraction for Q (A&S 6.5.31), by the modified Lentz method;
 * - x ≤ 1.5 where Q is wanted but P > ½: Q = −expm1(a·log x − log Γ(1+a)) −
 *   xᵃ/Γ(a+1)·a·Σₙ₌₁ (−x)ⁿ/(n!·(a+n)) (the power series of γ(a, x), A&S 6.5.29 termwise), which
 *   has no cancellation for small a.
 *
 * The prefactor D is computed as in Temme's uniform treatment (N. M. Temme, "The asymptotic
 * expansion of the incomplete gamma functions", SIAM J. Math. Anal. 10 (1979) 757–766) for a ≥ 10:
 * D = exp(−a·(λ − 1 − log λ))/√(2πa)·exp(−stirling(a)), λ = x/a, with λ − 1 − log λ evaluated
 * without cancellation near λ = 1; for a < 10 as xᵃ·e⁻ˣ/Γ(a+1) (each factor to ~1 ulp).
 * Either way the result's relative error is a few ulp times the problem's own condition number
 * (|x − a| for the tails: a 1-ulp change of x moves Q(a, x) ≈ xᵃ⁻¹e⁻ˣ/Γ(a) by x·ε relative).
 *
 * Every loop is bounded; a series or fraction that does not converge within its bound throws
 * `ConvergenceError` (it converges in O(√a) terms near x ≈ a, so the bound is reached only for a
 * beyond ~1e9).
 */
import { ConvergenceError } from "../../core/errors.js";
import { gammaSmall, gammaln, stirlingRemainder } from "./gammaln.js";
import { abs, min, exp, isNaNNumber, ln } from "../../core/describe.js";

const EPS = Number.EPSILON;
/** log √(2π). */
const LOG_SQRT_2PI = 0.9189385332046728;
/** Iteration bound of the series and the continued fraction (they need O(√a + log(1/ε)) terms). */
const MAX_TERMS = 100_000;
/** From this a on, the prefactor is computed in Temme's form. */
const TEMME_FROM = 10;

/**
 * log(1 + t) − t for t > −1, without the cancellation of the direct formula near t = 0: with
 * u = t/(2 + t), log(1 + t) = 2·atanh(u) = 2(u + u³/3 + u⁵/5 + …) and 2u − t = −t·u, so
 * log(1 + t) − t = −t·u + 2u³·Σₖ u²ᵏ/(2k + 3). For |t| ≤ ½, |u| ≤ ⅓ and 16 terms reach 1e-17.
 */
export function log1pmx(t: number): number {
  if (abs(t) > 0.5) return Math.log1p(t) - t;
  const u = t / (2 + t);
  const u2 = u * u;
  let sum = 0;
  for (let k = 15; k >= 0; k--) sum = sum * u2 + 1 / (2 * k + 3);
  return -t * u + 2 * u * u2 * sum;
}

/** D(a, x) = xᵃ·e⁻ˣ/Γ(a + 1), the factor in front of the series (x > 0, a > 0). */
function prefactor(a: number, x: number): number {
  if (a >= TEMME_FROM) {
    // xᵃe⁻ˣ/Γ(a+1) = exp(a·(log λ − (λ − 1)))/√(2πa)·exp(−stirling(a)), λ = x/a; near λ = 1 as
    // log1pmx(λ − 1), far from it with log λ of the quotient (1 + t would lose x's digits for x ≪ a)
    const t = (x - a) / a;
    const exponent = abs(t) <= 0.5 ? log1pmx(t) : ln(x / a) - t;
    return exp(a * exponent - stirlingRemainder(a) - 0.5 * ln(a) - LOG_SQRT_2PI);
  }
  // xᵃ and e⁻ˣ each to ~1 ulp while both and their product are normal numbers; else through logarithms
  const power = x ** a;
  const decay = exp(-x);
  const product = power * decay;
  if (decay > 1e-307 && power > 1e-307 && product > 1e-307 && product < 1e300) return product / gammaSmall(a + 1);
  return exp(a * ln(x) - x - gammaln(a + 1));
}

/** P(a, x) by the series (A&S 6.5.29); converges for all x, quickly for x < a + 1. */
function lowerSeries(a: number, x: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 1; n <= MAX_TERMS; n++) {
    term *= x / (a + n);
    sum += term;
    if (term <= sum * EPS) return prefactor(a, x) * sum;
  }
  throw new ConvergenceError(`gammainc(${a}, ${x}): the series did not converge in ${MAX_TERMS} terms`);
}

/**
 * Q(a, x) by Legendre's continued fraction (A&S 6.5.31; for x ≥ a + 1, or x > 1.5 with P > ½):
 * Q = e⁻ˣxᵃ/Γ(a) · 1/(b₀ + a₁/(b₁ + a₂/(b₂ + …))), bₖ = x + 2k + 1 − a, aₖ = −k(k − a). The modified
 * Lentz method finds the depth n at which the fraction has converged; the fraction is then
 * evaluated once more bottom-up from that depth, which does not accumulate the rounding of n
 * forward products (a few ulp instead of ~n/4).
 */
function upperFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  for (let n = 1; n <= MAX_TERMS; n++) {
    const an = -n * (n - a);
    b += 2;
    d = an * d + b;
    if (abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    if (abs(delta - 1) <= EPS) {
      // bottom-up from depth n + 1 (one level beyond convergence)
      let tail = x + 2 * (n + 1) + 1 - a;
      for (let k = n + 1; k >= 1; k--) tail = x + 2 * (k - 1) + 1 - a + (-k * (k - a)) / tail;
      return (a * prefactor(a, x)) / tail; // e⁻ˣxᵃ/Γ(a) = a·D
    }
  }
  throw new ConvergenceError(`gammaincc(${a}, ${x}): the continued fraction did not converge in ${MAX_TERMS} terms`);
}

/**
 * Q(a, x) for x ≤ 1.5 (any a > 0) from the power series of γ(a, x):
 * Q = 1 − xᵃ/Γ(a+1) − xᵃ/Γ(a+1)·a·Σₙ₌₁ (−x)ⁿ/(n!(a+n)), with 1 − xᵃ/Γ(a+1) = −expm1(a log x − log Γ(1+a)).
 */
function upperSmallX(a: number, x: number): number {
  let term = 1;
  let sum = 0;
  for (let n = 1; n <= MAX_TERMS; n++) {
    term *= -x / n;
    const add = term / (a + n);
    sum += add;
    if (abs(add) <= abs(sum) * EPS) {
      const logLeading = a * ln(x) - gammaln(1 + a);
      return -Math.expm1(logLeading) - exp(logLeading) * a * sum;
    }
  }
  throw new ConvergenceError(`gammaincc(${a}, ${x}): the series did not converge in ${MAX_TERMS} terms`);
}

/** Checks shared by P and Q; returns the value for the edge cases or undefined to compute. */
function edge(a: number, x: number, upper: boolean): number | undefined {
  if (isNaNNumber(a) || isNaNNumber(x) || !(a > 0) || x < 0) return Number.NaN;
  if (x === 0) return upper ? 1 : 0;
  if (x === Number.POSITIVE_INFINITY) return upper ? 0 : 1;
  if (a === Number.POSITIVE_INFINITY) return upper ? 1 : 0;
  return undefined;
}

/**
 * The regularised lower incomplete gamma function P(a, x) = γ(a, x)/Γ(a), as
 * `scipy.special.gammainc(a, x)`: the CDF of the Gamma(a) distribution at x (the χ² CDF with k
 * degrees of freedom is P(k/2, x/2)). NaN for a ≤ 0, x < 0 or NaN arguments.
 * Throws `ConvergenceError` if its bounded series does not converge (only for a beyond ~1e9).
 */
export function gammainc(a: number, x: number): number {
  const special = edge(a, x, false);
  if (special !== undefined) return special;
  if (x < a + 1) return min(lowerSeries(a, x), 1);
  const q = upperFraction(a, x);
  return q <= 0.5 ? 1 - q : lowerSeries(a, x);
}

/**
 * The regularised upper incomplete gamma function Q(a, x) = Γ(a, x)/Γ(a) = 1 − P(a, x), as
 * `scipy.special.gammaincc(a, x)`, with full relative precision in the upper tail (Q(0.5, 700) ≈
 * 1e-306). NaN for a ≤ 0, x < 0 or NaN arguments. Throws `ConvergenceError` as {@link gammainc}.
 */
export function gammaincc(a: number, x: number): number {
  const special = edge(a, x, true);
  if (special !== undefined) return special;
  if (x >= a + 1) return upperFraction(a, x);
  const p = lowerSeries(a, x);
  if (p <= 0.5) return 1 - p;
  return x <= 1 ? upperSmallX(a, x) : upperFraction(a, x);
}
