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
import { isFiniteNumber, abs, max, min, sqrt } from "../../../core/describe.js";

/** Iterations of the safeguarded Newton search for min φ on a convex piece. */
const MAX_SCALAR_ITERATIONS = 100;

/** min over [lo, hi] of the convex quadratic q(t) = k0 + k1(t − r) + ½k2(t − r)² (k2 > 0). */
function quadraticMinimum(k0: number, k1: number, k2: number, r: number, lo: number, hi: number): number {
  const t = min(max(r - k1 / k2, lo), hi);
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

/** Interval splits of {@link monotoneSubdivisionBound} (each costs one evaluation of hᵢ). */
const MAX_SPLITS = 400;

/**
 * A lower bound of min φ on a piece where hᵢ is monotone, for pieces whose curvature is not known
 * to be convex, by a one-dimensional branch and bound: on an interval [u, v],
 * φ ≥ min(hᵢ(u), hᵢ(v)) + min of the quadratic part over [u, v]; the interval with the lowest such
 * bound is halved until that bound is within 1e-7 (relative) of the least φ evaluated, or after
 * {@link MAX_SPLITS} splits — the bound returned, the least over the intervals, is rigorous at any
 * stage. The piece's infinite tails beyond a finite window around r take hᵢ's minimum on the piece.
 * hᵢ = H(λ) is monotone where λ is monotone (the piece is a monotone segment of the background)
 * and stays on one side of dᵢ (H′(λ) = 1 − dᵢ/λ): checked at the window's ends, −∞ (no bound)
 * otherwise. With a `target`, the halving also stops as soon as the bound reaches it (the caller
 * only needs to know that min φ ≥ target: e.g. that a piece cannot beat the incumbent).
 */
function monotoneSubdivisionBound(
  objective: ThetaObjective,
  i: number,
  piece: Piece,
  g: number,
  m: number,
  r: number,
  scratch: Float64Array,
  target: number,
): number {
  const { lo, hi } = piece;
  if (!(hi > lo)) return Number.NEGATIVE_INFINITY;
  // a window wide enough that the quadratic part outside it is far above its minimum
  const span = 8 / sqrt(m) + abs(g) / m;
  const a = isFiniteNumber(lo) ? lo : min(r, isFiniteNumber(hi) ? hi : r) - span;
  const b = isFiniteNumber(hi) ? hi : max(r, a) + span;
  if (!(b > a)) return Number.NEGATIVE_INFINITY;
  const d = objective.count(i);
  const la = objective.lambdaAt(i, a);
  const lb = objective.lambdaAt(i, b);
  // the piece is cut where λ = dᵢ: an end may sit there up to rounding (hᵢ moves by ~(λ − dᵢ)²/dᵢ
  // across such a sliver, far below any tolerance)
  const sliver = 1e-9 * max(1, d);
  const sa = abs(la - d) <= sliver ? 0 : la - d;
  const sb = abs(lb - d) <= sliver ? 0 : lb - d;
  if (!(sa * sb >= 0) || !(min(la, lb) > 0)) return Number.NEGATIVE_INFINITY;
  let tails = Number.POSITIVE_INFINITY;
  if (a > lo) tails = min(tails, piece.hMin + quadraticMinimum(0, g, m, r, lo, a));
  if (b < hi) tails = min(tails, piece.hMin + quadraticMinimum(0, g, m, r, b, hi));
  const h = (t: number) => objective.binTerm(i, t, false, scratch);
  const phi = (t: number, ht: number) => ht + g * (t - r) + 0.5 * m * (t - r) * (t - r);
  // intervals as parallel arrays: ends, hᵢ at the ends, lower bound; `heap` orders their indices
  // by (bound, index), so the interval split is the one with the least bound (the first such one),
  // found in O(log n) instead of a scan of all intervals
  const us: number[] = [];
  const vs: number[] = [];
  const hus: number[] = [];
  const hvs: number[] = [];
  const bounds: number[] = [];
  const heap: number[] = [];
  const less = (x: number, y: number) => bounds[x]! < bounds[y]! || (bounds[x] === bounds[y] && x < y);
  const siftUp = (at: number) => {
    const item = heap[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!less(item, heap[parent]!)) break;
      heap[at] = heap[parent]!;
      at = parent;
    }
    heap[at] = item;
  };
  const siftDown = (at: number) => {
    const item = heap[at]!;
    const size = heap.length;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      if (child + 1 < size && less(heap[child + 1]!, heap[child]!)) child++;
      if (!less(heap[child]!, item)) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = item;
  };
  let upper = Number.POSITIVE_INFINITY;
  const add = (u: number, v: number, hu: number, hv: number) => {
    us.push(u);
    vs.push(v);
    hus.push(hu);
    hvs.push(hv);
    bounds.push(min(hu, hv) + quadraticMinimum(0, g, m, r, u, v));
    upper = min(upper, phi(u, hu), phi(v, hv));
    heap.push(bounds.length - 1);
    siftUp(heap.length - 1);
  };
  const centre = min(max(r, a), b);
  const ha = h(a);
  const hb = h(b);
  if (centre > a && centre < b) {
    const hc = h(centre);
    add(a, centre, ha, hc);
    add(centre, b, hc, hb);
  } else add(a, b, ha, hb);
  for (let split = 0; split < MAX_SPLITS; split++) {
    const k = heap[0]!;
    if (upper - bounds[k]! <= 1e-7 * max(1, abs(upper))) break;
    if (bounds[k]! >= target && tails >= target) break;
    const u = us[k]!;
    const v = vs[k]!;
    const mid = 0.5 * (u + v);
    if (!(mid > u && mid < v)) break;
    const hm = h(mid);
    const hu = hus[k]!;
    const hv = hvs[k]!;
    // replace interval k by its left half, append its right half
    us[k] = u;
    vs[k] = mid;
    hvs[k] = hm;
    bounds[k] = min(hu, hm) + quadraticMinimum(0, g, m, r, u, mid);
    upper = min(upper, phi(mid, hm));
    siftDown(0);
    add(mid, v, hm, hv);
  }
  let bound = tails;
  for (const x of bounds) if (x < bound) bound = x;
  return isFiniteNumber(bound) ? bound : Number.NEGATIVE_INFINITY;
}

/**
 * A lower bound of min_{t ∈ piece} φ(t) for bin i, φ(t) = hᵢ(t) + g(t − r) + ½m(t − r)². With a
 * `target`, the bound of a piece of unknown curvature is refined only until it reaches the target
 * (a bound ≥ target is all a caller pruning at that level needs; it stays a rigorous lower bound).
 */
export function phiMinimum(
  objective: ThetaObjective,
  i: number,
  piece: Piece,
  g: number,
  m: number,
  r: number,
  scratch: Float64Array,
  target: number = Number.POSITIVE_INFINITY,
): number {
  const { lo, hi } = piece;
  if (piece.floored) {
    const h = objective.binTerm(i, r, true, scratch);
    return quadraticMinimum(h, g, m, r, lo, hi);
  }
  // always valid: min h + min of the quadratic part
  let decoupled = piece.hMin + quadraticMinimum(0, g, m, r, lo, hi);
  if (piece.curvature !== "convex") {
    const subdivided = monotoneSubdivisionBound(objective, i, piece, g, m, r, scratch, target);
    if (subdivided > decoupled) decoupled = subdivided;
  }
  if (piece.curvature === "concave" && isFiniteNumber(lo) && isFiniteNumber(hi) && hi > lo) {
    // concave h lies above its chord: h(t) ≥ h(lo) + s(t − lo)
    const hl = objective.binTerm(i, lo, false, scratch);
    const hh = objective.binTerm(i, hi, false, scratch);
    const s = (hh - hl) / (hi - lo);
    const chord = quadraticMinimum(hl + s * (r - lo), s + g, m, r, lo, hi);
    return max(decoupled, chord);
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
  const start = min(max(r, a), b);
  if (!isFiniteNumber(a)) {
    let step = 1;
    a = start - step;
    while (dphi(a) > 0 && step < 1e300) {
      step *= 2;
      a = start - step;
    }
  }
  if (!isFiniteNumber(b)) {
    let step = 1;
    b = max(start, a) + step;
    while (dphi(b) < 0 && step < 1e300) {
      step *= 2;
      b = max(start, a) + step;
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
  const value = phi(t) - abs(dphi(t)) * (b - a);
  return max(decoupled, value);
}
