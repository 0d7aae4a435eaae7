/**
 * The first x where the piecewise-linear curve through (xs, ys) crosses `level`, interpolated
 * linearly between the two bracketing points; undefined when it never crosses.
 */
export function firstCrossing(xs: readonly number[], ys: readonly number[], level: number): number | undefined {
  for (let i = 1; i < xs.length; i++) {
    const x0 = xs[i - 1] as number;
    const x1 = xs[i] as number;
    const y0 = (ys[i - 1] as number) - level;
    const y1 = (ys[i] as number) - level;
    if (!Number.isFinite(y0) || !Number.isFinite(y1)) continue;
    if (y0 === 0) return x0;
    if (y0 * y1 < 0 || y1 === 0) return x0 + ((x1 - x0) * y0) / (y0 - y1);
  }
  return undefined;
}

/** A number with at most `digits` significant digits, without trailing zeros. */
export function shortNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return x > 0 ? "∞" : x < 0 ? "−∞" : "NaN";
  return Number(x.toPrecision(digits)).toString();
}
