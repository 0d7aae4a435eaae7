import type { NumericArray } from "../plugin/types.js";
import { InvalidInput } from "../core/errors.js";
import type { ExpectationType } from "../core/expectation.js";
import { describeValue, isArrayLike, isFiniteNumber, abs, max, min } from "../core/describe.js";
import { zeros, copyOf } from "../core/arrays.js";

/**
 * Convert a user array to a Float64Array, checking that every entry is finite (and ≥ 0 unless
 * negative values are allowed). Messages name the argument and the offending index.
 */
export function toFiniteVector(
  values: unknown,
  argument: string,
  options: { allowNegative?: boolean; length?: number; lengthArgument?: string } = {},
): Float64Array {
  if (!isArrayLike(values)) {
    throw new InvalidInput(`${argument} must be an array of numbers; got ${describeValue(values)}.`);
  }
  const array = values as ArrayLike<unknown>;
  const out = zeros(array.length);
  for (let i = 0; i < array.length; i++) {
    const v = array[i] as number;
    if (!isFiniteNumber(v)) {
      throw new InvalidInput(`${argument}[${i}] must be a finite number; got ${describeValue(v)}.`);
    }
    if (!options.allowNegative && v < 0) {
      throw new InvalidInput(`${argument}[${i}] = ${v} is negative; yields and uncertainties must be ≥ 0.`);
    }
    out[i] = v;
  }
  if (options.length !== undefined && out.length !== options.length) {
    throw new InvalidInput(
      `${argument} has ${out.length} entries but ${options.lengthArgument ?? "data"} has ${options.length}; they must have the same length.`,
    );
  }
  if (out.length === 0) throw new InvalidInput(`${argument} must not be empty.`);
  return out;
}

/** `values` itself, after checking that every entry is finite (the message names `argument[i]`). */
export function finiteEntries(values: Float64Array, argument: string): Float64Array {
  for (let i = 0; i < values.length; i++) {
    if (!isFiniteNumber(values[i])) throw new InvalidInput(`${argument}[${i}] must be finite; got ${values[i]}.`);
  }
  return values;
}

/** Read a square matrix given as nested arrays into a row-major Float64Array of size n×n. */
export function toFiniteMatrix(values: unknown, argument: string, n: number): Float64Array {
  if (!isArrayLike(values)) {
    throw new InvalidInput(`${argument} must be an ${n}×${n} matrix (array of rows); got ${describeValue(values)}.`);
  }
  const rows = values as ArrayLike<unknown>;
  if (rows.length !== n) {
    throw new InvalidInput(`${argument} has ${rows.length} rows; expected ${n} (one per bin).`);
  }
  const out = zeros(n * n);
  for (let i = 0; i < n; i++) {
    const row = rows[i] as ArrayLike<unknown> | undefined;
    if (!isArrayLike(row)) {
      throw new InvalidInput(`${argument}[${i}] must be a row of ${n} numbers; got ${describeValue(row)}.`);
    }
    if (row.length !== n) {
      throw new InvalidInput(`${argument} is not square: row ${i} has ${row.length} entries; expected ${n}.`);
    }
    for (let j = 0; j < n; j++) {
      const v = row[j] as number;
      if (!isFiniteNumber(v)) {
        throw new InvalidInput(`${argument}[${i}][${j}] must be a finite number; got ${describeValue(v)}.`);
      }
      out[i * n + j] = v;
    }
  }
  return out;
}

/**
 * μ's lowest value keeping every bin's expectation non-negative: −min over bins with s > 0 of
 * b/s (spey's `DefaultPDFBase`); −Infinity when no bin has positive signal.
 */
export function minimumPoi(signal: Float64Array, background: Float64Array): number {
  let ratio = Number.POSITIVE_INFINITY;
  for (let i = 0; i < signal.length; i++) {
    const s = signal[i] as number;
    if (s > 0) ratio = min(ratio, (background[i] as number) / s);
  }
  return isFiniteNumber(ratio) ? -ratio : Number.NEGATIVE_INFINITY;
}

/**
 * The data a likelihood uses (spey's `exclusion_confidence_level`, spey after PR #67): explicit `data` wins; otherwise the
 * background for "apriori" and the observations else. `data` may be the main counts only (the
 * nominal auxiliary data are used) or followed by exactly `nAux` auxiliary values.
 */
export function selectData(
  options: { expected?: ExpectationType | undefined; data?: NumericArray | undefined } | undefined,
  observed: Float64Array,
  background: Float64Array,
  nAux: number,
): { main: Float64Array; aux: Float64Array | undefined } {
  const data = options?.data;
  if (data === undefined) {
    return { main: options?.expected === "apriori" ? background : observed, aux: undefined };
  }
  const n = observed.length;
  if (data.length !== n && data.length !== n + nAux) {
    throw new InvalidInput(
      nAux > 0
        ? `data has ${data.length} entries; expected ${n} (main counts) or ${n + nAux} (main counts followed by ${nAux} auxiliary values).`
        : `data has ${data.length} entries; expected ${n}.`,
    );
  }
  const all = finiteEntries(data instanceof Float64Array ? data : copyOf(data), "data");
  // Main counts only (the usual case, e.g. every toy): the array itself, not a view of all of it
  // (the same buffer either way; a subarray per call was most of this function's cost).
  if (data.length === n) return { main: all, aux: undefined };
  return { main: all.subarray(0, n), aux: all.subarray(n) };
}

/**
 * Largest event count (data, background, background uncertainty per bin) of a Poisson
 * likelihood. log L = Σ [n ln λ − λ − ln Γ(n + 1)] sums terms of size n·ln n that cancel to O(1):
 * in double precision the cancellation error grows as 1e-16·n·ln n, and CLs computed at n = 10¹⁰
 * is off by 5e-6 relative (10¹² by 5e-3) against the exact single-bin formula. At n ≤ 10⁹ it is
 * within 5e-7. Counts this large are in the Gaussian regime, where `default.normal` and
 * `default.multivariate_normal` are exact.
 */
export const MAX_POISSON_COUNT = 1e9;

/**
 * Check that every entry of a Poisson model's counts (or count-scale uncertainties) is at most
 * {@link MAX_POISSON_COUNT}; the error names the argument, the bin and the alternative.
 */
export function checkPoissonScale(values: ArrayLike<number>, argument: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (abs(v) > MAX_POISSON_COUNT) {
      throw new InvalidInput(
        `${argument}[${i}] = ${v} is beyond ${MAX_POISSON_COUNT} events, where a Poisson likelihood loses the precision of its results in double arithmetic; counts this large are Gaussian: use default.normal or default.multivariate_normal.`,
      );
    }
  }
}

/** Largest magnitude of a Gaussian model's values: their squares (and Σ's products) stay finite. */
export const MAX_GAUSSIAN_VALUE = 1e150;

/**
 * Check a Gaussian model's scales: data, background and signal at most
 * {@link MAX_GAUSSIAN_VALUE} in magnitude, and every standard deviation σᵢ at least 1e-10 of the
 * bin's data and background (below that the residual n − μs − b, computed to 1e-16 of its terms,
 * is known to less than 1e-6 σ), and the signal within 1e100 σ (the squares of the residuals stay finite).
 */
export function checkGaussianScale(
  observed: Float64Array,
  background: Float64Array,
  sigma: ArrayLike<number>,
  sigmaArgument: string,
  signal?: ArrayLike<number>,
): void {
  const check = (values: ArrayLike<number>, argument: string) => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (abs(v) > MAX_GAUSSIAN_VALUE) {
        throw new InvalidInput(
          `${argument}[${i}] = ${v} is beyond ±${MAX_GAUSSIAN_VALUE}: its square overflows double precision; rescale the model (e.g. count in thousands).`,
        );
      }
    }
  };
  check(observed, "data");
  check(background, "backgroundYields");
  check(sigma, sigmaArgument);
  for (let i = 0; i < sigma.length; i++) {
    const s = sigma[i] as number;
    if (s < 1e-150) {
      throw new InvalidInput(
        `${sigmaArgument}: the uncertainty of bin ${i} (${s}) is below 1e-150: its square leaves double precision; rescale the model.`,
      );
    }
    if (signal && abs(signal[i] as number) > 1e100 * s) {
      throw new InvalidInput(
        `signalYields[${i}] = ${signal[i]} is more than 1e100 standard deviations (${sigmaArgument}: ${s}): the test statistic's squares leave double precision; check the uncertainty or rescale the signal.`,
      );
    }
  }
  for (let i = 0; i < sigma.length; i++) {
    const scale = max(abs(observed[i] as number), abs(background[i] as number));
    const s = sigma[i] as number;
    if (s < 1e-10 * scale) {
      throw new InvalidInput(
        `${sigmaArgument}: the uncertainty of bin ${i} (${s}) is below 1e-10 of its data or background (${scale}); double precision cannot resolve the residual n − μs − b at that scale. Subtract a common offset from data and background, or check the uncertainty.`,
      );
    }
  }
}

/**
 * Check that a fixed signal is not so large against the model's count scale (the largest of 1 and
 * every |data|, background and uncertainty) that μ would be fitted far below the fit's resolution:
 * the backends whose fits move μ with the generic optimiser lose digits in μ̂ (and so in limits)
 * beyond about `maxRatio` (measured: default.poisson with uncertainties 1e-4 relative at 1e7,
 * without 1e-8 at 1e12; default.multivariate_normal exact to 1e20, wrong at 1e50). The error names
 * the remedy: limits on μ scale inversely with the signal.
 */
export function checkSignalScale(
  signal: ArrayLike<number> | undefined,
  scales: readonly ArrayLike<number>[],
  maxRatio: number,
  backendName: string,
): void {
  if (!signal) return;
  let scale = 1;
  for (const values of scales) for (let i = 0; i < values.length; i++) scale = max(scale, abs(values[i] as number));
  for (let i = 0; i < signal.length; i++) {
    const s = signal[i] as number;
    if (abs(s) > maxRatio * scale) {
      throw new InvalidInput(
        `signalYields[${i}] = ${s} is more than ${maxRatio} times the model's count scale (${scale}): ${backendName} would fit μ below its resolution. Rescale the signal (limits on μ scale inversely: yields ×k give limits ×1/k).`,
      );
    }
  }
}
