/**
 * Deterministic multi-start: a fit is run from each of a few start points — the nearest earlier
 * fit of the same profile, the caller's start, the model's suggested point — and the lowest NLL
 * among the converged runs wins. A likelihood that is not convex in its nuisances (HistFactory with
 * code-4 interpolation far from nominal, plug-ins) can have several local minima; one start finds
 * one of them.
 */
import { sameEntries } from "../core/arrays.js";
import { InvalidInput } from "../core/errors.js";
import { isNaNNumber } from "../core/describe.js";

/** One run's outcome. `global`: the run already searched the whole feasible set (no other start needed). */
export interface FitCandidate {
  readonly nll: number;
  readonly parameters: Float64Array;
  readonly converged: boolean;
  readonly message?: string | undefined;
  readonly global?: boolean | undefined;
}

/** Whether `candidate` is better than `best`: converged beats not converged, then the lower NLL. */
function better(candidate: FitCandidate, best: FitCandidate | undefined): boolean {
  if (best === undefined) return true;
  if (candidate.converged !== best.converged) return candidate.converged;
  return candidate.nll < best.nll || (isNaNNumber(best.nll) && !isNaNNumber(candidate.nll));
}

/** A start point, or a function computing it when it is needed (undefined: no such start). */
export type StartPoint = ArrayLike<number> | undefined | (() => ArrayLike<number> | undefined);

/**
 * Runs `attempt` from each distinct start in order and returns the best run. A converged run
 * marked `global` ends the search (later starts are not even computed), and so does a converged
 * run among the first `enough` starts (default 0: every start runs). Errors propagate.
 */
export function bestOfStarts(
  starts: readonly StartPoint[],
  attempt: (start: ArrayLike<number>) => FitCandidate,
  enough = 0,
): FitCandidate {
  const tried: ArrayLike<number>[] = [];
  let best: FitCandidate | undefined;
  for (const point of starts) {
    const start = typeof point === "function" ? point() : point;
    if (start === undefined || tried.some((t) => sameEntries(t, start))) continue;
    tried.push(start);
    const candidate = attempt(start);
    if (better(candidate, best)) best = candidate;
    if (candidate.converged && (candidate.global || tried.length <= enough)) break;
  }
  if (best === undefined) throw new InvalidInput("a fit needs at least one start point");
  return best;
}
