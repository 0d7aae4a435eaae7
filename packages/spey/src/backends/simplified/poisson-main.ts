/**
 * The machinery shared by the four simplified-likelihood backends (spey's `DefaultPDFBase`,
 * spey's `DefaultPDFBase`, with the auxiliary measurements of spey after PR #67): a Poisson main measurement per bin
 * with expectation λᵢ = μ·sᵢ(φ)·fᵢ(α) + nᵢ(θᵢ), a Gaussian auxiliary measurement of the background
 * nuisances θ, and a standard-normal one per signal-uncertainty nuisance α.
 *
 *   log L = Σᵢ [dᵢ ln λᵢ − λᵢ − ln Γ(dᵢ + 1)] + ln p(a_θ | θ) + Σₖ ln N(a_αₖ | αₖ, 1),
 *
 * λ floored at 1e-20 (where it is, its derivatives are 0). Parameters `[μ, φ…, θ…, α…]`.
 */
import { ConfigVariants } from "../../config/config-variants.js";
import { type Bound, ModelConfig } from "../../config/model-config.js";
import { sameEntries, zeros, copyOf } from "../../core/arrays.js";
import { InvalidInput } from "../../core/errors.js";
import type { RandomSource } from "../../math/random.js";
import { gammaln } from "../../math/special.js";
import { minimize } from "../../optimize/minimize.js";
import { BackendBase } from "../../plugin/backend-base.js";
import { checkPoissonScale, minimumPoi, selectData, toFiniteVector } from "../inputs.js";
import {
  type DerivativeSource,
  type SignalFunction,
  type SignalHessianFunction,
  type SignalJacobianFunction,
  SignalYields,
} from "../signal.js";
import type {
  ConfigOptions,
  ExpectedDataOptions,
  FastPathConditionalOptions,
  FastPathFreeOptions,
  FastPathResult,
  FitHookRequest,
  HessianFunction,
  LikelihoodOptions,
  LogpdfFunction,
  ObjectiveFunction,
  ParameterLimits,
  Parameters,
  Sampler,
} from "../../plugin/types.js";
import { type BackgroundModel, LinearBackground } from "./backgrounds.js";
import type { GaussianBlock } from "./constraints.js";
import { type ModifierDefinition, SignalModifiers } from "./modifiers.js";
import type { ThetaLimits } from "./profile/global-theta.js";
import { PoiProfile } from "./profile/poi-profile.js";

import { LAMBDA_FLOOR } from "./poisson-floor.js";
import { isFiniteNumber, isInteger, max, min, isNaNNumber, ln, freeze } from "../../core/describe.js";

export { LAMBDA_FLOOR };

/** (the Hessian's signal-parameter scratch when there are none: nothing to allocate) */
const NO_SIGNAL_PARAMETERS = zeros(0);

/**
 * Relative distance of a rate from 0 below which {@link SimplifiedLikelihoodBase.smoothInPoiAt}
 * treats a fitted point as possibly on the floor's kink (fits on it stop within ~1e-10 of it).
 */
const SMOOTH_LAMBDA_MARGIN = 1e-8;
const HALF_LOG_2PI = 0.5 * ln(2 * Math.PI);
/** Signal vectors whose exact profiles a model keeps (callable signals or modifiers at fixed φ, α). */
const SIGNAL_PROFILES = 8;
/** Iterations of the joint (μ, θ) fit that seeds the exact free fit. */
const SEED_ITERATIONS = 100;
const UNBOUNDED: Bound = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];

/** Constructor arguments shared by the four simplified-likelihood backends (spey's `DefaultPDFBase`). */
export interface SimplifiedLikelihoodArgs {
  /** Signal yields per bin, or a function of the extra signal parameters φ (EFT-like shapes). */
  readonly signalYields: ArrayLike<number> | SignalFunction;
  /** Expected background per bin (≥ 0). */
  readonly backgroundYields: ArrayLike<number>;
  /** Observed counts per bin (≥ 0). */
  readonly data: ArrayLike<number>;
  /** Signal uncertainties (spey's `default_pdf.uncertainty_synthesizer`); not with a callable `signalYields`. */
  readonly modifiers?: readonly ModifierDefinition[] | null;
  /** Number of extra signal parameters φ (callable `signalYields` only). */
  readonly nSignalParameters?: number;
  /** Bounds of φ; `null` entries or sides are open. */
  readonly signalParameterBounds?: readonly (readonly [number | null, number | null] | null)[] | null;
  /** ∂s/∂φ of a callable `signalYields` (bins × φ): analytic gradients (else finite differences). */
  readonly signalJacobian?: SignalJacobianFunction | null;
  /** ∂²s/∂φ² (bins × φ × φ): analytic Hessians (else finite differences of the Jacobian). */
  readonly signalHessian?: SignalHessianFunction | null;
}

/** The validated inputs common to every simplified backend. */
export interface CommonInputs {
  readonly observed: Float64Array;
  readonly background: Float64Array;
  readonly signal: SignalYields;
  readonly modifiers: SignalModifiers | undefined;
  readonly signalBounds: Bound[];
}

/**
 * Validate the common arguments (spey's `DefaultPDFBase`): `data` and `backgroundYields` finite and ≥ 0 with
 * equal lengths, `signalYields` finite (negative bins allowed: interference) with the same length
 * or a function of `nSignalParameters` parameters, `signalParameterBounds` one per φ, modifiers
 * only with a plain signal array.
 */
export function parseCommonInputs(args: SimplifiedLikelihoodArgs, backendName: string): CommonInputs {
  if (!args || typeof args !== "object")
    throw new InvalidInput(`${backendName}: the backend arguments must be an object.`);
  const observed = toFiniteVector(args.data, "data");
  const n = observed.length;
  const background = toFiniteVector(args.backgroundYields, "backgroundYields", { length: n });
  checkPoissonScale(observed, "data");
  checkPoissonScale(background, "backgroundYields");
  const hasModifiers = args.modifiers !== undefined && args.modifiers !== null;
  if (typeof args.signalYields === "function" && hasModifiers) {
    throw new InvalidInput(
      "modifiers cannot be combined with a callable `signalYields`. Provide `signalYields` as a plain array when using modifiers.",
    );
  }
  const signal = SignalYields.from(args.signalYields, args.nSignalParameters, n, "signalYields", args);
  const nsp = signal.nParameters;
  const spb = args.signalParameterBounds;
  if (spb !== undefined && spb !== null && spb.length !== nsp) {
    throw new InvalidInput(`signalParameterBounds has ${spb.length} entries but nSignalParameters is ${nsp}.`);
  }
  const signalBounds = Array.from({ length: nsp }, (_, k): Bound => {
    const b = spb?.[k];
    const lo = b?.[0] ?? Number.NEGATIVE_INFINITY;
    const hi = b?.[1] ?? Number.POSITIVE_INFINITY;
    if (isNaNNumber(lo) || isNaNNumber(hi) || lo > hi) {
      throw new InvalidInput(`signalParameterBounds[${k}] = [${lo}, ${hi}] is not an interval (need lower ≤ upper).`);
    }
    return [lo, hi];
  });
  const modifiers = signal.fixed ? SignalModifiers.from(args.modifiers, signal.fixed) : undefined;
  return { observed, background, signal, modifiers, signalBounds };
}

/** Everything an evaluation needs, shared read-only by all evaluators of one model. */
interface ModelCore {
  readonly nBins: number;
  readonly nsp: number;
  readonly nAlpha: number;
  readonly thetaOffset: number;
  readonly alphaOffset: number;
  readonly npar: number;
  readonly signal: SignalYields;
  readonly fixedSignal: Float64Array | undefined;
  readonly modifiers: SignalModifiers | undefined;
  readonly backgroundModel: BackgroundModel;
  readonly constraint: GaussianBlock;
}

/**
 * The likelihood of one data set with its own scratch buffers: a closure returned by
 * `getObjectiveFunction` etc. owns one, so no evaluation allocates (except the Hessian it returns,
 * and the finite-difference derivatives of a callable signal).
 */
export class PoissonEvaluator {
  readonly #core: ModelCore;
  /** Main counts. */
  declare readonly main: Float64Array;
  /** Auxiliary data (θ block then α), or undefined for the nominal zeros. */
  declare readonly aux: Float64Array | undefined;
  readonly #lgammaSum: number;
  readonly #sig: Float64Array;
  readonly #factor: Float64Array;
  readonly #sigFactor: Float64Array;
  /** Background nᵢ(θᵢ) and its derivatives. */
  readonly #bkg: Float64Array;
  readonly #d1: Float64Array;
  readonly #d2: Float64Array;
  /** Poisson rates λ (floored). */
  declare readonly lambda: Float64Array;
  /** 1 where λ is floored. */
  readonly #floored: Uint8Array;
  readonly #residual: Float64Array;
  /** s·f of the last evaluation (aliases the signal when there are no modifiers). */
  #sf: Float64Array;

  constructor(core: ModelCore, main: Float64Array, aux: Float64Array | undefined) {
    this.#core = core;
    this.main = main;
    this.aux = aux;
    const n = core.nBins;
    let lg = 0;
    for (let i = 0; i < n; i++) lg += gammaln(main[i]! + 1);
    this.#lgammaSum = lg;
    this.#sig = zeros(n);
    this.#factor = zeros(n).fill(1);
    this.#sigFactor = zeros(n);
    this.#bkg = zeros(n);
    this.#d1 = zeros(n);
    this.#d2 = zeros(n);
    this.lambda = zeros(n);
    this.#floored = new Uint8Array(n);
    this.#residual = zeros(n);
    this.#sf = this.#sigFactor;
  }

  #checkLength(pars: Float64Array): void {
    if (pars.length !== this.#core.npar) {
      throw new InvalidInput(`parameter vector has ${pars.length} entries; this model has ${this.#core.npar}.`);
    }
  }

  /** λ(pars) and the background derivatives (second ones only when asked). */
  computeLambda(pars: Float64Array, withSecond: boolean): void {
    const c = this.#core;
    const n = c.nBins;
    let s: Float64Array;
    if (c.fixedSignal) s = c.fixedSignal;
    else s = c.signal.values(pars, 1, this.#sig);
    if (c.modifiers) {
      c.modifiers.factors(pars, c.alphaOffset, this.#factor);
      const sf = this.#sigFactor;
      for (let i = 0; i < n; i++) sf[i] = s[i]! * this.#factor[i]!;
      this.#sf = sf;
    } else {
      this.#sf = s;
    }
    c.backgroundModel.evaluate(pars, c.thetaOffset, this.#bkg, this.#d1, withSecond ? this.#d2 : null);
    const mu = pars[0]!;
    const sf = this.#sf;
    for (let i = 0; i < n; i++) {
      const l = mu * sf[i]! + this.#bkg[i]!;
      if (l > LAMBDA_FLOOR) {
        this.lambda[i] = l;
        this.#floored[i] = 0;
      } else {
        this.lambda[i] = LAMBDA_FLOOR;
        this.#floored[i] = 1;
      }
    }
  }

  /** −log L(pars); with `grad`, ∂(−log L)/∂pars written into it. */
  nll(pars: Float64Array, grad?: Float64Array): number {
    this.#checkLength(pars);
    const c = this.#core;
    const n = c.nBins;
    this.computeLambda(pars, false);
    const main = this.main;
    const lambda = this.lambda;
    let value = this.#lgammaSum;
    for (let i = 0; i < n; i++) {
      const l = lambda[i]!;
      const d = main[i]!;
      value += d === 0 ? l : l - d * ln(l);
    }
    const aux = this.aux;
    value += c.constraint.nll(pars, c.thetaOffset, aux, 0, this.#residual, grad);
    for (let m = 0; m < c.nAlpha; m++) {
      const x = pars[c.alphaOffset + m]! - (aux ? aux[n + m]! : 0);
      value += 0.5 * x * x + HALF_LOG_2PI;
      if (grad) grad[c.alphaOffset + m] = x;
    }
    if (!grad) return value;
    const mu = pars[0]!;
    const sf = this.#sf;
    const d1 = this.#d1;
    const t0 = c.thetaOffset;
    let gmu = 0;
    for (let i = 0; i < n; i++) {
      if (this.#floored[i] === 1) continue;
      const gi = 1 - main[i]! / lambda[i]!;
      gmu += gi * sf[i]!;
      grad[t0 + i]! += gi * d1[i]!;
    }
    grad[0] = gmu;
    const mods = c.modifiers;
    if (mods) {
      const start = mods.binStart;
      for (let i = 0; i < n; i++) {
        if (this.#floored[i] === 1) continue;
        const coef = (1 - main[i]! / lambda[i]!) * mu * sf[i]!;
        for (let e = start[i]!; e < start[i + 1]!; e++) {
          const k = c.alphaOffset + mods.alpha[e]!;
          grad[k]! += coef * mods.logFactor(e, pars[k]!);
        }
      }
    }
    const nsp = c.nsp;
    if (nsp > 0) {
      for (let k = 0; k < nsp; k++) grad[1 + k] = 0;
      const ds = c.signal.jacobian(pars, 1);
      const f = this.#factor;
      for (let i = 0; i < n; i++) {
        if (this.#floored[i] === 1) continue;
        const coef = (1 - main[i]! / lambda[i]!) * mu * f[i]!;
        for (let k = 0; k < nsp; k++) grad[1 + k]! += coef * ds[i * nsp + k]!;
      }
    }
    return value;
  }

  /** Hessian of log L (row-major p×p, a new array), from the analytic formulas of spey's autograd derivatives */
  hessianLogpdf(pars: Float64Array, out?: Float64Array): Float64Array {
    this.#checkLength(pars);
    const c = this.#core;
    const n = c.nBins;
    const p = c.npar;
    const nsp = c.nsp;
    this.computeLambda(pars, true);
    const H = out?.length === p * p ? out.fill(0) : zeros(p * p);
    const mu = pars[0]!;
    const sf = this.#sf;
    const f = this.#factor;
    const mods = c.modifiers;
    const ds = nsp > 0 ? c.signal.jacobian(pars, 1) : null;
    const d2s = nsp > 0 ? c.signal.secondDerivatives(pars, 1) : null;
    const jphi = nsp > 0 ? zeros(nsp) : NO_SIGNAL_PARAMETERS;
    for (let i = 0; i < n; i++) {
      if (this.#floored[i] === 1) continue;
      const d = this.main[i]!;
      const l = this.lambda[i]!;
      const g = 1 - d / l;
      const w = d / (l * l);
      const jm = sf[i]!;
      const jt = this.#d1[i]!;
      const t = c.thetaOffset + i;
      // Upper triangle (row ≤ column); index order μ < φ < θ < α.
      H[0]! += w * jm * jm;
      H[t]! += w * jm * jt;
      H[t * p + t]! += w * jt * jt + g * this.#d2[i]!;
      if (ds && d2s) {
        for (let k = 0; k < nsp; k++) jphi[k] = mu * f[i]! * ds[i * nsp + k]!;
        for (let k = 0; k < nsp; k++) {
          const row = (1 + k) * p;
          H[1 + k]! += w * jm * jphi[k]! + g * f[i]! * ds[i * nsp + k]!;
          H[row + t]! += w * jphi[k]! * jt;
          for (let l2 = k; l2 < nsp; l2++) {
            H[row + 1 + l2]! += w * jphi[k]! * jphi[l2]! + g * mu * f[i]! * d2s[(i * nsp + k) * nsp + l2]!;
          }
        }
      }
      if (mods) {
        const start = mods.binStart[i]!;
        const end = mods.binStart[i + 1]!;
        for (let e = start; e < end; e++) {
          const a = c.alphaOffset + mods.alpha[e]!;
          const le = mods.logFactor(e, pars[a]!);
          const ja = mu * jm * le;
          H[a]! += w * jm * ja + g * jm * le;
          H[t * p + a]! += w * jt * ja;
          if (ds) {
            for (let k = 0; k < nsp; k++) {
              H[(1 + k) * p + a]! += w * jphi[k]! * ja + g * mu * f[i]! * ds[i * nsp + k]! * le;
            }
          }
          for (let e2 = e; e2 < end; e2++) {
            const a2 = c.alphaOffset + mods.alpha[e2]!;
            const le2 = mods.logFactor(e2, pars[a2]!);
            H[a * p + a2]! += w * ja * mu * jm * le2 + g * mu * jm * le * le2;
          }
        }
      }
    }
    for (let r = 0; r < p; r++) {
      for (let col = r + 1; col < p; col++) H[col * p + r] = H[r * p + col]!;
    }
    c.constraint.addHessian(H, p, c.thetaOffset);
    for (let m = 0; m < c.nAlpha; m++) H[(c.alphaOffset + m) * (p + 1)]! += 1;
    for (let k = 0; k < H.length; k++) H[k] = -H[k]!;
    return H;
  }
}

/** What a backend hands to {@link SimplifiedLikelihoodBase}. */
export interface SimplifiedModelParts {
  readonly common: CommonInputs;
  readonly backgroundModel: BackgroundModel;
  readonly constraint: GaussianBlock;
}

/**
 * Base class of `default.uncorrelated_background`, `default.correlated_background`,
 * `default.third_moment_expansion` and `default.effective_sigma` (spey's `DefaultPDFBase`): parameter layout
 * `[μ, φ…, θ…, α…]`, start point 1.0 everywhere, bounds μ ∈ [minimumPoi, 10], φ as given,
 * nuisances free; background positivity as per-parameter domain bounds; analytic gradient and
 * Hessian; expected data with the auxiliary data at the parameter point; a sampler of main and
 * auxiliary data.
 */
export abstract class SimplifiedLikelihoodBase extends BackendBase {
  /** Number of bins N. */
  declare readonly nBins: number;
  declare protected readonly observed: Float64Array;
  declare protected readonly background: Float64Array;
  declare protected readonly signal: SignalYields;
  declare protected readonly modifiers: SignalModifiers | undefined;
  declare protected readonly core: ModelCore;
  /** Number of auxiliary measurements (N for θ plus one per modifier nuisance). */
  declare protected readonly nAux: number;
  /** The stored configuration and its POI-bound variants. */
  readonly #configs: ConfigVariants;
  readonly #domain: readonly Bound[];
  #scratch: PoissonEvaluator | undefined;
  #exact: PoiProfile | undefined;
  /** Profiles of the signal vectors of requests with φ or α fixed (callable signals, modifiers). */
  readonly #signalProfiles = new Map<string, PoiProfile>();
  /** The evaluators of the last two data sets ({@link evaluatorFor}). */
  #evaluators: PoissonEvaluator[] = [];

  /** How ∂s/∂φ and ∂²s/∂φ² of a callable signal are computed: "analytic" (signalJacobian / signalHessian) or "finite-difference". */
  get signalDerivativeSources(): { jacobian: DerivativeSource; hessian: DerivativeSource } {
    return this.signal.derivativeSources;
  }

  constructor(parts: SimplifiedModelParts) {
    super();
    const { common, backgroundModel, constraint } = parts;
    this.observed = common.observed;
    this.background = common.background;
    this.signal = common.signal;
    this.modifiers = common.modifiers;
    const n = common.observed.length;
    this.nBins = n;
    const nsp = common.signal.nParameters;
    const nAlpha = common.modifiers?.nParameters ?? 0;
    const thetaOffset = 1 + nsp;
    const alphaOffset = thetaOffset + n;
    const npar = alphaOffset + nAlpha;
    this.nAux = n + nAlpha;
    this.core = {
      nBins: n,
      nsp,
      nAlpha,
      thetaOffset,
      alphaOffset,
      npar,
      signal: common.signal,
      fixedSignal: common.signal.fixed,
      modifiers: common.modifiers,
      backgroundModel,
      constraint,
    };
    const fixed = common.signal.fixed;
    const minPoi = fixed && this.isAlive ? minimumPoi(fixed, common.background) : Number.NEGATIVE_INFINITY;
    const withNames = nsp > 0 || nAlpha > 0;
    this.#configs = new ConfigVariants(
      new ModelConfig({
        poiIndex: 0,
        minimumPoi: minPoi,
        suggestedInit: new Array<number>(npar).fill(1),
        suggestedBounds: [[minPoi, 10], ...common.signalBounds, ...new Array<Bound>(n + nAlpha).fill(UNBOUNDED)],
        parameterNames: withNames
          ? [
              "mu",
              ...Array.from({ length: nsp }, (_, k) => `signal_par_${k}`),
              ...Array.from({ length: n }, (_, i) => `theta_bkg_${i}`),
              ...(common.modifiers?.names ?? []),
            ]
          : null,
      }),
    );
    const domain: Bound[] = new Array<Bound>(npar).fill(UNBOUNDED);
    for (let i = 0; i < n; i++) domain[thetaOffset + i] = backgroundModel.domain(i);
    this.#domain = freeze(domain);
  }

  /** Callable signal: always alive; otherwise alive when some bin has positive signal. */
  override get isAlive(): boolean {
    return this.signal.isAlive;
  }

  /**
   * The parameter layout. `allowNegativeSignal: false` gives μ ∈ [0, poiUpperBound]; otherwise
   * μ ∈ [minimumPoi, poiUpperBound] — spey dropped to 0 whenever the upper bound differed from 10
   * (README, Differences from spey, fixed here).
   */
  config(options: ConfigOptions = {}): ModelConfig {
    return this.#configs.get(options);
  }

  /** Background positivity nᵢ(θᵢ) ≥ 0 as the interval of each θᵢ (spey's nonlinear constraint). */
  override domainBounds(): readonly Bound[] {
    return this.#domain;
  }

  /** The main and auxiliary data of a likelihood request; main counts must be ≥ 0. */
  protected dataFor(options?: LikelihoodOptions): { main: Float64Array; aux: Float64Array | undefined } {
    const selected = selectData(options, this.observed, this.background, this.nAux);
    const main = selected.main;
    for (let i = 0; i < main.length; i++) {
      if (main[i]! < 0) throw new InvalidInput(`data[${i}] = ${main[i]} is negative; Poisson counts must be ≥ 0.`);
    }
    return selected;
  }

  /**
   * The evaluator of the data of `options` ({@link evaluatorFor}: shared by the functions made for
   * the same data; an evaluation writes its scratch buffers anew and completes before the next).
   */
  protected evaluator(options?: LikelihoodOptions): PoissonEvaluator {
    const { main, aux } = this.dataFor(options);
    return this.#evaluatorFor(main, aux);
  }

  getLogpdfFunc(options?: LikelihoodOptions): LogpdfFunction {
    const ev = this.evaluator(options);
    return (pars) => -ev.nll(pars);
  }

  override getObjectiveFunction(options?: LikelihoodOptions): ObjectiveFunction {
    const ev = this.evaluator(options);
    return (pars, grad) => ev.nll(pars, grad);
  }

  override getHessianLogpdfFunc(options?: LikelihoodOptions): HessianFunction {
    const ev = this.evaluator(options);
    return (pars, out) => ev.hessianLogpdf(pars, out);
  }

  /** Whether the exact profile applies: μ and θ are the only parameters (plain signal array, no modifiers). */
  protected get hasExactProfile(): boolean {
    return this.modifiers === undefined && this.signal.fixed !== undefined && this.signal.nParameters === 0;
  }

  /**
   * Whether the profile NLL is convex in μ: −log L is jointly convex in μ and θ (a linear background,
   * μ and θ the only parameters), as profile/poi-profile.ts uses. The uncorrelated combiner's global
   * fit of μ skips its scan when every member says so.
   */
  override profileConvexInPoi(): boolean {
    return this.hasExactProfile && this.core.backgroundModel instanceof LinearBackground;
  }

  /** The profile of the plain signal array, or of a signal vector of a request (a few kept). */
  #profileFor(signal: Float64Array | undefined): PoiProfile {
    const c = this.core;
    if (signal === undefined) {
      this.#exact ??= new PoiProfile(c.backgroundModel, c.constraint, this.signal.fixed as Float64Array);
      return this.#exact;
    }
    const key = Array.prototype.join.call(signal, ",");
    let profile = this.#signalProfiles.get(key);
    if (!profile) {
      if (this.#signalProfiles.size >= SIGNAL_PROFILES) this.#signalProfiles.clear();
      profile = new PoiProfile(c.backgroundModel, c.constraint, copyOf(signal));
      this.#signalProfiles.set(key, profile);
    }
    return profile;
  }

  /**
   * Whether a fit request is one the exact profile solves, and with what: the signal must be one
   * fixed vector — a plain array without modifiers, or every signal parameter φ and every modifier
   * nuisance α among the fixed parameters (then s(φ)·f(α) is evaluated there). Fixed θᵢ and the
   * caller's bounds of θ become limits intersected with the feasible set (a fixed θᵢ a one-point
   * piece). Undefined (the generic fitter) when φ or α are free, when a fixed value or the signal
   * is not finite, or when some θᵢ has no feasible value within its limits.
   */
  #exactRequest(
    fixed: ReadonlyMap<number, number>,
    bounds: ParameterLimits | undefined,
  ): { profile: PoiProfile; limits: ThetaLimits | undefined; template: Float64Array } | undefined {
    const c = this.core;
    const template = zeros(c.npar);
    for (const [index, value] of fixed) {
      if (!isInteger(index) || index < 0 || index >= c.npar || !isFiniteNumber(value)) return undefined;
      template[index] = value;
    }
    for (let k = 1; k < c.thetaOffset; k++) if (!fixed.has(k)) return undefined;
    for (let k = c.alphaOffset; k < c.npar; k++) if (!fixed.has(k)) return undefined;
    let signal: Float64Array | undefined;
    if (!this.hasExactProfile) {
      signal = copyOf(this.signal.values(template, 1, zeros(c.nBins)));
      if (c.modifiers) {
        const factor = zeros(c.nBins);
        c.modifiers.factors(template, c.alphaOffset, factor);
        for (let i = 0; i < c.nBins; i++) signal[i] = signal[i]! * factor[i]!;
      }
      for (let i = 0; i < c.nBins; i++) if (!isFiniteNumber(signal[i]!)) return undefined;
    }
    const profile = this.#profileFor(signal);
    let limits: ThetaLimits | undefined;
    let fixedTheta = false;
    for (let i = 0; i < c.nBins; i++) if (fixed.has(c.thetaOffset + i)) fixedTheta = true;
    if (bounds !== undefined || fixedTheta) {
      const lower = zeros(c.nBins);
      const upper = zeros(c.nBins);
      for (let i = 0; i < c.nBins; i++) {
        const k = c.thetaOffset + i;
        const value = fixed.get(k);
        lower[i] = value ?? bounds?.lower[k] ?? Number.NEGATIVE_INFINITY;
        upper[i] = value ?? bounds?.upper[k] ?? Number.POSITIVE_INFINITY;
        if (!(lower[i]! <= upper[i]!)) return undefined;
      }
      limits = { lower, upper };
      if (!profile.profiler.feasibleWithin(limits)) return undefined;
    }
    return { profile, limits, template };
  }

  /**
   * Whether every rate λᵢ = μsᵢ + nᵢ(θᵢ) at `parameters` is clear of the 1e-20 floor, where −log L
   * has a kink in μ (plain signal array, μ and θ the only parameters; otherwise false). Elsewhere
   * −log L is smooth in μ and θ (nᵢ(θ) enters λ only, and ∂(−log L)/∂μ = Σᵢ(1 − dᵢ/λᵢ)sᵢ).
   */
  override smoothInPoiAt(parameters: Float64Array): boolean {
    if (!this.hasExactProfile) return false;
    const s = this.signal.fixed as Float64Array;
    const n = s.length;
    const mu = parameters[0]!;
    const out = this.#smoothScratch;
    for (let i = 0; i < n; i++) {
      this.core.backgroundModel.bin(i, parameters[this.core.thetaOffset + i]!, out);
      const lambda = mu * s[i]! + out[0]!;
      // λ ≤ 0 is floored (locally constant in μ: smooth too) but a fit sitting there is at the kink
      if (!(lambda > SMOOTH_LAMBDA_MARGIN * max(1, out[0]!)) || !isFiniteNumber(lambda)) return false;
    }
    return true;
  }

  readonly #smoothScratch = zeros(3);

  /**
   * p″(μ) of the exact profile where it is twice continuously differentiable (profile/poi-profile.ts,
   * `smoothCurvature`: the last conditional fit of the plain signal array, at this μ on these data);
   * undefined otherwise.
   */
  override profileCurvatureAt(parameters: Float64Array, options?: LikelihoodOptions): number | undefined {
    if (!this.hasExactProfile) return undefined;
    const { main, aux } = this.dataFor(options);
    return this.#profileFor(undefined).smoothCurvature(parameters[0]!, main, aux);
  }

  /**
   * An evaluator of these data, reused while requests carry the same values: the last two data sets
   * (a hypothesis test alternates between the observed and the Asimov data) are kept, compared by
   * value, each with copies of its data.
   */
  #evaluatorFor(main: Float64Array, aux: Float64Array | undefined): PoissonEvaluator {
    for (const e of this.#evaluators) if (sameEntries(e.main, main) && sameEntries(e.aux, aux)) return e;
    const e = new PoissonEvaluator(this.core, copyOf(main), aux && copyOf(aux));
    this.#evaluators = [e, this.#evaluators[0]].filter((x) => x !== undefined);
    return e;
  }

  /** The template's fixed values with μ and θ, and its NLL from the model's own likelihood (so the value is the one `logpdf` gives). */
  #fastResult(
    template: Float64Array,
    mu: number,
    theta: Float64Array,
    main: Float64Array,
    aux: Float64Array | undefined,
    converged: boolean,
    message: string,
  ): FastPathResult {
    const parameters = copyOf(template);
    parameters[0] = mu;
    parameters.set(theta, this.core.thetaOffset);
    const nll = this.#evaluatorFor(main, aux).nll(parameters);
    return converged ? { nll, parameters, global: true } : { nll, parameters, converged, message, global: true };
  }

  /** [1, φ at their suggested start, θ = 0, α = 0]: every nuisance at its constraint's nominal centre. */
  override nominalParameters(): Float64Array {
    const c = this.core;
    const out = copyOf(this.config().suggestedInit);
    out.fill(0, c.thetaOffset);
    return out;
  }

  /** The fit hook honours a caller's `parBounds` (intersected with the feasible θ; see {@link exactRequest}). */
  override readonly bestFitTakesBounds = true;

  /** The fit hook: conditional fits (POI fixed) and free fits through the two fits below. */
  override bestFit(request: FitHookRequest): FastPathResult | undefined {
    return request.fixed.has(this.config().poiIndex)
      ? this.negativeLoglikelihood(request)
      : this.minimizeNegativeLoglikelihood({ ...request, allowNegativeSignal: request.allowNegativeSignal ?? true });
  }

  /**
   * Conditional fit at fixed μ: the global minimum over the feasible θ, with the Poisson floor
   * treated as a boundary (profile/global-theta.ts), whenever the signal is one fixed vector at
   * the request ({@link exactRequest}: a plain signal array, or every φ and α fixed too), with
   * fixed θᵢ and the caller's bounds of θ intersected with the feasible set. Undefined (the
   * generic optimiser's multi-start) when a signal parameter φ or a modifier nuisance α is free.
   */
  negativeLoglikelihood(options: FastPathConditionalOptions): FastPathResult | undefined {
    const mu = options.fixed.get(0);
    if (mu === undefined || !isFiniteNumber(mu)) return undefined;
    const request = this.#exactRequest(options.fixed, options.bounds);
    if (!request) return undefined;
    // the evaluator's copies of the data (the exact profile keeps them with its last result)
    const { main, aux } = this.evaluator(options);
    const c = this.core;
    const start =
      options.initPars?.length === c.npar
        ? options.initPars.subarray(c.thetaOffset, c.thetaOffset + c.nBins)
        : undefined;
    const inner = request.profile.at(mu, main, aux, start, options.optimiser, request.limits);
    return this.#fastResult(request.template, mu, inner.theta, main, aux, inner.converged, inner.message);
  }

  /**
   * Free fit: a one-dimensional minimisation of the exact profile over the POI bounds of
   * `config({allowNegativeSignal})`, or the caller's bounds of μ (profile/poi-profile.ts), for the
   * requests of {@link exactRequest} (other parameters fixed or bounded as there). Delegates to
   * {@link negativeLoglikelihood} when μ is fixed; undefined (the generic optimiser) when φ or α
   * are free or the μ bounds are not finite.
   */
  minimizeNegativeLoglikelihood(options: FastPathFreeOptions): FastPathResult | undefined {
    if (options.fixed.has(0)) return this.negativeLoglikelihood(options);
    const request = this.#exactRequest(options.fixed, options.bounds);
    if (!request) return undefined;
    const config = this.config({ allowNegativeSignal: options.allowNegativeSignal });
    const [lo, hi] = options.bounds
      ? [options.bounds.lower[0]!, options.bounds.upper[0]!]
      : (config.suggestedBounds[0] as [number, number]);
    if (!isFiniteNumber(lo) || !isFiniteNumber(hi) || !(lo <= hi)) return undefined;
    // the evaluator's copies of the data (the exact profile keeps them with its last result)
    const { main, aux } = this.evaluator(options);
    const c = this.core;
    const init = copyOf(options.initPars?.length === c.npar ? options.initPars : config.suggestedInit);
    for (const [index, value] of options.fixed) init[index] = value;
    // a large model's joint seed would need dense (μ, θ) Hessians; the exact fit does not rely on it
    const seed = c.constraint.factorised
      ? init
      : this.#jointSeed(lo, hi, main, aux, init, options.fixed, request.limits);
    const start = seed.subarray(c.thetaOffset, c.thetaOffset + c.nBins);
    const fit = request.profile.minimise(lo, hi, seed[0]!, main, aux, start, options.optimiser, request.limits);
    return this.#fastResult(request.template, fit.mu, fit.theta, main, aux, fit.converged, fit.message);
  }

  /**
   * A start for the exact free fit: a local minimisation of the NLL over μ and θ together
   * (projected Newton within the POI bounds, the θ limits and the connected positivity domain,
   * the fixed parameters held, at most {@link SEED_ITERATIONS} iterations). It may stall at a
   * corner of the floor or in a local basin; the exact one-dimensional minimisation that follows
   * does not rely on it.
   */
  #jointSeed(
    lo: number,
    hi: number,
    main: Float64Array,
    aux: Float64Array | undefined,
    init: Float64Array,
    fixed: ReadonlyMap<number, number>,
    limits: ThetaLimits | undefined,
  ): Float64Array {
    const ev = this.#evaluatorFor(main, aux);
    const c = this.core;
    const npar = c.npar;
    const lower = zeros(npar);
    const upper = zeros(npar);
    lower[0] = lo;
    upper[0] = hi;
    for (let i = 1; i < npar; i++) {
      lower[i] = this.#domain[i]![0];
      upper[i] = this.#domain[i]![1];
    }
    if (limits) {
      for (let i = 0; i < c.nBins; i++) {
        const k = c.thetaOffset + i;
        const l = max(lower[k]!, limits.lower[i]!);
        const u = min(upper[k]!, limits.upper[i]!);
        // the connected domain and the limits may not meet (limits on the other interval of a
        // union): the limits alone then
        lower[k] = l <= u ? l : limits.lower[i]!;
        upper[k] = l <= u ? u : limits.upper[i]!;
      }
    }
    const x0 = copyOf(init);
    for (let i = 0; i < npar; i++) x0[i] = min(max(x0[i]!, lower[i]!), upper[i]!);
    const mask = new Array<boolean>(npar).fill(false);
    for (const index of fixed.keys()) mask[index] = true;
    // one Hessian buffer for every Newton step (the optimiser reads it within the step only)
    const buffer = zeros(npar * npar);
    const result = minimize(
      {
        objective: (x, grad) => ev.nll(x, grad),
        hessian: (x) => {
          const h = ev.hessianLogpdf(x, buffer);
          for (let k = 0; k < h.length; k++) h[k] = -h[k]!;
          return h;
        },
        x0,
        lower,
        upper,
        fixed: mask,
      },
      { maxIterations: SEED_ITERATIONS },
    );
    return result.x;
  }

  #scratchEvaluator(): PoissonEvaluator {
    this.#scratch ??= new PoissonEvaluator(this.core, this.observed, undefined);
    return this.#scratch;
  }

  /**
   * λ(pars) (floored at 1e-20) followed by the auxiliary data at `pars`: θ, then α (spey after PR #67),
   * so that an Asimov data set generated at θ̂ refits to θ̂ (arXiv:1007.1727 eq. 25); λ alone with
   * `{includeAuxiliary: false}`.
   */
  override expectedData(pars: Parameters, options?: ExpectedDataOptions): Float64Array {
    const c = this.core;
    if (pars.length !== c.npar) {
      throw new InvalidInput(`parameter vector has ${pars.length} entries; this model has ${c.npar}.`);
    }
    const ev = this.#scratchEvaluator();
    ev.computeLambda(pars, false);
    if (options?.includeAuxiliary === false) return copyOf(ev.lambda);
    const out = zeros(c.nBins + this.nAux);
    out.set(ev.lambda);
    for (let i = 0; i < c.nBins; i++) out[c.nBins + i] = pars[c.thetaOffset + i]!;
    for (let m = 0; m < c.nAlpha; m++) out[2 * c.nBins + m] = pars[c.alphaOffset + m]!;
    return out;
  }

  /**
   * Pseudo-data at `pars`: Poisson counts of λ(pars), then the auxiliary data drawn from
   * p(a | θ, α) at the same parameters (MVN(θ, ρ) or N(θ, 1) for the θ block, N(α, 1) for
   * modifiers). Works for one bin as well (spey's sampler crashed there, README, Differences from spey).
   */
  override getSampler(pars: Parameters): Sampler {
    const c = this.core;
    const point = copyOf(pars);
    const expected = this.expectedData(point);
    const n = c.nBins;
    const lambda = expected.subarray(0, n);
    const z = zeros(n);
    return (size: number, rng: RandomSource) => {
      if (!isInteger(size) || size < 0) throw new InvalidInput(`size must be a non-negative integer; got ${size}.`);
      const samples: Float64Array[] = new Array(size);
      for (let k = 0; k < size; k++) {
        const out = zeros(n + this.nAux);
        for (let i = 0; i < n; i++) out[i] = rng.poisson(lambda[i]!);
        c.constraint.sample(rng, point, c.thetaOffset, out, n, z);
        for (let m = 0; m < c.nAlpha; m++) out[2 * n + m] = point[c.alphaOffset + m]! + rng.normal();
        samples[k] = out;
      }
      return samples;
    };
  }
}
