/**
 * Capabilities of issue #12 outside the combiners and the workspace interpreter: callable signals
 * with user-supplied derivatives (`signalJacobian`, `signalHessian`), HistFactory histosys
 * interpolation code 2 (pyhf's `interpolators.code2`), and CLs+b / CLb beside CLs.
 */
import { describe, expect, it } from "vitest";
import { PyhfBackend } from "../../src/backends/histfactory/backend.js";
import { interpolateCode2 } from "../../src/backends/histfactory/interpolation.js";
import type { WorkspaceSpec } from "../../src/backends/histfactory/schema.js";
import { InvalidInput } from "../../src/core/errors.js";
import { normCdf } from "../../src/math/special.js";
import { getBackend } from "../../src/model/get-backend.js";
import type { StatisticalModel } from "../../src/model/statistical-model.js";
import type { BackendBase } from "../../src/plugin/backend-base.js";
// getBackend("pyhf…") needs the HistFactory backends registered, as a user's import of spey/histfactory does
import "../../src/histfactory.js";

/** s(φ) = [2 + 3φ₀², 1 + φ₀φ₁, 4 + φ₁] with its exact Jacobian and Hessians. */
function signalWithCounter() {
  const calls = { signal: 0, jacobian: 0, hessian: 0 };
  const signal = (p: Float64Array) => {
    calls.signal++;
    const [a, b] = [p[0] as number, p[1] as number];
    return [2 + 3 * a * a, 1 + a * b, 4 + b];
  };
  const jacobian = (p: Float64Array) => {
    calls.jacobian++;
    const [a, b] = [p[0] as number, p[1] as number];
    return [
      [6 * a, 0],
      [b, a],
      [0, 1],
    ];
  };
  const hessian = (_p: Float64Array) => {
    calls.hessian++;
    return [
      [
        [6, 0],
        [0, 0],
      ],
      [
        [0, 1],
        [1, 0],
      ],
      [
        [0, 0],
        [0, 0],
      ],
    ];
  };
  return { calls, signal, jacobian, hessian };
}

const POINT = Float64Array.from([0.8, 0.6, -0.4]); // μ, φ₀, φ₁

/** Central-difference gradient of −log L (step 1e-6). */
function fdGradient(backend: BackendBase, x: Float64Array): Float64Array {
  const f = backend.getLogpdfFunc();
  return Float64Array.from(x, (_, i) => {
    const up = Float64Array.from(x);
    const dn = Float64Array.from(x);
    up[i] = (up[i] as number) + 1e-6;
    dn[i] = (dn[i] as number) - 1e-6;
    return -(f(up) - f(dn)) / 2e-6;
  });
}

describe.each([
  ["default.normal", { backgroundYields: [10, 8, 12], data: [14, 9, 17], absoluteUncertainties: [3, 2, 4] }],
  [
    "default.correlated_background",
    {
      backgroundYields: [10, 8, 12],
      data: [14, 9, 17],
      covarianceMatrix: [
        [9, 1, 0],
        [1, 4, 0.5],
        [0, 0.5, 16],
      ],
    },
  ],
])("signalJacobian / signalHessian with %s", (name, args) => {
  const build = (withDerivatives: boolean, counter = signalWithCounter()) => ({
    counter,
    model: getBackend(name)({
      ...args,
      signalYields: counter.signal,
      nSignalParameters: 2,
      ...(withDerivatives ? { signalJacobian: counter.jacobian, signalHessian: counter.hessian } : {}),
    }) as StatisticalModel,
  });

  const point = (m: StatisticalModel) => {
    const x = Float64Array.from(m.config().suggestedInit, () => 0.1);
    x.set(POINT, 0);
    return x;
  };

  it("reports where the derivatives come from", () => {
    const analytic = build(true).model.backend as unknown as { signalDerivativeSources: unknown };
    const numeric = build(false).model.backend as unknown as { signalDerivativeSources: unknown };
    expect(analytic.signalDerivativeSources).toEqual({ jacobian: "analytic", hessian: "analytic" });
    expect(numeric.signalDerivativeSources).toEqual({ jacobian: "finite-difference", hessian: "finite-difference" });
  });

  it("the analytic gradient uses the user's Jacobian (one signal call) and matches finite differences", () => {
    const { model, counter } = build(true);
    const x = point(model);
    const objective = model.backend.getObjectiveFunction?.() as NonNullable<
      BackendBase["getObjectiveFunction"]
    > extends (...a: never[]) => infer R
      ? R
      : never;
    const grad = new Float64Array(x.length);
    const before = { ...counter.calls };
    objective(x, grad);
    // One evaluation of s(φ) and one of its Jacobian — no finite differences of the user function.
    expect(counter.calls.jacobian - before.jacobian).toBe(1);
    expect(counter.calls.signal - before.signal).toBe(1);
    const fd = fdGradient(model.backend, x);
    // Central differences with h = 1e-6 on an O(10) function: error ≲ 1e-8.
    grad.forEach((g, i) => expect(Math.abs(g - (fd[i] as number))).toBeLessThan(1e-6 * Math.max(1, Math.abs(g))));
  });

  it("the analytic Hessian uses the user's second derivatives and matches finite differences of the gradient", () => {
    const { model, counter } = build(true);
    const x = point(model);
    const before = counter.calls.hessian;
    const hessianOf = model.backend.getHessianLogpdfFunc;
    if (!hessianOf) throw new Error("the backend has no Hessian");
    const H = hessianOf.call(model.backend)(x);
    expect(counter.calls.hessian - before).toBe(1);
    const objective = model.backend.getObjectiveFunction?.() as (p: Float64Array, g?: Float64Array) => number;
    const n = x.length;
    for (let j = 0; j < n; j++) {
      const up = Float64Array.from(x);
      const dn = Float64Array.from(x);
      up[j] = (up[j] as number) + 1e-5;
      dn[j] = (dn[j] as number) - 1e-5;
      const gu = new Float64Array(n);
      const gd = new Float64Array(n);
      objective(up, gu);
      objective(dn, gd);
      for (let i = 0; i < n; i++) {
        const fd = -((gu[i] as number) - (gd[i] as number)) / 2e-5; // Hessian of log L = −∂²NLL
        // Central differences of an exact gradient, h = 1e-5: error ≲ 1e-8 relative to the scale.
        expect(Math.abs((H[i * n + j] as number) - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
      }
    }
  });

  it("fits agree with the finite-difference fallback", () => {
    const a = build(true).model;
    const b = build(false).model;
    const [muA, nllA] = a.maximizeLikelihood();
    const [muB, nllB] = b.maximizeLikelihood();
    // Same optimum; the fallback's derivatives carry ~1e-7 errors: 1e-6 in μ̂, 1e-9 in NLL.
    expect(Math.abs(muA - muB)).toBeLessThan(1e-6);
    expect(Math.abs(nllA - nllB)).toBeLessThan(1e-9);
  });

  it("rejects derivatives of the wrong shape or without a callable signal", () => {
    const counter = signalWithCounter();
    expect(() =>
      getBackend(name)({ ...args, signalYields: counter.signal, nSignalParameters: 2, signalJacobian: () => [[1, 2]] }),
    ).toThrow(/signalJacobian\(φ\) must return 3 rows/);
    expect(() =>
      getBackend(name)({
        ...args,
        signalYields: counter.signal,
        nSignalParameters: 2,
        signalHessian: () => [[[1]], [[1]], [[1]]],
      }),
    ).toThrow(/must be a 2×2 matrix/);
    expect(() => getBackend(name)({ ...args, signalYields: [1, 2, 3], signalJacobian: counter.jacobian })).toThrow(
      InvalidInput,
    );
  });
});

describe("histosys interpolation code 2 (pyhf's interpolators.code2)", () => {
  // pyhf's code 2: a = (hi + lo)/2 − nom, b = (hi − lo)/2; Δ = aα² + bα inside, linear outside.
  const nom = 10;
  const hi = 13;
  const lo = 8.5;
  const reference = (alpha: number) => {
    const a = 0.5 * (hi + lo) - nom;
    const b = 0.5 * (hi - lo);
    if (alpha > 1) return (b + 2 * a) * (alpha - 1) + hi - nom;
    if (alpha < -1) return (b - 2 * a) * (alpha + 1) + lo - nom;
    return a * alpha * alpha + b * alpha;
  };

  it("equals pyhf's formula, with value and slope continuous at ±1", () => {
    const out = new Float64Array(3);
    const up = hi - nom;
    const dn = nom - lo;
    for (const alpha of [-2.5, -1.0000001, -1, -0.4, 0, 0.3, 1, 1.0000001, 1.7]) {
      interpolateCode2(up, dn, 0.5 * (up - dn), 0.5 * (up + dn), alpha, out, 0);
      // The same arithmetic in another order: rounding only.
      expect(Math.abs((out[0] as number) - reference(alpha))).toBeLessThan(1e-12);
      const h = 1e-7;
      const slope = (reference(alpha + h) - reference(alpha - h)) / (2 * h);
      // Central difference of a piecewise quadratic (the kinks at ±1 are C¹): 1e-6.
      expect(Math.abs((out[1] as number) - slope)).toBeLessThan(1e-6);
    }
  });

  it("drives the expected yields of a workspace with modifierSettings histosys code2", () => {
    const ws: WorkspaceSpec = {
      channels: [
        {
          name: "SR",
          samples: [
            { name: "signal", data: [2], modifiers: [{ name: "mu", type: "normfactor", data: null }] },
            {
              name: "bkg",
              data: [nom],
              modifiers: [{ name: "shape", type: "histosys", data: { hi_data: [hi], lo_data: [lo] } }],
            },
          ],
        },
      ],
      observations: [{ name: "SR", data: [12] }],
      measurements: [{ name: "m", config: { poi: "mu", parameters: [] } }],
      version: "1.0.0",
    };
    const backend = new PyhfBackend({
      backgroundOnlyModel: ws,
      modifierSettings: { normsys: { interpcode: "code4" }, histosys: { interpcode: "code2" } },
    });
    const shape = backend.model.parameterNames.indexOf("shape");
    const mu = backend.model.poiIndex;
    for (const alpha of [-1.8, -0.5, 0.4, 1, 2.2]) {
      const x = new Float64Array(2);
      x[mu] = 0;
      x[shape] = alpha;
      expect(Math.abs((backend.model.expectedMain(x)[0] as number) - (nom + reference(alpha)))).toBeLessThan(1e-12);
    }
    expect(
      () =>
        new PyhfBackend({ backgroundOnlyModel: ws, modifierSettings: { histosys: { interpcode: "code3" as never } } }),
    ).toThrow(/"code0", "code2", "code4p"/);
  });
});

describe("CLs+b and CLb beside CLs (opt-in returnTailProbabilities)", () => {
  const model = getBackend("default.normal")({
    signalYields: [12, 15],
    backgroundYields: [50, 48],
    data: [36, 33],
    absoluteUncertainties: [12, 16],
  });

  it("keeps the default result and adds CLs = CLs+b / CLb", () => {
    for (const expected of ["observed", "aposteriori", "apriori"] as const) {
      const plain = model.exclusionConfidenceLevel({ expected });
      const tails = model.exclusionConfidenceLevel({ expected, returnTailProbabilities: true });
      expect(tails.oneMinusCls).toEqual(plain);
      tails.cls.forEach((c, i) => {
        // CLs is the ratio of the two tail probabilities (to rounding).
        expect(Math.abs(c - (tails.clsb[i] as number) / (tails.clb[i] as number))).toBeLessThan(1e-15);
        expect(Math.abs(1 - c - (plain[i] as number))).toBeLessThan(1e-15);
      });
    }
  });

  it("expected values: CLb = Φ(−n) at the background quantiles n = 2 … −2 (arXiv:1007.1727 eq. 66 with Δ = n)", () => {
    const tails = model.exclusionConfidenceLevel({ expected: "aposteriori", returnTailProbabilities: true });
    [2, 1, 0, -1, -2].forEach((n, i) => expect(Math.abs((tails.clb[i] as number) - normCdf(-n))).toBeLessThan(1e-12));
  });

  it('"all" gives observed and expected; the χ² and toy calculators report them too', () => {
    const all = model.exclusionConfidenceLevel({ expected: "all", returnTailProbabilities: true });
    const [obs, exp] = model.exclusionConfidenceLevel({ expected: "all" });
    expect(all.observed.oneMinusCls).toEqual(obs);
    expect(all.expected.oneMinusCls).toEqual(exp);
    const chi2 = model.exclusionConfidenceLevel({ calculator: "chi_square", returnTailProbabilities: true });
    expect(chi2.oneMinusCls).toEqual(model.exclusionConfidenceLevel({ calculator: "chi_square" }));
    const toy = model.exclusionConfidenceLevel({
      calculator: "toy",
      ntoys: 200,
      seed: 3,
      returnTailProbabilities: true,
    });
    expect(toy.oneMinusCls).toEqual(model.exclusionConfidenceLevel({ calculator: "toy", ntoys: 200, seed: 3 }));
    // Toy CLs is the ratio of the empirical tail fractions (clipped to [0, 1]).
    expect(
      Math.abs((toy.cls[0] as number) - Math.min(1, (toy.clsb[0] as number) / (toy.clb[0] as number))),
    ).toBeLessThan(1e-15);
  });

  it("reproduces pyhf's documented tail probabilities (pyhf.infer.calculators.AsymptoticCalculator.pvalues docstring)", () => {
    // pyhf docs: uncorrelated_background(signal [12, 11], bkg [50, 52], bkg_uncertainty [3, 7]),
    // observations [51, 48], μ = 1, q̃: (CLsb, CLb, CLs) = (0.02332502, 0.4441594, 0.05251497) and the
    // expected CLs band [0.00260626, 0.01382005, 0.06445321, 0.23525644, 0.57303621] (hypotest docstring).
    const pyhfModel = getBackend("pyhf.uncorrelated_background")({
      signalYields: [12, 11],
      backgroundYields: [50, 52],
      absoluteUncertainties: [3, 7],
      data: [51, 48],
    });
    const t = pyhfModel.exclusionConfidenceLevel({ expected: "all", returnTailProbabilities: true });
    // pyhf's documented numbers come from scipy fits at its default tolerances; our exact fits
    // differ by up to 6e-6 (the spey-pyhf integration value of this model, 1 − CLs =
    // 0.9474850258730709, differs from ours by 5.5e-7 likewise): 1e-5 absolute.
    expect(Math.abs((t.observed.clsb[0] as number) - 0.02332502)).toBeLessThan(1e-5);
    expect(Math.abs((t.observed.clb[0] as number) - 0.4441594)).toBeLessThan(1e-5);
    expect(Math.abs((t.observed.cls[0] as number) - 0.05251497)).toBeLessThan(1e-5);
    [0.00260626, 0.01382005, 0.06445321, 0.23525644, 0.57303621].forEach((v, i) =>
      expect(Math.abs((t.expected.cls[i] as number) - v)).toBeLessThan(1e-5),
    );
  });
});

describe("expectedData({ includeAuxiliary }) (spey-pyhf's expected_data(pars, include_auxiliary))", () => {
  it("simplified, simple and combined models: main means alone, or followed by the auxiliary data at pars", () => {
    const correlated = getBackend("default.correlated_background")({
      signalYields: [12, 15],
      backgroundYields: [50, 48],
      data: [36, 33],
      covarianceMatrix: [
        [144, 19],
        [19, 256],
      ],
      analysis: "A",
    });
    const x = [0.5, 0.3, -0.2];
    const all = correlated.expectedData(x);
    // λ = μs + b + σθ with σ = √diag Σ, then the auxiliary data a = θ.
    expect(all.length).toBe(4);
    expect(all[0]).toBeCloseTo(0.5 * 12 + 50 + 12 * 0.3, 12);
    expect(all.slice(2)).toEqual([0.3, -0.2]);
    expect(correlated.expectedData(x, { includeAuxiliary: false })).toEqual(all.slice(0, 2));
    const poisson = getBackend("default.poisson")({
      signalYields: [3],
      backgroundYields: [20],
      data: [22],
      analysis: "B",
    });
    expect(poisson.expectedData([2], { includeAuxiliary: false })).toEqual([26]);
    const combined = getBackend("default.correlated_combiner")({
      statisticalModels: [correlated, poisson],
      sharedParameters: ["mu"],
    });
    expect(combined.expectedData(x, { includeAuxiliary: false })).toEqual([...all.slice(0, 2), 0.5 * 3 + 20]);
    expect(() => combined.expectedData([1, 2])).toThrow(/pars has 2 entries but the model has 3/);
  });
});
