/**
 * The independent reference of the combined-fit tests: the minimum of a one-dimensional function by
 * a dense scan refined by golden-section search (written here, not the library's optimisers).
 */

/** Points of the reference scan of P over μ's range. */
const SCAN_POINTS = 301;

/**
 * min P on [lo, hi]: a 301-point scan, then golden-section search (60 steps: the bracket shrinks by
 * 0.618⁶⁰ ≈ 3e-13) between the neighbours of every sampled local minimum; the lowest value found.
 */
export function referenceMinimum(P: (mu: number) => number, lo: number, hi: number): { mu: number; nll: number } {
  const xs = Array.from({ length: SCAN_POINTS }, (_, k) => lo + ((hi - lo) * k) / (SCAN_POINTS - 1));
  const vs = xs.map((x) => {
    const v = P(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  });
  let best = { mu: Number.NaN, nll: Number.POSITIVE_INFINITY };
  for (let k = 0; k < SCAN_POINTS; k++) {
    const v = vs[k] as number;
    if (v < best.nll) best = { mu: xs[k] as number, nll: v };
    const left = k > 0 ? (vs[k - 1] as number) : Number.POSITIVE_INFINITY;
    const right = k < SCAN_POINTS - 1 ? (vs[k + 1] as number) : Number.POSITIVE_INFINITY;
    if (!(v <= left && v <= right && Number.isFinite(v))) continue;
    let a = xs[Math.max(0, k - 1)] as number;
    let b = xs[Math.min(SCAN_POINTS - 1, k + 1)] as number;
    const r = (Math.sqrt(5) - 1) / 2;
    let c = b - r * (b - a);
    let d = a + r * (b - a);
    let fc = P(c);
    let fd = P(d);
    for (let i = 0; i < 60; i++) {
      if (fc <= fd) {
        b = d;
        d = c;
        fd = fc;
        c = b - r * (b - a);
        fc = P(c);
      } else {
        a = c;
        c = d;
        fc = fd;
        d = a + r * (b - a);
        fd = P(d);
      }
    }
    for (const [x, f] of [
      [c, fc],
      [d, fd],
    ] as const) {
      if (f < best.nll) best = { mu: x, nll: f };
    }
  }
  return best;
}
