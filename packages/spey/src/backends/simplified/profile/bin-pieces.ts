/**
 * The smooth pieces of one bin's Poisson term as a function of its nuisance θᵢ, at fixed signal.
 *
 * With cᵢ = μ·sᵢ the bin's term is hᵢ(θ) = H(λ), λ = max(cᵢ + nᵢ(θ), 1e-20), H(λ) = λ − dᵢ ln λ
 * (dᵢ the observed count; spey's `clip(λ, 1e-20)`). It is smooth except where λ reaches the floor
 * (the "kink", a corner for dᵢ = 0) and where nᵢ(θ) loses smoothness or turns (the vertex
 * −B/2C of a quadratic background, the clip of the effective σ). The positivity constraint
 * nᵢ(θ) ≥ 0 may be a union of intervals. This module cuts that set into closed pieces on each of
 * which hᵢ is smooth and the background monotone, classifies each piece (λ floored or not; hᵢ
 * convex, concave, or not known), and records hᵢ's minimum on it. A box built from one piece per
 * bin is a smooth problem; the global minimum over the feasible set is the least of the boxes'
 * minima.
 */
import { LAMBDA_FLOOR } from "../poisson-floor.js";
import {
  type BackgroundModel,
  EffectiveSigmaBackground,
  LinearBackground,
  QuadraticBackground,
} from "../backgrounds.js";
import { isFiniteNumber, abs, max, min, sqrt, ln } from "../../../core/describe.js";
import { zeros, copyOf } from "../../../core/arrays.js";

/** hᵢ's curvature on a piece: known convex, known concave, or unknown (no formula). */
export type Curvature = "convex" | "concave" | "unknown";

/** One closed piece [lo, hi] of θᵢ. */
export interface Piece {
  readonly lo: number;
  readonly hi: number;
  /** λ sits at the 1e-20 floor on the whole piece (hᵢ constant). */
  readonly floored: boolean;
  readonly curvature: Curvature;
  /** `lo` is a cut inside the feasible set (the piece below shares it), not an end of it. */
  readonly joinsBelow: boolean;
  /** `hi` is a cut inside the feasible set (the piece above shares it). */
  readonly joinsAbove: boolean;
  /** The cut at `lo` (or `hi`) is where λ reaches the floor. */
  readonly kinkBelow: boolean;
  readonly kinkAbove: boolean;
  /** min of hᵢ over the piece and a θ attaining it. */
  readonly hMin: number;
  readonly hArgmin: number;
}

/** H(λ) = λ − d ln λ (λ floored at 1e-20), its first and second derivatives in λ. */
export function poissonTerm(lambda: number, d: number): number {
  const l = max(lambda, LAMBDA_FLOOR);
  return d === 0 ? l : l - d * ln(l);
}

/** A point strictly inside [lo, hi] (which may have infinite ends). */
export function interiorPoint(lo: number, hi: number): number {
  if (isFiniteNumber(lo) && isFiniteNumber(hi)) return 0.5 * (lo + hi);
  if (isFiniteNumber(lo)) return lo + max(1, abs(lo));
  if (isFiniteNumber(hi)) return hi - max(1, abs(hi));
  return 0;
}

/**
 * Values λ > 1e-20 where H(λ(θ))″ changes sign for a quadratic background (arXiv:1809.05548's
 * nᵢ = A + Bθ + Cθ²): with λ = c + A + Bθ + Cθ² and D = B² − 4C(A + c),
 * (λ′)² = D + 4Cλ, so h″ = 2C(1 − d/λ) + d(D + 4Cλ)/λ² = (2Cλ² + 2Cdλ + dD)/λ²: its sign is
 * that of the quadratic 2Cλ² + 2Cdλ + dD, whose roots above the floor are written to `out`
 * (ascending); returns how many.
 */
function quadraticInflections(bg: QuadraticBackground, i: number, c: number, d: number, out: Float64Array): number {
  const C = bg.C[i]!;
  if (C === 0 || d === 0) return 0;
  const B = bg.B[i]!;
  const D = B * B - 4 * C * (bg.A[i]! + c);
  const qa = 2 * C;
  const qb = 2 * C * d;
  const qc = d * D;
  const disc = qb * qb - 4 * qa * qc;
  if (disc < 0) return 0;
  const q = -0.5 * (qb + (qb >= 0 ? 1 : -1) * sqrt(disc));
  let r1 = q !== 0 ? q / qa : 0;
  let r2 = q !== 0 ? qc / q : Number.NaN;
  if (r2 < r1) [r1, r2] = [r2, r1];
  let k = 0;
  if (r1 > LAMBDA_FLOOR) out[k++] = r1;
  if (r2 > LAMBDA_FLOOR) out[k++] = r2;
  return k;
}

/** h″(θ) = H″(λ)·n′² + H′(λ)·n″ on an unfloored piece. */
function curvatureAt(bg: BackgroundModel, i: number, c: number, d: number, t: number, scratch: Float64Array): number {
  bg.bin(i, t, scratch);
  const lambda = max(c + scratch[0]!, LAMBDA_FLOOR);
  return (d / (lambda * lambda)) * scratch[1]! * scratch[1]! + (1 - d / lambda) * scratch[2]!;
}

/** λ = c + nᵢ(θ) at θ (an infinite θ gives the limit along the monotone piece). */
function lambdaAt(bg: BackgroundModel, i: number, c: number, t: number, inner: number, scratch: Float64Array): number {
  if (isFiniteNumber(t)) {
    bg.bin(i, t, scratch);
    return c + scratch[0]!;
  }
  bg.bin(i, inner, scratch);
  const slope = scratch[1]!;
  if (slope === 0) return c + scratch[0]!;
  return t > 0 === slope > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

const KINK = 1;
const SPLIT = 2;

/**
 * Cuts the bins of one background model into pieces (see the module comment). The monotone
 * segments (feasible intervals split at the background's breakpoints) do not depend on the signal
 * and are computed once.
 */
export class BinPieceBuilder {
  /** Per bin: the monotone segments as [lo₀, hi₀, lo₁, hi₁, …]. */
  readonly #segments: Float64Array[];
  /** Per bin and segment: 1 when the segment's lower end is a breakpoint shared with the previous one. */
  readonly #joined: Uint8Array[];
  readonly #scratch = zeros(3);
  readonly #inflections = zeros(2);
  readonly #points: number[] = [];
  readonly #kinds: number[] = [];
  readonly #extraT = zeros(6);
  readonly #extraKind = new Int8Array(6);

  declare readonly background: BackgroundModel;
  constructor(background: BackgroundModel, n: number) {
    this.background = background;
    this.#segments = [];
    this.#joined = [];
    for (let i = 0; i < n; i++) {
      const list: number[] = [];
      const joins: number[] = [];
      const breaks = background.breakpoints(i);
      for (const [lo, hi] of background.feasibleSet(i)) {
        let a = lo;
        let joinedBelow = 0;
        for (const b of breaks) {
          if (b > a && b < hi) {
            list.push(a, b);
            joins.push(joinedBelow);
            a = b;
            joinedBelow = 1;
          }
        }
        list.push(a, hi);
        joins.push(joinedBelow);
      }
      this.#segments.push(copyOf(list));
      this.#joined.push(Uint8Array.from(joins));
    }
  }

  /**
   * The pieces of bin i for signal c and count d, appended to `out` (cleared first). With limits
   * [lower, upper] (a caller's bounds of θᵢ, or lower = upper for a fixed θᵢ) the feasible set is
   * intersected with them first: a clipped end is an end of the set, not a cut; a fixed θᵢ gives
   * one piece [θᵢ, θᵢ] when it is feasible. `out` stays empty when nothing is feasible.
   */
  build(
    i: number,
    c: number,
    d: number,
    out: Piece[],
    lower: number = Number.NEGATIVE_INFINITY,
    upper: number = Number.POSITIVE_INFINITY,
  ): void {
    out.length = 0;
    const bg = this.background;
    const segments = this.#segments[i]!;
    const joined = this.#joined[i]!;
    const quadratic = bg instanceof QuadraticBackground;
    const nInflections = quadratic ? quadraticInflections(bg, i, c, d, this.#inflections) : 0;
    // effective σ: cut where n″ and λ − d change sign, so that h″ = H″n′² + (1 − d/λ)n″ ≥ 0 can
    // be read off a piece's midpoint where (λ − d)·n″ ≥ 0
    const sigmaCuts = bg instanceof EffectiveSigmaBackground ? [bg.curvatureSignChange(i), d - c] : [];
    const points = this.#points;
    const kinds = this.#kinds;
    const point = lower === upper;
    let previousKept = false;
    for (let s = 0; s < joined.length; s++) {
      const a0 = segments[2 * s]!;
      const b0 = segments[2 * s + 1]!;
      const a = max(a0, lower);
      const b = min(b0, upper);
      // a segment outside the limits is dropped (a single point only when θᵢ is fixed there, and
      // then only the first segment holding it)
      const kept = point ? a === b && !out.length && points.length === 0 : a < b || (a0 === b0 && a === b);
      if (!kept) {
        previousKept = false;
        continue;
      }
      // a run of segments joined at breakpoints forms one feasible interval (a segment clipped at
      // its start, or following a dropped one, starts a new run)
      if (joined[s] === 0 || !previousKept || a !== a0) {
        this.#flush(i, c, d, out);
        points.length = 0;
        kinds.length = 0;
        points.push(a);
      } else {
        // `a` is the previous segment's end, already the last point: it becomes an interior cut
        kinds.push(SPLIT);
      }
      let nExtra = 0;
      const kink = bg.solve(i, LAMBDA_FLOOR - c, a, b);
      if (isFiniteNumber(kink)) {
        this.#extraT[nExtra] = kink;
        this.#extraKind[nExtra++] = KINK;
      }
      for (let k = 0; k < nInflections; k++) {
        const t = bg.solve(i, this.#inflections[k]! - c, a, b);
        if (isFiniteNumber(t)) {
          this.#extraT[nExtra] = t;
          this.#extraKind[nExtra++] = SPLIT;
        }
      }
      if (sigmaCuts.length > 0) {
        const turn = sigmaCuts[0]!;
        if (turn > a && turn < b) {
          this.#extraT[nExtra] = turn;
          this.#extraKind[nExtra++] = SPLIT;
        }
        const t = bg.solve(i, sigmaCuts[1]!, a, b);
        if (isFiniteNumber(t)) {
          this.#extraT[nExtra] = t;
          this.#extraKind[nExtra++] = SPLIT;
        }
      }
      // a few extra cuts: insertion sort
      for (let x = 1; x < nExtra; x++) {
        for (let y = x; y > 0 && this.#extraT[y - 1]! > this.#extraT[y]!; y--) {
          const t = this.#extraT[y]!;
          this.#extraT[y] = this.#extraT[y - 1]!;
          this.#extraT[y - 1] = t;
          const k = this.#extraKind[y]!;
          this.#extraKind[y] = this.#extraKind[y - 1]!;
          this.#extraKind[y - 1] = k;
        }
      }
      for (let x = 0; x < nExtra; x++) {
        if (this.#extraT[x]! > points[points.length - 1]!) {
          points.push(this.#extraT[x]!);
          kinds.push(this.#extraKind[x]!);
        }
      }
      points.push(b);
      previousKept = true;
    }
    this.#flush(i, c, d, out);
    points.length = 0;
    kinds.length = 0;
  }

  /**
   * Turn the cut points of one feasible interval (`points`, with `kinds` for the interior ones)
   * into pieces.
   */
  #flush(i: number, c: number, d: number, out: Piece[]): void {
    const points = this.#points;
    const kinds = this.#kinds;
    if (points.length < 2) return;
    const bg = this.background;
    const scratch = this.#scratch;
    const last = points.length - 1;
    for (let k = 0; k < last; k++) {
      const a = points[k]!;
      const b = points[k + 1]!;
      if (!(b > a) && !(a === b && last === 1)) continue;
      const mid = interiorPoint(a, b);
      bg.bin(i, mid, scratch);
      const floored = !(c + scratch[0]! > LAMBDA_FLOOR);
      let curvature: Curvature;
      if (floored || bg instanceof LinearBackground) curvature = "convex";
      else if (bg instanceof QuadraticBackground) {
        curvature = curvatureAt(bg, i, c, d, mid, scratch) >= 0 ? "convex" : "concave";
      } else if (bg instanceof EffectiveSigmaBackground) {
        // H″n′² ≥ 0 always; (1 − d/λ)n″ ≥ 0 on the whole piece when it holds at its midpoint
        curvature = (c + scratch[0]! - d) * scratch[2]! >= 0 ? "convex" : "unknown";
      } else curvature = "unknown";
      const { hMin, hArgmin } = pieceMinimum(bg, i, c, d, a, b, floored, mid, scratch);
      out.push({
        lo: a,
        hi: b,
        floored,
        curvature,
        joinsBelow: k > 0,
        joinsAbove: k + 1 < last,
        kinkBelow: k > 0 && kinds[k - 1] === KINK,
        kinkAbove: k + 1 < last && kinds[k] === KINK,
        hMin,
        hArgmin,
      });
    }
  }
}

/**
 * min of hᵢ on [a, b]: H is minimal at λ = d (λ = the floor for d = 0) and the background is
 * monotone on the piece, so the minimum is at λ* = clamp(d, λ(a), λ(b)).
 */
function pieceMinimum(
  bg: BackgroundModel,
  i: number,
  c: number,
  d: number,
  a: number,
  b: number,
  floored: boolean,
  mid: number,
  scratch: Float64Array,
): { hMin: number; hArgmin: number } {
  if (floored) return { hMin: poissonTerm(LAMBDA_FLOOR, d), hArgmin: mid };
  const la = lambdaAt(bg, i, c, a, mid, scratch);
  const lb = lambdaAt(bg, i, c, b, mid, scratch);
  const lmin = min(la, lb);
  const lmax = max(la, lb);
  const target = max(d, LAMBDA_FLOOR);
  if (target <= lmin) {
    const t = la <= lb ? a : b;
    return { hMin: poissonTerm(lmin, d), hArgmin: isFiniteNumber(t) ? t : mid };
  }
  if (target >= lmax) {
    const t = la >= lb ? a : b;
    return { hMin: poissonTerm(lmax, d), hArgmin: isFiniteNumber(t) ? t : mid };
  }
  const t = bg.solve(i, target - c, a, b);
  return { hMin: poissonTerm(target, d), hArgmin: isFiniteNumber(t) ? t : mid };
}
