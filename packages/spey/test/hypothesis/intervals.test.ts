import { describe, expect, it } from "vitest";
import type { BackendBase } from "../../src/plugin/backend-base.js";
import { getBackend } from "../../src/model/get-backend.js";
import { CorrelatedCombiner } from "../../src/backends/combined/correlated-combiner.js";
import { InvalidInput } from "../../src/core/errors.js";
import { StatisticalModel } from "../../src/model/statistical-model.js";
import { Normal } from "../../src/backends/simple/normal.js";
import { chi2Isf } from "../../src/math/special.js";

// One Gaussian bin: NLL(μ) = ½((n − μs − b)/σ)² + const, so every interval is analytic:
// μ̂ = (n − b)/s, σμ = σ/s, the CL interval is μ̂ ± √χ²₁.isf(1 − CL)·σμ.
const s = 12;
const b = 50;
const n = 36;
const sigma = 20;
const model = () =>
  getBackend("default.normal")({ signalYields: [s], backgroundYields: [b], data: [n], absoluteUncertainties: [sigma] });
const muhat = (n - b) / s;
const sigmaMu = sigma / s;

describe("χ² tests, pulls and σμ (spey's `HypothesisTestingBase`)", () => {
  it("chi2Test two-sided: μ̂ ± 1.96 σμ, and χ² equals the threshold at both ends", () => {
    const [left, right] = model().chi2Test();
    const half = Math.sqrt(chi2Isf(0.05, 1)) * sigmaMu;
    // TOMS748 with spey's rtol 1e-4 on the roots: 1e-4 relative.
    expect(Math.abs((left as number) - (muhat - half))).toBeLessThan(1e-4 * Math.abs(muhat - half));
    expect(Math.abs((right as number) - (muhat + half))).toBeLessThan(1e-4 * Math.abs(muhat + half));
  });

  it("chi2Test with TOMS748 cut short (maxIterations: 1, relativeTolerance: 1e-12): the bisection fallback reaches the analytic ends", () => {
    const [left, right] = model().chi2Test({ maxIterations: 1, relativeTolerance: 1e-12 });
    const half = Math.sqrt(chi2Isf(0.05, 1)) * sigmaMu;
    // bisection to 1e-12 relative; the NLL differences and χ²₁.isf are exact to ~1e-13 relative,
    // which moves the crossing by ~1e-13/(its slope ≈ 2.3) relative: 1e-10 leaves room for both
    expect(Math.abs((left as number) - (muhat - half))).toBeLessThan(1e-10 * Math.abs(muhat - half));
    expect(Math.abs((right as number) - (muhat + half))).toBeLessThan(1e-10 * Math.abs(muhat + half));
  });

  it("chi2Test one-sided: left and right limits at the same χ²₁.isf(1 − CL) threshold (spey's convention)", () => {
    const half = Math.sqrt(chi2Isf(0.1, 1)) * sigmaMu;
    const [left] = model().chi2Test({ limitType: "left", confidenceLevel: 0.9 });
    expect(Math.abs((left as number) - (muhat - half))).toBeLessThan(1e-4 * Math.abs(muhat - half));
    // "right" keeps μ ≥ 0 unless allowNegativeSignal: the denominator is the fit at μ̂ = 0.
    const [right] = model().chi2Test({ limitType: "right", confidenceLevel: 0.9 });
    const fromZero = Math.sqrt(chi2Isf(0.1, 1) + (muhat / sigmaMu) ** 2) * sigmaMu + muhat;
    expect(Math.abs((right as number) - fromZero)).toBeLessThan(1e-4 * fromZero);
    expect(() => model().chi2Test({ limitType: "up" as never })).toThrow(InvalidInput);
  });

  it("chi2Test on a nuisance-like parameter (signal shape parameter, μ fixed at 1)", () => {
    const m = getBackend("default.normal")({
      signalYields: (phi: Float64Array) => [s * (1 + (phi[0] as number))],
      nSignalParameters: 1,
      backgroundYields: [b],
      data: [n],
      absoluteUncertainties: [sigma],
    });
    // With μ = 1: λ = b + s(1 + φ) ⇒ φ̂ = (n − b)/s − 1, σφ = σ/s.
    const [lo, hi] = m.chi2Test({ parameter: "signal_par_0" });
    // roots at spey's TOMS748 rtol 1e-4 on values of order 1–5: 1e-3 absolute.
    const centre = (n - b) / s - 1;
    const half = Math.sqrt(chi2Isf(0.05, 1)) * sigmaMu;
    expect(Math.abs((lo as number) - (centre - half))).toBeLessThan(1e-3);
    expect(Math.abs((hi as number) - (centre + half))).toBeLessThan(1e-3);
    expect(() => m.chi2Test({ parameter: "mu" })).toThrow(/primary POI/);
  });

  it("pull and χ²: (n − b)/σ at μ = 0 and 2ΔNLL = ((μ − μ̂)/σμ)²", () => {
    // A Gaussian in μ: the fits are exact Newton steps, so 8–10 digits are rounding, not fit noise.
    expect(model().pull({ poiTest: 0 })).toBeCloseTo(-0.7, 10);
    expect(model().chi2({ poiTest: 1, allowNegativeSignal: true })).toBeCloseTo(((1 - muhat) / sigmaMu) ** 2, 8);
    expect(model().chi2({ poiTest: [0, 1, 2], allowNegativeSignal: true })).toHaveLength(3);
    expect(model().sigmaMuFromHessian({ poiTest: 1 })).toBeCloseTo(sigmaMu, 10);
    expect(model().sigmaMu({ poiTest: 1 })).toBeCloseTo(sigmaMu, 10);
  });

  it("maximizeLikelihood returns several fitted parameters by name and index", () => {
    const m = getBackend("default.normal")({
      signalYields: (phi: Float64Array) => [s * (phi[0] as number), 10 * (phi[1] as number)],
      nSignalParameters: 2,
      backgroundYields: [b, 20],
      data: [n, 25],
      absoluteUncertainties: [sigma, 5],
    });
    const [values, nll] = m.maximizeLikelihood({ poiIndices: ["signal_par_0", 2], fixedPoiValue: { mu: 1 } });
    // Linear-Gaussian model: the Newton fit is exact up to the callable signal's finite-difference
    // Jacobian (~1e-9 relative), hence 8 digits on the parameters.
    // With μ = 1 the two bins decouple: s·φ0 = n − b and 10·φ1 = 25 − 20; NLL_min = normalisation only.
    expect(values.signal_par_0).toBeCloseTo((n - b) / s, 8);
    expect(values["2"]).toBeCloseTo(0.5, 8);
    expect(nll).toBeCloseTo(Math.log(sigma) + Math.log(5) + Math.log(2 * Math.PI), 10);
  });

  it("generateAsimovData keeps extra fixed parameters and moves the POI only when asked", () => {
    const m = getBackend("default.normal")({
      signalYields: (phi: Float64Array) => [s * (1 + (phi[0] as number))],
      nSignalParameters: 1,
      backgroundYields: [b],
      data: [n],
      absoluteUncertainties: [sigma],
    });
    // Asimov data are λ at exact conditional fits (all other parameters fixed): 10 digits.
    expect(m.generateAsimovData()[0]).toBeCloseTo(b, 10); // μ = 0: background
    expect(m.generateAsimovData({ poiTest: { mu: 2, signal_par_0: 0.5 } })[0]).toBeCloseTo(b + 2 * s * 1.5, 10);
    expect(m.generateAsimovData({ testStatistic: "q0", poiTest: { signal_par_0: 0 } })[0]).toBeCloseTo(b + s, 10);
  });
});

/** A backend that knows how to combine with itself: joint model sharing μ. */
class Combinable extends Normal {
  static override name = "test.combinable";
  override combine(other: BackendBase): BackendBase {
    return new CorrelatedCombiner({ models: [this, other], analyses: ["left", "right"], sharedParameters: ["mu"] });
  }
}

describe("StatisticalModel.combine (spey's @)", () => {
  it("combines through the backend's combine and names the result", () => {
    const a = new StatisticalModel(
      new Combinable({ signalYields: [1], backgroundYields: [3], data: [2], absoluteUncertainties: [1] }),
      { analysis: "A" },
    );
    const c = new StatisticalModel(
      new Combinable({ signalYields: [1], backgroundYields: [1], data: [2], absoluteUncertainties: [1] }),
      { analysis: "B" },
    );
    const combined = a.combine(c);
    expect(combined.analysis).toBe("combine[A, B]");
    const joint = getBackend("default.normal")({
      signalYields: [1, 1],
      backgroundYields: [3, 1],
      data: [2, 2],
      absoluteUncertainties: [1, 1],
    });
    // Same Gaussian likelihood, Newton fits on both sides.
    expect(
      Math.abs((combined.exclusionConfidenceLevel()[0] as number) - (joint.exclusionConfidenceLevel()[0] as number)),
    ).toBeLessThan(1e-10);
  });
});
