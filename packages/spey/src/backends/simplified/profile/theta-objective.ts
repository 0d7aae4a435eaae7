/**
 * The negative log-likelihood of a simplified model as a function of the background nuisances θ
 * alone, at fixed signal cᵢ = μ·sᵢ (the inner problem of a profile likelihood):
 *
 *   F(θ) = Σᵢ hᵢ(θᵢ) − ln p(a | θ),   hᵢ = λᵢ − dᵢ ln λᵢ,  λᵢ = cᵢ + nᵢ(θᵢ),
 *
 * evaluated piecewise: each bin has a mode (λ floored at 1e-20, so hᵢ is constant, or not), and in
 * the unfloored mode the formula is used even where rounding puts λ a hair below the floor. So on
 * a box of pieces (see bin-pieces.ts) F is smooth up to its faces, and a derivative at a kink
 * face is the one-sided derivative of the piece: exactly what the box-constrained optimiser's
 * optimality test needs. The constants ln Γ(d + 1) and the auxiliary terms of other parameters are
 * not included.
 */
import type { BackgroundModel } from "../backgrounds.js";
import type { GaussianBlock } from "../constraints.js";
import { LAMBDA_FLOOR } from "../poisson-floor.js";
import { isFiniteNumber, abs, max, min, ln } from "../../../core/describe.js";
import { zeros } from "../../../core/arrays.js";

export class ThetaObjective {
  readonly #n: number;
  #c: Float64Array;
  #data: Float64Array;
  #aux: Float64Array | undefined;
  /** 1 where the bin is in its floored mode. */
  declare readonly floored: Uint8Array;
  readonly #value: Float64Array;
  readonly #d1: Float64Array;
  readonly #d2: Float64Array;
  readonly #residual: Float64Array;
  /** ρ⁻¹ (the constraint's Hessian), once a Hessian was asked for into a caller's buffer. */
  #constraintHessian: Float64Array | undefined;
  readonly #curvature: Float64Array;
  readonly #scratch = zeros(3);
  /** The box of the current leaf, and θ moved strictly inside it for the background's formulas. */
  #lower: Float64Array;
  #upper: Float64Array;
  readonly #inner: Float64Array;

  declare readonly background: BackgroundModel;
  declare readonly constraint: GaussianBlock;
  constructor(background: BackgroundModel, constraint: GaussianBlock) {
    this.background = background;
    this.constraint = constraint;
    const n = constraint.n;
    this.#n = n;
    this.#c = zeros(n);
    this.#data = zeros(n);
    this.#aux = undefined;
    this.floored = new Uint8Array(n);
    this.#value = zeros(n);
    this.#d1 = zeros(n);
    this.#d2 = zeros(n);
    this.#residual = zeros(n);
    this.#curvature = zeros(n);
    this.#lower = zeros(n).fill(Number.NEGATIVE_INFINITY);
    this.#upper = zeros(n).fill(Number.POSITIVE_INFINITY);
    this.#inner = zeros(n);
  }

  /**
   * The box of the leaf being solved. On a face, the background is evaluated a relative 1e-12
   * inside the box: at a breakpoint of the background (the effective σ's clip, where n′ jumps)
   * rounding could otherwise pick the neighbouring piece's formula, so values and one-sided
   * derivatives are those of the leaf's own piece.
   */
  setBox(lower: Float64Array, upper: Float64Array): void {
    this.#lower = lower;
    this.#upper = upper;
  }

  /** t moved 1e-12 (relative) inside [lo, hi] when on or beyond a face. */
  static inside(t: number, lo: number, hi: number): number {
    if (t <= lo) return min(lo + 1e-12 * max(1, abs(lo)), 0.5 * (lo + hi));
    if (t >= hi) return max(hi - 1e-12 * max(1, abs(hi)), 0.5 * (lo + hi));
    return t;
  }

  /** θ with every coordinate on a face of the box moved inside (see {@link setBox}). */
  #insideBox(theta: Float64Array): Float64Array {
    const out = this.#inner;
    for (let i = 0; i < this.#n; i++) out[i] = ThetaObjective.inside(theta[i]!, this.#lower[i]!, this.#upper[i]!);
    return out;
  }

  /** The fixed signal per bin, the main counts and the θ block of the auxiliary data (or nominal 0). */
  setProblem(c: Float64Array, data: Float64Array, aux: Float64Array | undefined): void {
    this.#c = c;
    this.#data = data;
    this.#aux = aux;
  }

  /** The constraint centre aᵢ. */
  centre(i: number): number {
    return this.#aux ? this.#aux[i]! : 0;
  }

  /** The observed count dᵢ. */
  count(i: number): number {
    return this.#data[i]!;
  }

  /** cᵢ + nᵢ(t) (not floored). */
  lambdaAt(i: number, t: number): number {
    this.background.bin(i, t, this.#scratch);
    return this.#c[i]! + this.#scratch[0]!;
  }

  /**
   * hᵢ(t) in the given mode, with ∂/∂θ and ∂²/∂θ² in `out[1]`, `out[2]`; `side` −1 (+1) takes
   * the formulas just below (above) t — the one-sided values at a breakpoint.
   */
  binTerm(i: number, t: number, floored: boolean, out: Float64Array, side: -1 | 0 | 1 = 0): number {
    const d = this.#data[i]!;
    if (side !== 0) t += side * 1e-12 * max(1, abs(t));
    if (floored) {
      out[1] = 0;
      out[2] = 0;
      return d === 0 ? LAMBDA_FLOOR : LAMBDA_FLOOR - d * ln(LAMBDA_FLOOR);
    }
    this.background.bin(i, t, this.#scratch);
    const raw = this.#c[i]! + this.#scratch[0]!;
    const l = max(raw, LAMBDA_FLOOR);
    const g = 1 - d / l;
    out[1] = g * this.#scratch[1]!;
    out[2] = (d / (l * l)) * this.#scratch[1]! * this.#scratch[1]! + g * this.#scratch[2]!;
    return d === 0 ? l : l - d * ln(l);
  }

  /** F(θ); with `grad`, ∂F/∂θ written into it. */
  f(theta: Float64Array, grad?: Float64Array): number {
    const n = this.#n;
    const value = this.#value;
    const d1 = this.#d1;
    this.background.evaluate(this.#insideBox(theta), 0, value, d1, null);
    let total = this.constraint.nll(theta, 0, this.#aux, 0, this.#residual, grad);
    const c = this.#c;
    const data = this.#data;
    for (let i = 0; i < n; i++) {
      const d = data[i]!;
      if (this.floored[i] === 1) {
        total += d === 0 ? LAMBDA_FLOOR : LAMBDA_FLOOR - d * ln(LAMBDA_FLOOR);
        continue;
      }
      const raw = c[i]! + value[i]!;
      const l = max(raw, LAMBDA_FLOOR);
      total += d === 0 ? l : l - d * ln(l);
      if (grad) grad[i]! += (1 - d / l) * d1[i]!;
    }
    return total;
  }

  /** ∂²F/∂θ∂θᵀ (row-major n×n): into `out` when given (overwritten), else a new array. */
  hessian(theta: Float64Array, out?: Float64Array): Float64Array {
    const n = this.#n;
    let H: Float64Array;
    if (out) {
      // the constraint's part ρ⁻¹ is constant: copied from its first evaluation
      if (this.#constraintHessian === undefined) {
        this.#constraintHessian = zeros(n * n);
        this.constraint.addHessian(this.#constraintHessian, n, 0);
      }
      H = out;
      H.set(this.#constraintHessian);
    } else {
      H = zeros(n * n);
      this.constraint.addHessian(H, n, 0);
    }
    const diagonal = this.poissonCurvature(theta, this.#curvature);
    for (let i = 0; i < n; i++) H[i * n + i]! += diagonal[i]!;
    return H;
  }

  /**
   * The Poisson part of ∂²F/∂θ∂θᵀ, which is diagonal: hᵢ″(θᵢ) in each bin's mode (0 where
   * floored), written into `out`. The full Hessian is ρ⁻¹ + diag(out).
   */
  poissonCurvature(theta: Float64Array, out: Float64Array): Float64Array {
    const n = this.#n;
    this.background.evaluate(this.#insideBox(theta), 0, this.#value, this.#d1, this.#d2);
    for (let i = 0; i < n; i++) {
      if (this.floored[i] === 1) {
        out[i] = 0;
        continue;
      }
      const d = this.#data[i]!;
      const raw = this.#c[i]! + this.#value[i]!;
      const l = max(raw, LAMBDA_FLOOR);
      const d1 = this.#d1[i]!;
      out[i] = (d / (l * l)) * d1 * d1 + (1 - d / l) * this.#d2[i]!;
    }
    return out;
  }

  /**
   * Fraction to the boundary: the largest step α ≤ 1 along d after which every unfloored bin with
   * events keeps at least a tenth of its rate (to first order), λᵢ + α·n′ᵢdᵢ ≥ 0.1·λᵢ, unless the
   * box face it moves towards keeps that rate anyway (the projection stops the step there). Near
   * λ = 0, hᵢ = λ − d ln λ is a logarithmic barrier; a full Newton step driven by a stiff
   * constraint term could jump to the floor, where its gradient (−d/λ·n′ ~ 1e20) stalls Newton.
   */
  maxStep(theta: Float64Array, direction: Float64Array): number {
    let alpha = 1;
    for (let i = 0; i < this.#n; i++) {
      if (this.floored[i] === 1 || this.#data[i] === 0) continue;
      this.background.bin(i, theta[i]!, this.#scratch);
      const rate = this.#scratch[1]! * direction[i]!;
      if (!(rate < 0)) continue;
      const lambda = this.#c[i]! + this.#scratch[0]!;
      if (!(lambda > 0)) continue;
      // the projected step stops at the face in the direction of travel: no limit needed when the
      // rate there is still at least a tenth of λ
      const face = direction[i]! < 0 ? this.#lower[i]! : this.#upper[i]!;
      if (isFiniteNumber(face) && this.lambdaAt(i, face) >= 0.1 * lambda) continue;
      alpha = min(alpha, (0.9 * lambda) / -rate);
    }
    return alpha;
  }

  /** ∂²F/∂θ∂θᵀ at θ with the modes of the given pieces. */
  hessianAt(theta: Float64Array, pieces: readonly { floored: boolean; lo: number; hi: number }[]): Float64Array {
    this.usePieces(pieces);
    return this.hessian(theta);
  }

  /** The modes and box of the given pieces, for the evaluations that follow. */
  usePieces(pieces: readonly { floored: boolean; lo: number; hi: number }[]): void {
    const lower = zeros(this.#n);
    const upper = zeros(this.#n);
    for (let i = 0; i < this.#n; i++) {
      this.floored[i] = pieces[i]!.floored ? 1 : 0;
      lower[i] = pieces[i]!.lo;
      upper[i] = pieces[i]!.hi;
    }
    this.setBox(lower, upper);
  }

  /** dᵢ/λᵢ² at θᵢ = t in the unfloored mode: ∂²hᵢ/∂cᵢ². */
  poissonWeight(i: number, t: number): number {
    this.background.bin(i, t, this.#scratch);
    const raw = this.#c[i]! + this.#scratch[0]!;
    const l = max(raw, LAMBDA_FLOOR);
    return this.#data[i]! / (l * l);
  }

  /** The gradient of −ln p(a | θ) alone, ρ⁻¹(θ − a), into `out`. */
  constraintGradient(theta: Float64Array, out: Float64Array): void {
    this.constraint.nll(theta, 0, this.#aux, 0, this.#residual, out);
  }

  /** 1 − dᵢ/λᵢ at θ in the unfloored mode: ∂hᵢ/∂cᵢ. */
  signalDerivative(i: number, t: number): number {
    this.background.bin(i, t, this.#scratch);
    const raw = this.#c[i]! + this.#scratch[0]!;
    const l = max(raw, LAMBDA_FLOOR);
    return 1 - this.#data[i]! / l;
  }

  /** [∂nᵢ/∂θ, ∂²nᵢ/∂θ²] at t. */
  backgroundDerivatives(i: number, t: number): [number, number] {
    this.background.bin(i, t, this.#scratch);
    return [this.#scratch[1]!, this.#scratch[2]!];
  }

  /** ∂nᵢ/∂θ at t. */
  backgroundSlope(i: number, t: number): number {
    this.background.bin(i, t, this.#scratch);
    return this.#scratch[1]!;
  }
}
