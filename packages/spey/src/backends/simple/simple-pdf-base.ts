import { ConfigVariants } from "../../config/config-variants.js";
import { ModelConfig } from "../../config/model-config.js";
import type { Bound } from "../../config/model-config.js";
import { InvalidInput } from "../../core/errors.js";
import type { RandomSource } from "../../math/random.js";
import { safeguardedNewton } from "../../math/safeguarded-newton.js";
import { BackendBase } from "../../plugin/backend-base.js";
import { minimumPoi, selectData, toFiniteVector } from "../inputs.js";
import {
  type DerivativeSource,
  type SignalHessianFunction,
  type SignalJacobianFunction,
  SignalYields,
} from "../signal.js";
import type {
  ConfigOptions,
  ExpectedDataOptions,
  FastPathFreeOptions,
  FastPathResult,
  FitHookRequest,
  HessianFunction,
  LikelihoodOptions,
  LogpdfFunction,
  ObjectiveFunction,
  Parameters,
  Sampler,
} from "../../plugin/types.js";
import { isFiniteNumber, max, min } from "../../core/describe.js";
import { zeros } from "../../core/arrays.js";

/** Constructor arguments shared by the simple backends (spey's `SimplePDFBase`). */
export interface SimplePdfArgs {
  /** Signal yields per bin, or a function of the extra signal parameters φ. */
  readonly signalYields: ArrayLike<number> | ((phi: Float64Array) => ArrayLike<number>);
  readonly backgroundYields: ArrayLike<number>;
  readonly data: ArrayLike<number>;
  /** Number of extra signal parameters φ (callable `signalYields` only). */
  readonly nSignalParameters?: number;
  /** Bounds of φ (`null` sides open). */
  readonly signalParameterBounds?: readonly (readonly [number | null, number | null] | null)[];
  /** ∂s/∂φ of a callable `signalYields` (bins × φ): analytic gradients (else finite differences). */
  readonly signalJacobian?: SignalJacobianFunction | null;
  /** ∂²s/∂φ² (bins × φ × φ): analytic Hessians (else finite differences of the Jacobian). */
  readonly signalHessian?: SignalHessianFunction | null;
}

/**
 * Common machinery of `default.poisson`, `default.normal` and `default.multivariate_normal`:
 * expectation λ = μ·s(φ) + b (+ σ∘θ for the Poisson model with uncertainties), parameters
 * `[μ, φ…, θ…]`, no constraint terms. Subclasses supply the main-measurement density through
 * three functions of the residual structure: log-density, its gradient with respect to λ, and
 * its Hessian with respect to λ.
 */
export abstract class SimplePdfBase extends BackendBase {
  declare protected readonly signal: SignalYields;
  declare protected readonly background: Float64Array;
  declare protected readonly observed: Float64Array;
  /** Per-bin linear nuisance coefficients σ (Poisson with absolute uncertainties), else undefined. */
  declare protected readonly nuisanceScale: Float64Array | undefined;
  declare protected readonly nBins: number;
  /** The stored configuration and its POI-bound variants. */
  readonly #configs: ConfigVariants;
  readonly #signalBounds: Bound[];

  constructor(args: SimplePdfArgs, nuisanceScale?: Float64Array) {
    super();
    if (!args || typeof args !== "object") throw new InvalidInput("backend arguments must be an object.");
    this.observed = toFiniteVector(args.data, "data", { allowNegative: this.allowsNegativeData() });
    this.nBins = this.observed.length;
    this.background = toFiniteVector(args.backgroundYields, "backgroundYields", {
      length: this.nBins,
      allowNegative: this.allowsNegativeData(),
    });
    this.signal = SignalYields.from(args.signalYields, args.nSignalParameters, this.nBins, "signalYields", args);
    this.nuisanceScale = nuisanceScale;
    const nsp = this.signal.nParameters;
    const spb = args.signalParameterBounds;
    if (spb !== undefined && spb !== null && spb.length !== nsp) {
      throw new InvalidInput(`signalParameterBounds has ${spb.length} entries but nSignalParameters is ${nsp}.`);
    }
    this.#signalBounds = Array.from({ length: nsp }, (_, k) => {
      const b = spb?.[k];
      return [b?.[0] ?? Number.NEGATIVE_INFINITY, b?.[1] ?? Number.POSITIVE_INFINITY] as Bound;
    });
    const fixed = this.signal.fixed;
    const minPoi = fixed && this.isAlive ? minimumPoi(fixed, this.background) : Number.NEGATIVE_INFINITY;
    const nTheta = nuisanceScale ? this.nBins : 0;
    const names = ["mu", ...Array.from({ length: nsp }, (_, k) => `signal_par_${k}`)];
    this.#configs = new ConfigVariants(
      new ModelConfig({
        poiIndex: 0,
        minimumPoi: minPoi,
        suggestedInit: new Array<number>(1 + nsp + nTheta).fill(1),
        suggestedBounds: [[minPoi, 10], ...this.#signalBounds, ...new Array(nTheta).fill(null)],
        parameterNames: nTheta > 0 ? [...names, ...Array.from({ length: nTheta }, (_, i) => `theta_${i}`)] : names,
      }),
    );
  }

  /** Whether data and background may be negative (Gaussian models). */
  protected allowsNegativeData(): boolean {
    return false;
  }

  /** How ∂s/∂φ and ∂²s/∂φ² of a callable signal are computed: "analytic" (signalJacobian / signalHessian) or "finite-difference". */
  get signalDerivativeSources(): { jacobian: DerivativeSource; hessian: DerivativeSource } {
    return this.signal.derivativeSources;
  }

  override get isAlive(): boolean {
    return this.signal.isAlive;
  }

  /**
   * The stored configuration; with `allowNegativeSignal: false` the POI bound is [0, upper],
   * and `poiUpperBound` replaces the upper end (spey forced the lower end to 0 whenever the upper
   * bound changed; here `allowNegativeSignal` is honoured, README, Differences from spey).
   */
  config(options: ConfigOptions = {}): ModelConfig {
    return this.#configs.get(options);
  }

  /** log of the main density given data and expectation. */
  protected abstract logDensity(data: Float64Array, lambda: Float64Array): number;
  /** g = ∂(−log density)/∂λ, written into `out`. */
  protected abstract nllGradientLambda(data: Float64Array, lambda: Float64Array, out: Float64Array): void;
  /** W = ∂²(−log density)/∂λ∂λᵀ (row-major N×N). */
  protected abstract nllHessianLambda(data: Float64Array, lambda: Float64Array): Float64Array;

  /** W·J (n×p, row-major) with W = ∂²NLL/∂λ∂λᵀ and J = ∂λ/∂pars (n×p). */
  protected nllHessianLambdaTimes(data: Float64Array, lambda: Float64Array, J: Float64Array, p: number): Float64Array {
    const n = lambda.length;
    const W = this.nllHessianLambda(data, lambda);
    const WJ = zeros(n * p);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const w = W[i * n + j] as number;
        if (w === 0) continue;
        for (let a = 0; a < p; a++) WJ[i * p + a] = (WJ[i * p + a] as number) + w * (J[j * p + a] as number);
      }
    }
    return WJ;
  }

  /** sᵀWs with W = ∂²NLL/∂λ∂λᵀ over the bins off the 1e-20 floor (the NLL's curvature along μ). */
  protected nllCurvatureAlong(
    data: Float64Array,
    lambda: Float64Array,
    s: Float64Array,
    floored: Uint8Array | undefined | null,
  ): number {
    const n = lambda.length;
    const W = this.nllHessianLambda(data, lambda);
    let h = 0;
    for (let i = 0; i < n; i++) {
      if (floored?.[i]) continue;
      for (let j = 0; j < n; j++)
        if (!floored?.[j]) h += (s[i] as number) * (W[i * n + j] as number) * (s[j] as number);
    }
    return h;
  }
  /** One pseudo-measurement around λ. */
  protected abstract sample(lambda: Float64Array, rng: RandomSource): Float64Array;
  /**
   * Whether −log L is smooth in μ around `parameters`: always for the Gaussian models; for the
   * Poisson model when no rate λᵢ = μsᵢ + bᵢ is within 1e-8·max(1, bᵢ) of its 1e-20 floor (a kink).
   * Only the plain one-parameter models answer (see {@link profileConvexInPoi}).
   */
  override smoothInPoiAt(parameters: Float64Array): boolean {
    const s = this.signal.fixed;
    if (!s || this.nuisanceScale) return false;
    if (!this.floorsLambda()) return true;
    const mu = parameters[0] as number;
    for (let i = 0; i < s.length; i++) {
      const b = this.background[i] as number;
      const lambda = mu * (s[i] as number) + b;
      if (!(lambda > 1e-8 * max(1, b))) return false;
    }
    return true;
  }

  /**
   * p″ = sᵀWs of a plain one-parameter model (its profile is −log L itself, analytic in μ where
   * {@link smoothInPoiAt} holds); undefined otherwise.
   */
  override profileCurvatureAt(parameters: Float64Array, options?: LikelihoodOptions): number | undefined {
    if (!this.profileConvexInPoi() || parameters.length !== 1 || !this.smoothInPoiAt(parameters)) return undefined;
    const lambda = zeros(this.nBins);
    const floored = this.lambda(parameters, lambda, zeros(this.nBins));
    const { main } = selectData(options, this.observed, this.background, 0);
    return this.nllCurvatureAlong(main, lambda, this.signal.fixed as Float64Array, floored);
  }

  /** Whether λ is floored at 1e-20 (Poisson) — derivatives vanish where it is. */
  protected floorsLambda(): boolean {
    return false;
  }

  get #nsp(): number {
    return this.signal.nParameters;
  }

  /** λ(pars) into `out`; returns a mask of floored bins (Poisson). */
  protected lambda(pars: Parameters, out: Float64Array, sig: Float64Array): Uint8Array | undefined {
    this.signal.values(pars, 1, sig);
    const mu = pars[0] as number;
    const thetaOffset = 1 + this.#nsp;
    const scale = this.nuisanceScale;
    let floored: Uint8Array | undefined;
    for (let i = 0; i < this.nBins; i++) {
      let l = mu * (sig[i] as number) + (this.background[i] as number);
      if (scale) l += (scale[i] as number) * (pars[thetaOffset + i] as number);
      if (this.floorsLambda() && l < 1e-20) {
        l = 1e-20;
        floored ??= new Uint8Array(this.nBins);
        floored[i] = 1;
      }
      out[i] = l;
    }
    return floored;
  }

  getLogpdfFunc(options?: LikelihoodOptions): LogpdfFunction {
    const { main } = selectData(options, this.observed, this.background, 0);
    const lambda = zeros(this.nBins);
    const sig = zeros(this.nBins);
    return (pars) => {
      this.lambda(pars, lambda, sig);
      return this.logDensity(main, lambda);
    };
  }

  /** Jacobian of λ (N × P, row-major); zero rows where λ is floored. */
  #jacobian(pars: Parameters, sig: Float64Array, floored: Uint8Array | undefined): Float64Array {
    const n = this.nBins;
    const p = pars.length;
    const nsp = this.#nsp;
    const J = zeros(n * p);
    const ds = nsp > 0 ? this.signal.jacobian(pars, 1) : undefined;
    const mu = pars[0] as number;
    for (let i = 0; i < n; i++) {
      if (floored?.[i]) continue;
      J[i * p] = sig[i] as number;
      if (ds) for (let k = 0; k < nsp; k++) J[i * p + 1 + k] = mu * (ds[i * nsp + k] as number);
      if (this.nuisanceScale) J[i * p + 1 + nsp + i] = this.nuisanceScale[i] as number;
    }
    return J;
  }

  override getObjectiveFunction(options?: LikelihoodOptions): ObjectiveFunction {
    const { main } = selectData(options, this.observed, this.background, 0);
    const n = this.nBins;
    const lambda = zeros(n);
    const sig = zeros(n);
    const g = zeros(n);
    return (pars, grad) => {
      const floored = this.lambda(pars, lambda, sig);
      const value = -this.logDensity(main, lambda);
      if (grad) {
        this.nllGradientLambda(main, lambda, g);
        grad.fill(0);
        const p = pars.length;
        if (this.#nsp === 0 && !this.nuisanceScale) {
          let gm = 0;
          for (let i = 0; i < n; i++) if (!floored?.[i]) gm += (g[i] as number) * (sig[i] as number);
          grad[0] = gm;
        } else {
          const J = this.#jacobian(pars, sig, floored);
          for (let i = 0; i < n; i++) {
            const gi = g[i] as number;
            for (let a = 0; a < p; a++) grad[a] = (grad[a] as number) + gi * (J[i * p + a] as number);
          }
        }
      }
      return value;
    };
  }

  override getHessianLogpdfFunc(options?: LikelihoodOptions): HessianFunction {
    const { main } = selectData(options, this.observed, this.background, 0);
    const n = this.nBins;
    const lambda = zeros(n);
    const sig = zeros(n);
    const g = zeros(n);
    return (pars, out) => {
      const p = pars.length;
      const floored = this.lambda(pars, lambda, sig);
      const s = this.signal.fixed;
      if (p === 1 && s && !this.nuisanceScale) {
        // a plain one-parameter model: −sᵀWs, without the Jacobian and W matrices
        const H = out?.length === 1 ? out : zeros(1);
        H[0] = -this.nllCurvatureAlong(main, lambda, s, floored);
        return H;
      }
      const J = this.#jacobian(pars, sig, floored);
      // H_nll = Jᵀ W J + Σ_i g_i ∂²λ_i
      const WJ = this.nllHessianLambdaTimes(main, lambda, J, p);
      const H = zeros(p * p);
      for (let i = 0; i < n; i++) {
        for (let a = 0; a < p; a++) {
          const jia = J[i * p + a] as number;
          if (jia === 0) continue;
          for (let b = 0; b < p; b++) H[a * p + b] = (H[a * p + b] as number) + jia * (WJ[i * p + b] as number);
        }
      }
      const nsp = this.#nsp;
      if (nsp > 0) {
        this.nllGradientLambda(main, lambda, g);
        const ds = this.signal.jacobian(pars, 1);
        const d2s = this.signal.secondDerivatives(pars, 1);
        const mu = pars[0] as number;
        for (let i = 0; i < n; i++) {
          if (floored?.[i]) continue;
          const gi = g[i] as number;
          for (let k = 0; k < nsp; k++) {
            const v = gi * (ds[i * nsp + k] as number);
            H[1 + k] = (H[1 + k] as number) + v;
            H[(1 + k) * p] = (H[(1 + k) * p] as number) + v;
            for (let l = 0; l < nsp; l++) {
              const idx = (1 + k) * p + 1 + l;
              H[idx] = (H[idx] as number) + gi * mu * (d2s[(i * nsp + k) * nsp + l] as number);
            }
          }
        }
      }
      for (let i = 0; i < H.length; i++) H[i] = -(H[i] as number);
      return H;
    };
  }

  /**
   * Whether the profile NLL is convex in μ: the plain one-parameter models (fixed non-negative
   * signal, no nuisances; see {@link minimizeNegativeLoglikelihood}). The uncorrelated combiner's
   * global fit of μ skips its scan when every member says so.
   */
  override profileConvexInPoi(): boolean {
    const s = this.signal.fixed;
    if (!s || this.nuisanceScale) return false;
    for (let i = 0; i < s.length; i++) if ((s[i] as number) < 0) return false;
    return true;
  }

  /** The fit hook: free fits of the plain one-parameter models (see below); conditional fits are generic. */
  override bestFit(request: FitHookRequest): FastPathResult | undefined {
    if (request.fixed.has(this.config().poiIndex)) return undefined;
    return this.minimizeNegativeLoglikelihood({ ...request, allowNegativeSignal: request.allowNegativeSignal ?? true });
  }

  /**
   * Fast path of the free fit for the plain one-parameter models (fixed non-negative signal, no
   * nuisances):
   * NLL(μ) is convex (a convex density of λ = μs + b), so μ̂ is the root of
   * g(μ) = Σᵢ ∂NLL/∂λᵢ·sᵢ in the POI bounds, found by Newton steps with h(μ) = sᵀWs safeguarded by
   * bisection (exact in one step for the Gaussian models). Anything else uses the generic fit.
   */
  minimizeNegativeLoglikelihood(options: FastPathFreeOptions): FastPathResult | undefined {
    const s = this.signal.fixed;
    if (!s || this.nuisanceScale || options.fixed.size > 0) return undefined;
    // With a negative signal bin λ can reach the 1e-20 floor inside the bounds and the NLL is no
    // longer convex there: leave such models to the generic fit.
    for (let i = 0; i < s.length; i++) if ((s[i] as number) < 0) return undefined;
    const [lo, hi] = this.config({ allowNegativeSignal: options.allowNegativeSignal }).suggestedBounds[0] as Bound;
    if (!(isFiniteNumber(lo) && isFiniteNumber(hi))) return undefined;
    const { main } = selectData(options, this.observed, this.background, 0);
    const n = this.nBins;
    const lambda = zeros(n);
    const sig = zeros(n);
    const gl = zeros(n);
    const pars = zeros(1);
    const slope = (mu: number): { g: number; h: number } => {
      pars[0] = mu;
      const floored = this.lambda(pars, lambda, sig);
      this.nllGradientLambda(main, lambda, gl);
      let g = 0;
      for (let i = 0; i < n; i++) {
        if (floored?.[i]) {
          // λ at the 1e-20 floor with events observed: the NLL is steep there, falling as μ moves
          // λ away from the floor (s > 0: rising μ), rising otherwise.
          if ((main[i] as number) > 0) {
            return { g: (s[i] as number) > 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY, h: Number.NaN };
          }
          continue;
        }
        g += (gl[i] as number) * (s[i] as number);
      }
      return { g, h: this.nllCurvatureAlong(main, lambda, s, floored) };
    };
    const a = lo;
    const b = hi;
    let mu: number;
    if (!(slope(a).g < 0)) mu = a;
    else if (!(slope(b).g > 0)) mu = b;
    else {
      const root = safeguardedNewton(
        (x, out) => {
          const { g, h } = slope(x);
          out[0] = g;
          out[1] = h;
        },
        a,
        b,
        min(max(1, a), b),
        { maxIterations: 200, stepTolerance: 1e-13, bracketTolerance: 1e-15 },
      );
      if (!root.converged) return undefined;
      mu = root.x;
    }
    pars[0] = mu;
    this.lambda(pars, lambda, sig);
    return { nll: -this.logDensity(main, lambda), parameters: Float64Array.of(mu), global: true };
  }

  /** λ(pars); these models have no auxiliary data, so `includeAuxiliary` changes nothing. */
  override expectedData(pars: Parameters, _options?: ExpectedDataOptions): Float64Array {
    const lambda = zeros(this.nBins);
    this.lambda(pars, lambda, zeros(this.nBins));
    return lambda;
  }

  override getSampler(pars: Parameters): Sampler {
    const lambda = this.expectedData(pars);
    return (size, rng) => Array.from({ length: size }, () => this.sample(lambda, rng));
  }
}
