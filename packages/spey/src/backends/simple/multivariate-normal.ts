import { validateCovariance } from "../../math/covariance.js";
import { FACTORISED_MIN_ORDER, FactorisedCovariance } from "../../math/factorised-covariance.js";
import { choleskyInverse, choleskyLogDet } from "../../math/linalg.js";
import type { RandomSource } from "../../math/random.js";
import { VERSION } from "../../core/version.js";
import { checkGaussianScale, checkSignalScale, toFiniteMatrix } from "../inputs.js";
import { SimplePdfBase, type SimplePdfArgs } from "./simple-pdf-base.js";
import { zeros } from "../../core/arrays.js";
import { sqrt, ln } from "../../core/describe.js";

const LOG_2PI = ln(2 * Math.PI);

export interface MultivariateNormalArgs extends SimplePdfArgs {
  /** Covariance Σ of the measurements (symmetric positive definite; an asymmetric Σ is symmetrised with a warning). */
  readonly covarianceMatrix: ArrayLike<ArrayLike<number>>;
}

/**
 * `default.multivariate_normal`: log L = −½ rᵀΣ⁻¹r − ½(N ln 2π + ln|Σ|), r = n − λ, λ = μ s + b
 * (spey's `SimplePDFBase`). Σ⁻¹ and ln|Σ| come from one Cholesky factorisation at construction.
 * From {@link FACTORISED_MIN_ORDER} bins on Σ is kept as its factor: rᵀΣ⁻¹r and Σ⁻¹r by triangular
 * solves (O(n²)), and Σ⁻¹ itself (O(n³)) only if a Hessian is asked for.
 */
export class MultivariateNormal extends SimplePdfBase {
  static override name = "default.multivariate_normal";
  static override version = VERSION;
  static override author = "SpeysideHEP";
  static override speyRequires = `>=${VERSION}`;

  #inverse: Float64Array | undefined;
  readonly #factor: FactorisedCovariance | null;
  readonly #choleskyLower: Float64Array;
  readonly #logNorm: number;
  readonly #residual: Float64Array;

  constructor(args: MultivariateNormalArgs) {
    super(args);
    const n = this.nBins;
    const { matrix, lower } = validateCovariance(
      toFiniteMatrix(args.covarianceMatrix, "covarianceMatrix", n),
      n,
      "covarianceMatrix",
    );
    const sigma = zeros(n);
    for (let i = 0; i < n; i++) sigma[i] = sqrt(matrix[i * n + i]!);
    checkGaussianScale(this.observed, this.background, sigma, "√diag(covarianceMatrix)", this.signal.fixed);
    checkSignalScale(this.signal.fixed, [this.observed, this.background, sigma], 1e15, "default.multivariate_normal");
    this.#choleskyLower = lower;
    this.#factor = n >= FACTORISED_MIN_ORDER ? new FactorisedCovariance(lower, n) : null;
    this.#logNorm = -0.5 * (n * LOG_2PI + choleskyLogDet(lower, n));
    this.#residual = zeros(n);
  }

  /** Σ⁻¹, computed on first use. */
  get #precision(): Float64Array {
    this.#inverse ??= choleskyInverse(this.#choleskyLower, this.nBins);
    return this.#inverse;
  }

  protected override allowsNegativeData(): boolean {
    return true;
  }

  protected logDensity(data: Float64Array, lambda: Float64Array): number {
    const n = data.length;
    const r = this.#residual;
    for (let i = 0; i < n; i++) r[i] = (data[i] as number) - (lambda[i] as number);
    if (this.#factor) return this.#logNorm - 0.5 * this.#factor.quadratic(r);
    let q = 0;
    const precision = this.#precision;
    for (let i = 0; i < n; i++) {
      let row = 0;
      for (let j = 0; j < n; j++) row += (precision[i * n + j] as number) * (r[j] as number);
      q += (r[i] as number) * row;
    }
    return this.#logNorm - 0.5 * q;
  }

  protected nllGradientLambda(data: Float64Array, lambda: Float64Array, out: Float64Array): void {
    const n = data.length;
    if (this.#factor) {
      for (let i = 0; i < n; i++) out[i] = (lambda[i] as number) - (data[i] as number);
      this.#factor.precisionTimes(out, out);
      return;
    }
    const precision = this.#precision;
    for (let i = 0; i < n; i++) {
      let row = 0;
      for (let j = 0; j < n; j++)
        row += (precision[i * n + j] as number) * ((data[j] as number) - (lambda[j] as number));
      out[i] = -row;
    }
  }

  /** Σ⁻¹J column by column from the factor (large models); the dense product otherwise. */
  protected override nllHessianLambdaTimes(
    data: Float64Array,
    lambda: Float64Array,
    J: Float64Array,
    p: number,
  ): Float64Array {
    if (!this.#factor) return super.nllHessianLambdaTimes(data, lambda, J, p);
    const n = lambda.length;
    const out = zeros(n * p);
    const column = zeros(n);
    for (let a = 0; a < p; a++) {
      for (let i = 0; i < n; i++) column[i] = J[i * p + a] as number;
      this.#factor.precisionTimes(column, column);
      for (let i = 0; i < n; i++) out[i * p + a] = column[i] as number;
    }
    return out;
  }

  /** sᵀΣ⁻¹s = ‖L⁻¹s‖² from the factor (large models); the dense sum otherwise. */
  protected override nllCurvatureAlong(
    data: Float64Array,
    lambda: Float64Array,
    s: Float64Array,
    floored: Uint8Array | undefined | null,
  ): number {
    if (this.#factor && !floored) return this.#factor.quadratic(s);
    return super.nllCurvatureAlong(data, lambda, s, floored);
  }

  protected nllHessianLambda(): Float64Array {
    return this.#precision;
  }

  protected sample(lambda: Float64Array, rng: RandomSource): Float64Array {
    const n = lambda.length;
    const z = zeros(n);
    for (let i = 0; i < n; i++) z[i] = rng.normal();
    const out = zeros(n);
    for (let i = 0; i < n; i++) {
      let v = lambda[i] as number;
      for (let j = 0; j <= i; j++) v += (this.#choleskyLower[i * n + j] as number) * (z[j] as number);
      out[i] = v;
    }
    return out;
  }
}
