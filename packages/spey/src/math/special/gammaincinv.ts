/**
 * Inverses of the regularised incomplete gamma functions: x with P(a, x) = p
 * (`scipy.special.gammaincinv`) or Q(a, x) = q (`scipy.special.gammainccinv`), the χ² quantiles.
 *
 * The tail that is ≤ ½ is inverted (1 − p is exact for p ≥ ½), so tail probabilities down to 1e-300
 * keep relative precision. Start (DiDonato & Morris, ACM TOMS 12 (1986) 377–393, §§ 2–5): the better,
 * by |log(T(a, x₀)/t)|, of the Wilson–Hilferty cube-root normal approximation
 * x₀ = a·(1 − 1/(9a) ± z/(3√a))³ (z the normal quantile) and the leading term of the tail asymptotics
 * (P ≈ xᵃ/Γ(a+1) for small x, Q ≈ xᵃ⁻¹e⁻ˣ/Γ(a) for large x). Then Newton's method on
 * h(x) = log(T(a, x)/t) with h′ = ±f(x)/T (f the Gamma(a) density, evaluated through logarithms so
 * nothing underflows), safeguarded by a bracket that every evaluation narrows (a step leaving it is
 * replaced by bisection, geometric where the bracket spans orders of magnitude). Stops when the Newton
 * correction is below 2 ulp, or when the bracket has closed to 4 ulp (then the evaluated point with
 * the smallest |h|); after 100 evaluations it throws `ConvergenceError` (it needs 3–6).
 */
import { ConvergenceError } from "../../core/errors.js";
import { erfcinv } from "./erfcinv.js";
import { gammainc, gammaincc } from "./gammainc.js";
import { gammaln } from "./gammaln.js";
import { isFiniteNumber, abs, sqrt, exp, ln } from "../../core/describe.js";

const EPS = Number.EPSILON;
const MAX_STEPS = 100;

/** T(a, x): P or Q. */
const tailProbability = (a: number, x: number, upper: boolean): number => (upper ? gammaincc(a, x) : gammainc(a, x));

/** log(T(a, x)/t), −Infinity if T underflows. */
function logRatio(a: number, x: number, t: number, upper: boolean): number {
  const tail = tailProbability(a, x, upper);
  if (!(tail > 0)) return Number.NEGATIVE_INFINITY;
  const ratio = tail / t;
  return ratio > 0 && ratio < Number.POSITIVE_INFINITY ? ln(ratio) : ln(tail) - ln(t);
}

/** Candidate starting points for T(a, x) = t, 0 < t ≤ ½. */
function candidates(a: number, t: number, upper: boolean): number[] {
  const out: number[] = [];
  // Wilson–Hilferty: (x/a)^(1/3) ≈ normal with mean 1 − 1/(9a) and variance 1/(9a); z = Φ⁻¹(t) ≤ 0
  const z = -Math.SQRT2 * erfcinv(2 * t);
  const cube = 1 - 1 / (9 * a) + ((upper ? -z : z) / 3) * sqrt(1 / a);
  if (cube > 0) out.push(a * cube * cube * cube);
  const logT = ln(t);
  if (upper) {
    const l = -logT;
    out.push(l + (a - 1) * ln(l) - gammaln(a));
  } else {
    out.push(exp((logT + gammaln(a + 1)) / a));
  }
  return out.filter((x) => x > 0 && x < Number.POSITIVE_INFINITY);
}

/** x > 0 with T(a, x) = t for 0 < t ≤ ½ (T = Q if `upper`, else P). */
function invert(a: number, t: number, upper: boolean, name: string): number {
  const starts = candidates(a, t, upper);
  if (starts.length === 0) {
    // only the lower-tail start can fail, by underflow: the root is below the smallest double
    return 0;
  }
  let x = starts[0]!;
  let h = logRatio(a, x, t, upper);
  for (const s of starts.slice(1)) {
    const hs = logRatio(a, s, t, upper);
    if (abs(hs) < abs(h)) {
      x = s;
      h = hs;
    }
  }
  const logGammaA = gammaln(a);
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  let best = x;
  let bestH = abs(h);
  for (let i = 0; i < MAX_STEPS; i++) {
    if (h === 0) return x;
    // P increases with x, Q decreases: is x above the root?
    const above = upper ? h < 0 : h > 0;
    if (above) hi = x;
    else lo = x;
    let next = Number.NaN;
    if (isFiniteNumber(h)) {
      const logTail = h + ln(t);
      const logDensity = (a - 1) * ln(x) - x - logGammaA;
      const step = h * exp(logTail - logDensity);
      next = upper ? x + step : x - step;
      // converged: the Newton correction is within rounding of x
      if (abs(step) <= 2 * EPS * x) return next;
    }
    if (!(next > lo && next < hi)) {
      if (hi === Number.POSITIVE_INFINITY) next = 4 * lo;
      else if (lo === 0) next = hi / 16;
      else next = hi > 4 * lo ? sqrt(lo * hi) : 0.5 * (lo + hi);
    }
    // the bracket has closed to a few ulp: the best point evaluated so far
    if (hi < Number.POSITIVE_INFINITY && hi - lo <= 4 * EPS * hi) return best;
    if (next === 0) return 0; // the root underflows
    x = next;
    h = logRatio(a, x, t, upper);
    if (abs(h) < bestH) {
      best = x;
      bestH = abs(h);
    }
  }
  throw new ConvergenceError(`${name}(${a}, ${t}): Newton's method did not converge in ${MAX_STEPS} steps`);
}

/** NaN for a ≤ 0 or a probability outside [0, 1]; the endpoint values; else undefined. */
function edge(a: number, probability: number, atZero: number, atOne: number): number | undefined {
  if (!(a > 0) || !(probability >= 0 && probability <= 1)) return Number.NaN;
  if (probability === 0) return atZero;
  if (probability === 1) return atOne;
  return undefined;
}

/**
 * x ≥ 0 with P(a, x) = p, as `scipy.special.gammaincinv(a, p)`: 0 at p = 0, +Infinity at p = 1, NaN
 * for a ≤ 0 or p outside [0, 1]. Returns 0 where the root is below the smallest double.
 */
export function gammaincinv(a: number, p: number): number {
  const special = edge(a, p, 0, Number.POSITIVE_INFINITY);
  if (special !== undefined) return special;
  return p <= 0.5 ? invert(a, p, false, "gammaincinv") : invert(a, 1 - p, true, "gammaincinv");
}

/**
 * x ≥ 0 with Q(a, x) = q, as `scipy.special.gammainccinv(a, q)`: +Infinity at q = 0, 0 at q = 1,
 * NaN for a ≤ 0 or q outside [0, 1]. Resolves tiny upper-tail probabilities (q = 1e-300) directly.
 */
export function gammainccinv(a: number, q: number): number {
  const special = edge(a, q, Number.POSITIVE_INFINITY, 0);
  if (special !== undefined) return special;
  return q <= 0.5 ? invert(a, q, true, "gammainccinv") : invert(a, 1 - q, false, "gammainccinv");
}
