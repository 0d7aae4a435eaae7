/**
 * Projected Armijo line search of the bounded minimiser (see {@link ./minimize.ts}): backtracking
 * along the projection arc x(α) = P(x + α d) with Bertsekas' sufficient-decrease test (D. P.
 * Bertsekas, SIAM J. Control Optim. 20 (1982) 221–246):
 *   f(x) − f(x(α)) ≥ σ [ −α Σ_{i∈F} ∂_i f · d_i + Σ_{i∈I⁺} ∂_i f · (x_i − x_i(α)) ].
 * Non-finite objective values at trial points count as +∞ (the search backtracks). Near the
 * minimum, where f can no longer be resolved in floating point, a full step is also accepted when
 * f rises by no more than rounding noise and the projected gradient shrinks.
 */
import { allFinite, projectedGradientNorm } from "./projection.js";
import type { Objective } from "./types.js";
import { isFiniteNumber, max, min } from "../core/describe.js";

/** Armijo constant σ (Bertsekas uses σ ∈ (0, 1/2); 1e-4 is the usual choice). */
const ARMIJO_SIGMA = 1e-4;
/** Maximum number of backtracking steps per line search. */
const MAX_LINE_SEARCH = 40;
/** Relative size of the rounding noise in f: 64 ulps of max(1, |f|) (sums of many log-terms). */
export const NOISE_ULPS = 64 * Number.EPSILON;

/** The current iterate and direction handed to {@link projectedArmijoSearch}. */
export interface LineSearchInput {
  objective: Objective;
  /** Whether `objective(x, grad)` fills the gradient (else it is not evaluated here). */
  analytic: boolean;
  x: Float64Array;
  g: Float64Array;
  f: number;
  /** max(1, |f|): the scale of f's rounding noise. */
  fScale: number;
  /** ‖x − P(x − ∇f)‖∞ at x. */
  pgNorm: number;
  d: Float64Array;
  /** 1 for the variables in the ε-active set I⁺. */
  active: Uint8Array;
  free: Int32Array;
  lo: Float64Array;
  hi: Float64Array;
  /** Σ_{i∈F} ∂_i f · d_i (≤ 0). */
  slope: number;
  /** First trial step (1, or less when the problem limits the step). */
  alpha: number;
  /** Receives the trial point (fixed entries must already hold their values). */
  xTrial: Float64Array;
  /** Receives the gradient at the trial point (analytic gradients only). */
  gTrial: Float64Array;
}

export interface LineSearchResult {
  accepted: boolean;
  /** f at the last trial point (the accepted one when `accepted`). */
  fTrial: number;
  /** Objective evaluations made. */
  calls: number;
}

/** Backtrack from `alpha` until the Bertsekas–Armijo test holds (at most 40 trial steps). */
export function projectedArmijoSearch(input: LineSearchInput): LineSearchResult {
  const { objective, analytic, x, g, f, fScale, pgNorm, d, active, free, lo, hi, slope, xTrial, gTrial } = input;
  const nFree = free.length;
  let alpha = input.alpha;
  let fTrial = Number.NaN;
  let calls = 0;
  for (let ls = 0; ls < MAX_LINE_SEARCH; ls++) {
    let pred = -alpha * slope;
    let moved = false;
    for (let k = 0; k < nFree; k++) {
      const i = free[k]!;
      const v = min(hi[i]!, max(lo[i]!, x[i]! + alpha * d[i]!));
      xTrial[i] = v;
      if (v !== x[i]) moved = true;
      if (active[i] === 1) pred += g[i]! * (x[i]! - v);
    }
    if (!moved) break; // the step is below the resolution of x
    if (analytic) {
      fTrial = objective(xTrial, gTrial);
      if (!allFinite(gTrial, free)) fTrial = Number.POSITIVE_INFINITY;
    } else {
      fTrial = objective(xTrial);
    }
    calls++;
    if (!isFiniteNumber(fTrial)) fTrial = Number.POSITIVE_INFINITY;
    if (f - fTrial >= ARMIJO_SIGMA * pred) return { accepted: true, fTrial, calls };
    const noise = NOISE_ULPS * fScale;
    if (ls === 0 && analytic && fTrial <= f + noise && pred <= 100 * noise) {
      // Rounding floor: f cannot resolve the decrease any more; take the full step when it
      // improves the projected gradient.
      if (projectedGradientNorm(xTrial, gTrial, lo, hi, free) < pgNorm) return { accepted: true, fTrial, calls };
    }
    // Below the rounding noise of f no shorter step can show a decrease: give up early.
    if (fTrial >= f && pred <= noise) break;
    if (fTrial === Number.POSITIVE_INFINITY) {
      alpha *= 0.25;
    } else {
      // Minimiser of the quadratic q(t) with q(0) = f, q'(0) = −pred/α, q(α) = fTrial,
      // safeguarded to [0.1α, 0.5α] (Nocedal & Wright §3.5).
      const denom = 2 * (fTrial - f + pred);
      let next = denom > 0 ? (pred * alpha) / denom : 0.5 * alpha;
      if (!(next >= 0.1 * alpha)) next = 0.1 * alpha;
      if (next > 0.5 * alpha) next = 0.5 * alpha;
      alpha = next;
    }
  }
  return { accepted: false, fTrial, calls };
}
