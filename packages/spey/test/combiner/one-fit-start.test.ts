/**
 * The uncorrelated combiner's combined fit of μ in one member fit (issue #16):
 *
 * - `minimizeSummedProfile` ends at the start's Newton point μ* = μ − g/H when every member
 *   certifies its curvature there (H = Σ p_k″) and the Newton decrement g²/2H is ≤ 1e-8: checked
 *   against a cubic profile whose minimum and third derivative are known exactly (μ* within
 *   |P‴|t²/2H of the minimum, the value within |P‴|t³/6), and against what it must not do — accept
 *   a larger decrement, accept without certified curvatures, skip the scan for other basins of a
 *   non-convex sum;
 * - a hypothesis test's combined fit starts at the minimum of the members' Hermite interpolants
 *   through their free fit and the Asimov data's generating point: in the reference combinations
 *   2models-02, 3models-04 and 3models-06 (CLs and significance) every member is fitted at one μ
 *   besides the test's own μ = 0 and 1, in 2models-04 and 3models-01 (μ̂ = 0) at none, at the
 *   minimum of a dense scan of the members' public profiles;
 * - a member's certified p″ at the Asimov data's generating point is still there after later fits
 *   (the exact profile keeps its recent inner profiles);
 * - `convexProfileMinimum` (default.correlated_combiner's Asimov free fits) accepts a start at the
 *   minimum by its tangent alone.
 */
import { describe, expect, it } from "vitest";
import { setLogHandler } from "../../src/core/logger.js";
import { convexProfileMinimum, minimizeSummedProfile, type SummedProfile } from "../../src/fit/poi-global-minimum.js";
import { Q0, QTILDE, type TestStatistic } from "../../src/inference/test-statistics.js";
import type { StatisticalModel } from "../../src/model/statistical-model.js";
import { UnCorrStatisticsCombiner } from "../../src/model/uncorrelated-combiner.js";
import { referenceMembers } from "./reference-members.js";
import { referenceMinimum } from "./reference-scan.js";

/**
 * P(μ) = (μ − 1)²/2σ² + κ(μ − 1)³ (σ = 0.5, κ = 0.2): its minimum on [lower, 10] with lower > −5.6
 * is P(1) = 0 (the other stationary point, 1 − 1/3κσ², lies below), P‴ = 6κ everywhere; every
 * evaluation of P is recorded.
 */
function cubicProfile(certified: boolean, convex = true) {
  const sigma = 0.5;
  const kappa = 0.2;
  const calls: number[] = [];
  const P = (mu: number) => (mu - 1) ** 2 / (2 * sigma * sigma) + kappa * (mu - 1) ** 3;
  const profile: SummedProfile = {
    nll: (mu) => {
      calls.push(mu);
      return P(mu);
    },
    slope: (mu) => (mu - 1) / (sigma * sigma) + 3 * kappa * (mu - 1) ** 2,
    information: () => 1 / (sigma * sigma),
    anchors: () => [1],
    sigmas: () => [sigma],
    convex,
    ...(certified ? { localCurvatures: (mu: number) => [1 / (sigma * sigma) + 6 * kappa * (mu - 1)] } : {}),
  };
  return { profile, calls, P, sigma, kappa };
}

describe("minimizeSummedProfile: the start's Newton point", () => {
  setLogHandler(() => {});

  it("ends at μ − g/H after one evaluation when the decrement is ≤ 1e-8, within the third-order error", () => {
    const { profile, calls, sigma, kappa } = cubicProfile(true);
    const t = 5e-5;
    // g ≈ t/σ² = 2e-4, H ≈ 4: g²/2H ≈ 5e-9
    const [x, fun] = minimizeSummedProfile(profile, 0, 10, 1 + t, undefined);
    expect(calls).toEqual([1 + t]);
    const h = 1 / (sigma * sigma);
    // |μ* − 1| ≤ |P‴|t²/2H (+ rounding of the difference 1 + t − g/H, ~1e-16)
    expect(Math.abs(x - 1)).toBeLessThanOrEqual((6 * kappa * t * t) / (2 * h) + 1e-15);
    expect(Math.abs(x - 1)).toBeGreaterThan(0); // (the start's Newton point, not a rounded 1)
    // P(μ*) = P(μ) − g²/2H to |P‴|t³/6 ≈ 2.5e-14 (the minimum is 0), + rounding of P(μ) ≈ 5e-9
    expect(Math.abs(fun)).toBeLessThanOrEqual(kappa * t ** 3 + 1e-20 + 5e-9 * Number.EPSILON * 8);
  });

  it("iterates when the decrement is larger, or the curvature is not certified", () => {
    // t = 2e-4: g²/2H ≈ 8e-8 > 1e-8
    const larger = cubicProfile(true);
    const [x, fun] = minimizeSummedProfile(larger.profile, 0, 10, 1 + 2e-4, undefined);
    expect(larger.calls.length).toBeGreaterThan(1);
    // the answer is an evaluated point of the Newton iteration
    expect(larger.calls).toContain(x);
    expect(fun).toBe(larger.P(x));
    expect(Math.abs(x - 1)).toBeLessThan(1e-5);
    // no certificate: the Newton step, then the values beside the point (a convex sum)
    const uncertified = cubicProfile(false);
    minimizeSummedProfile(uncertified.profile, 0, 10, 1 + 5e-5, undefined);
    expect(uncertified.calls.length).toBeGreaterThanOrEqual(3);
  });

  it("stops at a bound the slope points beyond, after one evaluation", () => {
    const { profile, calls, P } = cubicProfile(true);
    const [x, fun] = minimizeSummedProfile(profile, 1.2, 10, 1.2, undefined);
    expect(calls).toEqual([1.2]);
    expect(x).toBe(1.2);
    expect(fun).toBe(P(1.2));
  });

  it("still scans a non-convex sum for another basin, and finds the deeper one", () => {
    // P(μ) = 2(μ − 0.5)²(μ − 1.5)² − 0.1μ: a shallow basin near 0.5, a deeper one near 1.5
    const P = (mu: number) => 2 * (mu - 0.5) ** 2 * (mu - 1.5) ** 2 - 0.1 * mu;
    const dP = (mu: number) => 4 * (mu - 0.5) * (mu - 1.5) * (2 * mu - 2) - 0.1;
    const d2P = (mu: number) =>
      4 * ((mu - 1.5) * (2 * mu - 2) + (mu - 0.5) * (2 * mu - 2) + 2 * (mu - 0.5) * (mu - 1.5));
    // the shallow basin's minimum to rounding (Newton's method on dP), the start
    let start = 0.5;
    for (let i = 0; i < 50; i++) start -= dP(start) / d2P(start);
    expect(d2P(start)).toBeGreaterThan(0);
    const calls: number[] = [];
    const profile: SummedProfile = {
      nll: (mu) => {
        calls.push(mu);
        return P(mu);
      },
      slope: dP,
      information: () => d2P(start),
      localCurvatures: (mu) => [d2P(mu)],
      anchors: () => [0.5, 1.5],
      sigmas: () => [1 / Math.sqrt(d2P(start))],
      convex: false,
    };
    const [x, fun] = minimizeSummedProfile(profile, 0, 10, start, undefined);
    const ref = referenceMinimum(P, 0, 3);
    expect(ref.mu).toBeGreaterThan(1.2); // (the deeper basin)
    // the scan's Brent refinement: to its tolerance 1e-10 in μ (P there is flat to ~1e-20)
    expect(Math.abs(x - ref.mu)).toBeLessThan(1e-6);
    expect(fun).toBeLessThanOrEqual(ref.nll + 1e-12);
    expect(calls.length).toBeGreaterThan(5);
  });
});

describe("convexProfileMinimum: a start at the minimum", () => {
  // P(μ) = (μ − 1)²/2 + (μ − 1)⁴, convex, minimum 0 at μ = 1; every evaluation recorded
  const make = () => {
    const calls: number[] = [];
    const f = (mu: number) => {
      calls.push(mu);
      return (mu - 1) ** 2 / 2 + (mu - 1) ** 4;
    };
    const df = (mu: number) => mu - 1 + 4 * (mu - 1) ** 3;
    return { calls, f, df };
  };

  it("is certified by its own tangent after one evaluation (the Asimov fit from its generating point)", () => {
    const { calls, f, df } = make();
    // slope 1e-13: the tangent's lowest point on [−5, 10] lies ≤ 9e-13 below P(start)
    const best = convexProfileMinimum(f, df, () => true, -5, 10, 1 + 1e-13);
    expect(calls).toEqual([1 + 1e-13]);
    expect(best?.x).toBe(1 + 1e-13);
  });

  it("iterates from elsewhere, to the minimum within the tangent gap 1e-9", () => {
    const { calls, f, df } = make();
    const best = convexProfileMinimum(f, df, () => true, -5, 10, 1.3);
    expect(calls.length).toBeGreaterThan(2);
    expect(best?.fun).toBeLessThanOrEqual(1e-9);
  });
});

describe("UnCorrStatisticsCombiner: the Hermite start of a hypothesis test's combined fit", () => {
  setLogHandler(() => {});

  /** The μ of every conditional fit a model's backend makes. */
  function recordFits(model: StatisticalModel): number[] {
    const backend = model.backend as { bestFit?: (r: { fixed: Map<number, number> }) => unknown };
    const fitted: number[] = [];
    const bestFit = backend.bestFit?.bind(backend);
    if (bestFit) {
      backend.bestFit = (request) => {
        const mu = request.fixed.get(0);
        if (mu !== undefined) fitted.push(mu);
        return bestFit(request);
      };
    }
    return fitted;
  }

  type Test = (m: StatisticalModel | UnCorrStatisticsCombiner) => unknown;
  const cls: Test = (m) => m.exclusionConfidenceLevel();
  const significance: Test = (m) => m.significance();
  // [case, test, its statistic, the test, the combined μ̂'s fits per member beyond the test's own]:
  // one where μ̂ is inside its bounds, none where it is at μ = 0 (2models-04 and 3models-01: their
  // Poisson members' own μ̂ is 0 too, modelled by the quadratic at 0, and the sum's model ends on
  // the bound, whose point the test has fitted)
  const cases: [string, string, TestStatistic, Test, number][] = [
    ["combiner-2models-02", "CLs", QTILDE, cls, 1],
    ["combiner-3models-04", "CLs", QTILDE, cls, 1],
    ["combiner-3models-06", "CLs", QTILDE, cls, 1],
    ["combiner-2models-04", "CLs", QTILDE, cls, 0],
    ["combiner-3models-01", "CLs", QTILDE, cls, 0],
    ["combiner-2models-02", "significance", Q0, significance, 1],
    ["combiner-3models-04", "significance", Q0, significance, 1],
    ["combiner-3models-06", "significance", Q0, significance, 1],
    ["combiner-2models-04", "significance", Q0, significance, 0],
    ["combiner-3models-01", "significance", Q0, significance, 0],
  ];
  for (const [id, label, statistic, run, fits] of cases) {
    it(`${id}, ${label}: every member is fitted at ${fits} μ besides the test's own, at the dense scan's minimum`, () => {
      const members = referenceMembers(id);
      const fitted = members.map(recordFits);
      run(new UnCorrStatisticsCombiner(...members));
      let fittedMembers = 0;
      members.forEach((member, k) => {
        // (a one-parameter member's profile points need no fit)
        if (member.backend.config().npar === 1) return;
        fittedMembers++;
        // the test's own fits are at μ = 0 and 1 (the tested μ and the Asimov data's generating
        // point); the combined μ̂ costs each member `fits` elsewhere — a member whose profile the
        // scan of a non-convex sum bounds is also fitted there: those are the convex members, here
        // the closed-form uncorrelated background
        const elsewhere = (fitted[k] as number[]).filter((mu) => mu !== 0 && mu !== 1);
        if (member.backendType === "default.uncorrelated_background")
          expect(elsewhere.length).toBeGreaterThanOrEqual(fits);
        else expect(elsewhere.length).toBe(fits);
      });
      expect(fittedMembers).toBeGreaterThan(0);
      // the combined fit of the test reaches the minimum of the summed public profiles: the fits are
      // exact to ~1e-9 in NLL each
      const fresh = referenceMembers(id);
      const fit = new UnCorrStatisticsCombiner(...fresh).profileLikelihood.prepare({
        expected: "observed",
        statistic,
      }).fit;
      const scan = referenceMembers(id);
      const lower = statistic.muhatMayBeNegative ? -2 : 0;
      const ref = referenceMinimum((mu) => scan.reduce((s, m) => s + m.likelihood({ poiTest: mu }), 0), lower, 3);
      expect(Math.abs(fit.nll - ref.nll)).toBeLessThan(1e-8);
    });
  }
});

describe("Simplified likelihoods: a certified p″ outlives later fits", () => {
  setLogHandler(() => {});

  it("gives p″ at the Asimov data's generating point after the Asimov free fit and other fits", () => {
    const make = () => referenceMembers("combiner-2models-02")[0] as StatisticalModel;
    const prep = make().profileLikelihood.prepare({ expected: "observed", statistic: QTILDE });
    const curvature = (mu: number) => (prep.profileCurvature as (m: number, w: "data") => number)(mu, "data");
    // the fit at μ = 0.2 (2models-02's effective-σ member certifies p″ there), then other fits
    prep.logpdf(0.2);
    void prep.asimovFit;
    for (const mu of [0.4, 0.6, 0.8, 1]) prep.logpdf(mu);
    const later = curvature(0.2);
    // a fresh model asked right after its fit at 0.2
    const fresh = make().profileLikelihood.prepare({ expected: "observed", statistic: QTILDE });
    fresh.logpdf(0.2);
    const direct = (fresh.profileCurvature as (m: number, w: "data") => number)(0.2, "data");
    expect(direct).toBeGreaterThan(0);
    // the same fit (the same warm start: the free fit) and the same Schur complement
    expect(later).toBe(direct);
  });
});
