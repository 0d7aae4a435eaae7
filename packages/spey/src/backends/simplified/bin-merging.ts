import { InvalidInput } from "../../core/errors.js";
import { toFiniteMatrix, toFiniteVector } from "../inputs.js";
import { SignalModifiers } from "./modifiers.js";
import { zeros, copyOf } from "../../core/arrays.js";
import { isArray, isInteger } from "../../core/describe.js";

export interface MergeCorrelatedBinsArgs {
  readonly backgroundYields: ArrayLike<number>;
  readonly data: ArrayLike<number>;
  readonly covarianceMatrix: ArrayLike<ArrayLike<number>>;
  /** Groups of bin indices to merge; every bin not listed stays on its own (spey's order). */
  readonly mergeGroups: readonly (readonly number[])[];
  readonly signalYields?: ArrayLike<number>;
  /** Also return the full list of groups (merged groups, then singletons). */
  readonly returnGroupIndices?: boolean;
}

export interface MergedBins {
  backgroundYields: number[];
  data: number[];
  covarianceMatrix: number[][];
  signalYields?: number[];
  groupIndices?: number[][];
}

/**
 * Merge correlated bins (spey's `spey.helper_functions` `merge_correlated_bins`): yields, data and signal are summed
 * over each group and Σ'_IJ = Σ_{i∈I, j∈J} Σ_ij. Groups are `mergeGroups` followed by every
 * unmerged bin as a singleton, ascending. Unlike spey, overlapping or out-of-range groups are an
 * `InvalidInput` (spey's overlap check never fired, README, Differences from spey).
 */
export function mergeCorrelatedBins(args: MergeCorrelatedBinsArgs): MergedBins {
  const data = toFiniteVector(args.data, "data", { allowNegative: true });
  const n = data.length;
  const background = toFiniteVector(args.backgroundYields, "backgroundYields", { length: n, allowNegative: true });
  const cov = toFiniteMatrix(args.covarianceMatrix, "covarianceMatrix", n);
  const signal =
    args.signalYields === undefined
      ? undefined
      : toFiniteVector(args.signalYields, "signalYields", { length: n, allowNegative: true });
  const seen = new Set<number>();
  const groups: number[][] = [];
  for (const [g, group] of (args.mergeGroups ?? []).entries()) {
    if (!isArray(group) || group.length === 0)
      throw new InvalidInput(`mergeGroups[${g}] must be a non-empty array of bin indices.`);
    for (const i of group) {
      if (!isInteger(i) || i < 0 || i >= n)
        throw new InvalidInput(`mergeGroups[${g}] has bin ${i}, outside [0, ${n}).`);
      if (seen.has(i)) throw new InvalidInput(`Overlapping indices in mergeGroups: bin ${i} appears twice.`);
      seen.add(i);
    }
    groups.push([...group]);
  }
  for (let i = 0; i < n; i++) if (!seen.has(i)) groups.push([i]);
  const sum = (v: Float64Array, g: number[]) => g.reduce((s, i) => s + (v[i] as number), 0);
  const out: MergedBins = {
    backgroundYields: groups.map((g) => sum(background, g)),
    data: groups.map((g) => sum(data, g)),
    covarianceMatrix: groups.map((gi) =>
      groups.map((gj) => gi.reduce((s, i) => s + gj.reduce((t, j) => t + (cov[i * n + j] as number), 0), 0)),
    ),
  };
  if (signal) out.signalYields = groups.map((g) => sum(signal, g));
  if (args.returnGroupIndices) out.groupIndices = groups;
  return out;
}

/** What {@link signalUncertaintySynthesizer} returns. */
export interface SynthesizedUncertainties {
  /** Number of modifier nuisances. */
  readonly nParameters: number;
  /** Their names (`theta_sig_<name>` or `theta_sig_<name>_<i>`). */
  readonly parameterNames: readonly string[];
  /** Index of the first modifier nuisance in the full parameter vector. */
  readonly domainStart: number;
  /** The per-bin signal factors fᵢ(α) for a full parameter vector. */
  lambda(pars: ArrayLike<number>): number[];
}

/**
 * spey's `signal_uncertainty_synthesizer` (spey's `default_pdf.uncertainty_synthesizer`): parse modifiers for the given signal and
 * return the factor function fᵢ = exp(Σₖ αₖ Lᵢₖ) of a full parameter vector, whose modifier
 * nuisances start at `domainStart` (default 1 + nSignalParameters + number of bins).
 */
export function signalUncertaintySynthesizer(args: {
  readonly signalYields: ArrayLike<number>;
  readonly modifiers: unknown;
  readonly nSignalParameters?: number;
  readonly domainStart?: number;
}): SynthesizedUncertainties {
  const signal = toFiniteVector(args.signalYields, "signalYields", { allowNegative: true });
  const parsed = SignalModifiers.from(args.modifiers, signal);
  const domainStart = args.domainStart ?? 1 + (args.nSignalParameters ?? 0) + signal.length;
  return {
    nParameters: parsed?.nParameters ?? 0,
    parameterNames: parsed?.names ?? [],
    domainStart,
    lambda(pars) {
      const out = zeros(signal.length).fill(1);
      if (parsed) parsed.factors(copyOf(pars), domainStart, out);
      return Array.from(out);
    },
  };
}
