import type { ModelConfig } from "../config/model-config.js";
import type { Bound } from "../config/model-config.js";
import type {
  ConfigOptions,
  ExpectedDataOptions,
  FastPathResult,
  FitHookRequest,
  HessianFunction,
  LikelihoodOptions,
  LogpdfFunction,
  ObjectiveFunction,
  Parameters,
  Sampler,
} from "./types.js";

/**
 * The plug-in contract (spey's `BackendBase`, seed page): every likelihood prescription is a subclass.
 *
 * Required: the static metadata (`name`, `version`, `author`, `speyRequires`, optional `doi`,
 * `arXiv`, `zenodo`), {@link config} and {@link getLogpdfFunc}. Every optional method unlocks a
 * capability of {@link StatisticalModel}:
 *
 * | method | unlocks |
 * | --- | --- |
 * | `expectedData` | Asimov data → asymptotic calculator, upper limits, significance |
 * | `getObjectiveFunction` | analytic gradients in fits (otherwise finite differences) |
 * | `getHessianLogpdfFunc` | Newton fits, `sigmaMuFromHessian` |
 * | `getSampler` | toy calculator, `fixedPoiSampler` |
 * | `combine` | `StatisticalModel.combine` |
 * | `bestFit` | the backend's own fit (closed-form profiles, its own Newton iteration) instead of the generic optimiser |
 * | `bestFitTakesBounds` | `bestFit` also for fits with a caller's `parBounds` (passed as `request.bounds`) |
 * | `domainBounds` | per-parameter intervals where the likelihood is defined (e.g. background positivity), intersected with the fit bounds |
 * | `nominalParameters` | one more start point of every fit (the nominal nuisances) |
 * | `profileConvexInPoi` | a certificate that the profile NLL is convex in μ: combiners skip their global scan of μ |
 * | `profileColdStartRange` | profiles along μ run the cold starts once per range of μ instead of at every point |
 * | `smoothInPoiAt` | a certificate that ∂(−log L)/∂μ at a fitted point is a (sub)gradient of that convex profile: combiners confirm their fit of μ by tangents instead of extra fits |
 * | `profileCurvatureAt` | a certificate that the profile is twice differentiable at a fitted point, with its curvature: the uncorrelated combiner confirms its fit of μ without value checks beside it |
 *
 * The constructor receives one object with the backend's own arguments (camelCase).
 */
export abstract class BackendBase {
  /** Unique accessor, e.g. "default.poisson" or "my_package.my_model". */
  static name: string;
  /** Backend version. */
  static version: string;
  /** Author (and contact). */
  static author: string;
  /** semver range of this package the backend works with, e.g. ">=0.1.0". */
  static speyRequires: string;
  /** Citable DOIs. */
  static doi?: readonly string[];
  /** arXiv identifiers. */
  static arXiv?: readonly string[];
  /** Zenodo record identifiers. */
  static zenodo?: readonly string[];

  /** Whether the model has any signal at all (default true); dead models have infinite limits. */
  get isAlive(): boolean {
    return true;
  }

  /** The parameter layout, bounds and start point of the fits. */
  abstract config(options?: ConfigOptions): ModelConfig;

  /** A function evaluating log L(pars), all normalisation constants included. */
  abstract getLogpdfFunc(options?: LikelihoodOptions): LogpdfFunction;

  /**
   * Expected data at `pars`: the main-model means followed by the auxiliary data at `pars`
   * (only the means with `{includeAuxiliary: false}`).
   */
  expectedData?(pars: Parameters, options?: ExpectedDataOptions): Float64Array;

  /** −log L with its analytic gradient. */
  getObjectiveFunction?(options?: LikelihoodOptions): ObjectiveFunction;

  /** Hessian of log L. */
  getHessianLogpdfFunc?(options?: LikelihoodOptions): HessianFunction;

  /** A sampler of pseudo-data at fixed parameters. */
  getSampler?(pars: Parameters): Sampler;

  /** Combine with another backend into one (e.g. HistFactory workspace combination). */
  combine?(other: BackendBase, options?: Record<string, unknown>): BackendBase;

  /**
   * Per-parameter intervals outside which the likelihood is undefined (spey's positivity
   * constraints, which are elementwise in θ). Fits intersect them with their bounds.
   */
  domainBounds?(): readonly Bound[] | undefined;

  /**
   * The fit hook: the backend's own maximum-likelihood fit for a request (a conditional fit when
   * the POI is among `fixed`, a free fit otherwise). Return `undefined` for requests the backend
   * does not cover; the generic fitter then runs. Set `converged: false` when the backend's own
   * iteration stopped short.
   */
  bestFit?(request: FitHookRequest): FastPathResult | undefined;

  /**
   * True when {@link bestFit} honours `request.bounds` (a caller's `parBounds`); otherwise fits
   * with caller bounds use the generic fitter (default false).
   */
  readonly bestFitTakesBounds?: boolean;

  /**
   * The nominal parameter point: every constrained nuisance at the centre of its auxiliary
   * measurement (e.g. θ = 0 of a simplified likelihood, whose suggested start is 1). Fits use it as
   * one of their start points besides `config().suggestedInit` and the nearest earlier fit
   * (undefined: no such start, e.g. a HistFactory model without a `warmStart` point).
   */
  nominalParameters?(): Parameters | undefined;

  /**
   * True only when the profile NLL (every other parameter fitted) is provably convex in the POI,
   * e.g. −log L jointly convex in μ and the nuisances. The uncorrelated combiner then fits the
   * combined μ by its local search alone; otherwise it also scans the summed profile for other minima.
   */
  profileConvexInPoi?(): boolean;

  /**
   * A factor ρ > 1 by which a profile's cold starts (nominal and suggested point, fit/multistart.ts)
   * cover nearby μ: a conditional fit of a profile (one data set, e.g. along an upper-limit search)
   * at μ then runs them only when no earlier fit of that profile ran them at a μ′ with
   * μ/μ′ ∈ [1/ρ, ρ]; inside such a range it continues warm from the nearest fit (the cold starts
   * still run when that fit does not converge). Undefined (default): cold starts at every μ. A
   * backend returns a factor only when its cold starts are costly and its measured profiles show
   * that a cold start finds the same basin as the warm continuation across such ranges.
   */
  profileColdStartRange?(): number | undefined;

  /**
   * True only when −log L and ∂(−log L)/∂μ are continuous in (μ, nuisances) around `parameters`
   * (e.g. no Poisson rate at its 1e-20 floor there). At a conditional fit θ̂(μ) of a model whose
   * profile is convex ({@link profileConvexInPoi}), ∂(−log L)/∂μ is then a subgradient of the
   * profile (Danskin's theorem; with several minimisers each one's derivative is a one-sided
   * derivative), so tangent lines bound it from below. Conservative answers (false) are always safe.
   */
  smoothInPoiAt?(parameters: Parameters): boolean;

  /**
   * p″(μ) of the profile NLL p(μ) = min over the nuisances of −log L, at a conditional fit's point
   * `parameters` on the data of `options`, when the backend certifies p twice continuously
   * differentiable around μ: the fitted nuisances the unique global minimiser, nondegenerate, off
   * every boundary, no Poisson rate at its floor (then p′ = ∂(−log L)/∂μ there and p″ the Schur
   * complement of the Hessian: the implicit-function theorem). Undefined otherwise; conservative
   * answers (undefined) are always safe.
   */
  profileCurvatureAt?(parameters: Parameters, options?: LikelihoodOptions): number | undefined;
}

/** The static metadata every backend or converter class declares (spey's `BackendBase` metadata). */
export interface BackendMetadataFields {
  readonly name: string;
  readonly version: string;
  readonly author: string;
  readonly speyRequires: string;
  readonly doi?: readonly string[];
  readonly arXiv?: readonly string[];
  readonly zenodo?: readonly string[];
}

/** A backend class: the constructor takes one options object. */
export type BackendClass = (abstract new (args: never) => BackendBase) & BackendMetadataFields;

/**
 * A converter (spey's `ConverterBase`): a registered object that turns its arguments into a backend, e.g. a
 * full HistFactory model into a simplified likelihood. Subclasses implement {@link convert}.
 */
export abstract class ConverterBase {
  static name: string;
  static version: string;
  static author: string;
  static speyRequires: string;
  static doi?: readonly string[];
  static arXiv?: readonly string[];
  static zenodo?: readonly string[];

  /** Build the backend from the user's arguments. */
  abstract convert(args: Record<string, unknown>): BackendBase;
}
