import type { Bound } from "../../config/model-config.js";
import type { RandomSource } from "../../math/random.js";
import { poissonLogPmf } from "../../math/special.js";
import { checkPoissonScale, checkSignalScale, toFiniteVector } from "../inputs.js";
import { SimplePdfBase, type SimplePdfArgs } from "./simple-pdf-base.js";
import { VERSION } from "../../core/version.js";
import { zeros } from "../../core/arrays.js";

export interface PoissonArgs extends SimplePdfArgs {
  /**
   * Absolute background uncertainties σ: adds one unconstrained nuisance θ_i per bin,
   * λ_i = μ s_i + b_i + σ_i θ_i, with b_i + σ_i θ_i ≥ 0.
   */
  readonly absoluteUncertainties?: ArrayLike<number> | null;
}

/**
 * `default.poisson`: L(μ) = Π_i Pois(n_i | μ s_i + b_i) (spey's `SimplePDFBase`), with the continuous
 * extension n log λ − λ − lnΓ(n + 1) so that non-integer (Asimov) data work; λ is floored at 1e-20.
 */
export class Poisson extends SimplePdfBase {
  static override name = "default.poisson";
  static override version = VERSION;
  static override author = "SpeysideHEP";
  static override speyRequires = `>=${VERSION}`;

  constructor(args: PoissonArgs) {
    const sigma =
      args?.absoluteUncertainties === undefined || args.absoluteUncertainties === null
        ? undefined
        : toFiniteVector(args.absoluteUncertainties, "absoluteUncertainties", {
            length: (args.data as ArrayLike<number>)?.length,
          });
    super(args, sigma);
    checkPoissonScale(this.observed, "data");
    checkPoissonScale(this.background, "backgroundYields");
    if (sigma) checkPoissonScale(sigma, "absoluteUncertainties");
    checkSignalScale(
      this.signal.fixed,
      [this.observed, this.background, ...(sigma ? [sigma] : [])],
      sigma ? 1e6 : 1e12,
      "default.poisson",
    );
  }

  /** θ_i ≥ −b_i/σ_i keeps the background non-negative (spey used b instead of σ, README, Differences from spey). */
  override domainBounds(): readonly Bound[] | undefined {
    const sigma = this.nuisanceScale;
    if (!sigma) return undefined;
    const n = this.config().npar;
    const out: Bound[] = new Array(n).fill([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]);
    const offset = n - this.nBins;
    for (let i = 0; i < this.nBins; i++) {
      const s = sigma[i] as number;
      if (s > 0) out[offset + i] = [-(this.background[i] as number) / s, Number.POSITIVE_INFINITY];
    }
    return out;
  }

  protected override floorsLambda(): boolean {
    return true;
  }

  protected logDensity(data: Float64Array, lambda: Float64Array): number {
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum += poissonLogPmf(data[i] as number, lambda[i] as number);
    return sum;
  }

  protected nllGradientLambda(data: Float64Array, lambda: Float64Array, out: Float64Array): void {
    for (let i = 0; i < data.length; i++) out[i] = 1 - (data[i] as number) / (lambda[i] as number);
  }

  protected nllHessianLambda(data: Float64Array, lambda: Float64Array): Float64Array {
    const n = data.length;
    const W = zeros(n * n);
    for (let i = 0; i < n; i++) W[i * n + i] = (data[i] as number) / (lambda[i] as number) ** 2;
    return W;
  }

  /** sᵀWs with the diagonal W (no n×n matrix): Σ dᵢsᵢ²/λᵢ² over the bins off the floor. */
  protected override nllCurvatureAlong(
    data: Float64Array,
    lambda: Float64Array,
    s: Float64Array,
    floored: Uint8Array | undefined | null,
  ): number {
    let h = 0;
    for (let i = 0; i < lambda.length; i++) if (!floored?.[i]) h += data[i]! * (s[i]! / lambda[i]!) ** 2;
    return h;
  }

  protected sample(lambda: Float64Array, rng: RandomSource): Float64Array {
    return lambda.map((l) => rng.poisson(l));
  }
}
