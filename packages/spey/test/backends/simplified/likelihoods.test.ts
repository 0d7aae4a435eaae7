import { describe, expect, it } from "vitest";
import { CorrelatedBackground } from "../../../src/backends/simplified/correlated-background.js";
import { EffectiveSigma } from "../../../src/backends/simplified/effective-sigma.js";
import { ThirdMomentExpansion } from "../../../src/backends/simplified/third-moment-expansion.js";
import { UncorrelatedBackground } from "../../../src/backends/simplified/uncorrelated-background.js";
import { InvalidInput, InvalidUncertaintyDefinition } from "../../../src/core/errors.js";
import { captureLogs } from "../../../src/core/logger.js";

// spey's standard two-bin example (spey's `UncorrelatedBackground`–§14.6, spey after PR #67). Literals marked "scipy" or
// "mpmath" were computed independently with the script in REFERENCE-VALUES.md (next to this file).
const S2 = { signalYields: [12, 15], backgroundYields: [50, 48], data: [36, 33] };
/** The symmetric covariance of the post-PR-67 examples (symmetric part of spey's [[144,13],[25,256]]). */
const SIGMA2 = [
  [144, 19],
  [19, 256],
];
const ENVELOPES = [
  [10, 15],
  [13, 18],
];
/** Correlation from SIGMA2: 19/(12·16). */
const RHO2 = [
  [1, 19 / 192],
  [19 / 192, 1],
];

const p = (...v: number[]) => Float64Array.from(v);
/** Relative tolerance for closed-form log-likelihoods (a value computed with spey 0.2.7: pure formulas 1e-10; we are at rounding level). */
const FORMULA_RTOL = 1e-12;

function close(actual: number, expected: number, rtol: number, atol = 0): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(atol + rtol * Math.abs(expected));
}

describe("default.uncorrelated_background", () => {
  const model = new UncorrelatedBackground({ ...S2, absoluteUncertainties: [12, 16] });

  it("reproduces spey's log-likelihood examples (spey's `UncorrelatedBackground`)", () => {
    const logpdf = model.getLogpdfFunc();
    close(logpdf(p(1, 1, 1)), -37.47391613937222, FORMULA_RTOL);
    close(logpdf(p(1, 0.5, -0.3)), -22.9715445334603, FORMULA_RTOL);
  });

  it("reproduces the analytic gradient and Hessian check values (spey's autograd derivatives)", () => {
    const objective = model.getObjectiveFunction();
    const grad = new Float64Array(3);
    close(objective(p(1, 1, 1), grad), 37.47391613937222, FORMULA_RTOL);
    const expectedGrad = [14.896339377352, 7.162162162162, 10.316455696203];
    // the spec prints 12 decimals: compare to 1e-11 absolute
    expectedGrad.forEach((g, i) => close(grad[i]!, g, 0, 1e-11));
    const H = model.getHessianLogpdfFunc()(p(1, 1, 1));
    const expectedNllHessian = [
      [2.136389593125, 0.946676406136, 1.269027399455],
      [0.946676406136, 1.946676406136, 0],
      [1.269027399455, 0, 2.353629226086],
    ];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) close(-H[a * 3 + b]!, expectedNllHessian[a]![b]!, 0, 1e-11);
  });

  it("reproduces spey's documented gradient example (spey's `spey.system`, 8 printed digits)", () => {
    const x = p(0.513943343773, 0.773165052079, 0.870427685725);
    const grad = new Float64Array(3);
    close(model.getObjectiveFunction()(x, grad), 27.81902589793928, 1e-11);
    [13.29067478, 6.17223275, 9.28814191].forEach((g, i) => close(grad[i]!, g, 0, 1e-8));
    const H = model.getHessianLogpdfFunc()(x);
    const expected = [2.74153126, 1.21034187, 1.63326868, 1.21034187, 2.21034187, 0, 1.63326868, 0, 2.74215326];
    expected.forEach((h, k) => close(-H[k]!, h, 0, 1e-8));
  });

  it("has spey's parameter layout (spey's `DefaultPDFBase`)", () => {
    const config = model.config();
    expect(config.npar).toBe(3);
    expect(config.poiIndex).toBe(0);
    expect(config.minimumPoi).toBeCloseTo(-3.2, 14);
    expect([...config.suggestedInit]).toEqual([1, 1, 1]);
    expect(config.suggestedBounds[0]).toEqual([-48 / 15, 10]); // −min(b/s) = −min(50/12, 48/15)
    expect(config.suggestedBounds[1]).toEqual([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]);
    expect(config.parameterNames).toBeNull();
    expect(model.isAlive).toBe(true);
    // background positivity b + σθ ≥ 0 (README, Differences from spey's b + θ·b was a bug; here σ is used)
    const domain = model.domainBounds();
    expect(domain[1]![0]).toBeCloseTo(-50 / 12, 14);
    expect(domain[2]![0]).toBeCloseTo(-3, 14);
  });

  it("honours allowNegativeSignal whatever the POI upper bound (README, Differences from spey fixed)", () => {
    expect(model.config({ allowNegativeSignal: false }).suggestedBounds[0]).toEqual([0, 10]);
    expect(model.config({ poiUpperBound: 5 }).suggestedBounds[0]![0]).toBeCloseTo(-3.2, 14);
    expect(model.config({ poiUpperBound: 5 }).suggestedBounds[0]![1]).toBe(5);
    expect(model.config({ allowNegativeSignal: false, poiUpperBound: 5 }).suggestedBounds[0]).toEqual([0, 5]);
  });

  it("returns expected data followed by the auxiliary data at the parameter point (spey after PR #67)", () => {
    const expected = model.expectedData(p(1, 0.5, -0.25));
    expect([...expected]).toEqual([12 + 50 + 6, 15 + 48 - 4, 0.5, -0.25]);
  });

  it("uses auxiliary data as the constraint centres when given", () => {
    // N(a|θ,1) with a = θ: the constraint terms are exactly −½ ln 2π each.
    const logpdf = model.getLogpdfFunc({ data: [36, 33, 0.4, -0.2] });
    const nominal = model.getLogpdfFunc({ data: [36, 33, 0, 0] });
    const x = p(1, 0.4, -0.2);
    close(logpdf(x) - nominal(x), 0.5 * (0.4 ** 2 + 0.2 ** 2), 1e-12);
    expect(model.getLogpdfFunc({ data: [36, 33] })(x)).toBe(nominal(x));
  });

  it("floors λ at 1e-20 with zero derivatives there", () => {
    // μ = −10: λ₀ = −120 + 50 + 12θ₀ < 0 at θ = 0 → floored (as spey's clip).
    const objective = model.getObjectiveFunction();
    const grad = new Float64Array(3);
    const value = objective(p(-10, 0, 0), grad);
    expect(Number.isFinite(value)).toBe(true);
    expect(grad[1]).toBe(0); // only the constraint θ − a = 0 remains
  });

  it("rejects bad inputs with typed errors naming the argument", () => {
    expect(() => new UncorrelatedBackground({ ...S2, absoluteUncertainties: [12] })).toThrow(/absoluteUncertainties/);
    expect(() => new UncorrelatedBackground({ ...S2, absoluteUncertainties: [12, -1] })).toThrow(InvalidInput);
    expect(() => new UncorrelatedBackground({ ...S2, absoluteUncertainties: [12, Number.NaN] })).toThrow(
      /absoluteUncertainties\[1\]/,
    );
    expect(
      () => new UncorrelatedBackground({ ...S2, backgroundYields: [50, 48, 3], absoluteUncertainties: [1, 2] }),
    ).toThrow(/backgroundYields/);
    expect(
      () => new UncorrelatedBackground({ ...S2, backgroundYields: [50, -1], absoluteUncertainties: [1, 2] }),
    ).toThrow(/backgroundYields\[1\]/);
    expect(() => new UncorrelatedBackground({ ...S2, data: [36, -1], absoluteUncertainties: [1, 2] })).toThrow(
      /data\[1\]/,
    );
    expect(
      () =>
        new UncorrelatedBackground({
          ...S2,
          signalYields: [1, Number.POSITIVE_INFINITY],
          absoluteUncertainties: [1, 2],
        }),
    ).toThrow(/signalYields\[1\]/);
    // a data vector of the wrong length is an error, never a silent truncation (spey after PR #67)
    expect(() => model.getLogpdfFunc({ data: [36, 33, 1] })).toThrow(InvalidInput);
    expect(() => model.getLogpdfFunc({ data: [36, -33] })).toThrow(/data\[1\]/);
    expect(() => model.getLogpdfFunc()(p(1, 1))).toThrow(InvalidInput);
  });

  it("accepts negative signal bins (interference) and computes minimumPoi from positive ones", () => {
    const m = new UncorrelatedBackground({
      signalYields: [-2, 3],
      backgroundYields: [50, 48],
      data: [36, 33],
      absoluteUncertainties: [1, 1],
    });
    expect(m.config().minimumPoi).toBeCloseTo(-16, 14); // spey's `DefaultPDFBase` example
    const dead = new UncorrelatedBackground({
      signalYields: [0, 0],
      backgroundYields: [50, 48],
      data: [36, 33],
      absoluteUncertainties: [1, 1],
    });
    expect(dead.isAlive).toBe(false);
    expect(dead.config().minimumPoi).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe("signal-uncertainty modifiers (spey's `default_pdf.uncertainty_synthesizer`)", () => {
  const modifiers = [
    { type: "normalization" as const, name: "scale", uncertainties: [2, 3] },
    {
      type: "normalization" as const,
      name: "pdf",
      uncertainties: [
        [1, 5],
        [5, 3],
      ],
    },
  ];

  it("reproduces spey's modifier likelihood example", () => {
    const model = new UncorrelatedBackground({ ...S2, absoluteUncertainties: [12, 16], modifiers });
    // spey's `default_pdf.uncertainty_synthesizer`: pars [1, 1, 2, 3, 4] → −120.45716310340197
    close(model.getLogpdfFunc()(p(1, 1, 2, 3, 4)), -120.45716310340197, FORMULA_RTOL);
    const config = model.config();
    expect(config.parameterNames).toEqual(["mu", "theta_bkg_0", "theta_bkg_1", "theta_sig_scale", "theta_sig_pdf"]);
    expect(config.npar).toBe(5);
    expect(model.expectedData(p(1, 0, 0, 0.5, -1)).length).toBe(2 + 4);
  });

  it("reproduces the correlated modifier example with the symmetric covariance", () => {
    // scipy: Poisson(μ s f + b + σθ) + MVN(θ | 0, ρ(Σ=[[144,19],[19,256]])) + Σ N(α|0,1)
    // (spey's −120.27529491953709 … used the asymmetric [[144,13],[25,256]]; recipe in REFERENCE-VALUES.md)
    const model = new CorrelatedBackground({ ...S2, covarianceMatrix: SIGMA2, modifiers });
    const logpdf = model.getLogpdfFunc();
    close(logpdf(p(1, 1, 2, 3, 4)), -120.27709260768886, FORMULA_RTOL);
    close(logpdf(p(2, 1, 2, 3, 4)), -205.55933498946382, FORMULA_RTOL);
    close(logpdf(p(3, 1, 2, 3, 4)), -296.73706790896375, FORMULA_RTOL);
  });

  it("names shape nuisances per bin and starts them after the θ block", () => {
    const model = new UncorrelatedBackground({
      signalYields: [10, 20],
      backgroundYields: [5, 5],
      data: [5, 5],
      absoluteUncertainties: [1, 1],
      modifiers: [
        { type: "normalization", name: "pdf", uncertainties: [1, 2] },
        { type: "shape", name: "scale", uncertainties: [1, 2] },
      ],
    });
    expect(model.config().parameterNames).toEqual([
      "mu",
      "theta_bkg_0",
      "theta_bkg_1",
      "theta_sig_pdf",
      "theta_sig_scale_0",
      "theta_sig_scale_1",
    ]);
    // factor 1 at α = 0: the likelihood equals the one without modifiers plus three N(0|0,1) terms
    const plain = new UncorrelatedBackground({
      signalYields: [10, 20],
      backgroundYields: [5, 5],
      data: [5, 5],
      absoluteUncertainties: [1, 1],
    });
    close(
      model.getLogpdfFunc()(p(1, 0.1, 0.2, 0, 0, 0)),
      plain.getLogpdfFunc()(p(1, 0.1, 0.2)) - 1.5 * Math.log(2 * Math.PI),
      FORMULA_RTOL,
    );
  });

  it("uses (1+Δ_dn)^α for negative α (spey's `default_pdf.uncertainty_synthesizer`) and default names mod<k>", () => {
    const model = new UncorrelatedBackground({
      signalYields: [10],
      backgroundYields: [5],
      data: [5],
      absoluteUncertainties: [1],
      modifiers: [{ type: "normalization", uncertainties: [[2, 5]] }],
    });
    expect(model.config().parameterNames).toEqual(["mu", "theta_bkg_0", "theta_sig_mod0"]);
    const up = model.expectedData(p(1, 0, 2))[0]!;
    const down = model.expectedData(p(1, 0, -2))[0]!;
    close(up, 10 * 1.2 ** 2 + 5, 1e-14);
    close(down, 10 * 1.5 ** -2 + 5, 1e-14);
  });

  it("validates modifier definitions (spey's `default_pdf.uncertainty_synthesizer` messages)", () => {
    const base = { ...S2, absoluteUncertainties: [12, 16] };
    expect(
      () => new UncorrelatedBackground({ ...base, modifiers: [{ type: "lognormal" as never, uncertainties: [1, 1] }] }),
    ).toThrow("Unknown modifier type 'lognormal'. Expected one of ('normalization', 'shape').");
    expect(
      () => new UncorrelatedBackground({ ...base, modifiers: [{ type: "shape", name: "x", uncertainties: [1] }] }),
    ).toThrow("Modifier 'x': expected 2 bins, got 1");
    expect(
      () => new UncorrelatedBackground({ ...base, modifiers: [{ type: "shape", uncertainties: [1, Number.NaN] }] }),
    ).toThrow(InvalidUncertaintyDefinition);
    expect(
      () =>
        new UncorrelatedBackground({
          ...base,
          modifiers: [
            { type: "shape", name: "a", uncertainties: [1, 1] },
            { type: "shape", name: "a", uncertainties: [1, 1] },
          ],
        }),
    ).toThrow(InvalidUncertaintyDefinition);
    expect(
      () =>
        new UncorrelatedBackground({
          ...base,
          signalYields: () => [1, 2],
          modifiers: [{ type: "shape", uncertainties: [1, 1] }],
        }),
    ).toThrow(/modifiers cannot be combined with a callable `signalYields`/);
  });

  it("clamps δ < 1 to 1 with spey's warning", () => {
    const { result, records } = captureLogs(
      () =>
        new UncorrelatedBackground({
          ...S2,
          absoluteUncertainties: [12, 16],
          modifiers: [{ type: "normalization", name: "neg", uncertainties: [-3, 2] }],
        }),
    );
    expect(
      records.some((r) => r.level === "warning" && r.message.includes("Modifier 'neg': invalid delta_up at bins [0]")),
    ).toBe(true);
    // bin 0 has no variation: its signal is unchanged at any α
    close(result.expectedData(p(1, 0, 0, 1.7))[0]!, 12 + 50, 1e-14);
  });
});

describe("default.correlated_background", () => {
  it("reproduces the log-likelihood with the symmetric covariance (scipy reference)", () => {
    const model = new CorrelatedBackground({ ...S2, covarianceMatrix: SIGMA2 });
    const logpdf = model.getLogpdfFunc();
    // scipy.stats: Σ Poisson logpmf(n | μs + b + σθ) + multivariate_normal(0, ρ).logpdf(θ), ρ from [[144,19],[19,256]]
    // (spey's −37.37854457555716 / −22.307327152706808 used the asymmetric [[144,13],[25,256]])
    close(logpdf(p(1, 1, 1)), -37.37894823796643, FORMULA_RTOL);
    close(logpdf(p(1, 0, 0)), -22.30683428554935, FORMULA_RTOL);
    expect([...model.sigma]).toEqual([12, 16]);
  });

  it("symmetrises an asymmetric covariance with a warning (spey after PR #67)", () => {
    const { result, records } = captureLogs(
      () =>
        new CorrelatedBackground({
          ...S2,
          covarianceMatrix: [
            [144, 13],
            [25, 256],
          ],
        }),
    );
    expect(records.some((r) => r.level === "warning" && r.message.includes("not symmetric"))).toBe(true);
    close(result.getLogpdfFunc()(p(1, 1, 1)), -37.37894823796643, FORMULA_RTOL);
  });

  it("rejects non-square and non-positive-definite covariances naming the eigenvalue", () => {
    expect(() => new CorrelatedBackground({ ...S2, covarianceMatrix: [[144, 19]] })).toThrow(/covarianceMatrix/);
    expect(() => new CorrelatedBackground({ ...S2, covarianceMatrix: [[144, 19], [19]] })).toThrow(/not square/);
    expect(
      () =>
        new CorrelatedBackground({
          ...S2,
          covarianceMatrix: [
            [4, 0],
            [0, 0],
          ],
        }),
    ).toThrow(/singular.*smallest eigenvalue is 0/);
    expect(
      () =>
        new CorrelatedBackground({
          ...S2,
          covarianceMatrix: [
            [1, 2],
            [2, 1],
          ],
        }),
    ).toThrow(/indefinite.*smallest eigenvalue is -1/);
  });

  it("samples a one-bin model (spey crashed there, README, Differences from spey)", async () => {
    const { Random } = await import("../../../src/math/random.js");
    const model = new CorrelatedBackground({
      signalYields: [3],
      backgroundYields: [10],
      data: [12],
      covarianceMatrix: [[4]],
    });
    const samples = model.getSampler(p(1, 0.5))(3, new Random(1));
    expect(samples.length).toBe(3);
    for (const x of samples) expect(x.length).toBe(2);
  });
});

describe("default.third_moment_expansion", () => {
  const model = new ThirdMomentExpansion({ ...S2, covarianceMatrix: SIGMA2, thirdMoment: [0.5, 0.8] });

  it("reproduces the log-likelihood (independent mpmath coefficients + scipy)", () => {
    // A, B, C, ρ′ from spey's `default_pdf.third_moment`, arXiv:1809.05548 evaluated in 50-digit mpmath with Σ = [[144,19],[19,256]], then
    // scipy Poisson + MVN(0, ρ′) in float64. (spey's −22.30271430346319 used the asymmetric Σ.)
    const logpdf = model.getLogpdfFunc();
    close(logpdf(p(1, 0, 0)), -22.30634359001971, 1e-11);
    close(logpdf(p(0.5, 0.4, -0.3)), -16.816195556951964, 1e-11);
  });

  it("exposes the expansion coefficients (spey's `default_pdf.third_moment`, arXiv:1809.05548 reference, A/B/C independent of the off-diagonal)", () => {
    close(model.A[0]!, 49.9994212962954, 1e-14);
    close(model.A[1]!, 47.9994791666663, 1e-14);
    close(model.B[0]!, 11.999999972091835, 1e-14);
    close(model.B[1]!, 15.99999998304579, 1e-14);
    close(model.C[0]!, 0.000578703704600957, 1e-12);
    close(model.C[1]!, 0.0005208333337012633, 1e-12);
    close(model.correlation[1]!, 0.098958333636461, 1e-12);
  });

  it("reduces to the correlated background when m₃ = 0 (up to spey's 1e-5 regularisation)", () => {
    const zero = new ThirdMomentExpansion({ ...S2, covarianceMatrix: SIGMA2, thirdMoment: [0, 0] });
    const corr = new CorrelatedBackground({ ...S2, covarianceMatrix: SIGMA2 });
    for (const x of [p(1, 0, 0), p(0.3, 0.7, -1.1), p(2, -1, 0.5)]) {
      // ρ′ differs from ρ by O(ε²Σ/B⁴) ≈ 1e-12 relative: 1e-9 relative on the log-likelihood is ample
      close(zero.getLogpdfFunc()(x), corr.getLogpdfFunc()(x), 1e-9);
    }
  });

  it("warns and zeroes C where 8Σᵢᵢ³ < m₃² (spey's `default_pdf.third_moment`, arXiv:1809.05548)", () => {
    const { result, records } = captureLogs(
      () => new ThirdMomentExpansion({ ...S2, covarianceMatrix: SIGMA2, thirdMoment: [1e5, 0.8] }),
    );
    expect(records.filter((r) => r.level === "warning").length).toBeGreaterThanOrEqual(2);
    expect(result.C[0]).toBe(0);
    expect(result.B[0]).toBe(12);
  });

  it("restricts θ to A + Bθ + Cθ² ≥ 0 (per-bin root interval)", () => {
    const neg = new ThirdMomentExpansion({ ...S2, covarianceMatrix: SIGMA2, thirdMoment: [-500, 800] });
    const d = neg.domainBounds();
    for (let i = 0; i < 2; i++) {
      const [lo, hi] = d[1 + i]!;
      const A = neg.A[i]!;
      const B = neg.B[i]!;
      const C = neg.C[i]!;
      const q = (t: number) => A + B * t + C * t * t;
      expect(Math.abs(q(lo))).toBeLessThan(1e-9 * A);
      if (Number.isFinite(hi)) expect(Math.abs(q(hi))).toBeLessThan(1e-9 * A);
      expect(q(0)).toBeGreaterThan(0);
    }
    expect(d[1]![1]).toBeLessThan(Number.POSITIVE_INFINITY); // C < 0: bounded above
    expect(d[2]![1]).toBe(Number.POSITIVE_INFINITY); // C > 0: [r₊, ∞)
  });

  it("validates the third moments' length", () => {
    // spey broadcast a shorter array (reference case edge-third-moment-wrong-length-01); here it is an error
    expect(() => new ThirdMomentExpansion({ ...S2, covarianceMatrix: SIGMA2, thirdMoment: [0.5] })).toThrow(
      /thirdMoment/,
    );
  });
});

describe("default.effective_sigma", () => {
  const model = new EffectiveSigma({ ...S2, correlationMatrix: RHO2, absoluteUncertaintyEnvelops: ENVELOPES });

  it("reproduces the log-likelihood with the symmetric correlation (scipy reference)", () => {
    // scipy: σ_eff(θ) = √clip(σ⁺σ⁻ + (σ⁺−σ⁻)(θ − b), 1e-10) (spey's quirk kept), MVN(θ | 0, ρ=19/192)
    const logpdf = model.getLogpdfFunc();
    close(logpdf(p(1, 0, 0)), -22.30683428554935, FORMULA_RTOL);
    close(logpdf(p(0.8, 0.2, -0.1)), -20.66679066434733, FORMULA_RTOL);
  });

  it("keeps spey's (θ − b) effective σ (spey's `EffectiveSigma` example)", () => {
    const expected = model.expectedData(p(0, 1, 1));
    close(expected[0]!, 69.874606914352, 1e-12);
    close(expected[1]!, 69.656407827708, 1e-12);
    expect([...expected.subarray(2)]).toEqual([1, 1]);
  });

  it("equals the correlated background for symmetric envelopes", () => {
    const sym = new EffectiveSigma({
      ...S2,
      correlationMatrix: RHO2,
      absoluteUncertaintyEnvelops: [
        [12, -12],
        [16, -16],
      ],
    });
    const corr = new CorrelatedBackground({ ...S2, covarianceMatrix: SIGMA2 });
    for (const x of [p(1, 0, 0), p(0.3, 0.7, -1.1)]) close(sym.getLogpdfFunc()(x), corr.getLogpdfFunc()(x), 1e-13);
  });

  it("computes the positivity interval of b + σ_eff(θ)θ", () => {
    for (const env of [
      ENVELOPES,
      [
        [15, 10],
        [18, 13],
      ],
      [
        [400, 1],
        [3, 200],
      ],
    ]) {
      const m = new EffectiveSigma({ ...S2, correlationMatrix: RHO2, absoluteUncertaintyEnvelops: env });
      const d = m.domainBounds();
      for (let i = 0; i < 2; i++) {
        const lo = d[1 + i]![0];
        const x = p(0, 0, 0);
        x[1 + i] = lo;
        const atBound = m.expectedData(x)[i]!;
        x[1 + i] = lo * (1 - 1e-6);
        const inside = m.expectedData(x)[i]!;
        expect(atBound).toBeGreaterThanOrEqual(0);
        expect(atBound).toBeLessThan(1e-6 * S2.backgroundYields[i]!);
        expect(inside).toBeGreaterThan(0);
      }
    }
  });

  it("validates envelopes and the correlation matrix", () => {
    expect(
      () => new EffectiveSigma({ ...S2, correlationMatrix: RHO2, absoluteUncertaintyEnvelops: [[10, 15]] }),
    ).toThrow(/absoluteUncertaintyEnvelops/);
    expect(
      () =>
        new EffectiveSigma({ ...S2, correlationMatrix: RHO2, absoluteUncertaintyEnvelops: [[10, 15], [13] as never] }),
    ).toThrow(/absoluteUncertaintyEnvelops\[1\]/);
    expect(
      () => new EffectiveSigma({ ...S2, correlationMatrix: [[1]], absoluteUncertaintyEnvelops: ENVELOPES }),
    ).toThrow(/correlationMatrix/);
    expect(
      () =>
        new EffectiveSigma({
          ...S2,
          correlationMatrix: [
            [1, 1.2],
            [1.2, 1],
          ],
          absoluteUncertaintyEnvelops: ENVELOPES,
        }),
    ).toThrow(/not positive definite/);
  });
});

describe("callable signal yields with extra signal parameters", () => {
  const signal = (phi: Float64Array) => [12 * (1 + phi[0]! * phi[0]!), 15 * Math.exp(0.3 * phi[0]!)];

  it("builds names, bounds and an always-alive model (spey's `DefaultPDFBase`)", () => {
    const model = new CorrelatedBackground({
      ...S2,
      signalYields: signal,
      nSignalParameters: 1,
      signalParameterBounds: [[-2, null]],
      covarianceMatrix: SIGMA2,
    });
    const config = model.config();
    expect(config.parameterNames).toEqual(["mu", "signal_par_0", "theta_bkg_0", "theta_bkg_1"]);
    expect(config.suggestedBounds[1]).toEqual([-2, Number.POSITIVE_INFINITY]);
    expect(config.minimumPoi).toBe(Number.NEGATIVE_INFINITY);
    expect(model.isAlive).toBe(true);
    const expected = model.expectedData(p(1, 0.5, 0, 0));
    close(expected[0]!, 12 * 1.25 + 50, 1e-14);
    close(expected[1]!, 15 * Math.exp(0.15) + 48, 1e-14);
  });

  it("rejects inconsistent signal parameters", () => {
    expect(
      () =>
        new CorrelatedBackground({
          ...S2,
          signalYields: signal,
          nSignalParameters: 1,
          signalParameterBounds: [],
          covarianceMatrix: SIGMA2,
        }),
    ).toThrow(/signalParameterBounds has 0 entries but nSignalParameters is 1/);
    expect(() => new CorrelatedBackground({ ...S2, nSignalParameters: 1, covarianceMatrix: SIGMA2 })).toThrow(
      /nSignalParameters/,
    );
    expect(
      () =>
        new CorrelatedBackground({ ...S2, signalYields: () => [1], nSignalParameters: 0, covarianceMatrix: SIGMA2 }),
    ).toThrow(/must return 2 values/);
  });
});
