/**
 * The one naming scheme of iteration bounds and tolerances, used by every options type of the
 * library (issue #10):
 * - `maxIterations` — the bound on iterations (or on function evaluations, where the method counts
 *   those); a method that reaches it reports non-convergence;
 * - `absoluteTolerance` / `relativeTolerance` — the accuracy of the solution x itself (a root, a
 *   minimiser's argument, a limit): converged once x is known to within
 *   absoluteTolerance + relativeTolerance·|x| (scipy's `xtol`/`xatol` and `rtol`);
 * - `<quantity>Tolerance` — a tolerance on any other quantity, named after it: `gradientTolerance`
 *   and `functionTolerance` of the minimiser, `stepTolerance` and `bracketTolerance` of the
 *   safeguarded Newton iteration, `asimovTeststatTolerance`, `gapTolerance`, ….
 * The scipy/spey spellings `xtol`, `rtol` and `maxiter`, which the public options of
 * `poiUpperLimit` and `chi2Test` used to have, are still accepted there as deprecated aliases.
 */
import { InvalidInput } from "./errors.js";

/** Accuracy and iteration bound of a solver, in the library's naming scheme (see the module comment). */
export interface SolverTolerances {
  /** Absolute tolerance on the solution x (scipy's `xtol`, `xatol`). */
  readonly absoluteTolerance?: number;
  /** Relative tolerance on the solution x: converged within absoluteTolerance + relativeTolerance·|x| (scipy's `rtol`). */
  readonly relativeTolerance?: number;
  /** Bound on the iterations (scipy's `maxiter`). */
  readonly maxIterations?: number;
}

/** The scipy/spey spellings of {@link SolverTolerances}, accepted where public options had them. */
export interface ScipyToleranceAliases {
  /** @deprecated Use `absoluteTolerance`. */
  readonly xtol?: number;
  /** @deprecated Use `relativeTolerance`. */
  readonly rtol?: number;
  /** @deprecated Use `maxIterations`. */
  readonly maxiter?: number;
}

const ALIASES = [
  ["absoluteTolerance", "xtol"],
  ["relativeTolerance", "rtol"],
  ["maxIterations", "maxiter"],
] as const;

/**
 * The tolerances of `options` with `defaults` filled in, each deprecated alias read as its name;
 * an alias given together with its name and another value is an {@link InvalidInput} naming both.
 */
export function resolveTolerances(
  options: SolverTolerances & ScipyToleranceAliases,
  defaults: Required<SolverTolerances>,
  where: string,
): Required<SolverTolerances> {
  const resolved = { ...defaults };
  for (const [name, alias] of ALIASES) {
    const value = options[name];
    const old = options[alias];
    if (value !== undefined && old !== undefined && !Object.is(value, old)) {
      throw new InvalidInput(
        `${where}: ${name} = ${value} and its deprecated alias ${alias} = ${old} disagree; pass ${name} only.`,
      );
    }
    const given = value ?? old;
    if (given !== undefined) resolved[name] = given;
  }
  return resolved;
}
