import { safeguardedNewton } from "../../math/safeguarded-newton.js";
import { gammaln } from "../../math/special.js";
import { VERSION } from "../../core/version.js";
import { checkPoissonScale, toFiniteVector } from "../inputs.js";
import type {
  FastPathConditionalOptions,
  FastPathFreeOptions,
  FastPathResult,
  LikelihoodOptions,
  NumericArray,
} from "../../plugin/types.js";
import { LinearBackground } from "./backgrounds.js";
import { GaussianBlock } from "./constraints.js";
import {
  LAMBDA_FLOOR,
  parseCommonInputs,
  type SimplifiedLikelihoodArgs,
  SimplifiedLikelihoodBase,
  type SimplifiedModelParts,
} from "./poisson-main.js";
import { isFiniteNumber, max, min, sqrt, ln } from "../../core/describe.js";
import { zeros, copyOf } from "../../core/arrays.js";

const HALF_LOG_2PI = 0.5 * ln(2 * Math.PI);
const LOG_FLOOR = ln(LAMBDA_FLOOR);
/** Newton iterations of the free-fit fast path (quadratic convergence: ~6–10 are used). */
const MAX_NEWTON_ITERATIONS = 200;

/** Arguments of `default.uncorrelated_background`. */
export interface UncorrelatedBackgroundArgs extends SimplifiedLikelihoodArgs {
  /** Absolute background uncertainties σᵢ ≥ 0, one per bin. */
  readonly absoluteUncertainties: ArrayLike<number>;
}

/** Data of a fast-path request (see `preparedData`). */
interface PreparedData {
  readonly expected: "apriori" | "observed";
  /** A copy of the explicit data, or null when the request had none. */
  readonly source: Float64Array | null;
  readonly main: Float64Array;
  readonly aux: Float64Array | undefined;
  readonly constant: number;
}

/** Whether a request asks for the same data as `last` (compared by value). */
function sameRequest(last: PreparedData, expected: "apriori" | "observed", data: NumericArray | undefined): boolean {
  if (data === undefined) return last.source === null && last.expected === expected;
  const source = last.source;
  if (source === null || source.length !== data.length) return false;
  for (let i = 0; i < source.length; i++) if (source[i] !== data[i]) return false;
  return true;
}

/** The profiled contribution of one bin at fixed μ (see {@link profileBin}). */
interface BinProfile {
  /** θ̂ᵢ(μ). */
  theta: number;
  /** minθ [λ − d ln λ + ½(θ − a)²]. */
  value: number;
  /** dP/dc at the optimum: 1 − d/λ; 0 where λ is floored; −(θ̂ − a)/σ on the floor boundary. dp/dμ = Σ sᵢ·k. */
  k: number;
  /** Curvature factor: d²p/dμ² = Σ sᵢ²·h. */
  h: number;
  /** θ̂ᵢ is the stationary point inside λ > 1e-20 and the domain, lower than the floored region: p is C² there. */
  smooth: boolean;
}

/**
 * Minimise Fᵢ(θ) = λ − d ln λ + ½(θ − a)² over θ ≥ lower, with λ = max(c + σθ, 1e-20) and
 * c = μs + b fixed. Where λ > 1e-20, F′(θ) = σ(1 − d/λ) + θ − a = 0 is, in t = λ, the quadratic
 * t² + (σ² − c − aσ)t − σ²d = 0, whose positive root is the unique stationary point (F is convex
 * there); it is clamped to the domain. The floored region (constant λ) is compared separately, so
 * the result is the global minimum of the same function the generic fit minimises.
 */
function profileBin(c: number, sigma: number, d: number, a: number, lower: number, out: BinProfile): void {
  if (sigma === 0) {
    out.theta = a;
    out.smooth = c > LAMBDA_FLOOR;
    if (out.smooth) {
      out.value = d === 0 ? c : c - d * ln(c);
      out.k = 1 - d / c;
      out.h = d / (c * c);
    } else {
      out.value = LAMBDA_FLOOR - d * LOG_FLOOR;
      out.k = 0;
      out.h = 0;
    }
    return;
  }
  // Candidate in the region λ > floor.
  let best = Number.POSITIVE_INFINITY;
  let unfloored = Number.NaN;
  let theta = 0;
  let k = 0;
  let h = 0;
  const floorTheta = (LAMBDA_FLOOR - c) / sigma;
  let t: number;
  let clamped = false;
  if (d > 0) {
    const beta = sigma * sigma - c - a * sigma;
    const root = sqrt(beta * beta + 4 * sigma * sigma * d);
    t = beta > 0 ? (2 * sigma * sigma * d) / (beta + root) : 0.5 * (root - beta);
    theta = (t - c) / sigma;
  } else {
    theta = a - sigma;
    if (theta < floorTheta) {
      theta = floorTheta;
      clamped = true;
    }
    t = c + sigma * theta;
  }
  if (theta < lower) {
    theta = lower;
    clamped = true;
    t = c + sigma * theta;
  }
  if (t > LAMBDA_FLOOR) {
    const r = theta - a;
    best = (d === 0 ? t : t - d * ln(t)) + 0.5 * r * r;
    unfloored = best;
    k = 1 - d / t;
    const w = d / (t * t);
    h = clamped ? w : w / (w * sigma * sigma + 1);
  }
  // Candidate in the floored region {θ ≥ lower, c + σθ ≤ floor}.
  if (floorTheta >= lower) {
    const th = min(max(a, lower), floorTheta);
    const r = th - a;
    const v = LAMBDA_FLOOR - d * LOG_FLOOR + 0.5 * r * r;
    if (v < best) {
      best = v;
      theta = th;
      if (th === floorTheta && a > floorTheta) {
        // θ̂ held on the floor boundary c + σθ = 1e-20, which moves with c: P = 1e-20 +
        // ½((1e-20 − c)/σ − a)², so dP/dc = −(θ̂ − a)/σ and d²P/dc² = 1/σ² (the kink of the free
        // fit's profile is smooth in μ while the bound is active).
        k = -r / sigma;
        h = 1 / (sigma * sigma);
      } else {
        k = 0;
        h = 0;
      }
    }
  }
  // (λ clear of the floor by smoothInPoiAt's margin, 1e-8: a profile next to the kink bends on that scale)
  out.smooth = !clamped && t > 1e-8 && best === unfloored;
  out.theta = theta;
  out.value = best;
  out.k = k;
  out.h = h;
}

/**
 * `default.uncorrelated_background` (spey's `UncorrelatedBackground`): CMS-NOTE-2017-001's simplified likelihood with
 * a diagonal covariance,
 *
 *   L(μ, θ) = Πᵢ Pois(nᵢ | μsᵢfᵢ + bᵢ + σᵢθᵢ) · N(aᵢ | θᵢ, 1),
 *
 * with bᵢ + σᵢθᵢ ≥ 0. At fixed μ (no modifiers, plain signal) each θᵢ is profiled in closed form
 * (one quadratic per bin), so conditional fits need no optimiser, and the free fit is a 1-D
 * Newton iteration on the exact profile likelihood.
 */
export class UncorrelatedBackground extends SimplifiedLikelihoodBase {
  static override name = "default.uncorrelated_background";
  static override version = VERSION;
  static override author = "SpeysideHEP";
  static override speyRequires = `>=${VERSION}`;

  /** Absolute background uncertainties σ. */
  declare readonly sigma: Float64Array;
  readonly #lowerTheta: Float64Array;
  readonly #profile: BinProfile = { theta: 0, value: 0, k: 0, h: 0, smooth: false };
  #lastData: PreparedData | undefined;

  constructor(args: UncorrelatedBackgroundArgs) {
    const parts = UncorrelatedBackground.#prepare(args);
    super(parts);
    this.sigma = (parts.backgroundModel as LinearBackground).sigma;
    const domain = this.domainBounds();
    this.#lowerTheta = Float64Array.from({ length: this.nBins }, (_, i) => domain[this.core.thetaOffset + i]![0]);
  }

  static #prepare(args: UncorrelatedBackgroundArgs): SimplifiedModelParts {
    const common = parseCommonInputs(args, UncorrelatedBackground.name);
    const n = common.observed.length;
    const sigma = toFiniteVector(args?.absoluteUncertainties, "absoluteUncertainties", { length: n });
    checkPoissonScale(sigma, "absoluteUncertainties");
    return {
      common,
      backgroundModel: new LinearBackground(common.background, sigma),
      constraint: GaussianBlock.independent(n),
    };
  }

  /** Whether the closed-form profile applies (plain signal array, no modifiers). */
  get #hasClosedFormProfile(): boolean {
    return this.modifiers === undefined && this.signal.fixed !== undefined && this.signal.nParameters === 0;
  }

  /**
   * Profile over θ at fixed μ: fills `theta` (when given) and returns [NLL, dNLL/dμ, d²NLL/dμ²]
   * in `result`, and whether every bin's profile is C² there (`BinProfile.smooth`).
   */
  #profileAt(
    mu: number,
    main: Float64Array,
    aux: Float64Array | undefined,
    constant: number,
    result: Float64Array,
    theta?: Float64Array,
  ): boolean {
    const s = this.signal.fixed as Float64Array;
    const b = this.background;
    const sigma = this.sigma;
    const out = this.#profile;
    let value = constant;
    let grad = 0;
    let curv = 0;
    let smooth = true;
    for (let i = 0; i < this.nBins; i++) {
      const si = s[i]!;
      profileBin(mu * si + b[i]!, sigma[i]!, main[i]!, aux ? aux[i]! : 0, this.#lowerTheta[i]!, out);
      value += out.value;
      grad += si * out.k;
      curv += si * si * out.h;
      smooth &&= out.smooth;
      if (theta) theta[i] = out.theta;
    }
    result[0] = value;
    result[1] = grad;
    result[2] = curv;
    return smooth;
  }

  /**
   * The data of a fast-path request with the parts of the NLL that do not vary (ln Γ(d + 1) and
   * the Gaussian normalisations). The last request is remembered by value, so the repeated profile
   * evaluations of a hypothesis test (same data, many μ) skip the ln Γ.
   */
  #preparedData(options: LikelihoodOptions): PreparedData {
    const expected = options.expected === "apriori" ? "apriori" : "observed";
    const data = options.data;
    const last = this.#lastData;
    if (last && sameRequest(last, expected, data)) return last;
    const { main, aux } = this.dataFor(options);
    let constant = this.nBins * HALF_LOG_2PI;
    for (let i = 0; i < main.length; i++) constant += gammaln(main[i]! + 1);
    this.#lastData = { expected, source: data === undefined ? null : copyOf(data), main, aux, constant };
    return this.#lastData;
  }

  /**
   * p″(μ) = Σ sᵢ²hᵢ of the closed-form profile where every θ̂ᵢ(μ) is the interior stationary point
   * off the floor (then each bin's profile is C² in μ); undefined otherwise.
   */
  override profileCurvatureAt(parameters: Float64Array, options: LikelihoodOptions = {}): number | undefined {
    if (!this.#hasClosedFormProfile) return undefined;
    const { main, aux } = this.#preparedData(options);
    const result = zeros(3);
    return this.#profileAt(parameters[0]!, main, aux, 0, result) ? result[2] : undefined;
  }

  /**
   * Conditional fit at fixed μ in closed form (spey's `UncorrelatedBackground`, issue #3 item 4): θ̂ᵢ(μ) solves one
   * quadratic per bin, clamped to bᵢ + σᵢθᵢ ≥ 0, with the auxiliary data aᵢ as constraint centres.
   * Requests with other parameters fixed, caller bounds, modifiers or a callable signal go to the
   * exact enumeration of the base class (undefined there: the generic optimiser).
   */
  override negativeLoglikelihood(options: FastPathConditionalOptions): FastPathResult | undefined {
    const poi = this.config().poiIndex;
    if (
      !this.#hasClosedFormProfile ||
      options.bounds !== undefined ||
      options.fixed.size !== 1 ||
      !options.fixed.has(poi)
    ) {
      return super.negativeLoglikelihood(options);
    }
    const mu = options.fixed.get(poi) as number;
    if (!isFiniteNumber(mu)) return undefined;
    const { main, aux, constant } = this.#preparedData(options);
    const parameters = zeros(1 + this.nBins);
    parameters[0] = mu;
    const result = zeros(3);
    this.#profileAt(mu, main, aux, constant, result, parameters.subarray(1));
    return { nll: result[0]!, parameters, global: true };
  }

  /**
   * Free fit: minimise the closed-form profile p(μ) over the POI bounds of
   * `config({allowNegativeSignal})` with a bracketed Newton iteration on p′(μ) = Σᵢ sᵢ(1 − nᵢ/λ̂ᵢ)
   * (envelope theorem), p″(μ) = Σᵢ sᵢ² wᵢ/(wᵢσᵢ² + 1), wᵢ = nᵢ/λ̂ᵢ² (p is convex). Delegates to
   * {@link negativeLoglikelihood} when μ is fixed; requests with other parameters fixed, caller
   * bounds, modifiers or a callable signal go to the exact enumeration of the base class;
   * undefined (generic optimiser) for an unbounded μ range.
   */
  override minimizeNegativeLoglikelihood(options: FastPathFreeOptions): FastPathResult | undefined {
    const config = this.config({ allowNegativeSignal: options.allowNegativeSignal });
    const poi = config.poiIndex;
    if (options.fixed.has(poi)) return this.negativeLoglikelihood(options);
    if (!this.#hasClosedFormProfile || options.bounds !== undefined || options.fixed.size > 0) {
      return super.minimizeNegativeLoglikelihood(options);
    }
    const [lo, hi] = config.suggestedBounds[poi]!;
    if (!isFiniteNumber(lo) || !isFiniteNumber(hi)) return undefined;
    const { main, aux, constant } = this.#preparedData(options);
    const r = zeros(3);
    let muhat: number;
    this.#profileAt(lo, main, aux, constant, r);
    if (r[1]! >= 0) {
      muhat = lo;
    } else {
      this.#profileAt(hi, main, aux, constant, r);
      if (r[1]! <= 0) {
        muhat = hi;
      } else {
        muhat = this.#newtonOnProfile(lo, hi, main, aux, constant, r);
      }
    }
    const parameters = zeros(1 + this.nBins);
    parameters[0] = muhat;
    this.#profileAt(muhat, main, aux, constant, r, parameters.subarray(1));
    return { nll: r[0]!, parameters, global: true };
  }

  /** Root of p′ in (a, b) with p′(a) < 0 < p′(b): Newton steps, bisection when a step leaves the bracket. */
  #newtonOnProfile(
    a: number,
    b: number,
    main: Float64Array,
    aux: Float64Array | undefined,
    constant: number,
    r: Float64Array,
  ): number {
    let x = min(max(1, a), b);
    if (x === a || x === b) x = 0.5 * (a + b);
    const evaluate = (mu: number, out: Float64Array): void => {
      this.#profileAt(mu, main, aux, constant, r);
      out[0] = r[1]!;
      out[1] = r[2]!;
    };
    return safeguardedNewton(evaluate, a, b, x, {
      maxIterations: MAX_NEWTON_ITERATIONS,
      stepTolerance: 2 * Number.EPSILON,
      bracketTolerance: 4 * Number.EPSILON,
    }).x;
  }
}
