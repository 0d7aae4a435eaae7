import { describe, expect, it } from "vitest";
import { clsSummary, EXPECTED_BAND, limitSummary } from "../../src/io/summaries.js";
import { normCdf, normPpf } from "../../src/math/special.js";
import { getBackend } from "../../src/model/get-backend.js";
import { UnCorrStatisticsCombiner } from "../../src/model/uncorrelated-combiner.js";
import { loadReference, num, TOL } from "../reference/harness.js";

// The first case of the Python reference (10-bin correlated background): its recorded
// exclusion_confidence_level and poi_upper_limit values are what the summaries must reproduce.
const reference = loadReference();
const refCase = reference.cases.find((c) => c.id === "correlated-background-random-ar1-01");
if (!refCase) throw new Error("reference case correlated-background-random-ar1-01 is missing from the fixture");
const model = getBackend(refCase.backend)({ ...refCase.kwargs, analysis: refCase.id });
const recorded = (op: string, args: Record<string, unknown>) => {
  const r = refCase.results.find(
    (x) => x.op === op && Object.entries(args).every(([k, v]) => JSON.stringify(x.args[k]) === JSON.stringify(v)),
  );
  if (!r) throw new Error(`no recorded ${op} ${JSON.stringify(args)}`);
  return r.value as unknown;
};

describe("clsSummary", () => {
  it("observed and post-fit expected CLs are 1 − spey's exclusion_confidence_level", () => {
    const s = clsSummary(model, { poiTest: 1 });
    const obs = recorded("exclusion_confidence_level", { poi_test: 1, expected: "observed" }) as number[];
    const exp = recorded("exclusion_confidence_level", { poi_test: 1, expected: "aposteriori" }) as number[];
    // TOL.cls: the reference acceptance tolerance on 1 − CLs (see harness).
    expect(Math.abs(s.observed - (1 - num(obs[0])))).toBeLessThan(TOL.cls);
    expect(s.expected).toHaveLength(EXPECTED_BAND.length);
    s.expected.forEach((v, i) => expect(Math.abs(v - (1 - num(exp[i])))).toBeLessThan(TOL.cls));
    expect(s).toMatchObject({
      poiTest: 1,
      calculator: "asymptotic",
      expectedType: "aposteriori",
      confidenceLevel: 0.95,
    });
    expect(s.excluded).toBe(s.observed < 0.05);
    expect(s.ntoys).toBeUndefined();
  });

  it("the pre-fit band when asked, and `excluded` follows the confidence level", () => {
    const s = clsSummary(model, { poiTest: 0.5, expected: "apriori", confidenceLevel: 0.9 });
    const exp = recorded("exclusion_confidence_level", { poi_test: 0.5, expected: "apriori" }) as number[];
    s.expected.forEach((v, i) => expect(Math.abs(v - (1 - num(exp[i])))).toBeLessThan(TOL.cls));
    expect(s.excluded).toBe(s.observed < 0.1);
  });

  it("tiny CLs keep their digits (CLs itself, not 1 − (1 − CLs), which rounds to 0 or 1.1e-16 below ~1e-16)", () => {
    // One bin, s = 20 and b = 10 ± 1 at μ = 3: every CLs is below 1e-11, the −2σ one ~1e-26.
    const strong = getBackend("default.uncorrelated_background")({
      signalYields: [20],
      backgroundYields: [10],
      data: [10],
      absoluteUncertainties: [1],
    });
    const s = clsSummary(strong, { poiTest: 3 });
    // The asymptotic band (arXiv:1007.1727 eqs. 65–66): CLs(n) = Φ(−√q_{μ,A} − n)/Φ(−n), n = 2 … −2
    // in the order of EXPECTED_BAND (−2σ first). √q_{μ,A} from the median (n = 0): 2Φ(−√q_{μ,A}).
    const sqrtQmuA = -normPpf((s.expected[2] as number) / 2);
    expect(sqrtQmuA).toBeGreaterThan(8);
    [2, 1, 0, -1, -2].forEach((n, i) => {
      const predicted = normCdf(-sqrtQmuA - n) / normCdf(-n);
      const value = s.expected[i] as number;
      expect(value).toBeGreaterThan(0);
      // Relative 1e-9: √q_{μ,A} is recovered from the median to ~1e-15 relative, and d ln CLs/d√q
      // ≈ √q + n ≤ 11 amplifies that to ~1e-13; rounding gives a value of 0 or 1.1e-16 an error of 100%.
      expect(Math.abs(value - predicted) / predicted).toBeLessThan(1e-9);
    });
    expect((s.expected[0] as number) < 1e-20).toBe(true);
  });

  it("toys record their settings", () => {
    const s = clsSummary(model, { poiTest: 1, calculator: "toy", ntoys: 20, seed: 3 });
    expect(s).toMatchObject({ calculator: "toy", ntoys: 20, seed: 3 });
    // With 20 toys every CLs is a ratio of counts out of 20 (clipped to [0, 1]).
    for (const v of [s.observed, ...s.expected]) expect(v >= 0 && v <= 1).toBe(true);
  });

  it("rejects an unknown band and a confidence level outside (0, 1), naming the argument", () => {
    expect(() => clsSummary(model, { expected: "observed" as never })).toThrow(/expected must be/);
    expect(() => clsSummary(model, { confidenceLevel: 1 })).toThrow(/confidenceLevel/);
  });
});

describe("limitSummary", () => {
  it("the observed limit and the ±2σ post-fit band are spey's poi_upper_limit values", () => {
    const s = limitSummary(model);
    const obs = num(recorded("poi_upper_limit", { expected: "observed" }));
    const band = recorded("poi_upper_limit", { expected_pvalue: "2sigma", expected: "aposteriori" }) as number[];
    // TOL.limit: relative acceptance tolerance on upper limits (see harness).
    expect(Math.abs(s.observed / obs - 1)).toBeLessThan(TOL.limit);
    s.expected.forEach((v, i) => expect(Math.abs(v / num(band[i]) - 1)).toBeLessThan(TOL.limit));
    expect(s).toMatchObject({ confidenceLevel: 0.95, calculator: "asymptotic", expectedType: "aposteriori" });
  });

  it("works on a combiner, whose single-analysis limit equals the model's", () => {
    const combined = new UnCorrStatisticsCombiner(model);
    const a = limitSummary(combined, { expected: "apriori" });
    const b = limitSummary(model, { expected: "apriori" });
    // Same likelihood, different μ fit (one-dimensional Brent vs full fit): agree to the limit tolerance.
    expect(Math.abs(a.observed / b.observed - 1)).toBeLessThan(TOL.limit);
    a.expected.forEach((v, i) => expect(Math.abs(v / (b.expected[i] as number) - 1)).toBeLessThan(TOL.limit));
  });
});
