/**
 * The rule for fits that did not converge: such a point is never reported as an optimum. The
 * caller gets a {@link ConvergenceError} naming the fit, unless it opted in with
 * `optimiser.allowUnconverged` — then the point is used and a warning names the fit.
 */
import { ConvergenceError } from "../core/errors.js";
import { logWarning } from "../core/logger.js";
import type { MinimizeOptions } from "../optimize/types.js";

/** What a fit reports about its convergence. */
export interface ConvergenceReport {
  readonly converged: boolean;
  /** Why not, when not converged. */
  readonly message?: string | undefined;
}

/**
 * Returns `outcome` when it converged. Otherwise throws {@link ConvergenceError} with a message
 * naming the fit (`what`, e.g. "the conditional fit at μ = 1.5 on the Asimov data", or a function
 * building that text only when it is needed), or, when
 * `options.allowUnconverged` is true, logs that message as a warning and returns `outcome`.
 */
export function acceptFit<T extends ConvergenceReport>(
  outcome: T,
  what: string | (() => string),
  options?: MinimizeOptions,
): T {
  if (outcome.converged) return outcome;
  if (typeof what === "function") what = what();
  const reason = outcome.message ? `: ${outcome.message}` : "";
  if (options?.allowUnconverged === true) {
    logWarning(
      `Optimiser has not been able to satisfy all the conditions in ${what}${reason} (allowUnconverged: the point is used).`,
    );
    return outcome;
  }
  throw new ConvergenceError(
    `${what} did not converge from any start${reason}. Pass optimiser settings (e.g. {maxIterations: 5000}), or {allowUnconverged: true} to use the point anyway.`,
  );
}
