import { describe, expect, it } from "vitest";
import {
  computeThirdMoments,
  correlationToCovariance,
  mergeCorrelatedBins,
  signalUncertaintySynthesizer,
  thirdMomentExpansion,
} from "../../src/backends/simplified/index.js";
import { loadReference, num } from "./harness.js";

const fns = () => loadReference().functions;
const byName = (suffix: string) => fns().filter((f) => f.function.includes(suffix));

/** |a − e| ≤ atol + rtol·|e| elementwise over nested arrays. */
function expectNested(actual: unknown, expected: unknown, rtol: number, atol: number, what: string): void {
  if (Array.isArray(expected) || ArrayBuffer.isView(expected)) {
    const e = Array.from(expected as ArrayLike<unknown>);
    const a = Array.from(actual as ArrayLike<unknown>);
    expect(a.length, what).toBe(e.length);
    e.forEach((x, i) => expectNested(a[i], x, rtol, atol, `${what}[${i}]`));
    return;
  }
  const e = num(expected);
  const a = actual as number;
  expect(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${what}: ${a} vs ${e}`).toBe(true);
}

describe("Python reference: helper functions", () => {
  it("compute_third_moments (closed form vs spey's quadrature: 1e-9 relative)", () => {
    const calls = byName("compute_third_moments");
    expect(calls.length).toBeGreaterThan(0);
    for (const f of calls) {
      const a = f.args as { absolute_upper_uncertainties: number[]; absolute_lower_uncertainties: number[] };
      expectNested(
        computeThirdMoments(a.absolute_upper_uncertainties, a.absolute_lower_uncertainties),
        f.value,
        1e-9,
        1e-12,
        f.function,
      );
    }
  });

  it("third_moment_expansion: A, B, C to 1e-12; ρ′ to 1e-6 (spey's float64 ρ′ carries ~1e-7 rounding for C = 0 bins)", () => {
    const calls = byName("third_moment_expansion");
    expect(calls.length).toBeGreaterThan(0);
    for (const f of calls) {
      const a = f.args as { expectation_value: number[]; covariance_matrix: number[][]; third_moment: number[] };
      const out = thirdMomentExpansion(a.expectation_value, a.covariance_matrix, a.third_moment, {
        returnCorrelationMatrix: true,
      });
      const ref = f.value as { A: number[]; B: number[]; C: number[]; corr: number[][] };
      expectNested(out.A, ref.A, 1e-12, 1e-14, "A");
      expectNested(out.B, ref.B, 1e-12, 1e-14, "B");
      expectNested(out.C, ref.C, 1e-10, 1e-14, "C");
      expectNested(out.correlationMatrix, ref.corr, 0, 1e-6, "corr");
    }
  });

  it("correlation_to_covariance and merge_correlated_bins (exact arithmetic)", () => {
    for (const f of byName("correlation_to_covariance")) {
      const a = f.args as { correlation_matrix: number[][]; standard_deviations: number[] };
      expectNested(correlationToCovariance(a.correlation_matrix, a.standard_deviations), f.value, 1e-15, 0, f.function);
    }
    const merges = byName("merge_correlated_bins");
    expect(merges.length).toBeGreaterThan(0);
    for (const f of merges) {
      const a = f.args as {
        background_yields: number[];
        data: number[];
        covariance_matrix: number[][];
        merge_groups: number[][];
        signal_yields?: number[];
      };
      const out = mergeCorrelatedBins({
        backgroundYields: a.background_yields,
        data: a.data,
        covarianceMatrix: a.covariance_matrix,
        mergeGroups: a.merge_groups,
        ...(a.signal_yields ? { signalYields: a.signal_yields } : {}),
      });
      const ref = f.value as Record<string, unknown>;
      expectNested(out.backgroundYields, ref.background_yields, 1e-15, 0, "b");
      expectNested(out.data, ref.data, 1e-15, 0, "n");
      expectNested(out.covarianceMatrix, ref.covariance_matrix, 1e-14, 1e-15, "Σ");
      if (ref.signal_yields) expectNested(out.signalYields, ref.signal_yields, 1e-15, 0, "s");
    }
    // spey's `spey.helper_functions` docstring example
    expect(
      mergeCorrelatedBins({
        backgroundYields: [10, 20, 30, 40],
        data: [12, 22, 32, 42],
        covarianceMatrix: [
          [4, 1, 0.5, 0.2],
          [1, 3, 0.3, 0.1],
          [0.5, 0.3, 5, 0.2],
          [0.2, 0.1, 0.2, 4],
        ],
        mergeGroups: [
          [0, 1],
          [2, 3],
        ],
        returnGroupIndices: true,
      }).groupIndices,
    ).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(() =>
      mergeCorrelatedBins({
        backgroundYields: [1, 2],
        data: [1, 2],
        covarianceMatrix: [
          [1, 0],
          [0, 1],
        ],
        mergeGroups: [[0, 1], [1]],
      }),
    ).toThrow(/Overlapping/);
  });

  it("signal_uncertainty_synthesizer: names, count and factors (1e-14 relative: exp of sums of logs)", () => {
    const calls = byName("signal_uncertainty_synthesizer");
    expect(calls.length).toBeGreaterThan(0);
    for (const f of calls) {
      const a = f.args as { signal_yields: number[]; modifiers: unknown; pars: number[][] };
      const synth = signalUncertaintySynthesizer({ signalYields: a.signal_yields, modifiers: a.modifiers });
      const ref = f.value as { n_parameters: number; parameter_names: string[]; lambda: number[][] };
      expect(synth.nParameters).toBe(ref.n_parameters);
      expect(synth.parameterNames).toEqual(ref.parameter_names);
      a.pars.forEach((p, i) => expectNested(synth.lambda(p), ref.lambda[i], 1e-14, 1e-15, `lambda[${i}]`));
    }
  });
});
