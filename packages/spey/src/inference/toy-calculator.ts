import type { ParameterValues } from "../config/model-config.js";
import { InvalidInput, MethodNotAvailable } from "../core/errors.js";
import type { ExpectationType } from "../core/expectation.js";
import { Random, type RandomSource } from "../math/random.js";
import type { MinimizeOptions } from "../optimize/types.js";
import {
  computeToyConfidenceLevel,
  computeToyTailProbabilities,
  type TailProbabilities,
} from "./asymptotic-calculator.js";
import { getTestStatistic } from "./test-statistics.js";

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

/** The model surface the toy calculator needs. */
interface ToyModel {
  ntoys: number;
  likelihood(options: {
    poiTest: number | ParameterValues;
    expected: ExpectationType;
    data?: ArrayLike<number>;
    optimiser?: MinimizeOptions;
  }): number;
  maximizeLikelihood(options: {
    expected: ExpectationType;
    allowNegativeSignal: boolean;
    data?: ArrayLike<number>;
    fixedPoiValue?: ParameterValues;
    optimiser?: MinimizeOptions;
  }): [number, number];
}

interface SamplerModel extends ToyModel {
  fixedPoiSampler(options: {
    poiTest: number | ParameterValues;
    size: number;
    expected?: ExpectationType;
    rng?: RandomSource;
  }): Float64Array[];
}

/**
 * Toy-based CLs (spec §9.6): `ntoys` pseudo-experiments drawn at the conditional best fit for μ
 * (s+b) and for μ = 0 (b-only), each refitted to give the test statistic; p-values are the
 * fractions of toys at or above the observed value, expected values the background-toy
 * percentiles at 100·Φ(nσ). Returns `[[observed], [five expected]]` as the asymptotic calculator.
 */
export function toyConfidenceLevel(
  model: object,
  options: ToyOptions & {
    /** The tested μ. */
    mu: number;
    /** The `poiTest` of a likelihood call at μ (μ plus any other fixed parameters). */
    poiTestAt: (mu: number) => number | ParameterValues;
    /** Other parameters held fixed through every fit. */
    extra?: ParameterValues | undefined;
    expected: ExpectationType;
    testStatistics: "q" | "qtilde";
    optimiser?: MinimizeOptions | undefined;
    /** Receives CLs, CLs+b and CLb of the test (for `returnTailProbabilities`). */
    onTailProbabilities?: ((tails: { observed: TailProbabilities; expected: TailProbabilities }) => void) | undefined;
  },
): [number[], number[]] {
  const m = model as Partial<SamplerModel>;
  if (typeof m.fixedPoiSampler !== "function") {
    throw new MethodNotAvailable("This model cannot draw pseudo-experiments (no fixedPoiSampler).");
  }
  const toy = m as SamplerModel;
  const ntoys = options.ntoys ?? toy.ntoys;
  if (!Number.isInteger(ntoys) || ntoys < 1) throw new InvalidInput(`ntoys must be a positive integer; got ${ntoys}.`);
  const rng = new Random(options.seed ?? 0);
  const { expected, testStatistics } = options;
  const opt = options.optimiser ? { optimiser: options.optimiser } : {};
  const { mu, poiTestAt: atMu } = options;
  const fixedExtra = options.extra ? { fixedPoiValue: options.extra } : {};
  const stat = getTestStatistic(testStatistics);
  const allowNegativeSignal = testStatistics === "q";

  const statistic = (data: Float64Array | undefined): number => {
    const dataOpt = data ? { data } : {};
    const [muhat, nll] = toy.maximizeLikelihood({ expected, allowNegativeSignal, ...fixedExtra, ...dataOpt, ...opt });
    return stat(mu, muhat, -nll, (x) => -toy.likelihood({ poiTest: atMu(x), expected, ...dataOpt, ...opt }));
  };

  const signalSamples = toy.fixedPoiSampler({ poiTest: atMu(mu), size: ntoys, expected, rng });
  const backgroundSamples = toy.fixedPoiSampler({ poiTest: atMu(0), size: ntoys, expected, rng });
  const tsSignal = new Float64Array(ntoys);
  const tsBackground = new Float64Array(ntoys);
  for (let i = 0; i < ntoys; i++) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error("toy calculation aborted");
    tsSignal[i] = statistic(signalSamples[i]);
    tsBackground[i] = statistic(backgroundSamples[i]);
    options.onProgress?.(i + 1, ntoys);
  }
  const observed = statistic(undefined);
  options.onTailProbabilities?.(computeToyTailProbabilities(tsSignal, tsBackground, observed));
  return computeToyConfidenceLevel(tsSignal, tsBackground, observed, testStatistics);
}
