import { validateCovariance } from "../../math/covariance.js";
import { choleskyInverse, choleskyLogDet } from "../../math/linalg.js";
import type { RandomSource } from "../../math/random.js";
import { VERSION } from "../../core/version.js";
import { checkGaussianScale, checkSignalScale, toFiniteMatrix } from "../inputs.js";
import { SimplePdfBase, type SimplePdfArgs } from "./simple-pdf-base.js";

const LOG_2PI = Math.log(2 * Math.PI);

export interface MultivariateNormalArgs extends SimplePdfArgs {
  /** Covariance Σ of the measurements (symmetric positive definite; an asymmetric Σ is symmetrised with a warning). */
  readonly covarianceMatrix: ArrayLike<ArrayLike<number>>;
}

/**
 * `default.multivariate_normal`: log L = −½ rᵀΣ⁻¹r − ½(N ln 2π + ln|Σ|), r = n − λ, λ = μ s + b
 * (spey's `SimplePDFBase`). Σ⁻¹ and ln|Σ| come from one Cholesky factorisation at construction.
 */
export class MultivariateNormal extends SimplePdfBase {
  static override name = "default.multivariate_normal";
  static override version = VERSION;
  static override author = "SpeysideHEP";
  static override speyRequires = `>=${VERSION}`;

  private readonly precision: Float64Array;
  private readonly choleskyLower: Float64Array;
  private readonly logNorm: number;
  private readonly residual: Float64Array;

  constructor(args: MultivariateNormalArgs) {
    super(args);
    const n = this.nBins;
    const { matrix, lower } = validateCovariance(
      toFiniteMatrix(args.covarianceMatrix, "covarianceMatrix", n),
      n,
      "covarianceMatrix",
    );
    const sigma = new Float64Array(n);
    for (let i = 0; i < n; i++) sigma[i] = Math.sqrt(matrix[i * n + i]!);
    checkGaussianScale(this.observed, this.background, sigma, "√diag(covarianceMatrix)", this.signal.fixed);
    checkSignalScale(this.signal.fixed, [this.observed, this.background, sigma], 1e15, "default.multivariate_normal");
    this.choleskyLower = lower;
    this.precision = choleskyInverse(lower, n);
    this.logNorm = -0.5 * (n * LOG_2PI + choleskyLogDet(lower, n));
    this.residual = new Float64Array(n);
  }

  protected override allowsNegativeData(): boolean {
    return true;
  }

  protected logDensity(data: Float64Array, lambda: Float64Array): number {
    const n = data.length;
    const r = this.residual;
    for (let i = 0; i < n; i++) r[i] = (data[i] as number) - (lambda[i] as number);
    let q = 0;
    for (let i = 0; i < n; i++) {
      let row = 0;
      for (let j = 0; j < n; j++) row += (this.precision[i * n + j] as number) * (r[j] as number);
      q += (r[i] as number) * row;
    }
    return this.logNorm - 0.5 * q;
  }

  protected nllGradientLambda(data: Float64Array, lambda: Float64Array, out: Float64Array): void {
    const n = data.length;
    for (let i = 0; i < n; i++) {
      let row = 0;
      for (let j = 0; j < n; j++)
        row += (this.precision[i * n + j] as number) * ((data[j] as number) - (lambda[j] as number));
      out[i] = -row;
    }
  }

  protected nllHessianLambda(): Float64Array {
    return this.precision;
  }

  protected sample(lambda: Float64Array, rng: RandomSource): Float64Array {
    const n = lambda.length;
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) z[i] = rng.normal();
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let v = lambda[i] as number;
      for (let j = 0; j <= i; j++) v += (this.choleskyLower[i * n + j] as number) * (z[j] as number);
      out[i] = v;
    }
    return out;
  }
}
