/**
 * Lower bounds of the inner profile problem F(θ) = Σᵢ hᵢ(θᵢ) + G(θ) (theta-objective.ts) on boxes
 * of pieces, for branch and bound. G = −ln MVN(a | θ, ρ) is m-strongly convex with a certified
 * m > 0 (ρ⁻¹ ⪰ m·I, GaussianBlock.strongConvexity), so for any reference point θ̂
 *
 *   G(θ) ≥ G(θ̂) + ∇G(θ̂)ᵀ(θ − θ̂) + ½m‖θ − θ̂‖²,
 *
 * and F separates: F(θ) ≥ F(θ̂) + Σᵢ [φᵢ(θᵢ) − φᵢ(θ̂ᵢ)] with
 * φᵢ(t) = hᵢ(t) + gᵢ(t − θ̂ᵢ) + ½m(t − θ̂ᵢ)², g = ∇G(θ̂). The bound of a box is
 * F(θ̂) + Σᵢ δᵢ(pieceᵢ), δᵢ(p) = min_p φᵢ − φᵢ(θ̂ᵢ); with θ̂ the incumbent minimum it is tight on
 * the incumbent's box. min_p φᵢ is exact where hᵢ is convex on p (φᵢ is then convex); elsewhere
 * it is bounded from below by hᵢ's chord (concave hᵢ) or by min hᵢ + min of the quadratic part.
 */
import { safeguardedNewton } from "../../../math/safeguarded-newton.js";
import type { Piece } from "./bin-pieces.js";
import type { ThetaObjective } from "./theta-objective.js";

/** Iterations of the safeguarded Newton search for min φ on a convex piece. */
const MAX_SCALAR_ITERATIONS = 100;

/** min over [lo, hi] of the convex quadratic q(t) = k0 + k1(t − r) + ½k2(t − r)² (k2 > 0). */
function quadraticMinimum(k0: number, k1: number, k2: number, r: number, lo: number, hi: number): number {
  const t = Math.min(Math.max(r - k1 / k2, lo), hi);
  const u = t - r;
  return k0 + k1 * u + 0.5 * k2 * u * u;
}

/**
 * A cheap lower bound of min_{t ∈ piece} φ(t): min hᵢ + min of the quadratic part (exact on a
 * floored piece, where hᵢ is constant).
 */
export function phiMinimumCheap(piece: Piece, g: number, m: number, r: number): number {
  return piece.hMin + quadraticMinimum(0, g, m, r, piece.lo, piece.hi);
}

/**
 * A lower bound of min_{t ∈ piece} φ(t) for bin i, φ(t) = hᵢ(t) + g(t − r) + ½m(t − r)².
 */
export function phiMinimum(
  objective: ThetaObjective,
  i: number,
  piece: Piece,
  g: number,
  m: number,
  r: number,
  scratch: Float64Array,
): number {
  const { lo, hi } = piece;
  if (piece.floored) {
    const h = objective.binTerm(i, r, true, scratch);
    return quadraticMinimum(h, g, m, r, lo, hi);
  }
  // always valid: min h + min of the quadratic part
  const decoupled = piece.hMin + quadraticMinimum(0, g, m, r, lo, hi);
  if (piece.curvature === "concave" && Number.isFinite(lo) && Number.isFinite(hi) && hi > lo) {
    // concave h lies above its chord: h(t) ≥ h(lo) + s(t − lo)
    const hl = objective.binTerm(i, lo, false, scratch);
    const hh = objective.binTerm(i, hi, false, scratch);
    const s = (hh - hl) / (hi - lo);
    const chord = quadraticMinimum(hl + s * (r - lo), s + g, m, r, lo, hi);
    return Math.max(decoupled, chord);
  }
  if (piece.curvature !== "convex") return decoupled;
  // φ convex: φ′ increasing; minimum at an end or at the root of φ′.
  const dphi = (t: number): number => {
    objective.binTerm(i, t, false, scratch);
    return scratch[1]! + g + m * (t - r);
  };
  const phi = (t: number): number => {
    const u = t - r;
    return objective.binTerm(i, t, false, scratch) + g * u + 0.5 * m * u * u;
  };
  if (lo === hi) return phi(lo);
  let a = lo;
  let b = hi;
  // No derivative is taken at the ends themselves: at a breakpoint of the background (the effective
  // σ's clip) rounding can select the neighbouring piece's formula. An end minimum is approached
  // by the bracket instead.
  // bracket the root when an end is infinite (φ′ → ±∞ there through the m-term)
  const start = Math.min(Math.max(r, a), b);
  if (!Number.isFinite(a)) {
    let step = 1;
    a = start - step;
    while (dphi(a) > 0 && step < 1e300) {
      step *= 2;
      a = start - step;
    }
  }
  if (!Number.isFinite(b)) {
    let step = 1;
    b = Math.max(start, a) + step;
    while (dphi(b) < 0 && step < 1e300) {
      step *= 2;
      b = Math.max(start, a) + step;
    }
  }
  // safeguarded Newton on φ′ (φ″ = h″ + m); an unconverged t still gives a valid bound below
  const root = safeguardedNewton(
    (t, out) => {
      objective.binTerm(i, t, false, scratch);
      out[0] = scratch[1]! + g + m * (t - r);
      out[1] = scratch[2]! + m;
    },
    a,
    b,
    0.5 * (a + b),
    { maxIterations: MAX_SCALAR_ITERATIONS, stepTolerance: 1e-14 },
  );
  const t = root.x;
  a = root.lower;
  b = root.upper;
  // A convex φ lies above its tangent at t: min φ ≥ φ(t) − |φ′(t)|·(b − a), the minimiser being
  // inside the bracket [a, b] — a rigorous bound, as tight as the iteration converged.
  const value = phi(t) - Math.abs(dphi(t)) * (b - a);
  return Math.max(decoupled, value);
}
