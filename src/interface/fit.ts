import type { BackendBase } from "../backends/backend-base.js";
import type { NumericArray } from "../backends/types.js";
import type { BoundInput, ModelConfig } from "../config/model-config.js";
import { InvalidInput } from "../errors.js";
import type { ExpectationType } from "../expectation.js";
import { log } from "../logger.js";
import { minimize } from "../optimize/minimize.js";
import type { MinimizeOptions } from "../optimize/types.js";

/** One maximum-likelihood fit of a backend (spec §12.1, without spey's hidden state). */
export interface FitRequest {
  readonly backend: BackendBase;
  readonly config: ModelConfig;
  readonly expected: ExpectationType;
  /** Explicit data (main counts, optionally followed by auxiliary data). */
  readonly data?: Float64Array | undefined;
  /** Parameters held fixed (index → value). `suggestedFixed` parameters are added. */
  readonly fixed: ReadonlyMap<number, number>;
  /** Start point (default `config.suggestedInit`). */
  readonly initPars?: NumericArray | undefined;
  /** Bounds replacing `config.suggestedBounds`. */
  readonly parBounds?: readonly BoundInput[] | undefined;
  /** Optimiser settings. */
  readonly optimiser?: MinimizeOptions | undefined;
}

/** The outcome of a fit: NLL at the optimum, the parameters, and whether it converged. */
export interface FitOutcome {
  readonly nll: number;
  readonly parameters: Float64Array;
  readonly converged: boolean;
}

function boundsOf(request: FitRequest, n: number): { lower: Float64Array; upper: Float64Array } {
  const lower = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const upper = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const source = request.parBounds ?? request.config.suggestedBounds;
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
  const domain = request.backend.domainBounds?.();
  if (domain) {
    for (let i = 0; i < n; i++) {
      const d = domain[i];
      if (!d) continue;
      lower[i] = Math.max(lower[i] as number, d[0]);
      upper[i] = Math.min(upper[i] as number, d[1]);
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
 * Minimise −log L over the free parameters. Fixed parameters are removed from the optimisation,
 * so a fixed μ outside the POI bounds is simply evaluated there (spec §12.5 made well-defined).
 */
export function fitModel(request: FitRequest): FitOutcome {
  const { backend, config } = request;
  const n = config.npar;
  const x0 = new Float64Array(n);
  const init = request.initPars ?? config.suggestedInit;
  if (init.length !== n)
    throw new InvalidInput(`initPars has ${init.length} entries but the model has ${n} parameters.`);
  for (let i = 0; i < n; i++) x0[i] = init[i] as number;
  const fixedMask = new Array<boolean>(n).fill(false);
  for (const [idx, value] of request.fixed) {
    if (idx < 0 || idx >= n) throw new InvalidInput(`fixed parameter index ${idx} is outside [0, ${n}).`);
    if (!Number.isFinite(value))
      throw new InvalidInput(`the fixed value of parameter ${idx} must be finite; got ${value}.`);
    x0[idx] = value;
    fixedMask[idx] = true;
  }
  if (config.suggestedFixed) config.suggestedFixed.forEach((f, i) => (fixedMask[i] ||= f));

  const options = { expected: request.expected, ...(request.data ? { data: request.data } : {}) };
  const logpdf = backend.getLogpdfFunc(options);
  if (fixedMask.every(Boolean)) {
    return { nll: -logpdf(x0), parameters: x0, converged: true };
  }
  const { lower, upper } = boundsOf(request, n);
  const objective = backend.getObjectiveFunction?.(options);
  const hessianLogpdf = backend.getHessianLogpdfFunc?.(options);
  const result = minimize(
    {
      objective: objective ?? ((x: Float64Array) => -logpdf(x)),
      gradient: objective ? "analytic" : "finite-difference",
      ...(hessianLogpdf
        ? {
            hessian: (x: Float64Array) => {
              const h = hessianLogpdf(x);
              const out = new Float64Array(h.length);
              for (let i = 0; i < h.length; i++) out[i] = -(h[i] as number);
              return out;
            },
          }
        : {}),
      x0,
      lower,
      upper,
      fixed: fixedMask,
    },
    request.optimiser,
  );
  if (!result.converged) {
    log.warning(`Optimiser has not been able to satisfy all the conditions: ${result.message}`);
  }
  return { nll: -logpdf(result.x), parameters: result.x, converged: result.converged };
}
