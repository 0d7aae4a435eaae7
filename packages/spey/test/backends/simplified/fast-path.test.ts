import { describe, expect, it } from "vitest";
import { UncorrelatedBackground } from "../../../src/backends/simplified/uncorrelated-background.js";
import { fitModel } from "../../../src/fit/fit.js";

/**
 * The closed-form profile of default.uncorrelated_background against the generic bounded
 * optimiser on the same likelihood. The optimiser stops at a projected gradient of
 * 1e-9·max(1, |NLL|), i.e. parameters good to ~1e-8 and NLLs to ~1e-14: the fast path must agree
 * to 1e-10 in the NLL (absolute) and 1e-6 in the parameters.
 */
const NLL_ATOL = 1e-10;
const PAR_ATOL = 1e-6;

const MODELS = {
  twoBin: new UncorrelatedBackground({
    signalYields: [12, 15],
    backgroundYields: [50, 48],
    data: [36, 33],
    absoluteUncertainties: [12, 16],
  }),
  excess: new UncorrelatedBackground({
    signalYields: [3, 5, 1.5],
    backgroundYields: [10, 4, 20],
    data: [18, 15, 22],
    absoluteUncertainties: [2, 1.5, 6],
  }),
  lowCounts: new UncorrelatedBackground({
    signalYields: [0.5, 2, 0],
    backgroundYields: [2, 0.3, 1],
    data: [0, 1, 3],
    absoluteUncertainties: [1.1, 0.2, 0],
  }),
  zeroBackgroundBin: new UncorrelatedBackground({
    signalYields: [1.5, 3, 2],
    backgroundYields: [0, 12, 30],
    data: [0, 11, 33],
    absoluteUncertainties: [0.5, 2, 4],
  }),
  negativeSignalBin: new UncorrelatedBackground({
    signalYields: [-2, 6],
    backgroundYields: [30, 20],
    data: [25, 31],
    absoluteUncertainties: [5, 3],
  }),
};

function generic(
  model: UncorrelatedBackground,
  fixed: Map<number, number>,
  data?: Float64Array,
  allowNegativeSignal = true,
) {
  return fitModel({
    backend: model,
    config: model.config({ allowNegativeSignal }),
    expected: "observed",
    data,
    fixed,
  });
}

describe("uncorrelated background: closed-form conditional fit", () => {
  for (const [name, model] of Object.entries(MODELS)) {
    it(`matches the generic optimiser (${name})`, () => {
      const minPoi = model.config().minimumPoi;
      const mus = [0, 0.5, 1, 2.5, 7, minPoi * 0.9, minPoi * 0.5].filter(Number.isFinite);
      const asimov = model.expectedData(
        Float64Array.from([0.7, ...new Array(model.nBins).fill(0).map((_, i) => 0.3 - 0.2 * i)]),
      );
      for (const data of [undefined, asimov]) {
        for (const mu of mus) {
          const fixed = new Map([[0, mu]]);
          const fast = model.negativeLoglikelihood({ fixed, ...(data ? { data } : {}) });
          expect(fast).toBeDefined();
          const slow = generic(model, fixed, data);
          expect(Math.abs(fast!.nll - slow.nll), `${name} μ=${mu}`).toBeLessThanOrEqual(NLL_ATOL);
          for (let k = 0; k < slow.parameters.length; k++) {
            expect(
              Math.abs(fast!.parameters[k]! - slow.parameters[k]!),
              `${name} μ=${mu} par ${k}`,
            ).toBeLessThanOrEqual(PAR_ATOL);
          }
          // the fast path's NLL is the likelihood at its parameters
          expect(Math.abs(fast!.nll + model.getLogpdfFunc(data ? { data } : {})(fast!.parameters))).toBeLessThanOrEqual(
            1e-12 * Math.max(1, fast!.nll),
          );
        }
      }
    });
  }

  it("uses the apriori data (background) and auxiliary data", () => {
    const model = MODELS.twoBin;
    const fixed = new Map([[0, 1]]);
    const fast = model.negativeLoglikelihood({ fixed, expected: "apriori" })!;
    const slow = fitModel({ backend: model, config: model.config(), expected: "apriori", fixed });
    expect(Math.abs(fast.nll - slow.nll)).toBeLessThanOrEqual(NLL_ATOL);
  });

  it("hands a fixed θᵢ to the exact enumeration: the generic fit's minimum or lower, θᵢ held", () => {
    const model = MODELS.twoBin;
    const fixed = new Map([
      [0, 1],
      [1, 0.2],
    ]);
    const exact = model.negativeLoglikelihood({ fixed });
    expect(exact?.global).toBe(true);
    expect(exact?.parameters[1]).toBe(0.2);
    const generic = fitModel({ backend: model, config: model.config(), expected: "observed", fixed });
    // the generic local fit of this convex problem is its minimum to ~1e-12: 1e-9 for rounding
    expect(Math.abs((exact?.nll as number) - generic.nll)).toBeLessThan(1e-9);
  });

  it("declines requests it does not cover (a free modifier nuisance or signal parameter)", () => {
    const withModifiers = new UncorrelatedBackground({
      signalYields: [12, 15],
      backgroundYields: [50, 48],
      data: [36, 33],
      absoluteUncertainties: [12, 16],
      modifiers: [{ type: "normalization", uncertainties: [1, 1] }],
    });
    expect(withModifiers.negativeLoglikelihood({ fixed: new Map([[0, 1]]) })).toBeUndefined();
    expect(
      withModifiers.minimizeNegativeLoglikelihood({ allowNegativeSignal: true, fixed: new Map() }),
    ).toBeUndefined();
    const callable = new UncorrelatedBackground({
      signalYields: (phi: Float64Array) => [12 * phi[0]!, 15],
      nSignalParameters: 1,
      backgroundYields: [50, 48],
      data: [36, 33],
      absoluteUncertainties: [12, 16],
    });
    expect(callable.negativeLoglikelihood({ fixed: new Map([[0, 1]]) })).toBeUndefined();
  });
});

describe("uncorrelated background: free fit on the exact profile", () => {
  for (const [name, model] of Object.entries(MODELS)) {
    for (const allowNegativeSignal of [true, false]) {
      it(`matches the generic optimiser (${name}, allowNegativeSignal=${allowNegativeSignal})`, () => {
        const asimov = model.expectedData(Float64Array.from([1.3, ...new Array(model.nBins).fill(0.1)]));
        for (const data of [undefined, asimov]) {
          const fast = model.minimizeNegativeLoglikelihood({
            allowNegativeSignal,
            fixed: new Map(),
            ...(data ? { data } : {}),
          });
          expect(fast).toBeDefined();
          const slow = generic(model, new Map(), data, allowNegativeSignal);
          expect(Math.abs(fast!.nll - slow.nll), name).toBeLessThanOrEqual(NLL_ATOL);
          expect(fast!.nll).toBeLessThanOrEqual(slow.nll + 1e-12);
          for (let k = 0; k < slow.parameters.length; k++) {
            expect(Math.abs(fast!.parameters[k]! - slow.parameters[k]!), `${name} par ${k}`).toBeLessThanOrEqual(
              PAR_ATOL,
            );
          }
        }
      });
    }
  }

  it("refits Asimov data to the generating parameters (arXiv:1007.1727 eq. 25)", () => {
    const model = MODELS.twoBin;
    const truth = Float64Array.from([0.8, -0.4, 0.6]);
    const fit = model.minimizeNegativeLoglikelihood({
      allowNegativeSignal: true,
      fixed: new Map(),
      data: model.expectedData(truth),
    })!;
    // the exact profile's stationary point: limited only by rounding (1e-9 is generous)
    for (let k = 0; k < 3; k++) expect(Math.abs(fit.parameters[k]! - truth[k]!)).toBeLessThan(1e-9);
  });

  it("reproduces spey's published fit of the two-bin example (a value computed with spey 0.2.7: μ̂ −1.0844, NLL 7.2260863)", () => {
    // spey's SLSQP result, μ̂ printed to 4 decimals and good to ~1e-3 (spey's `spey.optimizer`), NLL to ~1e-8
    const fit = MODELS.twoBin.minimizeNegativeLoglikelihood({ allowNegativeSignal: true, fixed: new Map() })!;
    expect(Math.abs(fit.parameters[0]! - -1.0844)).toBeLessThan(5e-4);
    expect(Math.abs(fit.nll - 7.2260863)).toBeLessThan(1e-6);
    const cond = MODELS.twoBin.negativeLoglikelihood({ fixed: new Map([[0, 1]]) })!;
    // a value computed with spey 0.2.7: likelihood(1.0, return_parameters=True) = (10.6037932673, [1, −1.67875319, −1.63952838]);
    // spey's SLSQP (tol 1e-6) leaves ~1e-8 in the NLL and ~1e-4 in θ (spey's `spey.optimizer`: parameters ~√tol)
    expect(Math.abs(cond.nll - 10.6037932673)).toBeLessThan(1e-8);
    expect(Math.abs(cond.parameters[1]! - -1.67875319)).toBeLessThan(1e-4);
    expect(Math.abs(cond.parameters[2]! - -1.63952838)).toBeLessThan(1e-4);
  });
});
