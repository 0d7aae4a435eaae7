/**
 * Reductions over arrays of any length. `Math.max(...values)` and `out.push(...values)` pass every
 * element as a function argument and overflow the call stack beyond roughly 10⁵ elements (a
 * 400-bin covariance has 160,000 entries); these loop instead.
 */

/** The largest entry (−Infinity for none; NaN entries are skipped). */
export function maxOf(values: Iterable<number>, initial = Number.NEGATIVE_INFINITY): number {
  let out = initial;
  for (const v of values) if (v > out) out = v;
  return out;
}

/** The smallest entry (+Infinity for none; NaN entries are skipped). */
export function minOf(values: Iterable<number>, initial = Number.POSITIVE_INFINITY): number {
  let out = initial;
  for (const v of values) if (v < out) out = v;
  return out;
}

/** Whether two arrays (either may be undefined) hold the same values, entry by entry (===). */
export function sameEntries(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Append every element of `source` to `target` (in place; returns `target`). */
export function pushAll<T>(target: T[], source: Iterable<T>): T[] {
  for (const v of source) target.push(v);
  return target;
}

/**
 * A new Float64Array of `n` zeros: `new Float64Array(n)` under a name the minifier can shorten (the
 * library allocates its work vectors at ~200 places).
 */
export const zeros = (n: number): Float64Array => new Float64Array(n);

/**
 * A copy of `values` as a Float64Array, under a name the minifier can shorten: the constructor,
 * which copies a typed array or an array-like directly (about 3× faster than `Float64Array.from`,
 * which goes through the iterator protocol).
 */
export const copyOf = (values: ArrayLike<number>): Float64Array => new Float64Array(values);
