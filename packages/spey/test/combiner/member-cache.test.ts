/**
 * CombinerBase keeps its members' likelihood options and functions per data (issue #16: no
 * re-validation and no re-building per evaluation). The cache must never hand out functions of
 * other data: checked against the members' own likelihoods on the split data, for flat data
 * changed in place between two requests (recognised by value), per-analysis data and the
 * observed / apriori data, and for the objective's gradient and the Hessian. The Hessians write
 * into a caller's buffer (HessianFunction's `out`) instead of allocating, with the same values.
 */
import { describe, expect, it } from "vitest";
import { setLogHandler } from "../../src/core/logger.js";
import { getBackend } from "../../src/model/get-backend.js";
import type { StatisticalModel } from "../../src/model/statistical-model.js";

/** Same arithmetic on the same numbers: sums of 2 members' values agree to rounding. */
const TOLERANCE = 1e-12;
/** Differences of two gradients / Hessians of O(10) entries, each exact to rounding (~1e-14). */
const DERIVATIVE_TOLERANCE = 1e-10;

describe("CombinerBase: the members' functions cached per data", () => {
  setLogHandler(() => {});
  const a: StatisticalModel = getBackend("default.uncorrelated_background")({
    signalYields: [4, 21],
    backgroundYields: [11, 96],
    data: [9, 125],
    absoluteUncertainties: [2.2, 24.8],
    analysis: "A",
  });
  const b: StatisticalModel = getBackend("default.poisson")({
    signalYields: [2.8, 5.9],
    backgroundYields: [37, 94],
    data: [45, 96],
    analysis: "B",
  });
  const combined = getBackend("default.correlated_combiner")({ statisticalModels: [a, b], sharedParameters: ["mu"] });
  const backend = combined.backend;
  // global parameters: [mu, θ_A1, θ_A2] (B has only μ)
  const p = Float64Array.from([0.7, 0.3, -0.4]);
  const pa = Float64Array.from([0.7, 0.3, -0.4]);
  const pb = Float64Array.from([0.7]);
  const memberSum = (dataA: number[] | undefined, dataB: number[] | undefined, expected?: "apriori") =>
    a.backend.getLogpdfFunc({ ...(expected ? { expected } : {}), ...(dataA ? { data: dataA } : {}) })(pa) +
    b.backend.getLogpdfFunc({ ...(expected ? { expected } : {}), ...(dataB ? { data: dataB } : {}) })(pb);

  it("flat data changed in place, per-analysis data and the expectation types each get their own functions", () => {
    expect(backend.config().npar).toBe(3);
    // flat data: A's 2 main counts and 2 auxiliary values, then B's 2 counts
    const flat = Float64Array.from([10, 120, 0.1, -0.2, 44, 97]);
    const first = backend.getLogpdfFunc({ data: flat });
    const before = memberSum([10, 120, 0.1, -0.2], [44, 97]);
    expect(Math.abs(first(p) - before)).toBeLessThan(TOLERANCE);
    flat[1] = 130; // the same array, new values
    const second = backend.getLogpdfFunc({ data: flat });
    const after = memberSum([10, 130, 0.1, -0.2], [44, 97]);
    expect(Math.abs(second(p) - after)).toBeLessThan(TOLERANCE);
    expect(Math.abs(after - before)).toBeGreaterThan(0.1);
    // the first function keeps the data it was made for
    expect(Math.abs(first(p) - before)).toBeLessThan(TOLERANCE);
    // observed, apriori, observed again
    expect(Math.abs(backend.getLogpdfFunc({})(p) - memberSum(undefined, undefined))).toBeLessThan(TOLERANCE);
    const apriori = backend.getLogpdfFunc({ expected: "apriori" })(p);
    expect(Math.abs(apriori - memberSum(undefined, undefined, "apriori"))).toBeLessThan(TOLERANCE);
    expect(Math.abs(backend.getLogpdfFunc({})(p) - memberSum(undefined, undefined))).toBeLessThan(TOLERANCE);
    // per-analysis data (only B's given)
    const record = (backend as unknown as { perAnalysisData(r: object): Float64Array }).perAnalysisData({
      B: [50, 90],
    });
    expect(Math.abs(backend.getLogpdfFunc({ data: record })(p) - memberSum(undefined, [50, 90]))).toBeLessThan(
      TOLERANCE,
    );
  });

  it("the gradient and the Hessian follow the data too", () => {
    const flat = Float64Array.from([10, 120, 0.1, -0.2, 44, 97]);
    const objective = backend.getObjectiveFunction?.({ data: flat });
    const hessian = backend.getHessianLogpdfFunc?.({ data: flat });
    if (!objective || !hessian) throw new Error("the combination has a gradient and a Hessian");
    const g1 = new Float64Array(3);
    objective(p, g1);
    const h1 = hessian(p);
    flat[4] = 60;
    const g2 = new Float64Array(3);
    backend.getObjectiveFunction?.({ data: flat })(p, g2);
    const h2 = backend.getHessianLogpdfFunc?.({ data: flat })(p) as Float64Array;
    // B's count 44 → 60 changes ∂/∂μ (B's rates depend on μ) and H_μμ, not the θ_A entries
    const gb = new Float64Array(1);
    const gbNew = new Float64Array(1);
    b.backend.getObjectiveFunction?.({ data: [44, 97] })(pb, gb);
    b.backend.getObjectiveFunction?.({ data: [60, 97] })(pb, gbNew);
    expect(Math.abs(g2[0]! - g1[0]! - (gbNew[0]! - gb[0]!))).toBeLessThan(DERIVATIVE_TOLERANCE);
    expect(g2[1]).toBe(g1[1]);
    const hb = b.backend.getHessianLogpdfFunc?.({ data: [44, 97] })(pb) as Float64Array;
    const hbNew = b.backend.getHessianLogpdfFunc?.({ data: [60, 97] })(pb) as Float64Array;
    expect(Math.abs(h2[0]! - h1[0]! - (hbNew[0]! - hb[0]!))).toBeLessThan(DERIVATIVE_TOLERANCE);
    expect(h2[4]).toBe(h1[4]);
  });

  it("Hessians written into a caller's buffer equal fresh ones, and each buffer is reused", () => {
    const combinedHessian = backend.getHessianLogpdfFunc?.({}) as (x: Float64Array, out?: Float64Array) => Float64Array;
    const memberHessian = a.backend.getHessianLogpdfFunc?.({}) as (x: Float64Array, out?: Float64Array) => Float64Array;
    for (const [f, x] of [
      [combinedHessian, p],
      [memberHessian, pa],
    ] as const) {
      const fresh = f(x);
      // a buffer holding garbage: every entry is overwritten
      const out = new Float64Array(fresh.length).fill(7);
      expect(f(x, out)).toBe(out);
      expect(Array.from(out)).toEqual(Array.from(fresh));
      // evaluated again at another point into the same buffer: the values of that point
      const y = x.map((v, i) => v + 0.1 * (i + 1));
      expect(f(y, out)).toBe(out);
      expect(Array.from(out)).toEqual(Array.from(f(y)));
      // a buffer of the wrong size is not used
      const small = new Float64Array(1);
      expect(f(x, small)).not.toBe(small);
    }
  });
});
