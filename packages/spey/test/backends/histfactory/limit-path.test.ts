/**
 * The HistFactory limit path (issues #11, #16): with the opt-in `profileColdStartRange: 2`, profiles
 * along μ run their cold start once per factor 2 of μ instead of at every μ (the default, which
 * issue #9's multi-start at every profile point asks for), and `limitSummary` computes the
 * observed limit and the ±2σ band from one preparation. Both must give the numbers of the plain
 * way (cold starts at every μ, two separate `poiUpperLimit` calls).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { largeWorkspace } from "../../../../../bench/large-workspace.js";
import { PyhfBackend } from "../../../src/backends/histfactory/backend.js";
import type { WorkspaceSpec } from "../../../src/backends/histfactory/schema.js";
import { countingFits } from "../../support/counting-fits.js";
import { bestOfStarts, type FitCandidate } from "../../../src/fit/multistart.js";
import { limitSummary } from "../../../src/io/summaries.js";
import { Random } from "../../../src/math/random.js";
import { StatisticalModel } from "../../../src/model/statistical-model.js";

const validation = JSON.parse(
  readFileSync(new URL("../../fixtures/histfactory/pyhf-validation.json", import.meta.url), "utf8"),
) as { cases: { id: string; workspace: WorkspaceSpec }[] };
const workspaceOf = (id: string) => {
  const found = validation.cases.find((c) => c.id === id);
  if (!found) throw new Error(`validation case ${id} is missing from the fixture`);
  return found.workspace;
};

/** A model; `range` opts in to cold starts once per that factor of μ (default: at every μ). */
function modelOf(workspace: WorkspaceSpec, range?: number): StatisticalModel {
  const backend = new PyhfBackend({
    backgroundOnlyModel: workspace,
    signalPatch: [],
    ...(range === undefined ? {} : { profileColdStartRange: range }),
  });
  return new StatisticalModel(backend);
}

const limitsOf = (m: StatisticalModel) => [
  m.poiUpperLimit(),
  ...(m.poiUpperLimit({ expected: "aposteriori", expectedPvalue: "2sigma" }) as number[]),
];

// Relative agreement of limits computed along different start paths: each fit stops at a projected
// gradient ≤ 1e-9·√|NLL|, so the same minimum reached from different starts differs in NLL by
// O(1e-18) and the limits (roots found to rtol 1e-6 from the same sequence of μ) by rounding; 1e-9
// leaves room for that and would still catch a different basin (NLL differences ≥ 1e-7 move a
// limit by far more).
const SAME_MINIMA = 1e-9;

describe("profiles along μ: opt-in cold starts once per factor 2 of μ", () => {
  it("is off by default and refuses a range below 1 or not finite", () => {
    const ws = workspaceOf("shapesys_nuisparfilter");
    expect(new PyhfBackend({ backgroundOnlyModel: ws, signalPatch: [] }).profileColdStartRange()).toBeUndefined();
    expect(
      new PyhfBackend({ backgroundOnlyModel: ws, signalPatch: [], profileColdStartRange: 2 }).profileColdStartRange(),
    ).toBe(2);
    for (const bad of [0.5, Number.NaN, Number.POSITIVE_INFINITY, "2"]) {
      expect(
        () => new PyhfBackend({ backgroundOnlyModel: ws, signalPatch: [], profileColdStartRange: bad as number }),
      ).toThrow(/profileColdStartRange must be a finite number ≥ 1/);
    }
  });

  const cases: [string, () => WorkspaceSpec][] = [
    ["2bin_2channel_coupledhistosys_mu1 (pyhf validation)", () => workspaceOf("2bin_2channel_coupledhistosys_mu1")],
    ["shapesys_nuisparfilter (pyhf validation)", () => workspaceOf("shapesys_nuisparfilter")],
    ["54-parameter synthetic workspace (bench/large-workspace.js)", () => largeWorkspace(6, 4, 12, new Random(3))],
  ];
  for (const [label, workspace] of cases) {
    it(`${label}: the same limits and CLs as cold starts at every μ, with fewer fits`, () => {
      const ws = workspace();
      const ranged = countingFits(() => limitsOf(modelOf(ws, 2)));
      const every = countingFits(() => limitsOf(modelOf(ws)));
      ranged.value.forEach((v, i) => {
        const reference = every.value[i] as number;
        expect(Number.isFinite(v)).toBe(true);
        expect(Math.abs(v - reference)).toBeLessThanOrEqual(SAME_MINIMA * reference);
      });
      // Each μ beyond the first of a range saves at least its cold start.
      expect(ranged.fits).toBeLessThan(every.fits);
      const cls = (m: StatisticalModel) => m.exclusionConfidenceLevel({ expected: "all" }).flat();
      const a = cls(modelOf(ws, 2));
      const b = cls(modelOf(ws));
      a.forEach((v, i) => expect(Math.abs(v - (b[i] as number))).toBeLessThanOrEqual(SAME_MINIMA));
    });
  }
});

describe("results do not depend on what the model computed before", () => {
  it("limitSummary and CLs on a fresh model equal those after other limits, CLs and fits on the same model, bit for bit", () => {
    // The backend keeps per-data state between calls (Hessians of recent fits for chord steps at
    // identical starts, recent cold runs from the suggested point, the last free fit): all of it
    // is reused only where it is the same computation, so the order of calls cannot show.
    const ws = largeWorkspace(6, 4, 12, new Random(3));
    const fresh = modelOf(ws);
    const summary = limitSummary(fresh);
    const cls = modelOf(ws).exclusionConfidenceLevel({ poiTest: 0.7, expected: "all" });
    const used = modelOf(ws);
    used.exclusionConfidenceLevel({ poiTest: 2, expected: "all" });
    limitSummary(used, { confidenceLevel: 0.9 });
    used.poiUpperLimit({ expected: "apriori", expectedPvalue: "2sigma" });
    used.maximizeLikelihood({ allowNegativeSignal: true });
    expect(limitSummary(used)).toEqual(summary);
    expect(used.exclusionConfidenceLevel({ poiTest: 0.7, expected: "all" })).toEqual(cls);
  });
});

describe("bestOfStarts with `enough`", () => {
  const run = (nll: number, converged: boolean): FitCandidate => ({
    nll,
    parameters: Float64Array.of(nll),
    converged,
  });
  it("stops after a converged first start when enough = 1, runs every start by default", () => {
    const tried: number[] = [];
    const attempt = (s: ArrayLike<number>) => {
      tried.push(s[0] as number);
      return run(s[0] as number, true);
    };
    expect(bestOfStarts([[3], [1], [2]], attempt, 1).nll).toBe(3);
    expect(tried).toEqual([3]);
    tried.length = 0;
    expect(bestOfStarts([[3], [1], [2]], attempt).nll).toBe(1);
    expect(tried).toEqual([3, 1, 2]);
  });
  it("goes on to the other starts when the first did not converge, and a lazy start is computed only then", () => {
    let computed = 0;
    const lazy = () => {
      computed++;
      return [2];
    };
    const attempt = (s: ArrayLike<number>) => run(s[0] as number, (s[0] as number) !== 5);
    expect(bestOfStarts([[5], lazy, [4]], attempt, 1).nll).toBe(2);
    expect(computed).toBe(1);
    const converged = (s: ArrayLike<number>) => run(s[0] as number, true);
    computed = 0;
    bestOfStarts([[5], lazy], converged, 1);
    expect(computed).toBe(0);
  });
});

describe("limitSummary: one preparation for the observed limit and the band", () => {
  // Both ways solve the same equations to rtol 1e-6 on the same profiles (the shared one continues
  // from other fitted points: same minima, see SAME_MINIMA), so they agree within the two
  // tolerances, 2e-6 relative.
  const ROOT_TOLERANCE = 2e-6;
  const ws = largeWorkspace(6, 4, 12, new Random(3));

  it("gives the limits of two separate poiUpperLimit calls, with fewer fits", () => {
    const shared = countingFits(() => limitSummary(modelOf(ws)));
    const separate = countingFits(() => {
      const m = modelOf(ws);
      return {
        observed: m.poiUpperLimit(),
        expected: m.poiUpperLimit({ expected: "aposteriori", expectedPvalue: "2sigma" }) as number[],
      };
    });
    expect(Math.abs(shared.value.observed - separate.value.observed)).toBeLessThanOrEqual(
      ROOT_TOLERANCE * separate.value.observed,
    );
    expect(shared.value.expected).toHaveLength(5);
    shared.value.expected.forEach((v, i) => {
      const reference = separate.value.expected[i] as number;
      expect(Math.abs(v - reference)).toBeLessThanOrEqual(ROOT_TOLERANCE * reference);
    });
    // The shared preparation saves the second free fit, Asimov data and Asimov fit at least.
    expect(shared.fits).toBeLessThan(separate.fits);
  });

  it("the pre-fit band and other confidence levels go through the same method", () => {
    const m = modelOf(ws);
    const s = limitSummary(m, { expected: "apriori", confidenceLevel: 0.9 });
    const fresh = modelOf(ws);
    // The pre-fit band is on other data (no preparation to share): two plain searches, exactly.
    expect(s.observed).toBe(fresh.poiUpperLimit({ confidenceLevel: 0.9 }));
    expect(s.expected).toEqual(
      fresh.poiUpperLimit({ expected: "apriori", expectedPvalue: "2sigma", confidenceLevel: 0.9 }),
    );
    expect(() => m.poiUpperLimitWithBand({ expected: "observed" as never })).toThrow(/expected must be/);
  });
});
