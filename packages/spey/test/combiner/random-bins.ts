/** Random skewed simplified-likelihood inputs and members for the combiner tests (global fit, convex certificates, scan pruning). */

import { getBackend } from "../../src/model/get-backend.js";
import type { StatisticalModel } from "../../src/model/statistical-model.js";

/** The yields, data and uncertainties of one random member model. */
export interface RandomBins {
  readonly s: number[];
  readonly b: number[];
  readonly d: number[];
  /** Absolute uncertainties of the backgrounds. */
  readonly sig: number[];
  /** Covariance: sig² on the diagonal, `correlation`·sigᵢsigⱼ off it. */
  readonly cov: number[][];
  /** Third moments up to 95% of the largest a valid skew-normal allows (strong skew). */
  readonly m3: number[];
}

/**
 * 1–`maxBins` bins with backgrounds 0.5–15.5 (skewed towards small ones), 35% of the bins without
 * events and the others within ±2√b of b, relative uncertainties 10–60%.
 */
export function randomBins(rand: () => number, maxBins: number, correlation: number): RandomBins {
  const n = 1 + Math.floor(rand() * maxBins);
  const b = Array.from({ length: n }, () => 0.5 + 15 * rand() ** 2);
  const s = Array.from({ length: n }, () => 0.2 + 6 * rand());
  const d = b.map((x) => (rand() < 0.35 ? 0 : Math.max(0, Math.round(x + 2 * Math.sqrt(x) * (2 * rand() - 1)))));
  const sig = b.map((x) => x * (0.1 + 0.5 * rand()) + 0.2);
  const cov = sig.map((x, i) => sig.map((y, j) => (i === j ? x * x : correlation * x * y)));
  const m3 = sig.map((x) => (2 * rand() - 1) * 0.95 * Math.sqrt(8 * x ** 6));
  return { s, b, d, sig, cov, m3 };
}

/** Which simplified likelihood `randomMember` builds from the drawn bins. */
export type MemberKind = "moment" | "sigma" | "convex";

/** Shape of the draws of `randomMember`. */
export interface MemberOptions {
  /** Largest number of bins (`randomBins`'s `maxBins`). */
  readonly maxBins: number;
  /** Correlation of the backgrounds (`randomBins`'s `correlation`). */
  readonly correlation: number;
  /** Effective σ only: the upper and lower envelopes as multiples of the background uncertainty. */
  readonly envelope?: readonly [number, number];
}

/**
 * A random valid member: a third-moment model (non-convex profile when the bins are correlated), an
 * effective-σ model (non-convex), or an uncorrelated-background model (certified convex). Draws
 * `randomBins` again until the backend accepts the inputs (ρ′ not positive definite, no real
 * skew-normal for the third moment).
 */
export function randomMember(
  rand: () => number,
  kind: MemberKind,
  analysis: string,
  { maxBins, correlation, envelope = [1.5, 0.5] }: MemberOptions,
): StatisticalModel {
  for (;;) {
    const { s, b, d, sig, cov, m3 } = randomBins(rand, maxBins, correlation);
    try {
      if (kind === "moment") {
        return getBackend("default.third_moment_expansion")({
          signalYields: s,
          backgroundYields: b,
          data: d,
          covarianceMatrix: cov,
          thirdMoment: m3,
          analysis,
        });
      }
      if (kind === "sigma") {
        return getBackend("default.effective_sigma")({
          signalYields: s,
          backgroundYields: b,
          data: d,
          correlationMatrix: cov.map((r, i) => r.map((v, j) => v / (sig[i] as number) / (sig[j] as number))),
          absoluteUncertaintyEnvelops: sig.map((x) => [x * envelope[0], x * envelope[1]]),
          analysis,
        });
      }
      return getBackend("default.uncorrelated_background")({
        signalYields: s,
        backgroundYields: b,
        data: d,
        absoluteUncertainties: sig,
        analysis,
      });
    } catch {
      // an invalid draw: draw again
    }
  }
}
