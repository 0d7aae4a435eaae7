/**
 * Dense references for the structured factorisations' tests (optimize/block-arrow.ts,
 * backends/histfactory/fisher.ts): the same system solved by dense.ts's shifted Cholesky.
 */
import { choleskySolveInPlace, choleskyWithShift } from "../../src/optimize/dense.js";

/** Solves (H[F, F] + τI) x = b by `choleskyWithShift` (smallest-diagonal start) and reports τ (NaN: no factor). */
export function denseSolve(
  h: Float64Array,
  n: number,
  idx: readonly number[],
  b: Float64Array,
): { tau: number; x: Float64Array } {
  const m = idx.length;
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) a[i * m + j] = h[(idx[i] as number) * n + (idx[j] as number)] as number;
  const l = new Float64Array(m * m);
  const tau = choleskyWithShift(a, m, l, 80, "smallest-diagonal");
  const x = Float64Array.from(b);
  if (!Number.isNaN(tau)) choleskySolveInPlace(l, m, x);
  return { tau, x };
}

/** max |a − b| relative to max |b|. */
export function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return diff / scale;
}
