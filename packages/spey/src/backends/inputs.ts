import type { NumericArray } from "../plugin/types.js";
import { InvalidInput } from "../core/errors.js";
import type { ExpectationType } from "../core/expectation.js";

/**
 * Convert a user array to a Float64Array, checking that every entry is finite (and ≥ 0 unless
 * negative values are allowed). Messages name the argument and the offending index.
 */
export function toFiniteVector(
  values: unknown,
  argument: string,
  options: { allowNegative?: boolean; length?: number; lengthArgument?: string } = {},
): Float64Array {
  if (
    values === null ||
    values === undefined ||
    typeof values === "string" ||
    typeof (values as { length?: unknown }).length !== "number"
  ) {
    throw new InvalidInput(`${argument} must be an array of numbers; got ${values === null ? "null" : typeof values}.`);
  }
  const array = values as ArrayLike<unknown>;
  const out = new Float64Array(array.length);
  for (let i = 0; i < array.length; i++) {
    const v = array[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new InvalidInput(`${argument}[${i}] must be a finite number; got ${JSON.stringify(v)}.`);
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

/** Read a square matrix given as nested arrays into a row-major Float64Array of size n×n. */
export function toFiniteMatrix(values: unknown, argument: string, n: number): Float64Array {
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) {
    throw new InvalidInput(`${argument} must be an ${n}×${n} matrix (array of rows).`);
  }
  const rows = values as ArrayLike<unknown>;
  if (rows.length !== n) {
    throw new InvalidInput(`${argument} has ${rows.length} rows; expected ${n} (one per bin).`);
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = rows[i] as ArrayLike<unknown> | undefined;
    if (!row || typeof row.length !== "number" || row.length !== n) {
      throw new InvalidInput(`${argument} is not square: row ${i} has ${row?.length ?? 0} entries; expected ${n}.`);
    }
    for (let j = 0; j < n; j++) {
      const v = row[j];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new InvalidInput(`${argument}[${i}][${j}] must be a finite number; got ${JSON.stringify(v)}.`);
      }
      out[i * n + j] = v;
    }
  }
  return out;
}

/**
 * μ's lowest value keeping every bin's expectation non-negative: −min over bins with s > 0 of
 * b/s (spec §14.1); −Infinity when no bin has positive signal.
 */
export function minimumPoi(signal: Float64Array, background: Float64Array): number {
  let ratio = Number.POSITIVE_INFINITY;
  for (let i = 0; i < signal.length; i++) {
    const s = signal[i] as number;
    if (s > 0) ratio = Math.min(ratio, (background[i] as number) / s);
  }
  return Number.isFinite(ratio) ? -ratio : Number.NEGATIVE_INFINITY;
}

/**
 * The data a likelihood uses (spec §8.3, addendum §1): explicit `data` wins; otherwise the
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
  const all = data instanceof Float64Array ? data : Float64Array.from(data);
  for (let i = 0; i < all.length; i++) {
    if (!Number.isFinite(all[i])) throw new InvalidInput(`data[${i}] must be finite; got ${all[i]}.`);
  }
  return { main: all.subarray(0, n), aux: data.length > n ? all.subarray(n) : undefined };
}
