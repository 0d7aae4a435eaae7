/** Box-projection helpers of the bounded minimiser (see {@link ./minimize.ts}). */
import { isFiniteNumber, min, isNaNNumber } from "../core/describe.js";

/** ‖x − P(x − g)‖∞ over the free indices, P the projection onto the box [lo, hi]. */
export function projectedGradientNorm(
  x: Float64Array,
  g: Float64Array,
  lo: Float64Array,
  hi: Float64Array,
  free: Int32Array,
): number {
  let m = 0;
  for (let k = 0; k < free.length; k++) {
    const i = free[k]!;
    const gi = g[i]!;
    const v = gi > 0 ? min(gi, x[i]! - lo[i]!) : min(-gi, hi[i]! - x[i]!);
    if (v > m || isNaNNumber(v)) m = v;
  }
  return m;
}

/** Whether every free entry of `g` is finite. */
export function allFinite(g: Float64Array, free: Int32Array): boolean {
  for (let k = 0; k < free.length; k++) if (!isFiniteNumber(g[free[k]!]!)) return false;
  return true;
}
