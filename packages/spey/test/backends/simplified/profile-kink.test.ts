/**
 * Optima on the Poisson floor boundary: a bin with no events has the term max(λ, 1e-20), a corner
 * where λ = μs + nᵢ(θ) reaches the floor. The profile must find minima that sit exactly there.
 * Every expected value below is derived in the test (closed form, or a dense scan of the model's
 * own log-likelihood), never copied from the implementation.
 */
import { describe, expect, it } from "vitest";
import { getBackend } from "../../../src/model/get-backend.js";
import type { StatisticalModel } from "../../../src/model/statistical-model.js";
import { captureLogs } from "../../../src/core/logger.js";

const FLOOR = 1e-20;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Bisection root of an increasing function on [a, b] to machine precision. */
function increasingRoot(f: (x: number) => number, a: number, b: number): number {
  for (let k = 0; k < 200; k++) {
    const m = 0.5 * (a + b);
    if (m <= a || m >= b) break;
    if (f(m) > 0) b = m;
    else a = m;
  }
  return 0.5 * (a + b);
}

function nllAt(model: StatisticalModel, pars: number[]): number {
  return -model.backend.getLogpdfFunc()(Float64Array.from(pars));
}

describe("profiles whose optimum lies on the Poisson floor boundary", () => {
  it("one bin, no events, fixed μ: θ̂ on the corner λ = 0 (closed form)", () => {
    // λ = 2μ + 1 + 0.5θ, d = 0, constraint N(0 | θ, 1). At μ = −0.4: λ = 0.2 + 0.5θ. Above the
    // corner θ_c = −0.4, F = λ + θ²/2 increases (F′ = 0.5 + θ > 0); below it F = 1e-20 + θ²/2
    // decreases towards θ_c. So θ̂ = −0.4 and F = 0.08 + 1e-20.
    const model = getBackend("default.correlated_background")({
      signalYields: [2],
      backgroundYields: [1],
      data: [0],
      covarianceMatrix: [[0.25]],
    });
    const { result, records } = captureLogs(() => model.likelihood({ poiTest: -0.4, returnParameters: true }));
    const [nll, pars] = result;
    // θ̂ from the corner's position (2·0.4 − 1 + 1e-20)/0.5: exact to the float64 rounding of that formula.
    expect(pars[1]).toBeCloseTo(-0.4, 12);
    // NLL = θ̂²/2 + ½ln 2π (+ the floor 1e-20): exact to rounding.
    expect(Math.abs(nll - (0.08 + HALF_LOG_2PI))).toBeLessThan(1e-13);
    expect(records.filter((r) => r.level === "warning")).toEqual([]);
  });

  it("two correlated bins, one without events: θ̂₁ on the corner, θ̂₂ from its 1-D condition (closed form and a dense 2-D scan)", () => {
    const rho = -0.6;
    const s1 = 0.5;
    const s2 = 1.5;
    const model = getBackend("default.correlated_background")({
      signalYields: [2, 0],
      backgroundYields: [1, 5],
      data: [0, 6],
      covarianceMatrix: [
        [s1 * s1, rho * s1 * s2],
        [rho * s1 * s2, s2 * s2],
      ],
    });
    const mu = -0.4;
    // The corner of bin 1: 2μ + 1 + 0.5θ₁ = 1e-20.
    const corner = (FLOOR - 2 * mu - 1) / s1;
    // ∂G/∂θ for G = ½θᵀρ⁻¹θ (nominal auxiliary data 0).
    const gradG = (t1: number, t2: number) => [(t1 - rho * t2) / (1 - rho * rho), (t2 - rho * t1) / (1 - rho * rho)];
    // On the corner, θ₂ minimises the convex h₂(θ₂) + G(corner, θ₂): root of its increasing derivative.
    const theta2 = increasingRoot((t) => (1 - 6 / (5 + s2 * t)) * s2 + (gradG(corner, t)[1] as number), -3, 5);
    // Optimality on the corner: going down (λ floored) changes F by −∂G/∂θ₁ per unit, going up by
    // 0.5 + ∂G/∂θ₁: both must be ≥ 0, i.e. −0.5 ≤ ∂G/∂θ₁ ≤ 0 (strictly: the corner is the unique optimum).
    const g1 = gradG(corner, theta2)[0] as number;
    expect(g1).toBeGreaterThan(-0.5);
    expect(g1).toBeLessThan(0);
    const expectedNll = nllAt(model, [mu, corner, theta2]);

    const { result, records } = captureLogs(() => model.likelihood({ poiTest: mu, returnParameters: true }));
    const [nll, pars] = result;
    // θ̂: the optimiser stops at a projected gradient ≤ 1e-9·√NLL; the curvature in θ₂ is ≥ 1, so 1e-8.
    expect(Math.abs((pars[1] as number) - corner)).toBeLessThan(1e-8);
    expect(Math.abs((pars[2] as number) - theta2)).toBeLessThan(1e-8);
    // NLL: second order in the θ error: 1e-12.
    expect(Math.abs(nll - expectedNll)).toBeLessThan(1e-12);
    expect(records.filter((r) => r.level === "warning")).toEqual([]);

    // Dense scan of the model's own likelihood over the feasible box (nᵢ(θᵢ) ≥ 0).
    let gridMin = Number.POSITIVE_INFINITY;
    const steps = 600;
    for (let i = 0; i <= steps; i++) {
      const t1 = -2 + (2.5 * i) / steps; // θ₁ ≥ −b₁/σ₁ = −2
      for (let j = 0; j <= steps; j++) {
        const t2 = -1.5 + (3 * j) / steps;
        const v = nllAt(model, [mu, t1, t2]);
        if (v < gridMin) gridMin = v;
      }
    }
    // No grid point is below the profile (1e-12: rounding of the NLL sum).
    expect(gridMin).toBeGreaterThanOrEqual(nll - 1e-12);
    // The grid (spacing 5e-3) comes within its second-order resolution (~curvature·h² ≈ 1e-4).
    expect(gridMin - nll).toBeLessThan(1e-4);
  });

  it("free fit with μ ≥ 0 on the corner of the floor and the positivity bound (closed form, 2-D scan)", () => {
    // λ = 2μ + 0.3 + θ with θ ≥ −0.3 (background ≥ 0), d = 0: F = max(λ, 1e-20) + θ²/2 is smallest
    // at μ = 0, θ = −0.3 (λ = 0 floored; the unconstrained θ = −1 is infeasible): F = 0.045.
    const model = getBackend("default.correlated_background")({
      signalYields: [2],
      backgroundYields: [0.3],
      data: [0],
      covarianceMatrix: [[1]],
    });
    const { result, records } = captureLogs(() => model.maximizeLikelihood({ allowNegativeSignal: false }));
    const [muhat, nll] = result;
    expect(muhat).toBe(0);
    // 0.045 + ½ln 2π + 1e-20: exact to rounding.
    expect(Math.abs(nll - (0.045 + HALF_LOG_2PI))).toBeLessThan(1e-13);
    expect(records.filter((r) => r.level === "warning")).toEqual([]);
    let gridMin = Number.POSITIVE_INFINITY;
    for (let i = 0; i <= 400; i++) {
      for (let j = 0; j <= 400; j++) {
        const v = nllAt(model, [(2 * i) / 400, -0.3 + (3 * j) / 400]);
        if (v < gridMin) gridMin = v;
      }
    }
    // The grid contains the optimum (μ, θ) = (0, −0.3) itself: equal to rounding.
    expect(Math.abs(gridMin - nll)).toBeLessThan(1e-13);
  });

  it("a two-bin third-moment model with data [0, 2]: the free fit is below the exact profile everywhere (μ < 0 included)", () => {
    const model = getBackend("default.third_moment_expansion")({
      signalYields: [3, 1],
      backgroundYields: [1.5, 2],
      data: [0, 2],
      covarianceMatrix: [
        [0.8, 0.2],
        [0.2, 1.0],
      ],
      thirdMoment: [0.5, 0.4],
    });
    const { result, records } = captureLogs(() => model.maximizeLikelihood({ allowNegativeSignal: true }));
    const [muhat, nll] = result;
    const [lo, hi] = model.config({ allowNegativeSignal: true }).suggestedBounds[0] as [number, number];
    let profileMin = Number.POSITIVE_INFINITY;
    for (let k = 0; k <= 400; k++) {
      const mu = lo + ((hi - lo) * k) / 400;
      const p = model.likelihood({ poiTest: mu });
      // The free fit is the minimum of the profile: below every point (1e-9: its own tolerance).
      expect(nll).toBeLessThanOrEqual(p + 1e-9);
      profileMin = Math.min(profileMin, p);
    }
    // and the profile at μ̂ is the free fit's value (same θ̂ problem, 1e-12 rounding).
    expect(Math.abs(model.likelihood({ poiTest: muhat }) - nll)).toBeLessThan(1e-10);
    // μ̂ < 0 here: the bin without events pulls the signal negative until the floor is reached.
    expect(muhat).toBeLessThan(0);
    expect(profileMin - nll).toBeLessThan(1e-3);
    expect(records.filter((r) => r.level === "warning")).toEqual([]);
  });
});
