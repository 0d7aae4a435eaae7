/**
 * Special functions and the handful of distribution functions the statistics need, named after
 * their scipy counterparts (`scipy.special.gammaln`, `scipy.stats.norm.cdf`, `scipy.stats.chi2.isf`…).
 *
 * These wrap the library's own special functions (`special/`: Cody's erfc, Giles' erfcinv start with
 * Halley polishing, a Stirling/Taylor log Γ, series and continued fraction for the incomplete gamma
 * functions and their safeguarded-Newton inverses), choosing the numerically right formulation
 * (which tail to evaluate, which argument to negate) so that tail probabilities keep full relative
 * precision instead of being computed as `1 − (something ≈ 1)`. The normal CDF carries −x/√2 in
 * double-double, and the normal quantile is polished by a Newton step in log space. Accuracy
 * against 40-digit mpmath is a few ulp throughout the tested range (p down to 1e-300, x down to −37.5).
 */
import { erfc, erfcx } from "./special/erf.js";
import { erfcinv } from "./special/erfcinv.js";
import { gammainc, gammaincc } from "./special/gammainc.js";
import { gammainccinv, gammaincinv } from "./special/gammaincinv.js";
import { gammaln } from "./special/gammaln.js";
import { isFiniteNumber, abs, exp, isNaNNumber, ln } from "../core/describe.js";

export { gammaln };

const SQRT1_2 = Math.SQRT1_2;
const SQRT2 = Math.SQRT2;
/** 1/√2 − SQRT1_2: the rounding error of the double nearest 1/√2. */
const SQRT1_2_LO = -4.833646656726457e-17;
/** Veltkamp splitter 2^27 + 1 (Dekker 1971, "A floating-point technique for extending the available precision"). */
const SPLITTER = 134217729;
const SQRT1_2_SPLIT_HI = SPLITTER * SQRT1_2 - (SPLITTER * SQRT1_2 - SQRT1_2);
const SQRT1_2_SPLIT_LO = SQRT1_2 - SQRT1_2_SPLIT_HI;
/** 2/√π, the derivative scale of erfc. */
const TWO_OVER_SQRT_PI = 1.1283791670955126;
/** log √(2π). */
const LOG_SQRT_2PI = 0.9189385332046728;

/**
 * erfc(t/√2) with the product t/√2 carried in double-double precision.
 *
 * Rounding t/√2 to a double perturbs the argument by δ ≈ 1e-16·|t|, which changes erfc(z) by a
 * relative 2z·δ ≈ t²·1e-16 — 5e-14 at t = 37 (this is the error of scipy's `ndtr` in the far tail).
 * Dekker's exact TwoProduct gives δ, and the first-order correction erfc(z + δ) ≈ erfc(z) −
 * δ·(2/√π)·e^(−z²) restores full relative precision (second-order terms are ≲ (2zδ)², negligible).
 */
function erfcOfScaled(t: number): number {
  const z = t * SQRT1_2;
  const at = abs(t);
  if (!(at > 1 && at < 40)) return erfc(z);
  const c = SPLITTER * t;
  const th = c - (c - t);
  const tl = t - th;
  const productError =
    th * SQRT1_2_SPLIT_HI - z + th * SQRT1_2_SPLIT_LO + tl * SQRT1_2_SPLIT_HI + tl * SQRT1_2_SPLIT_LO;
  const delta = productError + t * SQRT1_2_LO;
  return erfc(z) - delta * TWO_OVER_SQRT_PI * exp(-z * z);
}

/**
 * Standard normal CDF Φ(x) = ½·erfc(−x/√2), as `scipy.stats.norm.cdf` (same formulation as Cephes
 * `ndtr`). Evaluating through `erfc` of the negated argument keeps relative precision in the lower
 * tail (Φ(−30) ≈ 4.9e-198) instead of computing `1 − Φ(|x|)`; the argument −x/√2 is carried in
 * double-double (see `erfcOfScaled`), so the relative error stays ~1e-15 down to x ≈ −37, where
 * scipy's is 5e-14. Underflows to 0 below x ≈ −38.5.
 */
export function normCdf(x: number): number {
  return 0.5 * erfcOfScaled(-x);
}

/**
 * Standard normal survival function 1 − Φ(x) = ½·erfc(x/√2), as `scipy.stats.norm.sf`; accurate in
 * the upper tail by symmetry with {@link normCdf}.
 */
export function normSf(x: number): number {
  return 0.5 * erfcOfScaled(x);
}

/**
 * `log Φ(x)`, as `scipy.stats.norm.logcdf`. For x < −1 it is `log(erfcx(−x/√2)/2) − x²/2` (the
 * scaled complementary error function, so there is no underflow even at x = −1e5, and x²/2 is
 * formed from x itself, not from the rounded x/√2); otherwise `log1p(−Q(x))` with Q = {@link normSf},
 * whose compensated argument keeps the upper tail accurate (log Φ(10) ≈ −7.6e-24 to ~1e-16 relative).
 */
export function normLogCdf(x: number): number {
  if (x < -1) return ln(0.5 * erfcx(-x * SQRT1_2)) - 0.5 * x * x;
  return Math.log1p(-normSf(x));
}

/**
 * Standard normal quantile Φ⁻¹(p) = −√2·erfcinv(2p), as `scipy.stats.norm.ppf`. The erfcinv
 * formulation keeps relative accuracy for small p; for p < 1e-10 one log-space Newton step (see
 * `refineNormalTail`) removes the rounding of the product by √2, leaving a few ulp. Near p = 1 accuracy is limited by the
 * representation of p itself — use {@link normIsf} for upper-tail quantiles.
 * Returns −Infinity at p = 0, +Infinity at p = 1 and NaN outside [0, 1] or for NaN.
 */
export function normPpf(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const x = -SQRT2 * erfcinv(2 * p) + 0; // + 0 turns −0 (at p = ½) into 0
  return p < TAIL_REFINE ? refineNormalTail(x, ln(p)) : x;
}

/**
 * Standard normal inverse survival function Φ⁻¹(1 − p) = √2·erfcinv(2p), as `scipy.stats.norm.isf`;
 * accurate for small upper-tail probabilities. +Infinity at p = 0, −Infinity at p = 1, NaN outside [0, 1].
 */
export function normIsf(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.POSITIVE_INFINITY;
  if (p === 1) return Number.NEGATIVE_INFINITY;
  const x = SQRT2 * erfcinv(2 * p);
  return p < TAIL_REFINE ? -refineNormalTail(-x, ln(p)) : x;
}

/** Below this tail probability the normal quantile gets one log-space Newton correction. */
const TAIL_REFINE = 1e-10;

/**
 * One Newton step on h(x) = log Φ(x) − log p, from a starting point x < 0 in the lower tail:
 * x ← x − h(x)·Φ(x)/φ(x). Working in log space avoids the underflow of Φ(x) − p, and since h′ = φ/Φ ≈ |x| the step is accurate to
 * ~1e-16 relative. (Newton converges quadratically, one step from a 1e-13 start suffices.)
 */
function refineNormalTail(x: number, logP: number): number {
  const logCdf = normLogCdf(x);
  const logPdf = -0.5 * x * x - LOG_SQRT_2PI;
  const step = (logCdf - logP) * exp(logCdf - logPdf);
  return isFiniteNumber(step) ? x - step : x;
}

/**
 * χ² CDF with `k` degrees of freedom, P(k/2, x/2) (regularised lower incomplete gamma function,
 * `special/gammainc.ts`). As `scipy.stats.chi2.cdf`: 0 for x ≤ 0, NaN for k ≤ 0 or NaN arguments.
 */
export function chi2Cdf(x: number, k: number): number {
  if (isNaNNumber(x) || !(k > 0)) return Number.NaN;
  if (x <= 0) return 0;
  return gammainc(0.5 * k, 0.5 * x);
}

/**
 * χ² survival function Q(k/2, x/2) (regularised upper incomplete gamma function, evaluated
 * directly so that small tail probabilities keep relative precision), as `scipy.stats.chi2.sf`.
 * 1 for x ≤ 0, NaN for k ≤ 0 or NaN arguments.
 */
export function chi2Sf(x: number, k: number): number {
  if (isNaNNumber(x) || !(k > 0)) return Number.NaN;
  if (x <= 0) return 1;
  return gammaincc(0.5 * k, 0.5 * x);
}

/**
 * χ² quantile 2·P⁻¹(k/2, p), as `scipy.stats.chi2.ppf` (`special/gammaincinv.ts`: for p > ½ the
 * upper tail 1 − p, exact by Sterbenz's lemma, is inverted instead). 0 at p = 0, +Infinity at
 * p = 1, NaN outside [0, 1] or for k ≤ 0; 0 where the quantile underflows.
 */
export function chi2Ppf(p: number, k: number): number {
  if (!(p >= 0 && p <= 1) || !(k > 0)) return Number.NaN;
  return 2 * gammaincinv(0.5 * k, p);
}

/**
 * χ² inverse survival function 2·Q⁻¹(k/2, p), as `scipy.stats.chi2.isf`. Inverts the *upper*
 * incomplete gamma function directly, so tiny tail probabilities (p = 1e-100) are resolved instead
 * of being lost in `1 − p`. +Infinity at p = 0, 0 at p = 1, NaN outside [0, 1] or for k ≤ 0.
 */
export function chi2Isf(p: number, k: number): number {
  if (!(p >= 0 && p <= 1) || !(k > 0)) return Number.NaN;
  return 2 * gammainccinv(0.5 * k, p);
}

/**
 * Log of the Poisson probability extended continuously in `n`:
 * `n·log λ − λ − log Γ(n + 1)`, with the `scipy.special.xlogy` convention 0·log 0 = 0.
 * `n` need not be an integer (Asimov data are expected yields). Equals
 * `scipy.stats.poisson.logpmf` at integer n; λ = 0 gives 0 for n = 0 and −Infinity for n > 0.
 * No argument checking: callers validate yields once, not per evaluation.
 */
export function poissonLogPmf(n: number, lambda: number): number {
  const nLogLambda = n === 0 && !isNaNNumber(lambda) ? 0 : n * ln(lambda);
  return nLogLambda - lambda - gammaln(n + 1);
}
