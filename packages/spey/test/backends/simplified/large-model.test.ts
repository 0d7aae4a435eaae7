/**
 * The large-model path of the simplified backends (issue #13: 5,000-bin correlated models must
 * compute): the constraint block works from its Cholesky factor and the profile fits take
 * truncated-Newton steps by conjugate gradients (profile/large-model.ts, optimize/newton-cg.ts).
 *
 * 1. On moderate models (80–150 bins) of the three correlated backends the factorised path gives
 *    the dense path's profiles: inner profile values and θ̂ at several μ, p″, and the free fit μ̂.
 * 2. A 5,000-bin correlated model computes CLs: 500 identical 10-bin blocks on a block-diagonal
 *    covariance (also for default.third_moment_expansion: its 5,000 quadratic bins' profile is
 *    the certified global one of the piecewise enumeration, 500× the block's). The likelihood factorises, so every profile NLL is 500× that of one block (the
 *    10-bin model, on the dense path), the test statistics q and q_A are 500× the block's, and
 *    1 − CLs must be the asymptotic formula (arXiv:1007.1727 eqs. 59, 65–66) at those values.
 */
import { describe, expect, it } from "vitest";
import {
  QuadraticBackground,
  EffectiveSigmaBackground,
  LinearBackground,
} from "../../../src/backends/simplified/backgrounds.js";
import { GaussianBlock, LARGE_MODEL_BINS } from "../../../src/backends/simplified/constraints.js";
import { PoiProfile } from "../../../src/backends/simplified/profile/poi-profile.js";
import { thirdMomentCoefficients } from "../../../src/backends/simplified/third-moment.js";
import { setLogHandler } from "../../../src/core/logger.js";
import { computeAsymptoticConfidenceLevel } from "../../../src/inference/asymptotic-calculator.js";
import { computeTestStatistics } from "../../../src/inference/test-statistics.js";
import { cholesky, choleskyInverse, choleskyLogDet } from "../../../src/math/linalg.js";
import { getBackend } from "../../../src/model/get-backend.js";

setLogHandler(() => {});

/** An n-bin model with an AR(1) correlation ρᵢⱼ = r^|i−j| and smooth yields. */
function model(n: number, r: number) {
  const b = new Float64Array(n);
  const s = new Float64Array(n);
  const d = new Float64Array(n);
  const sd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    b[i] = 8 + 150 * Math.exp((-3 * i) / n);
    s[i] = 1 + 0.05 * b[i]!;
    d[i] = Math.round(b[i]! + Math.sqrt(b[i]!) * Math.sin(1.3 * i));
    sd[i] = 0.1 * b[i]! + 1;
  }
  const rho = new Float64Array(n * n);
  const cov = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      rho[i * n + j] = r ** Math.abs(i - j);
      cov[i * n + j] = sd[i]! * sd[j]! * rho[i * n + j]!;
    }
  }
  return { b, s, d, sd, rho, cov };
}

function blocks(rho: Float64Array, n: number): [GaussianBlock, GaussianBlock] {
  const lower = cholesky(rho, n) as Float64Array;
  return [
    GaussianBlock.correlated(lower, n, { correlation: rho, factorised: false }),
    GaussianBlock.correlated(lower, n, { correlation: rho, factorised: true }),
  ];
}

const CASES = [
  {
    name: "linear background (default.correlated_background), 150 bins, ρ = 0.8^|i−j|",
    build: () => {
      const m = model(150, 0.8);
      const std = m.sd;
      return { n: 150, background: new LinearBackground(m.b, std), rho: m.rho, m };
    },
  },
  {
    name: "quadratic background (default.third_moment_expansion), 100 bins",
    build: () => {
      const m = model(100, 0.5);
      const m3 = m.sd.map((x) => 0.3 * x ** 3);
      const t = thirdMomentCoefficients(m.b, m.cov, 100, m3, true);
      return { n: 100, background: new QuadraticBackground(t.A, t.B, t.C), rho: t.rho as Float64Array, m };
    },
  },
  {
    name: "effective σ (default.effective_sigma), 80 bins",
    build: () => {
      const m = model(80, 0.6);
      return {
        n: 80,
        background: new EffectiveSigmaBackground(
          m.b,
          m.sd.map((x) => 1.2 * x),
          m.sd.map((x) => 0.8 * x),
        ),
        rho: m.rho,
        m,
      };
    },
  },
];

describe("large-model path agrees with the dense path", () => {
  it("uses the factorised block from LARGE_MODEL_BINS on, the dense one below", () => {
    const small = model(20, 0.5);
    const block = GaussianBlock.correlated(cholesky(small.rho, 20) as Float64Array, 20);
    expect(block.factorised).toBeNull();
    expect(LARGE_MODEL_BINS).toBeGreaterThan(20);
  });

  for (const c of CASES) {
    it(c.name, () => {
      const { n, background, rho, m } = c.build();
      const [dense, factorised] = blocks(rho, n);
      expect(factorised.factorised).not.toBeNull();
      const pd = new PoiProfile(background, dense, m.s);
      const pf = new PoiProfile(background, factorised, m.s);
      for (const mu of [0, 0.4, 1, 2.5]) {
        const a = pd.point(mu, m.d, undefined, undefined, undefined);
        const b = pf.point(mu, m.d, undefined, undefined, undefined);
        expect(a.inner.converged && b.inner.converged).toBe(true);
        // the same branch and bound over the pieces: certified global on both paths (the factorised
        // one bounds with Gershgorin's constant, which is valid but may prune less)
        expect(a.inner.certified).toBe(true);
        expect(b.inner.certified).toBe(true);
        // both stop at a projected gradient ≤ 1e-9·√|F| of the same F: the minimum values agree to
        // ~g²/H, far below 1e-9 relative
        expect(Math.abs(a.inner.value - b.inner.value)).toBeLessThan(1e-9 * Math.max(1, Math.abs(a.inner.value)));
        let dTheta = 0;
        for (let i = 0; i < n; i++) dTheta = Math.max(dTheta, Math.abs(a.inner.theta[i]! - b.inner.theta[i]!));
        // θ̂ to ~g/H_min: 1e-6 leaves room for the smallest Hessian eigenvalue ~1e-3
        expect(dTheta).toBeLessThan(1e-6);
        // p′ from θ̂ (envelope theorem) to the same order; p″ from a solve to a relative residual 1e-10
        expect(Math.abs(a.slope - b.slope)).toBeLessThan(1e-6 * Math.max(1, Math.abs(a.slope)));
        expect(Math.abs(a.curvature - b.curvature)).toBeLessThan(1e-6 * Math.abs(a.curvature));
      }
      const fa = pd.minimise(-1, 10, 1, m.d, undefined, undefined, undefined);
      const fb = pf.minimise(-1, 10, 1, m.d, undefined, undefined, undefined);
      expect(fa.converged && fb.converged).toBe(true);
      // μ̂ from p′(μ̂) = 0 to p′'s tolerance 1e-9·√|p| over p″ ≳ 1: 1e-6 is generous
      expect(Math.abs(fa.mu - fb.mu)).toBeLessThan(1e-6);
    });
  }
});

describe("a 5,000-bin correlated model computes CLs", () => {
  it("500 identical 10-bin blocks: NLLs are 500× the block's and 1 − CLs is the asymptotic formula at q×500", () => {
    const m = 10;
    const copies = 500;
    const n = m * copies;
    const bkg: number[] = [];
    const sig: number[] = [];
    const dat: number[] = [];
    for (let i = 0; i < m; i++) {
      const b = 20 + 10 * i;
      bkg.push(b);
      sig.push(0.05 * (3 + 0.5 * i));
      dat.push(Math.round(b + 0.4 * Math.sqrt(b) * Math.cos(i)));
    }
    const sd = bkg.map((b) => 0.1 * b + 1);
    const cov = sd.map((si, i) => sd.map((sj, j) => si * sj * 0.6 ** Math.abs(i - j)));
    const small = getBackend("default.correlated_background")({
      signalYields: sig,
      backgroundYields: bkg,
      data: dat,
      covarianceMatrix: cov,
    });
    const rows = Array.from({ length: n }, (_, i) => {
      const row = new Float64Array(n);
      const start = i - (i % m);
      for (let j = 0; j < m; j++) row[start + j] = cov[i % m]![j]!;
      return row;
    });
    const repeat = (a: number[]) => Array.from({ length: n }, (_, i) => a[i % m]!);
    const big = getBackend("default.correlated_background")({
      signalYields: repeat(sig),
      backgroundYields: repeat(bkg),
      data: repeat(dat),
      covarianceMatrix: rows,
    });
    expect(n).toBeGreaterThanOrEqual(LARGE_MODEL_BINS);

    const result = big.exclusionConfidenceLevel({ expected: "all" }) as [number[], number[]];

    // the block's own fits (dense path), scaled: NLL_big(μ) = 500·NLL_block(μ) for every profile
    const [muhat, nllHat] = small.maximizeLikelihood();
    const [muhatA, nllHatA] = small.maximizeAsimovLikelihood();
    const [bigMuhat, bigNllHat] = big.maximizeLikelihood();
    // the NLL identities to 1e-9 relative (fits converge to gradient 1e-9·√|NLL|)
    expect(Math.abs(bigNllHat - copies * nllHat)).toBeLessThan(1e-9 * Math.abs(copies * nllHat));
    expect(Math.abs(big.likelihood({ poiTest: 1 }) - copies * small.likelihood({ poiTest: 1 }))).toBeLessThan(
      1e-9 * Math.abs(copies * nllHat),
    );
    // μ̂ is the same minimiser: to p′'s tolerance over p″ (≳ 10² here)
    expect(Math.abs(bigMuhat - muhat)).toBeLessThan(1e-6);
    const stats = computeTestStatistics(
      1,
      { muhat, nll: copies * nllHat },
      (mu) => -copies * small.likelihood({ poiTest: mu }),
      { muhat: muhatA, nll: copies * nllHatA },
      (mu) => -copies * small.asimovLikelihood({ poiTest: mu }),
      "qtilde",
    );
    const [observed, expected] = computeAsymptoticConfidenceLevel(stats.sqrtQmuA, stats.delta, "qtilde");
    // a non-trivial exclusion (not saturated at 0 or 1), so the comparison has teeth
    expect(1 - observed[0]!).toBeGreaterThan(0.05);
    expect(1 - observed[0]!).toBeLessThan(0.999);
    // 1 − CLs is smooth in q: NLLs to 1e-9 relative (|NLL| ~ 2e4, q ~ 1) move it by < 1e-5
    expect(Math.abs(result[0]![0]! - (1 - observed[0]!))).toBeLessThan(1e-5);
    for (let k = 0; k < 5; k++) expect(Math.abs(result[1]![k]! - (1 - expected[k]!))).toBeLessThan(1e-5);
  });
});

describe("a 5,000-bin third-moment model: certified global profiles", () => {
  it("500 identical quadratic 10-bin blocks: the inner profile is certified and 500× the block's; CLs is a number", () => {
    const m = 10;
    const copies = 500;
    const n = m * copies;
    const bkg = Array.from({ length: m }, (_, i) => 20 + 10 * i);
    const sig = bkg.map((_, i) => 0.05 * (3 + 0.5 * i));
    const dat = bkg.map((b, i) => Math.round(b + 0.4 * Math.sqrt(b) * Math.cos(i)));
    const sd = bkg.map((b) => 0.1 * b + 1);
    const cov = sd.map((si, i) => sd.map((sj, j) => si * sj * 0.6 ** Math.abs(i - j)));
    const m3 = sd.map((x) => 0.3 * x ** 3);
    const repeat = (a: number[]) => Array.from({ length: n }, (_, i) => a[i % m]!);
    const args = (k: number, matrix: ArrayLike<ArrayLike<number>>) => ({
      signalYields: k === m ? sig : repeat(sig),
      backgroundYields: k === m ? bkg : repeat(bkg),
      data: k === m ? dat : repeat(dat),
      covarianceMatrix: matrix,
      thirdMoment: k === m ? m3 : repeat(m3),
    });
    const rows = Array.from({ length: n }, (_, i) => {
      const row = new Float64Array(n);
      for (let j = 0; j < m; j++) row[i - (i % m) + j] = cov[i % m]![j]!;
      return row;
    });
    const small = getBackend("default.third_moment_expansion")(args(m, cov));
    const big = getBackend("default.third_moment_expansion")(args(n, rows));
    // the backends' own parts: background model, constraint block (factorised for the big one)
    type Parts = { core: { backgroundModel: QuadraticBackground; constraint: GaussianBlock } };
    const profile = (model: typeof big, signal: number[]) => {
      const { core } = model.backend as unknown as Parts;
      return new PoiProfile(core.backgroundModel, core.constraint, Float64Array.from(signal));
    };
    const bigParts = (big.backend as unknown as Parts).core;
    expect(bigParts.constraint.factorised).not.toBeNull();
    for (const mu of [0, 1]) {
      const a = profile(small, sig).at(mu, Float64Array.from(dat), undefined, undefined, undefined);
      const b = profile(big, repeat(sig)).at(mu, Float64Array.from(repeat(dat)), undefined, undefined, undefined);
      expect(b.converged && b.certified).toBe(true);
      // F sums over identical blocks: 500× the block's minimum, to the fits' 1e-9 relative tolerance
      expect(Math.abs(b.value - copies * a.value)).toBeLessThan(1e-9 * Math.abs(copies * a.value));
    }
    const cls = big.exclusionConfidenceLevel();
    expect(cls[0]).toBeGreaterThan(0);
    expect(cls[0]).toBeLessThan(1);
  });
});

describe("default.multivariate_normal from its factor (≥ 256 bins)", () => {
  it("NLL, μ̂ and the Hessian equal the dense formulas (Σ⁻¹ from the explicit inverse)", () => {
    const n = 300;
    const m = model(n, 0.7);
    const big = getBackend("default.multivariate_normal")({
      signalYields: Array.from(m.s),
      backgroundYields: Array.from(m.b),
      data: Array.from(m.d),
      covarianceMatrix: Array.from({ length: n }, (_, i) => m.cov.subarray(i * n, (i + 1) * n)),
    });
    const lower = cholesky(m.cov, n) as Float64Array;
    const inverse = choleskyInverse(lower, n);
    const logDet = choleskyLogDet(lower, n);
    const nll = (mu: number) => {
      let q = 0;
      for (let i = 0; i < n; i++) {
        let row = 0;
        for (let j = 0; j < n; j++) row += inverse[i * n + j]! * (m.d[j]! - mu * m.s[j]! - m.b[j]!);
        q += (m.d[i]! - mu * m.s[i]! - m.b[i]!) * row;
      }
      return 0.5 * q + 0.5 * (n * Math.log(2 * Math.PI) + logDet);
    };
    // sᵀΣ⁻¹s and sᵀΣ⁻¹(d − b): the closed-form μ̂ of a Gaussian linear in μ
    let sPs = 0;
    let sPr = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        sPs += m.s[i]! * inverse[i * n + j]! * m.s[j]!;
        sPr += m.s[i]! * inverse[i * n + j]! * (m.d[j]! - m.b[j]!);
      }
    }
    for (const mu of [0, 0.5, 2]) {
      // two O(n²) evaluations of the same quadratic form (κ(Σ) ~ 10²): 1e-10 relative
      expect(Math.abs(big.likelihood({ poiTest: mu }) - nll(mu))).toBeLessThan(1e-10 * Math.abs(nll(mu)));
    }
    const [muhat] = big.maximizeLikelihood({ allowNegativeSignal: true });
    // Newton on a quadratic is exact in one step; 1e-9 covers the rounding of sᵀΣ⁻¹s
    expect(Math.abs(muhat - sPr / sPs)).toBeLessThan(1e-9 * Math.max(1, Math.abs(sPr / sPs)));
    // d²NLL/dμ² = sᵀΣ⁻¹s: σ_μ from the Hessian is its inverse square root
    expect(Math.abs(big.sigmaMuFromHessian({ poiTest: 1 }) - 1 / Math.sqrt(sPs))).toBeLessThan(1e-9 / Math.sqrt(sPs));
  });
});
