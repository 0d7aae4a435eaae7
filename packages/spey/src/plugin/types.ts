import type { AllowNegativeSignalOption } from "../config/model-config.js";
import type { ExpectedOption } from "../core/expectation.js";
import type { RandomSource } from "../math/random.js";
import type { MinimizeOptions } from "../optimize/types.js";

/** A parameter vector `[μ, …]` as the likelihood functions receive it. */
export type Parameters = Float64Array;

/** Numbers as users may pass them: arrays, typed arrays. */
export type NumericArray = ArrayLike<number>;

export type { ConfigOptions } from "../config/config-variants.js";

/** Options of the likelihood hooks: which data the function evaluates. */
export interface LikelihoodOptions extends ExpectedOption {
  // expected: `apriori` replaces the observations by the background expectation (default observed)
  /**
   * Explicit data; wins over `expected`. Either the main-measurement counts only (the nominal
   * auxiliary data are used) or the counts followed by one value per auxiliary measurement.
   */
  readonly data?: NumericArray;
}

/** Options of `expectedData` (spey-pyhf's `expected_data(pars, include_auxiliary=True)`). */
export interface ExpectedDataOptions {
  /** Append the auxiliary data at `pars` to the main-measurement means (default true). */
  readonly includeAuxiliary?: boolean;
}

export interface ObjectiveOptions extends LikelihoodOptions {
  /** Ask for the analytic gradient (default true). */
  readonly doGrad?: boolean;
}

/** log L(pars). */
export type LogpdfFunction = (pars: Parameters) => number;

/**
 * The optimiser's objective −log L(pars). When `grad` is given the function also writes
 * ∂(−log L)/∂pars into it (same length as `pars`).
 */
export type ObjectiveFunction = (pars: Parameters, grad?: Float64Array) => number;

/**
 * Hessian of log L at `pars`, row-major n×n (n = number of parameters). With `out` (length n², its
 * contents overwritten) a function may write the Hessian there and return it, so that repeated
 * evaluations (a Newton fit) allocate nothing; it may also ignore `out` and return an array of its
 * own: callers use the returned array.
 */
export type HessianFunction = (pars: Parameters, out?: Float64Array) => Float64Array;

/**
 * Draws `size` pseudo-experiments, each the main data followed by the auxiliary data, from the
 * model at fixed parameters, using the given random source (seeded, reproducible).
 */
export type Sampler = (size: number, rng: RandomSource) => Float64Array[];

/** What a backend's fast path returns: the NLL and the parameters at the optimum. */
export interface FastPathResult {
  readonly nll: number;
  readonly parameters: Float64Array;
  /**
   * False when the fast path's optimiser stopped without meeting its convergence criterion
   * (default true): the fit is then not an optimum, and callers report it.
   */
  readonly converged?: boolean;
  /** Why the fit did not converge. */
  readonly message?: string;
  /**
   * The hook searched the whole feasible set (an exact profile, or its own multi-start), so the
   * fitter needs no other start point (default false).
   */
  readonly global?: boolean;
}

/**
 * Arguments of the fit hook {@link BackendBase.bestFit}: which parameters are fixed (the POI among
 * them for a conditional fit, not for a free fit), the μ range of a free fit, the data, a start.
 */
export interface FitHookRequest extends LikelihoodOptions, AllowNegativeSignalOption {
  /** Parameters held fixed (index → value). A conditional fit fixes the POI; a free fit does not. */
  readonly fixed: ReadonlyMap<number, number>;
  // allowNegativeSignal (free fits): μ may go down to the model's lower bound (default true here)
  /** A start point (e.g. a nearby fit's parameters), when the caller has one. */
  readonly initPars?: Float64Array | undefined;
  /** The caller's optimiser settings, for hooks that run an optimiser. */
  readonly optimiser?: MinimizeOptions | undefined;
  /**
   * The caller's parameter bounds (`parBounds` replacing the configuration's, intersected with
   * `domainBounds`, exactly those of the generic fitter). Only backends whose
   * {@link BackendBase.bestFitTakesBounds} is true receive them (others are not asked when the
   * caller gives bounds); absent: the configuration's bounds.
   */
  readonly bounds?: ParameterLimits | undefined;
}

/** Lower and upper bounds of every parameter (infinite entries: open). */
export interface ParameterLimits {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/** Arguments of a backend's conditional fit (a {@link FitHookRequest} with the POI fixed). */
export interface FastPathConditionalOptions extends LikelihoodOptions {
  /** The fixed parameters (index → value), the POI among them. */
  readonly fixed: ReadonlyMap<number, number>;
  /** A start point (e.g. a nearby fit's parameters), when the caller has one. */
  readonly initPars?: Float64Array | undefined;
  /** The caller's optimiser settings, for fast paths that run an optimiser. */
  readonly optimiser?: MinimizeOptions | undefined;
  /** The caller's bounds (see {@link FitHookRequest.bounds}). */
  readonly bounds?: ParameterLimits | undefined;
}

/** Arguments of the free-fit fast path {@link BackendBase.minimizeNegativeLoglikelihood}. */
export interface FastPathFreeOptions extends LikelihoodOptions {
  /** Allow μ < 0 (default true). */
  readonly allowNegativeSignal: boolean;
  /** Parameters held fixed besides the free ones (index → value); usually empty. */
  readonly fixed: ReadonlyMap<number, number>;
  /** A start point, when the caller has one. */
  readonly initPars?: Float64Array | undefined;
  /** The caller's optimiser settings, for fast paths that run an optimiser. */
  readonly optimiser?: MinimizeOptions | undefined;
  /** The caller's bounds (see {@link FitHookRequest.bounds}). */
  readonly bounds?: ParameterLimits | undefined;
}
