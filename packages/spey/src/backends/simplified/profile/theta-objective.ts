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

export class ThetaObjective {
  readonly n: number;
  private c: Float64Array;
  private data: Float64Array;
  private aux: Float64Array | undefined;
  /** 1 where the bin is in its floored mode. */
  readonly floored: Uint8Array;
  private readonly value: Float64Array;
  private readonly d1: Float64Array;
  private readonly d2: Float64Array;
  private readonly residual: Float64Array;
  private readonly scratch = new Float64Array(3);

  constructor(
    readonly background: BackgroundModel,
    readonly constraint: GaussianBlock,
  ) {
    const n = constraint.n;
    this.n = n;
    this.c = new Float64Array(n);
    this.data = new Float64Array(n);
    this.aux = undefined;
    this.floored = new Uint8Array(n);
    this.value = new Float64Array(n);
    this.d1 = new Float64Array(n);
    this.d2 = new Float64Array(n);
    this.residual = new Float64Array(n);
  }

  /** The fixed signal per bin, the main counts and the θ block of the auxiliary data (or nominal 0). */
  setProblem(c: Float64Array, data: Float64Array, aux: Float64Array | undefined): void {
    this.c = c;
    this.data = data;
    this.aux = aux;
  }

  /** The constraint centre aᵢ. */
  centre(i: number): number {
    return this.aux ? this.aux[i]! : 0;
  }

  /** The observed count dᵢ. */
  count(i: number): number {
    return this.data[i]!;
  }

  /** cᵢ + nᵢ(t) (not floored). */
  lambdaAt(i: number, t: number): number {
    this.background.bin(i, t, this.scratch);
    return this.c[i]! + this.scratch[0]!;
  }

  /** hᵢ(t) in the given mode, with ∂/∂θ and ∂²/∂θ² in `out[1]`, `out[2]`. */
  binTerm(i: number, t: number, floored: boolean, out: Float64Array): number {
    const d = this.data[i]!;
    if (floored) {
      out[1] = 0;
      out[2] = 0;
      return d === 0 ? LAMBDA_FLOOR : LAMBDA_FLOOR - d * Math.log(LAMBDA_FLOOR);
    }
    this.background.bin(i, t, this.scratch);
    const raw = this.c[i]! + this.scratch[0]!;
    const l = Math.max(raw, LAMBDA_FLOOR);
    const g = 1 - d / l;
    out[1] = g * this.scratch[1]!;
    out[2] = (d / (l * l)) * this.scratch[1]! * this.scratch[1]! + g * this.scratch[2]!;
    return d === 0 ? l : l - d * Math.log(l);
  }

  /** F(θ); with `grad`, ∂F/∂θ written into it. */
  f(theta: Float64Array, grad?: Float64Array): number {
    const n = this.n;
    const value = this.value;
    const d1 = this.d1;
    this.background.evaluate(theta, 0, value, d1, null);
    let total = this.constraint.nll(theta, 0, this.aux, 0, this.residual, grad);
    const c = this.c;
    const data = this.data;
    for (let i = 0; i < n; i++) {
      const d = data[i]!;
      if (this.floored[i] === 1) {
        total += d === 0 ? LAMBDA_FLOOR : LAMBDA_FLOOR - d * Math.log(LAMBDA_FLOOR);
        continue;
      }
      const raw = c[i]! + value[i]!;
      const l = Math.max(raw, LAMBDA_FLOOR);
      total += d === 0 ? l : l - d * Math.log(l);
      if (grad) grad[i]! += (1 - d / l) * d1[i]!;
    }
    return total;
  }

  /** ∂²F/∂θ∂θᵀ (row-major n×n, a new array). */
  hessian(theta: Float64Array): Float64Array {
    const n = this.n;
    const H = new Float64Array(n * n);
    this.constraint.addHessian(H, n, 0);
    this.background.evaluate(theta, 0, this.value, this.d1, this.d2);
    for (let i = 0; i < n; i++) {
      if (this.floored[i] === 1) continue;
      const d = this.data[i]!;
      const raw = this.c[i]! + this.value[i]!;
      const l = Math.max(raw, LAMBDA_FLOOR);
      const d1 = this.d1[i]!;
      H[i * n + i]! += (d / (l * l)) * d1 * d1 + (1 - d / l) * this.d2[i]!;
    }
    return H;
  }

  /** ∂²F/∂θ∂θᵀ at θ with the modes of the given pieces. */
  hessianAt(theta: Float64Array, pieces: readonly { floored: boolean }[]): Float64Array {
    for (let i = 0; i < this.n; i++) this.floored[i] = pieces[i]!.floored ? 1 : 0;
    return this.hessian(theta);
  }

  /** dᵢ/λᵢ² at θᵢ = t in the unfloored mode: ∂²hᵢ/∂cᵢ². */
  poissonWeight(i: number, t: number): number {
    this.background.bin(i, t, this.scratch);
    const raw = this.c[i]! + this.scratch[0]!;
    const l = Math.max(raw, LAMBDA_FLOOR);
    return this.data[i]! / (l * l);
  }

  /** The gradient of −ln p(a | θ) alone, ρ⁻¹(θ − a), into `out`. */
  constraintGradient(theta: Float64Array, out: Float64Array): void {
    this.constraint.nll(theta, 0, this.aux, 0, this.residual, out);
  }

  /** 1 − dᵢ/λᵢ at θ in the unfloored mode: ∂hᵢ/∂cᵢ. */
  signalDerivative(i: number, t: number): number {
    this.background.bin(i, t, this.scratch);
    const raw = this.c[i]! + this.scratch[0]!;
    const l = Math.max(raw, LAMBDA_FLOOR);
    return 1 - this.data[i]! / l;
  }

  /** ∂nᵢ/∂θ at t. */
  backgroundSlope(i: number, t: number): number {
    this.background.bin(i, t, this.scratch);
    return this.scratch[1]!;
  }
}
