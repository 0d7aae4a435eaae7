import type { BackendBase } from "../plugin/backend-base.js";
import type { NumericArray } from "../plugin/types.js";
import type { BoundInput, ModelConfig } from "../config/model-config.js";
import { reportActivity } from "../core/activity.js";
import { InvalidInput } from "../core/errors.js";
import type { ExpectationType } from "../core/expectation.js";
import { acceptFit } from "./convergence.js";
import { bestOfStarts } from "./multistart.js";
import { minimize } from "../optimize/minimize.js";
import type { MinimizeOptions } from "../optimize/types.js";
import { isFiniteNumber, max, min } from "../core/describe.js";
import { zeros, copyOf } from "../core/arrays.js";

/** What a fitter is built for: one backend, one configuration, one data set. */
export interface FitterSetup {
  readonly backend: BackendBase;
  readonly config: ModelConfig;
  readonly expected: ExpectationType;
  /** Explicit data (main counts, optionally followed by auxiliary data). */
  readonly data?: Float64Array | undefined;
  /** Bounds replacing `config.suggestedBounds`. */
  readonly parBounds?: readonly BoundInput[] | undefined;
  /** Optimiser settings. */
  readonly optimiser?: MinimizeOptions | undefined;
  /**
   * Ask the backend's fit hook ({@link BackendBase.bestFit}) first (default false: the generic
   * optimiser only, e.g. to check a hook against it).
   */
  readonly backendFit?: boolean | undefined;
  /** Free fits through the hook: allow μ < 0 (default: whether `config`'s μ bound is negative). */
  readonly allowNegativeSignal?: boolean | undefined;
  /** Which data, for messages (e.g. "the Asimov data"; default from `data` and `expected`). */
  readonly dataLabel?: string | undefined;
}

/** One maximum-likelihood fit (spey's `spey.optimizer.core.fit`, without spey's hidden state). */
export interface FitRequest extends FitterSetup {
  /** Parameters held fixed (index → value). `suggestedFixed` parameters are added. */
  readonly fixed: ReadonlyMap<number, number>;
  /** Start point (default `config.suggestedInit`). */
  readonly initPars?: NumericArray | undefined;
}

/** The outcome of a fit: NLL at the optimum, the parameters, and whether it converged (and why not). */
export interface FitOutcome {
  readonly nll: number;
  readonly parameters: Float64Array;
  readonly converged: boolean;
  readonly message?: string | undefined;
  /** The run already searched the whole feasible set (no other start can do better). */
  readonly global?: boolean | undefined;
}

/** Repeated fits of one likelihood (e.g. a profile at many μ): the likelihood functions are built once. */
export interface Fitter {
  /**
   * The best fit from `initPars` and the cold starts (the backend's nominal point, the suggested
   * point). With `coldStarts: "if-needed"` the cold starts run only when the fit from `initPars`
   * did not converge (a profile's warm continuation whose basin was already searched by cold
   * starts nearby: see `StatisticalModel`'s profile continuation).
   */
  fit(
    fixed: ReadonlyMap<number, number>,
    initPars?: NumericArray,
    options?: { readonly coldStarts?: "always" | "if-needed" },
  ): FitOutcome;
}

function boundsOf(setup: FitterSetup, n: number): { lower: Float64Array; upper: Float64Array } {
  const lower = zeros(n).fill(Number.NEGATIVE_INFINITY);
  const upper = zeros(n).fill(Number.POSITIVE_INFINITY);
  const source = setup.parBounds ?? setup.config.suggestedBounds;
  if (source.length !== n) {
    throw new InvalidInput(`parBounds has ${source.length} entries but the model has ${n} parameters.`);
  }
  for (let i = 0; i < n; i++) {
    const b = source[i];
    if (b) {
      lower[i] = b[0] ?? Number.NEGATIVE_INFINITY;
      upper[i] = b[1] ?? Number.POSITIVE_INFINITY;
    }
  }
  const domain = setup.backend.domainBounds?.();
  if (domain) {
    for (let i = 0; i < n; i++) {
      const d = domain[i];
      if (!d) continue;
      lower[i] = max(lower[i] as number, d[0]);
      upper[i] = min(upper[i] as number, d[1]);
      if ((lower[i] as number) > (upper[i] as number)) {
        // The user's bounds exclude the backend's domain entirely: keep the domain.
        lower[i] = d[0];
        upper[i] = d[1];
      }
    }
  }
  return { lower, upper };
}

/**
 * A fitter minimising −log L over the free parameters, through the backend's fit hook
 * ({@link BackendBase.bestFit}) when it covers the request, the generic optimiser otherwise. Fixed parameters are removed from the
 * optimisation, so a fixed μ outside the POI bounds is simply evaluated there (spey's optimiser on infeasible conditional fits made
 * well-defined). The backend's likelihood, gradient and Hessian functions are created once.
 */
export function createFitter(setup: FitterSetup): Fitter {
  const { backend, config } = setup;
  const n = config.npar;
  const options = { expected: setup.expected, ...(setup.data ? { data: setup.data } : {}) };
  const logpdf = backend.getLogpdfFunc(options);
  let prepared:
    | {
        lower: Float64Array;
        upper: Float64Array;
        objective: ReturnType<NonNullable<BackendBase["getObjectiveFunction"]>> | undefined;
        hessian: ((x: Float64Array) => Float64Array) | undefined;
      }
    | undefined;
  const prepare = () => {
    if (prepared) return prepared;
    const { lower, upper } = boundsOf(setup, n);
    const objective = backend.getObjectiveFunction?.(options);
    const hessianLogpdf = backend.getHessianLogpdfFunc?.(options);
    // −H in one buffer for every Newton step (the optimiser reads it within the step only), made
    // at the first (a fit that never asks for the Hessian allocates no n² buffer; not the array
    // the first call returns: a HessianFunction may return an array of its own, which it keeps)
    let buffer: Float64Array | undefined;
    const hessian = hessianLogpdf
      ? (x: Float64Array) => {
          const h = hessianLogpdf(x, buffer);
          buffer ??= zeros(h.length);
          for (let i = 0; i < h.length; i++) buffer[i] = -(h[i] as number);
          return buffer;
        }
      : undefined;
    prepared = { lower, upper, objective, hessian };
    return prepared;
  };
  const hook = setup.backendFit ? backend.bestFit?.bind(backend) : undefined;
  const allowNegativeSignal =
    setup.allowNegativeSignal ?? ((config.suggestedBounds[config.poiIndex]?.[0] ?? 0) as number) < 0;
  /** One run from one start: the backend's hook, or the generic optimiser. */
  const run = (fixed: ReadonlyMap<number, number>, initPars: ArrayLike<number>): FitOutcome => {
    reportActivity("fit");
    // The backend's own fit first (one hook: closed-form profiles, its own Newton iteration),
    // unless the caller replaced the bounds and the hook does not take them; `undefined` means
    // "not covered": fit generically.
    if (hook && (setup.parBounds === undefined || backend.bestFitTakesBounds === true)) {
      const own = hook({
        fixed,
        allowNegativeSignal,
        expected: setup.expected,
        ...(setup.data ? { data: setup.data } : {}),
        initPars: copyOf(initPars),
        ...(setup.optimiser ? { optimiser: setup.optimiser } : {}),
        ...(setup.parBounds !== undefined ? { bounds: { lower: prepare().lower, upper: prepare().upper } } : {}),
      });
      if (own) {
        return {
          nll: own.nll,
          parameters: own.parameters,
          converged: own.converged ?? true,
          message: own.message,
          global: own.global,
        };
      }
    }
    const x0 = zeros(n);
    if (initPars.length !== n)
      throw new InvalidInput(`initPars has ${initPars.length} entries but the model has ${n} parameters.`);
    for (let i = 0; i < n; i++) x0[i] = initPars[i] as number;
    const fixedMask = new Array<boolean>(n).fill(false);
    for (const [idx, value] of fixed) {
      if (idx < 0 || idx >= n) throw new InvalidInput(`fixed parameter index ${idx} is outside [0, ${n}).`);
      if (!isFiniteNumber(value))
        throw new InvalidInput(`the fixed value of parameter ${idx} must be finite; got ${value}.`);
      x0[idx] = value;
      fixedMask[idx] = true;
    }
    const suggestedFixed = config.suggestedFixed;
    if (suggestedFixed) for (let i = 0; i < n; i++) fixedMask[i] ||= suggestedFixed[i] as boolean;
    // Nothing to fit: the value is exact (no other start can change it).
    if (fixedMask.every(Boolean)) return { nll: -logpdf(x0), parameters: x0, converged: true, global: true };
    const { lower, upper, objective, hessian } = prepare();
    const result = minimize(
      {
        objective: objective ?? ((x: Float64Array) => -logpdf(x)),
        gradient: objective ? "analytic" : "finite-difference",
        hessian,
        x0,
        lower,
        upper,
        fixed: fixedMask,
      },
      // (null from JavaScript callers: the defaults, as the hook request's spread gives them)
      setup.optimiser ?? undefined,
    );
    return {
      nll: -logpdf(result.x),
      parameters: result.x,
      converged: result.converged,
      message: result.message,
    };
  };
  return {
    fit(fixed, initPars, options) {
      // Several starts (fit/multistart.ts): the caller's (e.g. the nearest earlier fit of a
      // profile), the backend's nominal point, the suggested point; a hook that searched the whole
      // feasible set ends the search. No converged start: ConvergenceError naming the fit
      // (fit/convergence.ts), or with `optimiser.allowUnconverged` a warning.
      const first = initPars ?? config.suggestedInit;
      const onlyIfNeeded = options?.coldStarts === "if-needed" && initPars !== undefined;
      const starts = [first, () => backend.nominalParameters?.(), config.suggestedInit];
      const best = bestOfStarts(starts, (start) => run(fixed, start), onlyIfNeeded ? 1 : 0);
      return acceptFit(best, () => describeFit(setup, fixed), setup.optimiser);
    },
  };
}

/** "the conditional fit at μ = 1.5 on the observed data" (or "the free fit (μ̂ ≥ 0) on …"): for messages. */
function describeFit(setup: FitterSetup, fixed: ReadonlyMap<number, number>): string {
  const config = setup.config;
  const names = config.parameterNames;
  const parts: string[] = [];
  for (const [i, v] of fixed) parts.push(`${i === config.poiIndex ? "μ" : (names?.[i] ?? `parameter ${i}`)} = ${v}`);
  const data =
    setup.dataLabel ??
    (setup.data !== undefined
      ? "the given data"
      : setup.expected === "apriori"
        ? "the pre-fit expected (background-only) data"
        : "the observed data");
  if (fixed.has(config.poiIndex)) return `the conditional fit at ${parts.join(", ")} on ${data}`;
  const lowerMu = config.suggestedBounds[config.poiIndex]?.[0] ?? Number.NEGATIVE_INFINITY;
  const sign = lowerMu === 0 ? " (μ̂ ≥ 0)" : "";
  return `the free fit${sign}${parts.length > 0 ? ` at ${parts.join(", ")}` : ""} on ${data}`;
}

/** One fit: {@link createFitter} then `fit`. */
export function fitModel(request: FitRequest): FitOutcome {
  return createFitter(request).fit(request.fixed, request.initPars);
}
