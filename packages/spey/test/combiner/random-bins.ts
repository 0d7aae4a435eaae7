/** Random skewed simplified-likelihood inputs for the combiner tests (global fit, convex certificates). */

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
