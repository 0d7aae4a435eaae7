import type { RandomSource } from "../../math/random.js";
import { VERSION } from "../../core/version.js";
import { InvalidInput } from "../../core/errors.js";
import { checkGaussianScale, toFiniteVector } from "../inputs.js";
import { SimplePdfBase, type SimplePdfArgs } from "./simple-pdf-base.js";
import { zeros } from "../../core/arrays.js";
import { ln } from "../../core/describe.js";

const HALF_LOG_2PI = 0.5 * ln(2 * Math.PI);

export interface NormalArgs extends SimplePdfArgs {
  /** Per-bin standard deviations σ_i > 0. */
  readonly absoluteUncertainties: ArrayLike<number>;
}

/**
 * `default.normal`: independent Gaussians, log L = Σ_i [−½((n_i − λ_i)/σ_i)² − ln σ_i − ½ ln 2π]
 * with λ = μ s + b (spey's `SimplePDFBase`).
 */
export class Normal extends SimplePdfBase {
  static override name = "default.normal";
  static override version = VERSION;
  static override author = "SpeysideHEP";
  static override speyRequires = `>=${VERSION}`;

  readonly #sigma: Float64Array;
  readonly #logNorm: number;

  constructor(args: NormalArgs) {
    super(args);
    this.#sigma = toFiniteVector(args.absoluteUncertainties, "absoluteUncertainties", { length: this.nBins });
    let logNorm = 0;
    for (let i = 0; i < this.nBins; i++) {
      const s = this.#sigma[i] as number;
      if (!(s > 0)) throw new InvalidInput(`absoluteUncertainties[${i}] must be > 0 for a Gaussian; got ${s}.`);
      logNorm -= ln(s) + HALF_LOG_2PI;
    }
    checkGaussianScale(this.observed, this.background, this.#sigma, "absoluteUncertainties", this.signal.fixed);
    this.#logNorm = logNorm;
  }

  protected override allowsNegativeData(): boolean {
    return true;
  }

  protected logDensity(data: Float64Array, lambda: Float64Array): number {
    let sum = this.#logNorm;
    for (let i = 0; i < data.length; i++) {
      const z = ((data[i] as number) - (lambda[i] as number)) / (this.#sigma[i] as number);
      sum -= 0.5 * z * z;
    }
    return sum;
  }

  protected nllGradientLambda(data: Float64Array, lambda: Float64Array, out: Float64Array): void {
    for (let i = 0; i < data.length; i++) {
      const s = this.#sigma[i] as number;
      out[i] = -((data[i] as number) - (lambda[i] as number)) / (s * s);
    }
  }

  protected nllHessianLambda(data: Float64Array): Float64Array {
    const n = data.length;
    const W = zeros(n * n);
    for (let i = 0; i < n; i++) W[i * n + i] = 1 / (this.#sigma[i] as number) ** 2;
    return W;
  }

  /** sᵀWs with the diagonal W (no n×n matrix): Σ sᵢ²/σᵢ². */
  protected override nllCurvatureAlong(_data: Float64Array, lambda: Float64Array, s: Float64Array): number {
    let h = 0;
    for (let i = 0; i < lambda.length; i++) h += (s[i]! / this.#sigma[i]!) ** 2;
    return h;
  }

  protected sample(lambda: Float64Array, rng: RandomSource): Float64Array {
    return lambda.map((l, i) => l + (this.#sigma[i] as number) * rng.normal());
  }
}
