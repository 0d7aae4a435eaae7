import { ComputationError, InvalidInput, MethodNotAvailable } from "../core/errors.js";
import { Random, type RandomSource } from "../math/random.js";
import {
  computeToyConfidenceLevel,
  computeToyTailProbabilities,
  type TailProbabilities,
} from "./asymptotic-calculator.js";
import type { FitSettings, ProfileLikelihood } from "./profile-likelihood.js";
import type { TestStatistic } from "./test-statistics.js";
import { findUpperLimitsByBracketing } from "./upper-limit.js";
import { zeros } from "../core/arrays.js";
import { isInteger, freeze } from "../core/describe.js";

/** Options of the toy calculator. */
export interface ToyOptions {
  /** Number of pseudo-experiments per hypothesis (default: the model's `ntoys`). */
  readonly ntoys?: number;
  /** Seed of the pseudo-random stream (default 0): same seed, same answer, in Node and browsers. */
  readonly seed?: number;
  /** Called after each pair of toys with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Cancels the computation; the promise-free API throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Toy-based CLs (spey's toy calculator): `ntoys` pseudo-experiments drawn at the conditional best fit for μ
 * (s+b) and for μ = 0 (b-only), each refitted to give the test statistic; p-values are the
 * fractions of toys at or above the observed value, expected values the background-toy
 * percentiles at 100·Φ(nσ). Returns `[[observed], [five expected]]` as the asymptotic calculator.
 */
export function toyConfidenceLevel(
  likelihood: ProfileLikelihood,
  options: ToyOptions &
    FitSettings & {
      /** The tested μ. */
      mu: number;
      /** q̃μ or qμ. */
      statistic: TestStatistic;
      /** Receives CLs, CLs+b and CLb of the test (for `returnTailProbabilities`). */
      onTailProbabilities?: ((tails: { observed: TailProbabilities; expected: TailProbabilities }) => void) | undefined;
    },
): [number[], number[]] {
  const sample = likelihood.sample?.bind(likelihood);
  if (typeof sample !== "function") {
    throw new MethodNotAvailable("This model cannot draw pseudo-experiments (no sampler).");
  }
  const ntoys = options.ntoys ?? likelihood.ntoys;
  if (!isInteger(ntoys) || ntoys < 1) throw new InvalidInput(`ntoys must be a positive integer; got ${ntoys}.`);
  const rng = new Random(options.seed ?? 0);
  const { mu, statistic } = options;
  const settings = { expected: options.expected, extra: options.extra, optimiser: options.optimiser };

  const evaluate = (data: Float64Array | undefined): number => {
    const onData = { ...settings, data };
    const { muhat, nll } = likelihood.maximize({ ...onData, allowNegativeSignal: statistic.muhatMayBeNegative });
    return statistic.evaluate(mu, muhat, -nll, (x) => -likelihood.nll(x, onData));
  };

  const signalSamples = sample(mu, { ...settings, size: ntoys, rng });
  const backgroundSamples = sample(0, { ...settings, size: ntoys, rng });
  const tsSignal = zeros(ntoys);
  const tsBackground = zeros(ntoys);
  for (let i = 0; i < ntoys; i++) {
    if (options.signal?.aborted) {
      throw options.signal.reason ?? new ComputationError("toy calculation aborted by its AbortSignal");
    }
    tsSignal[i] = evaluate(signalSamples[i]);
    tsBackground[i] = evaluate(backgroundSamples[i]);
    options.onProgress?.(i + 1, ntoys);
  }
  const observed = evaluate(undefined);
  options.onTailProbabilities?.(computeToyTailProbabilities(tsSignal, tsBackground, observed));
  return computeToyConfidenceLevel(tsSignal, tsBackground, observed, statistic);
}

/**
 * The toy calculator as a value: CLs from pseudo-experiments and the upper-limit search that goes
 * with it (bracketing and TOMS748: toy CLs is a step function of the seed's draws, so the
 * asymptotic search, which extrapolates on √q_{μ,A}, does not apply), and their random generator. `StatisticalModel` hands it
 * to `HypothesisTests`; `LeanStatisticalModel` does not, so that bundles of it leave both out.
 */
export interface ToyCalculator {
  readonly confidenceLevel: typeof toyConfidenceLevel;
  readonly upperLimits: typeof findUpperLimitsByBracketing;
  /** The pseudo-random generator of the toys, also `fixedPoiSampler`'s default (same seed, same stream). */
  readonly generator: (seed: number) => RandomSource;
}

/** The toy calculator of `StatisticalModel`. */
export const TOY_CALCULATOR: ToyCalculator = freeze({
  confidenceLevel: toyConfidenceLevel,
  upperLimits: findUpperLimitsByBracketing,
  generator: (seed: number) => new Random(seed),
});
