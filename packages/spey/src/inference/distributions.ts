import { normCdf, normLogCdf } from "../math/special.js";
import { erfcx } from "../math/special/erf.js";
import { max, min, exp, isNaNNumber } from "../core/describe.js";
import { copyOf } from "../core/arrays.js";

/** A distribution of a test statistic under a hypothesis (spey's `spey.hypothesis_testing.distributions`). */
export interface TestStatisticDistribution {
  /** P(t ≥ value) in the convention of the calculator. */
  pvalue(value: number): number;
  /** The value at `nsigma` standard deviations of the background-only expectation. */
  expectedValue(nsigma: number): number;
}

/**
 * Asymptotic distribution of √q shifted by `shift` (arXiv:1007.1727 eqs. 57, 65): p(v) = Φ(shift − v).
 */
export class AsymptoticTestStatisticsDistribution implements TestStatisticDistribution {
  declare readonly shift: number;
  declare readonly cutoff: number;
  constructor(shift: number, cutoff = Number.NEGATIVE_INFINITY) {
    this.shift = shift;
    this.cutoff = cutoff;
  }

  pvalue(value: number): number {
    if (value < this.cutoff) return Number.NaN;
    return normCdf(this.shift - value);
  }

  logcdf(value: number): number {
    return normLogCdf(this.shift - value);
  }

  expectedValue(nsigma: number): number {
    return max(nsigma + this.shift, this.cutoff);
  }
}

/**
 * Empirical distribution from toys: p(v) = #(samples ≥ v)/n; expected values are percentiles at
 * 100·Φ(nσ) with linear interpolation (numpy's default "linear" method).
 */
export class EmpiricalTestStatisticsDistribution implements TestStatisticDistribution {
  readonly #sorted: Float64Array;

  constructor(samples: ArrayLike<number>) {
    this.#sorted = copyOf(samples).sort();
  }

  pvalue(value: number): number {
    const s = this.#sorted;
    if (s.length === 0) return Number.NaN;
    // first index with s[i] >= value (binary search)
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((s[mid] as number) < value) lo = mid + 1;
      else hi = mid;
    }
    return (s.length - lo) / s.length;
  }

  expectedValue(nsigma: number): number {
    const s = this.#sorted;
    if (s.length === 0) return Number.NaN;
    const pos = normCdf(nsigma) * (s.length - 1);
    const i = Math.floor(pos);
    const frac = pos - i;
    const a = s[i] as number;
    const b = s[min(i + 1, s.length - 1)] as number;
    return a + frac * (b - a);
  }
}

/** Order in which expected values are reported: nσ = 2, 1, 0, −1, −2 (spey's `pvalues`/`expected_pvalues`). */
export const EXPECTED_SIGMAS: readonly number[] = [2, 1, 0, -1, -2];

/**
 * p-values (p_{s+b}, p_b, CLs = p_{s+b}/p_b, 0 when p_b = 0) of an observed value (spey's `pvalues`/`expected_pvalues`);
 * for asymptotic distributions with p_{s+b} < 1e-280, CLs = {@link normCdfRatio} (no underflow).
 */
export function pvalues(
  value: number,
  sbDistribution: TestStatisticDistribution,
  bDistribution: TestStatisticDistribution,
): [number, number, number] {
  const psb = sbDistribution.pvalue(value);
  const pb = bDistribution.pvalue(value);
  let ps = pb === 0 ? 0 : psb / pb;
  // Far in the tails Φ underflows (Φ(−38.5) < 2.2e-308; p_b = 0 made spey's CLs 0, i.e. "excluded",
  // where the true CLs is ≈ e^{−q/2} and may be near 1): both asymptotic tails are then divided
  // without forming them (a deliberate difference from spey, README). Above 1e-280 every p-value
  // is a normal number and the plain quotient is kept, bit for bit spey's.
  if (
    psb < TINY_PVALUE &&
    sbDistribution instanceof AsymptoticTestStatisticsDistribution &&
    bDistribution instanceof AsymptoticTestStatisticsDistribution
  ) {
    ps = normCdfRatio(sbDistribution.shift - value, bDistribution.shift - value);
  }
  return [psb, pb, ps];
}

/** Below this a p-value is near the underflow threshold: CLs is formed by {@link normCdfRatio}. */
const TINY_PVALUE = 1e-280;

/**
 * Φ(x)/Φ(y) without forming either tail (it underflows for arguments below −38.5): for x, y < −1,
 * Φ(t) = erfcx(−t/√2)·e^{−t²/2}/2, so the quotient is erfcx(−x/√2)/erfcx(−y/√2)·e^{−(x−y)(x+y)/2},
 * with the exponent formed from x − y and x + y (no cancellation of two large squares). For the
 * asymptotic CLs in the q̃ branch (arXiv:1007.1727 eq. 66), x = −√q_A − Δ and y = −Δ: as
 * Δ → ∞ the quotient tends to e^{−Δ√q_A − q_A/2} = e^{−q/2} (Mills' ratio), not to 0.
 */
export function normCdfRatio(x: number, y: number): number {
  if (isNaNNumber(x) || isNaNNumber(y)) return Number.NaN;
  if (!(x < -1 && y < -1)) {
    const py = normCdf(y);
    return py === 0 ? 0 : normCdf(x) / py;
  }
  return (erfcx(-x * Math.SQRT1_2) / erfcx(-y * Math.SQRT1_2)) * exp(-0.5 * (x - y) * (x + y));
}

/** Expected p-values at the background-only quantiles nσ = 2, 1, 0, −1, −2. */
export function expectedPvalues(
  sbDistribution: TestStatisticDistribution,
  bDistribution: TestStatisticDistribution,
): [number[], number[], number[]] {
  const psb: number[] = [];
  const pb: number[] = [];
  const ps: number[] = [];
  for (const n of EXPECTED_SIGMAS) {
    const [a, b, c] = pvalues(bDistribution.expectedValue(n), sbDistribution, bDistribution);
    psb.push(a);
    pb.push(b);
    ps.push(c);
  }
  return [psb, pb, ps];
}
